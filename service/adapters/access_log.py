"""Access logs without query strings: searches (q=) are readers' personal data, and a query
string may carry PINs or tokens. Paths, methods, statuses and sizes are enough to operate."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

# gunicorn's default format with "%(r)s" (the request line, query included) replaced by the
# method, path and protocol, and without the referrer (a page address with its own query).
GUNICORN_ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


def without_query(target: str) -> str:
    """A request target with any query string (and fragment) cut off."""
    return target.split("?", 1)[0].split("#", 1)[0]


class PathOnlyRequestHandler(WSGIRequestHandler):
    """The development server's request handler, logging the path without the query."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        full, line = self.path, getattr(self, "requestline", "")
        self.path = without_query(full)
        self.requestline = " ".join(without_query(part) for part in line.split(" "))
        try:
            super().log_request(code, size)
        finally:
            self.path, self.requestline = full, line
