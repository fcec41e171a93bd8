"""The application layer: every command, its handler, the one execute loop and the unit of work."""
