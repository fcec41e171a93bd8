"""Adapters: the HTTP API, the web pages, SIP2, and the outbound ports (database schema,
projection dispatch, login security)."""
