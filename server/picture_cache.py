"""What the pictures draw, kept per published build and asked for off the request's thread.

A picture of the whole archive asks queries that take seconds at archive scale. Its results are kept (the
last few, per build); each is computed once, in a thread of its own, whoever asks first: the warm-up thread
of server/pictures.py or a reader. A reader waits for it PICTURE_WAIT seconds at most; past that, the page
says the picture is being prepared, with ``Retry-After`` and a refresh, and the computation goes on, so no
page of the pictures holds a reader (or a server thread) for the seconds a whole-archive query takes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from html import escape
from typing import Generic, TypeVar

from flask import Response, current_app, request

from .layout import page

__all__ = ["NotReady", "PictureCache", "preparing", "reader_wait"]

T = TypeVar("T")
RETRY_AFTER = 2


class NotReady(Exception):
    """The result is still being computed (by another thread); ask again shortly."""


class PictureCache(Generic[T]):
    """The last ``size`` results by key; one computation per key at a time, in its own thread."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, T] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._failed: dict[Hashable, BaseException] = {}

    def get(self, key: Hashable, compute: Callable[[], T], wait: float | None = None) -> T:
        """The result for ``key``: kept, or computed by ``compute`` (started now unless it already runs).
        Waits ``wait`` seconds at most (None: as long as it takes); NotReady when it is not done by then.
        A computation that failed raises its error, to one caller, and is tried afresh by the next."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            done = self._running.get(key)
            if done is None:
                done = self._running[key] = threading.Event()
                threading.Thread(target=self._run, args=(key, compute, done), daemon=True,
                                 name="archivekg-picture").start()
        if not done.wait(wait):
            raise NotReady(key)
        with self._lock:
            if key in self._done:
                return self._done[key]
            err = self._failed.pop(key, None)
        if err is not None:
            raise err
        return self.get(key, compute, wait)  # computed and already pushed out by newer ones: once more

    def _run(self, key: Hashable, compute: Callable[[], T], done: threading.Event) -> None:
        try:
            value = compute()
        except BaseException as err:  # noqa: BLE001 - handed to the caller that waits for it
            with self._lock:
                self._failed[key] = err
        else:
            with self._lock:
                self._done[key] = value
                while len(self._done) > self._size:
                    self._done.popitem(last=False)
        finally:
            with self._lock:
                self._running.pop(key, None)
            done.set()


def reader_wait() -> float:
    """How long a reader's request waits for a picture's data (PICTURE_WAIT)."""
    return float(current_app.config["PICTURE_WAIT"])


def preparing(what: str) -> Response:
    """A 503 page, for a browser as for a program: the picture is being prepared; it reloads itself."""
    again = escape(request.full_path.rstrip("?"), quote=True)
    body = (f"<h1>The {escape(what)} is being prepared</h1>"
            f"<p>Its data takes a few seconds to gather for the whole archive. This page reloads itself in "
            f'{RETRY_AFTER} s, or <a href="{again}">reload it now</a>.</p>')
    resp = Response(page(f"Preparing the {what}", body).replace(
        "<head>", f'<head><meta http-equiv="refresh" content="{RETRY_AFTER}">', 1), status=503, mimetype="text/html")
    resp.headers["Retry-After"] = str(RETRY_AFTER)
    return resp
