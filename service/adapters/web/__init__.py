"""Web pages served by the app: the front desk and the reader portal (plain HTML + JS)."""
