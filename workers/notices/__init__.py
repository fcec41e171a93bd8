"""Reader notices: keys, templates, rendering and the e-mail and webhook channels (no database)."""
