"""Fines: overdue and replacement charges in integer fen."""
