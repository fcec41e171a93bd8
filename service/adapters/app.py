"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from events.store import UnstorableEvent
from service.adapters.api import (
    activities,
    auth_routes,
    campaigns,
    circulation,
    classes,
    collection_reports,
    copies,
    desk_lists,
    export_schedules,
    exports,
    families,
    feedback,
    holds,
    imports,
    kiosks,
    log_feed,
    managed_lists,
    notices,
    ops,
    portal,
    portal_notices,
    reader_account,
    reader_profile,
    readers,
    recommendations,
    report_filters,
    reports,
    settings,
    staff,
    surveys,
    titles,
)
from service.adapters.api.auth import authenticate_first
from service.adapters.api.input_guard import refuse_unsafe_input, unstorable_problem
from service.adapters.api.problems import LectorApi, domain_problem, unexpected
from service.adapters.api.rate_limits import init_rate_limits
from service.adapters.api.security import add_security_headers
from service.adapters.api.translations import init_babel
from service.adapters.compression import compress_response
from service.adapters.web import admin_pages
from service.adapters.web import pages as web_pages
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.errors import DomainError

API_BLUEPRINTS = (
    auth_routes.blp, readers.blp, reader_account.blp, titles.blp, copies.blp, circulation.blp,
    holds.blp, feedback.blp, reports.blp, collection_reports.blp, settings.blp, log_feed.blp,
    notices.blp, imports.blp, export_schedules.blp, exports.blp, kiosks.blp, staff.blp,
    managed_lists.blp, reader_profile.blp, report_filters.blp, portal.blp, portal_notices.blp,
    activities.blp, surveys.blp, campaigns.blp, desk_lists.blp, families.blp, classes.blp,
    recommendations.blp,
)


def build_app(config: Config | Lector | None = None) -> Flask:
    """Create the app for a config (or an already bootstrapped Lector)."""
    lector = config if isinstance(config, Lector) else bootstrap(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=lector.config.secret_key,
        MAX_CONTENT_LENGTH=lector.config.max_content_length,
        API_TITLE="Lector API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/web/static/vendor/swagger-ui/",  # served locally, no CDN
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["lector"] = lector
    init_rate_limits(app, lector)
    init_babel(app)
    api = LectorApi(app)
    for blp in API_BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(ops.blp)
    app.register_blueprint(web_pages.blp)
    app.register_blueprint(admin_pages.blp)
    app.before_request(authenticate_first)
    app.before_request(refuse_unsafe_input)
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(UnstorableEvent, unstorable_problem)
    app.register_error_handler(HTTPException, api.handle_http_exception)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(add_security_headers)
    app.after_request(lambda response: compress_response(request, response))
    if lector.config.trusted_proxies:
        # Behind a TLS-terminating proxy: trust its X-Forwarded-Proto/For (request.is_secure).
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = lector.config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    for hook in _extra_setup:
        hook(app, api)
    return app


def _unexpected(error: Exception) -> Any:
    if isinstance(error, HTTPException):
        return error
    return unexpected(error)


_extra_setup: list[Any] = []
