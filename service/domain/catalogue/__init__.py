"""Catalogue: title state and ISBNs."""
