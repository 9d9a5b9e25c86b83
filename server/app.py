"""The application factory: config and store injected, blueprints registered, no module-level app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, jsonify, request

from .config import from_env
from .errors import ApiError, register_error_handlers
from .executor import Executor
from .dumps import bp as dumps_bp
from .layout import FRAMEABLE, secure
from .links import relative_location
from .layout import bp as layout_bp
from .reconcile import bp as reconcile_bp
from .resources import bp as resources_bp
from .search import bp as search_bp
from .sparql import bp as sparql_bp
from .pictures import register as register_pictures
from .store import Store, StoreTimeout, StoreUnavailable, open_store

__all__ = ["create_app"]


def create_app(config: dict | None = None, store: Store | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(from_env())
    if config:
        app.config.from_mapping(config)
    endpoint = str(app.config["ENDPOINT"])
    app.extensions["archivekg.store"] = store if store is not None else open_store(
        Path(app.config["DATA_DIR"]), endpoint, float(app.config["QUERY_TIMEOUT"]))
    if int(app.config["QUERY_WORKERS"]) > 0:
        app.extensions["archivekg.executor"] = Executor(
            Path(app.config["DATA_DIR"]), int(app.config["QUERY_WORKERS"]), float(app.config["QUERY_TIMEOUT"]),
            int(app.config["QUERY_MEMORY_MB"]), int(app.config["QUERY_RESERVED"]),
            float(app.config["QUERY_RESERVED_TIMEOUT"]), int(app.config["QUERY_RECYCLE_MB"]), endpoint,
        )
    register_error_handlers(app)

    @app.errorhandler(StoreUnavailable)
    def _unavailable(err: StoreUnavailable) -> Response:
        return app.handle_user_exception(ApiError(503, str(err)))  # type: ignore[return-value]

    @app.errorhandler(StoreTimeout)
    def _store_timeout(err: StoreTimeout) -> Response:  # a page's query, stopped by the remote store
        return app.handle_user_exception(ApiError(503, str(err), retry_after=5))  # type: ignore[return-value]
    app.register_blueprint(sparql_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(dumps_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(reconcile_bp)
    app.register_blueprint(layout_bp)
    register_pictures(app)  # /timeline, /network, /map and the query editor's /sparql/vocabulary

    @app.after_request
    def _cors(resp: Response) -> Response:
        secure(resp, framed=request.endpoint in FRAMEABLE)  # every response: pages, errors, dumps, redirects
        relative_location(resp)  # a redirect never names the host the request claimed
        resp.headers["Access-Control-Allow-Origin"] = str(app.config["CORS_ORIGIN"])
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        resp.headers["Access-Control-Expose-Headers"] = "Content-Type, Vary"
        return resp

    @app.route("/health")
    def health() -> Response:
        try:
            info = app.extensions["archivekg.store"].build_info()
        except StoreUnavailable as err:
            raise ApiError(503, str(err)) from None
        return jsonify({"ok": True, "triples": info["triples"], "documents": info["documents"],
                        "build_time": info["build_time"], "archivekg": info["archivekg"]})

    return app
