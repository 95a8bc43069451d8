"""The chipwatch web application: JSON API, server-rendered pages (Jinja2 + HTMX + Plotly), docs.

Everything is served from the package: HTMX, Plotly (from the plotly Python package), Swagger UI
(from swagger-ui-bundle) and the Arabic font. A strict Content-Security-Policy allows no other
origin and no inline script.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from . import api, pages

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@contextlib.asynccontextmanager
async def warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Load the catalog, rules and countries before the first request, then freeze them out of
    the garbage collector's reach: full collections no longer walk the data (fewer latency spikes)."""
    from ..api import chips as all_chips
    from ..rules import countries, load_rules

    all_chips()
    load_rules()
    countries()
    gc.collect()
    gc.freeze()
    yield


def create_app() -> FastAPI:
    app = FastAPI(title="chipwatch", version=__version__, docs_url=None, redoc_url=None, lifespan=warm_up,
                  description="Which AI chip may be sold to whom, on which date, under which rule — and what can the buyer do with it.")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(SecurityHeaders)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        import plotly

        return FileResponse(os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js"), media_type="text/javascript")

    @app.get("/vendor/swagger/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        import swagger_ui_bundle

        allowed = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
        if name not in allowed:  # never a path from user input
            raise StarletteHTTPException(404)
        return FileResponse(os.path.join(swagger_ui_bundle.swagger_ui_path, name))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'><title>chipwatch API</title>"
            "<link rel='stylesheet' href='/vendor/swagger/swagger-ui.css'></head><body><div id='swagger-ui'></div>"
            "<script src='/vendor/swagger/swagger-ui-bundle.js'></script><script src='/static/docs-init.js'></script></body></html>"
        )

    @app.exception_handler(api.InvalidInput)
    async def invalid(request: Request, exc: api.InvalidInput) -> Response:
        return _error(request, 422, exc.message, ["query", exc.field])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), ["body"] if exc.status_code == 413 else ["path"])

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        if not is_api(request.url.path):
            return pages.error_page(request, 422, "; ".join(f"{d['loc'][-1]}: {d['msg']}" for d in detail))
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(LookupError)
    async def not_found(request: Request, exc: LookupError) -> Response:
        from ..catalog import UnknownChipError
        from ..rules import UnknownCountryError

        if not isinstance(exc, UnknownChipError | UnknownCountryError):  # a bug, not a missing thing
            return await internal(request, exc)
        if isinstance(exc, UnknownCountryError):
            return _error(request, 422, str(exc).strip("'\""), ["query", "to"])
        field = ["path", "name"] if "name" in request.path_params else ["query", "chip"]
        return _error(request, 404, str(exc).strip("'\""), field)

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        return _error(request, 500, "internal error (the details are in the server log)")

    return app


class SecurityHeaders:
    """Pure ASGI middleware: refuse oversized bodies early, add CSP and friends to every response."""

    HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"))

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > api.MAX_BODY + 64 * 1024:
            message = f"request body larger than {api.MAX_BODY} bytes"
            response: Response = (
                JSONResponse({"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]}, status_code=413)
                if is_api(scope["path"]) else PlainTextResponse(message, status_code=413))
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, self._counted(receive), self._with_headers(send))

    @staticmethod
    def _counted(receive: Any) -> Any:
        """Stop a body without Content-Length (chunked) as soon as it passes the limit."""
        seen = 0

        async def wrapped() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > api.MAX_BODY + 64 * 1024:
                    raise StarletteHTTPException(413, f"request body larger than {api.MAX_BODY} bytes")
            return message

        return wrapped

    def _with_headers(self, send: Any) -> Any:
        async def wrapped(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        return wrapped


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _error(request: Request, status: int, message: str, loc: list[str] | None = None) -> Response:
    if is_api(request.url.path):
        return JSONResponse({"detail": [{"loc": loc or ["query"], "msg": message, "type": "value_error"}]}, status_code=status)
    return pages.error_page(request, status, message)
