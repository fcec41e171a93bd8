"""Campaigns: audience filters, the hold-out draw and the uplift statistics (pure)."""
