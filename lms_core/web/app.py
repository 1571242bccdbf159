"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from lms_core import i18n
from lms_core.db import make_engine, session_factory
from lms_core.errors import DomainError
from lms_core.i18n import N_, gettext
from lms_core.plugins.host import PluginHost
from lms_core.settings import Settings, get_settings
from lms_core.web.middleware import RequestContextMiddleware
from lms_core.web.security import check_csrf_api, check_csrf_form
from lms_core.web.templating import CORE_TEMPLATES, make_environment, render

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"

HTTP_MESSAGES = {
    400: N_("The request is not valid."),
    401: N_("Please log in to continue."),
    403: N_("You are not allowed to do this."),
    404: N_("The page or object you asked for does not exist."),
    405: N_("This action is not allowed here."),
    413: N_("The request is too large."),
    422: N_("The request is not valid."),
    500: N_("Something went wrong on the server. Please try again later."),
}
INVALID_JSON = N_("The request body is not valid JSON.")
FIELD_INVALID = N_("The field {field} is not valid: {problem}")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str, details: list[Any] | None = None) -> Response:
    """Answer an error as JSON for the API and as a page for people."""
    if _is_api(request):
        body: dict[str, Any] = {"error": code, "message": message}
        if details:
            body["details"] = details
        return JSONResponse(body, status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return error_response(request, exc.status_code, exc.code, exc.translated(), exc.details or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(request, 422, "invalid", gettext(INVALID_JSON))
        details = []
        for e in errors:
            field = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form"))
            details.append({"field": field, "problem": e.get("msg", "")})
        message = gettext(HTTP_MESSAGES[422])
        if details:
            message = gettext(FIELD_INVALID).format(field=details[0]["field"] or "?", problem=details[0]["problem"])
        return error_response(request, 422, "invalid", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        message = gettext(HTTP_MESSAGES.get(status, HTTP_MESSAGES[400]))
        return error_response(request, status, {404: "not_found", 405: "not_allowed"}.get(status, "error"), message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "server_error", gettext(HTTP_MESSAGES[500]))


def create_app(*, settings: Settings | None = None, plugins: PluginHost | None = None, engine: Engine | None = None,
               sessions: Any = None) -> FastAPI:
    """Build the web application: API under /api/, pages at the root, plugins mounted."""
    settings = settings or get_settings()
    plugins = plugins or PluginHost()
    engine = engine or make_engine(settings.resolved_database_url)
    i18n.translations(settings.default_locale)  # fail at start-up, not on the first page, if catalogues are missing

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Fewer threads than anyio's default 40: routes are short and CPU-bound under the GIL,
        # so a small pool gives more requests per second and steadier latency under load.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Trường Số API",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.plugins = plugins
    app.state.engine = engine
    app.state.session_factory = sessions or session_factory(engine)
    app.state.templates = make_environment([*plugins.template_dirs(), CORE_TEMPLATES])

    for name, router in plugins.api_routers():
        guard = [Depends(check_csrf_api), *_plugin_guard(name)]
        app.include_router(router, prefix="/api", dependencies=guard)
    for name, router in plugins.page_routers():
        guard = [Depends(check_csrf_form), *_plugin_guard(name)]
        app.include_router(router, dependencies=guard)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        session_factory=app.state.session_factory,
        max_body=settings.max_request_bytes,
        upload_body=settings.largest_upload_bytes,
        default_locale=settings.default_locale,
    )
    return app


def _plugin_guard(name: str) -> list[Any]:
    """Return a dependency that hides a plugin's routes from schools that switched it off."""
    if name == "core":
        return []

    def plugin_enabled(request: Request) -> None:
        user = getattr(request.state, "user", None)
        school_id = getattr(user, "school_id", None)
        with request.app.state.session_factory() as db:
            if not request.app.state.plugins.is_enabled(db, name, school_id):
                raise StarletteHTTPException(status_code=404)

    return [Depends(plugin_enabled)]
