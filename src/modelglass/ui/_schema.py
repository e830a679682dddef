"""Response models of the dashboard API, so ``/openapi.json`` describes every response.

The handlers return plain JSON values and the routes send them as they are (encoding once
is faster than validating 100 series of 2,000 points); these models document that shape.
They accept keys they do not list, so a handler may add one before its model says so.
Imported by :func:`modelglass.ui.create_app` only (pydantic comes with FastAPI).
"""

from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

Num = Optional[float]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Info(_Open):
    version: str
    token_required: bool


class SeverityCounts(_Open):
    error: int = 0
    warning: int = 0
    info: int = 0


class RunRow(_Open):
    id: str
    project: str
    name: str
    status: str
    started: Num = None
    ended: Num = None
    duration: Num = None
    study: Optional[str] = None
    config: dict[str, Any]
    summary: dict[str, Any]
    metrics: dict[str, Num] = Field(description="last value of each user metric")
    last_step: Optional[int] = None
    n_tags: int
    findings: SeverityCounts = Field(description="findings stored with the run, per severity")


class RunsPage(_Open):
    runs: list[RunRow]
    projects: list[str]
    metric_keys: list[str]
    config_keys: list[str]
    total: int


class FindingCounts(_Open):
    counts: dict[str, SeverityCounts] = Field(description="per run id, the diagnosis' findings included")


class RunDetail(_Open):
    run: RunRow
    series: list[dict[str, Any]]
    histogram_tags: list[str]
    artifacts: list[str]
    events: list[dict[str, Any]]


class TagInfo(_Open):
    tag: str
    group: str
    runs: int = Field(description="how many of the selected runs have it")
    length: int


class TagGroup(_Open):
    group: str
    tags: list[str]


class Tags(_Open):
    tags: list[TagInfo] = Field(description="user metrics first, the loss first of all")
    groups: list[TagGroup]


class Series(_Open):
    run_id: str
    run_name: str
    status: str
    steps: Union[list[float], str] = Field(description="numbers, or base64 of float64 (encoding=b64)")
    values: Union[list[Num], str]
    times: Union[list[Num], str, None] = Field(None, description="with x=time or x=relative")
    total: int
    shown: int
    nonfinite: int
    first_nonfinite_step: Optional[int] = None
    min: Num = None
    max: Num = None
    last_step: Optional[int] = None


class Scalars(_Open):
    tag: str
    x: str
    encoding: str
    start: Optional[int] = None
    end: Optional[int] = None
    max_points: int
    series: list[Series]


class Histograms(_Open):
    run_id: str
    tags: list[str]
    map: Optional[dict[str, Any]] = Field(None, description="steps, centers, share[step][bin], ridge_steps")


class Finding(_Open):
    code: str
    severity: str
    title: str
    evidence: dict[str, Any]
    suggestion: str
    step: Optional[int] = None
    source: str = ""
    series: Optional[str] = Field(None, description="the series that shows it")


class Cause(_Open):
    code: str
    severity: str
    confidence: Num = None
    title: str
    because: list[str] = Field(description="the chain of evidence, in causal order")
    prescription: str
    change: Optional[dict[str, Any]] = None
    findings: list[str] = Field(description="codes of the findings it explains")


class Diagnosis(_Open):
    run_id: str
    available: bool
    reason: str
    verdict: str
    default_tag: Optional[str] = None
    tags: list[str]
    causes: list[Cause] = Field(description="most likely first; empty when none is named")
    findings: list[Finding] = Field(description="worst first")


class StoredView(_Open):
    """The model inspection or the data report stored with a run (``available`` false if none)."""

    run_id: str
    available: bool
    reason: str = ""
    findings: list[Finding] = []


class Dimension(_Open):
    label: str
    kind: str
    values: list[Num]
    log: bool = False
    ticktext: Optional[list[str]] = None


class Compare(_Open):
    runs: list[dict[str, Any]]
    differ: list[str]
    same: list[str]
    config: list[dict[str, Any]]
    metrics: list[dict[str, Num]]
    metric_keys: list[str]
    dimensions: list[Dimension]
    dropped: list[str]


class Study(_Open):
    study: str
    direction: str
    n_trials: int
    statuses: dict[str, int]
    best_value: Num = None
    best_trial: Optional[int] = None
    params: list[str]
    distributions: dict[str, dict[str, Any]]
    history: dict[str, list[Any]]
    trials: list[dict[str, Any]]
    findings: list[Finding]


class Studies(_Open):
    available: bool
    reason: str
    studies: list[Study]
    unlisted: list[str]


class StudyFigures(_Open):
    study: str
    direction: str
    importance: dict[str, Num]
    contour: Optional[dict[str, Any]] = None
