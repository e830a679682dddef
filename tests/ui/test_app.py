"""The FastAPI app over a store: routes, schema, token, page, plotly.js, no file paths."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette 1.x suggests httpx2 for the TestClient
    from fastapi.testclient import TestClient

from modelglass.ui import create_app


@pytest.fixture
def client(filled: dict[str, Any]) -> TestClient:
    return TestClient(create_app(filled["reader"]))


def test_the_schema_lists_every_api_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ["/api/runs", "/api/runs/{run_id}", "/api/tags", "/api/scalars", "/api/compare",
              "/api/studies", "/api/runs/{run_id}/histograms", "/api/runs/{run_id}/model",
              "/api/runs/{run_id}/diagnosis", "/api/runs/{run_id}/data"]:
        assert p in paths, p


def test_the_schema_describes_every_response_and_the_answers_match_it(client: TestClient,
                                                                    filled: dict[str, Any]) -> None:
    from modelglass.ui import _schema as S

    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if path.startswith("/api/"):
            ref = ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in ref, path
    causes = spec["components"]["schemas"]["Cause"]["properties"]
    assert {"code", "confidence", "because", "prescription", "change", "findings"} <= set(causes)
    ids = filled["ids"]
    every = ",".join(ids.values())
    rid = ids["nan-run"]
    for url, model in [("/api/info", S.Info), ("/api/runs", S.RunsPage), (f"/api/runs/{rid}", S.RunDetail),
                       (f"/api/tags?runs={every}", S.Tags), (f"/api/scalars?runs={every}&tag=loss", S.Scalars),
                       (f"/api/scalars?runs={every}&tag=loss&encoding=b64&x=time", S.Scalars),
                       (f"/api/findings?runs={every}", S.FindingCounts), (f"/api/compare?runs={every}", S.Compare),
                       ("/api/studies", S.Studies), (f"/api/runs/{ids['lr-0.1']}/histograms", S.Histograms),
                       (f"/api/runs/{rid}/diagnosis", S.Diagnosis), (f"/api/runs/{ids['lr-0.1']}/model", S.StoredView),
                       (f"/api/runs/{rid}/data", S.StoredView)]:
        resp = client.get(url)
        assert resp.status_code == 200, url
        model.model_validate(resp.json(), strict=False)


def test_api_answers_and_never_shows_a_file_path(client: TestClient, filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    every = ",".join(ids.values())
    store = str(filled["store"])
    urls = ["/api/info", "/api/runs", f"/api/runs/{ids['lr-0.1']}", f"/api/tags?runs={every}",
            f"/api/scalars?runs={every}&tag=loss", f"/api/compare?runs={every}", "/api/studies",
            f"/api/runs/{ids['lr-0.1']}/histograms", f"/api/runs/{ids['lr-0.1']}/model",
            f"/api/runs/{ids['nan-run']}/diagnosis", f"/api/runs/{ids['lr-0.1']}/data",
            "/api/runs/nosuchrun/model", "/api/scalars?runs=x&tag=loss&x=epoch"]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code in (200, 404, 422), (url, resp.status_code)
        assert store not in resp.text and "/tmp" not in resp.text, url
    scal = client.get(f"/api/scalars?runs={every}&tag=loss").json()
    assert len(scal["series"]) == 5


def test_unknown_run_is_a_404_with_a_message(client: TestClient) -> None:
    resp = client.get("/api/runs/nosuchrun/diagnosis")
    assert resp.status_code == 404 and "nosuchrun" in resp.json()["detail"]
    assert client.get("/api/scalars?runs=a&tag=loss&max_points=2").status_code == 422


def test_a_token_is_checked_on_every_api_call(filled: dict[str, Any]) -> None:
    client = TestClient(create_app(filled["reader"], token="s3cret"))
    assert client.get("/api/runs").status_code == 401
    assert client.get("/api/runs", headers={"X-Modelglass-Token": "wrong"}).status_code == 401
    assert client.get("/api/runs", headers={"X-Modelglass-Token": "s3cret"}).status_code == 200
    assert client.get("/api/runs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/api/runs?token=s3cret").status_code == 200
    assert client.get("/").status_code == 200  # the page itself holds no data


def test_page_scripts_and_plotly_come_from_this_server(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    head = page.text.split("<body>")[0]
    # The page itself loads only uPlot (vendored, 51 KB); plotly.js is fetched by the views
    # that draw with it, from this server.
    assert 'src="/static/vendor/uplot/uPlot.iife.min.js"' in head and "http" not in head
    assert "plotly" not in head
    uplot = client.get("/static/vendor/uplot/uPlot.iife.min.js")
    assert uplot.status_code == 200 and 40_000 < len(uplot.content) < 80_000
    assert "(v1.6.32)" in uplot.text[:200]
    assert "MIT" in client.get("/static/vendor/uplot/LICENSE").text
    assert "/vendor/plotly.min.js" in client.get("/static/plot.js").text
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert js.headers["content-type"].startswith("text/javascript")
    for name in ["main", "runs", "scalars", "histograms", "model", "diagnosis", "data", "compare",
                 "studies", "dom", "api", "state", "pick", "plot", "lines"]:
        src = client.get(f"/static/{name}.js")
        assert src.status_code == 200, name
        assert "innerHTML" not in src.text and "insertAdjacentHTML" not in src.text, name


def test_the_ui_package_is_light_and_its_names_exist() -> None:
    import subprocess
    import sys

    import modelglass.ui as ui

    handlers = {"compare", "data", "diagnosis", "finding_counts", "histograms", "list_runs", "model", "run_detail",
                "scalars", "studies", "study_figures", "tags"}
    assert ui.__all__ == sorted(handlers | {"create_app", "env_token", "is_loopback", "plotly_js_path"})
    code = "import sys, modelglass.ui; print(sorted({'fastapi', 'starlette', 'plotly'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_failing_diagnosis_is_an_empty_state_without_paths(filled: dict[str, Any],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import modelglass.diagnose as diagnose_module
    from modelglass import ui

    store = str(filled["store"])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"cannot read {store}/modelglass.db")

    monkeypatch.setattr(diagnose_module, "diagnose", broken)
    out = ui.diagnosis(filled["reader"], {"run": filled["ids"]["nan-run"]})
    assert not out["available"] and "could not run" in out["reason"] and store not in out["reason"]
    assert [f["code"] for f in out["findings"]] == ["nan_inf"]  # the stored live finding is kept
    assert out["verdict"] == "error"  # judged from the stored findings
