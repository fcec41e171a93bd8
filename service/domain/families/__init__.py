"""Families (guardians of children's cards) and schools (classes with reading lists)."""
