"""Notices: kinds, keys, template variables and rendering."""
