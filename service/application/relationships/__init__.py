"""Knowing each reader: RFV segments, lapse risk and the staff 360 view (docs/readers.md)."""
