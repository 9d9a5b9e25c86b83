"""The application factory: config and store injected, blueprints registered, no module-level app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, jsonify, request

from .config import from_env
from .errors import ApiError, register_error_handlers
from .executor import Executor, ResultCache
from .dumps import bp as dumps_bp
from .layout import FRAMEABLE, secure
from .links import relative_location
from .layout import bp as layout_bp
from .reconcile import bp as reconcile_bp
from .resources import bp as resources_bp
from .search import bp as search_bp
from .sparql import bp as sparql_bp
from .sparql import sparql_fast_path
from .pictures import register as register_pictures
from .store import Store, StoreTimeout, StoreUnavailable, open_store

__all__ = ["create_app", "served_app"]


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
    if not endpoint and int(app.config["RESULT_CACHE_MB"]) > 0:  # a remote store may change under the build
        app.extensions["archivekg.results"] = ResultCache(int(app.config["RESULT_CACHE_MB"]) * 2**20)
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

    cors = [("Access-Control-Allow-Origin", str(app.config["CORS_ORIGIN"])),
            ("Access-Control-Allow-Headers", "Content-Type, Accept"),
            ("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS"),
            ("Access-Control-Expose-Headers", "Content-Type, Vary")]
    # What secure() and the CORS lines set on a response that has none of them: added in one go, in the same order.
    bare = Response()
    before = bare.headers.to_wsgi_list()
    usual = [header for header in secure(bare).headers.to_wsgi_list() if header not in before] + cors
    ours = frozenset(name.lower() for name, _ in usual)
    app.extensions["archivekg.usual_headers"] = usual

    @app.after_request
    def _cors(resp: Response) -> Response:
        framed = request.endpoint in FRAMEABLE
        if not framed and ours.isdisjoint(name.lower() for name in resp.headers.keys()):
            resp.headers.extend(usual)  # the usual case, as the lines below would set it
        else:
            secure(resp, framed=framed)  # every response: pages, errors, dumps, redirects
            for name, value in cors:
                resp.headers[name] = value
        relative_location(resp)  # a redirect never names the host the request claimed
        return resp

    # The protocol's usual request is answered in front of Flask, with the same steps and the same response
    # (server/sparql.py sparql_fast_path); Flask's own app stays for everything else, and for the tests.
    app.extensions["archivekg.flask_wsgi"] = app.wsgi_app
    app.wsgi_app = sparql_fast_path(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.route("/health")
    def health() -> Response:
        try:
            info = app.extensions["archivekg.store"].build_info()
        except StoreUnavailable as err:
            raise ApiError(503, str(err)) from None
        return jsonify({"ok": True, "triples": info["triples"], "documents": info["documents"],
                        "build_time": info["build_time"], "archivekg": info["archivekg"]})

    return app


def served_app(data_dir: str, endpoint: str, banner: str) -> Flask:
    """The app as `archivekg serve` runs it: made in Granian's worker process, which dies with the server that
    started it (so a killed server leaves no worker, nor query processes, behind); a stream broken off on purpose
    logged in one line; ``banner`` said once the app is ready."""
    import logging
    import os
    import sys

    from .executor import die_with_parent, quiet_broken_streams

    die_with_parent()
    if os.getppid() == 1:  # the server ended before this process could ask
        sys.exit(1)
    app = create_app({"DATA_DIR": data_dir, "ENDPOINT": endpoint})
    for handler in logging.getLogger("_granian").handlers:  # Granian logs from child loggers: only handlers filter
        handler.addFilter(quiet_broken_streams)
    print(banner, file=sys.stderr, flush=True)
    return app
