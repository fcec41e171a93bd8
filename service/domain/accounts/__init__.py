"""Accounts: the failed-login rules (a few free tries, growing delays, a lockout)."""
