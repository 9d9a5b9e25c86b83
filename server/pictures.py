"""The pictures of the archive and the query editor's vocabulary: their blueprints, registered together.

``/timeline`` (server/timeline.py), ``/network`` (server/network.py) and ``/map`` (server/map.py) are SVG
drawn on the server from the results of SPARQL queries (server/queries/pictures/*.rq) asked through the
store interface; each page also has a table of the same data and shows its query.

Each picture keeps its query results for the published build. At archive scale the whole archive's
queries take seconds, so a thread asks them as soon as the server starts, and again whenever a new build
is published (it looks every WARM_EVERY seconds): the first reader then finds them ready.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

__all__ = ["register", "warm"]

WARM_EVERY = 30.0
log = logging.getLogger("archivekg.pictures")


def register(app: Flask) -> None:
    from .map import bp as map_bp
    from .network import bp as network_bp
    from .timeline import bp as timeline_bp
    from .vocabulary import bp as vocabulary_bp

    app.register_blueprint(vocabulary_bp)
    app.register_blueprint(timeline_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(map_bp)
    threading.Thread(target=_keep_warm, args=(app,), name="archivekg-pictures", daemon=True).start()


def warm(app: Flask) -> str | None:
    """Ask the whole archive's picture queries (and the editor's vocabulary) of the published build, once;
    the key of the build they were asked of, or None if there is no build to ask."""
    from .map import cached_places
    from .network import cached_network, drawn_svg
    from .scope import Scope, build_of, options, query_text
    from .store import StoreUnavailable
    from .timeline import cached_items
    from .vocabulary import vocabulary

    with app.app_context():
        store = app.extensions["archivekg.store"]
        try:
            build = build_of(store)
            base = build.base
            cached_items(store, query_text("timeline", Scope(), base))
            drawn_svg(cached_network(store, Scope(), base), base)
            cached_places(store, query_text("map", Scope(), base))
            options(store, base)
            vocabulary(store)
        except (StoreUnavailable, KeyError, OSError, ValueError):
            return None
        return build.key


def _keep_warm(app: Flask) -> None:
    from .scope import build_of
    from .store import StoreUnavailable

    done = None
    while True:
        try:
            with app.app_context():
                key = build_of(app.extensions["archivekg.store"]).key
            if key != done:
                started = time.monotonic()
                done = warm(app)
                if done is not None:
                    log.info("pictures of build %s ready in %.1f s", key, time.monotonic() - started)
        except StoreUnavailable:
            pass  # no build published yet: look again later
        except Exception as err:  # noqa: BLE001 - a failed warm-up only means the first reader waits
            log.warning("could not prepare the pictures: %s", err)
        time.sleep(WARM_EVERY)
