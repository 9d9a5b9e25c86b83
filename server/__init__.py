"""archivekg server: reads only what `archivekg build` published (SPARQL, pages, dumps).

The Flask application arrives with the server milestone; this package exists so the
project's layout is complete and the boundary (the server never converts) is set.
"""
