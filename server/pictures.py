"""The pictures of the archive and the query editor's vocabulary: their blueprints, registered together.

``/timeline`` (server/timeline.py), ``/network`` (server/network.py) and ``/map`` (server/map.py) are SVG
drawn on the server from the results of SPARQL queries (server/queries/pictures/*.rq) asked through the
store interface; each page also has a table of the same data and shows its query.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["register"]


def register(app: Flask) -> None:
    from .map import bp as map_bp
    from .network import bp as network_bp
    from .timeline import bp as timeline_bp
    from .vocabulary import bp as vocabulary_bp

    app.register_blueprint(vocabulary_bp)
    app.register_blueprint(timeline_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(map_bp)
