"""Lending and holds: loan and hold rules, copy state, refusals."""
