"""Issue 15: every GET route of the dashboard's OpenAPI schema, fed odd values: never a 500.

A small schema-driven fuzz written with hypothesis (no extra dependency): each route's
declared parameters get values of their declared type, plus the kinds that broke it
before (integers beyond int64, non-ASCII, very long text, traversal and markup).
"""

from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelglass as mg

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def app_and_run(tmp_path_factory):
    from fastapi.testclient import TestClient

    from modelglass.ui import create_app

    store = tmp_path_factory.mktemp("fuzz") / "store"
    with mg.init("p", store=store) as run:
        for i in range(50):
            run.log({"loss": 1.0 / (i + 1), "acc": i / 50})
        run.log_histogram("w", np.arange(10.0), step=1)
        run.log_artifact("model", {"a": 1})
        run.log_event("note")
    client = TestClient(create_app(str(store)), raise_server_exceptions=False)
    routes = [(path, op.get("parameters", []))
              for path, ops in client.get("/openapi.json").json()["paths"].items()
              for method, op in ops.items() if method == "get"]
    return client, run.id, routes


def _values(schema: dict, run_id: str) -> st.SearchStrategy:
    kind = schema.get("type") or next(
        (s.get("type") for s in schema.get("anyOf", []) if s.get("type") != "null"), "string")
    text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
    if kind == "integer":
        return st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 8, 2**63]))
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False), st.sampled_from(["nan", "inf", "1e999"]))
    if kind == "boolean":
        return st.sampled_from(["true", "false", "maybe"])
    known = st.sampled_from([run_id, f"{run_id},{run_id}", "loss", "w", "model", "latest",
                             "../../etc/passwd", "<script>x</script>", "a" * 3000, "é€"])
    return st.one_of(known, text)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_route_answers_500(app_and_run, data) -> None:
    client, run_id, routes = app_and_run
    path, params = data.draw(st.sampled_from(routes), label="route")
    url, query = path, {}
    for p in params:
        value = data.draw(_values(p.get("schema", {}), run_id), label=p["name"])
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", quote(str(value), safe="") or "x")
        elif data.draw(st.booleans(), label=f"send {p['name']}"):
            query[p["name"]] = value
    r = client.get(url, params=query)
    assert r.status_code < 500, f"GET {url} {query} -> {r.status_code}: {r.text[:300]}"
