"""One error envelope, each failure its exact HTTP status."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

__all__ = ["ApiError", "register_error_handlers", "bad_request", "refused", "not_acceptable", "unsupported"]


class ApiError(Exception):
    def __init__(self, status: int, message: str, title: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.title = title or {400: "Bad request", 403: "Forbidden", 404: "Not found", 406: "Not acceptable",
                               413: "Payload too large", 415: "Unsupported media type",
                               503: "Service unavailable"}.get(status, "Error")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def refused(message: str) -> ApiError:
    return ApiError(403, message)


def not_acceptable(offers: list[str]) -> ApiError:
    return ApiError(406, "none of the accepted media types can be served; ask for one of: " + ", ".join(offers))


def unsupported(media: str, offers: list[str]) -> ApiError:
    return ApiError(415, f"cannot read a request body of type {media!r}; send one of: " + ", ".join(offers))


def _envelope(status: int, title: str, message: str) -> Response:
    """JSON for programs, plain text for SPARQL clients and browsers that ask for it."""
    accept = request.headers.get("Accept", "")
    if "json" in accept and "sparql-results" not in accept:
        resp = jsonify({"ok": False, "status": status, "error": title, "message": message})
    else:
        resp = Response(f"{title}: {message}\n", mimetype="text/plain")
    resp.status_code = status
    return resp


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(err: ApiError) -> Response:
        resp = _envelope(err.status, err.title, err.message)
        if err.retry_after is not None:
            resp.headers["Retry-After"] = str(err.retry_after)
        return resp

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        resp = _envelope(err.code or 500, err.name, err.description or err.name)
        for name, value in err.get_headers(request.environ):  # Allow on a 405, Content-Range on a 416, ...
            if name.lower() not in ("content-type", "content-length"):
                resp.headers[name] = value
        return resp
