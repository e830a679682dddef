"""The FastAPI app: thin routes over the pure handlers, the page, and plotly.js from the package."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Callable

from ..core import BadInputError, NotFoundError, StoreError, require
from . import _runs, _series, _studies, _views

STATIC_DIR = Path(__file__).parent / "static"
TOKEN_HEADER = "x-modelglass-token"
# The page loads only its own scripts; user data can never become a script. plotly's
# parallel coordinates draw with regl, which compiles its drawing code with new Function:
# hence 'unsafe-eval' (there is still no inline script and no other origin).
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'")


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the installed ``plotly`` Python package (no CDN)."""
    plotly = require("plotly", "drawing charts in the dashboard")
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise BadInputError(
            f"The installed plotly {getattr(plotly, '__version__', '?')} has no plotly.min.js. "
            "Reinstall it: pip install --force-reinstall plotly"
        )
    return path


def create_app(store: Any = None, token: str | None = None, storage: str | None = None) -> Any:
    """Build the dashboard app over a store.

    Args:
        store: A :class:`modelglass.Reader`, or a store path/URL (default: ``MODELGLASS_STORE``,
            else ``./mglogs``).
        token: When given, every ``/api`` call must send it (header ``X-Modelglass-Token``,
            ``Authorization: Bearer ...`` or ``?token=``).
        storage: The Optuna storage of the studies view (default: the one beside the store,
            where ``mg.tune`` writes). Set here, never by a request.

    Returns:
        A FastAPI application; its OpenAPI schema is at ``/openapi.json``.
    """
    fastapi = require("fastapi", "the dashboard")
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    from .. import __version__
    from ..store import Reader, open_store
    from . import _schema as S

    reader = store if isinstance(store, Reader) else open_store(store)
    # The diagnosis rules (~0.15 s to import) load with the server, not on a user's first
    # look at a run's Diagnosis view or badges.
    from .. import diagnose  # noqa: F401
    hide = reader.location
    cache = _series.SeriesCache()
    # Compared as bytes: compare_digest refuses non-ASCII str, which made every call a 500.
    token_bytes = b"" if token is None else token.encode("utf-8", "surrogateescape")
    counts_cache: dict[Any, dict[str, int]] = {}
    figures_cache: dict[Any, dict[str, Any]] = {}

    def check_token(request: fastapi.Request) -> None:
        if token is None:
            return
        if not secrets.compare_digest(_given_token(request), token_bytes):
            raise fastapi.HTTPException(401, "A token is required: open the page as /?token=TOKEN.")

    # Postponed annotations name the local `fastapi`; give FastAPI the real class.
    check_token.__annotations__ = {"request": fastapi.Request, "return": None}

    app = fastapi.FastAPI(title="modelglass", version=__version__,
                          description="The modelglass dashboard API: runs, series, findings.")
    api = fastapi.APIRouter(prefix="/api", dependencies=[fastapi.Depends(check_token)])

    @app.exception_handler(StoreError)
    async def _store_error(_request: Any, exc: StoreError) -> Any:
        # A damaged or unreadable store: say so (409: the store's state), never a 500.
        msg = " ".join(str(exc).replace(hide, "the store").split())
        return JSONResponse({"detail": msg}, status_code=409)

    @app.exception_handler(BadInputError)
    async def _bad_input(_request: Any, exc: BadInputError) -> Any:
        status = 404 if isinstance(exc, NotFoundError) else 400
        msg = " ".join(str(exc).replace(hide, "the store").split())
        return JSONResponse({"detail": msg}, status_code=status)

    def call(handler: Callable[..., Any], *extra: Any, **params: Any) -> Any:
        return _json(handler(reader, {k: v for k, v in params.items() if v is not None}, *extra))

    Q = fastapi.Query

    @api.get("/info", response_model=S.Info)
    def info() -> dict[str, Any]:
        """Version and whether a token is needed."""
        return {"version": __version__, "token_required": token is not None}

    @api.get("/runs", response_model=S.RunsPage)
    def runs(project: str | None = None, q: str | None = None, status: str | None = None) -> Any:
        """The runs table."""
        return call(_runs.list_runs, project=project, q=q, status=status)

    @api.get("/findings", response_model=S.FindingCounts)
    def findings(runs: str = Q("", description="comma-separated run ids")) -> Any:
        """Findings per severity of each run, the diagnosis' included (the runs table's badges)."""
        return call(_runs.finding_counts, counts_cache, runs=runs)

    @api.get("/runs/{run_id}", response_model=S.RunDetail)
    def run(run_id: str) -> Any:
        """One run with its series statistics, histogram tags, artifacts and events."""
        return call(_runs.run_detail, run=run_id)

    @api.get("/tags", response_model=S.Tags)
    def tags(runs: str = Q("", description="comma-separated run ids")) -> Any:
        """Scalar tags of the selected runs, grouped by prefix."""
        return call(_series.tags, runs=runs)

    @api.get("/scalars", response_model=S.Scalars)
    def scalars(tag: str, runs: str = Q("", description="comma-separated run ids"),
                start: int | None = None, end: int | None = None,
                max_points: int | None = Q(None, ge=8, le=_series.MAX_POINTS_LIMIT),
                x: str = Q("step", pattern="^(step|time|relative)$"),
                encoding: str = Q("json", pattern="^(json|b64)$")) -> Any:
        """One tag for each selected run, downsampled keeping every bucket's min and max."""
        return call(_series.scalars, cache, tag=tag, runs=runs, start=start, end=end,
                    max_points=max_points, x=x, encoding=encoding)

    @api.get("/runs/{run_id}/histograms", response_model=S.Histograms)
    def histograms(run_id: str, tag: str | None = None, bins: int | None = Q(None, ge=4, le=512)) -> Any:
        """Histograms over time of one tag."""
        return call(_views.histograms, run=run_id, tag=tag, bins=bins)

    for name, summary, model in (
            ("model", "The stored model inspection.", S.StoredView),
            ("diagnosis", "The causes, most likely first, then the findings, worst first.", S.Diagnosis),
            ("data", "The stored data-check report.", S.StoredView)):
        api.add_api_route(f"/runs/{{run_id}}/{name}", _run_view(call, getattr(_views, name)),
                          methods=["GET"], name=name, summary=summary, response_model=model)

    @api.get("/compare", response_model=S.Compare)
    def compare(runs: str = Q("", description="comma-separated run ids")) -> Any:
        """Config differences and final metrics of the selected runs."""
        return call(_runs.compare, runs=runs)

    @api.get("/studies", response_model=S.Studies)
    def studies(study: str | None = None) -> Any:
        """Hyperparameter studies and their trials."""
        return call(_studies.studies, study=study, storage=storage)

    @api.get("/studies/{study}/figures", response_model=S.StudyFigures)
    def study_figures(study: str) -> Any:
        """Parameter importances (fANOVA: seconds) and the contour of the two most important."""
        return call(_studies.study_figures, figures_cache, study=study, storage=storage)

    app.include_router(api)

    @app.get("/", include_in_schema=False)
    def page() -> Any:
        return FileResponse(STATIC_DIR / "index.html", headers={
            "Content-Security-Policy": CSP, "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    plotly_js = plotly_js_path()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_min_js() -> Any:
        return FileResponse(plotly_js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.state.reader = reader
    return app


def _run_view(call: Callable[..., Any], handler: Callable[..., Any]) -> Any:
    """The route of a one-run view: ``GET /api/runs/{run_id}/<view>``."""

    def route(run_id: str) -> Any:
        return call(handler, run=run_id)

    return route


def _json(obj: Any) -> Any:
    """The handlers already return plain JSON values: encode once, skip FastAPI's walk."""
    from starlette.responses import Response

    return Response(json.dumps(obj, separators=(",", ":"), allow_nan=False),
                    media_type="application/json")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    return host in ("localhost", "::1") or host.startswith("127.")


def env_token() -> str | None:
    """``MODELGLASS_UI_TOKEN``, so a token need not appear in the process list."""
    return os.environ.get("MODELGLASS_UI_TOKEN") or None


def _given_token(request: Any) -> bytes:
    """The token a request sent, as the bytes the client sent (UTF-8 for a ``?token=``)."""
    header = request.headers.get(TOKEN_HEADER) or request.headers.get("authorization", "")
    header = header.removeprefix("Bearer ").strip()
    if header:
        # HTTP headers arrive decoded as Latin-1: encoding back gives the raw bytes.
        return bytes(header.encode("latin-1", "replace"))
    return bytes(str(request.query_params.get("token") or "").encode("utf-8", "surrogateescape"))
