"""The demo's report: the seed's four steps on its linear regression and on ``load_digits``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..viz import Curve, Path2D, curves_data, draw_curves, draw_surface, surface_data
from ._diagnosis import findings_html
from ._html import Page, esc, p, table

if TYPE_CHECKING:  # pragma: no cover
    from ..demo import DemoRun, DigitsWalk, LinearData, Walk


def write_demo_report(
    data: "LinearData", runs: Sequence["DemoRun"], out: str | os.PathLike[str], walk: "Walk | None" = None
) -> Path:
    """Write the demo's self-contained report and return its absolute path.

    Without ``walk`` the report shows the runs and the loss surface; with it, the four steps.
    """
    page = Page(
        "modelglass demo: the seed's four steps",
        f"Linear regression by gradient descent ({len(data.y)} points, y = 3x + 2 + noise)"
        + (" and softmax regression on load_digits" if walk and walk.digits else ""),
    )
    _intro(page, walk is not None)
    if walk is not None:
        _step1(page, walk)
        _step2(page, walk)
    _step3(page, data, runs, walk)
    _step4(page, data, runs, walk)
    return page.write(out)


def _intro(page: Page, steps: bool) -> None:
    page.section(
        "What you are looking at",
        p("The seed fits theta = (bias, weight) by batch gradient descent on J(theta) = mean((X @ theta - y)^2) "
          "with the update theta = theta - alpha * grad, grad = X.T @ (X @ theta - y) / n."),
        p("Note: that grad is the gradient of J/2, not of J (the true gradient of the mean squared error has a "
          "factor 2), so each step is half of alpha times the true gradient."),
        p("A rate that is too small barely moves in the time given; a good rate reaches the least-squares "
          "optimum; a rate that is too large overshoots the valley further on every step, so the loss grows."),
        *([p("The seed's method has four steps; each section below is one of them, done with modelglass on the "
             "seed's regression and, the same way, on a real dataset: scikit-learn's 8x8 handwritten digits.")]
          if steps else []),
    )


# -- step 1: the model ---------------------------------------------------------------
def _param_table(inspection: Any) -> str:
    rows = [(q["name"], "x".join(map(str, q["shape"])), q["numel"], q["mean"], q["std"], q["min"], q["max"])
            for q in inspection.to_dict()["parameters"]]
    return table(["parameter", "shape", "values", "mean", "std", "min", "max"], rows, numeric=(2, 3, 4, 5, 6))


def _step1(page: Page, walk: "Walk") -> None:
    body = [p("mg.inspect(model) lists every parameter with its shape and statistics and flags what is "
              "statically wrong (dead, exploding or badly initialised weights)."),
            "<h3>Linear regression: theta after training at the good rate</h3>", _param_table(walk.inspection),
            findings_html(list(walk.inspection.findings))]
    if walk.digits is not None:
        body += ["<h3>Digits: softmax regression W (64 pixels x 10 digits) and b</h3>",
                 _param_table(walk.digits.inspection), findings_html(list(walk.digits.inspection.findings))]
    page.section("Step 1. The model: structure and parameters (inspect)", *body)


# -- step 2: the data ----------------------------------------------------------------
def _step2(page: Page, walk: "Walk") -> None:
    body = [p("mg.check_data(frame, target=...) runs every data check (missing values, duplicates, leakage, "
              "outliers, class balance, wrong labels...) and says what to fix."),
            "<h3>Linear regression: x and y</h3>", findings_html(list(walk.data_report.findings))]
    if walk.digits is not None:
        body += _digits_data(page, walk.digits)
    elif walk.digits_note:
        body.append(p(walk.digits_note))
    page.section("Step 2. The training data (check_data)", *body)


def _digits_data(page: Page, dw: "DigitsWalk") -> list[str]:
    c = dw.label_check()
    flagged = dw.data_report.rows("label_issues").head(10)
    flipped = set(dw.data.flipped.tolist())
    rows = [(int(r.row), int(r.given), int(r.suggested), int(dw.data.y_true[int(r.row)]), float(r.score),
             "yes" if int(r.row) in flipped else "no") for r in flagged.itertuples()]
    out = [
        "<h3>Digits: 20 labels flipped on purpose</h3>",
        p(f"{c['flipped']} of the {len(dw.data.y)} labels were changed to another digit before the check. "
          f"check_data flagged {c['flagged']} rows; {c['found']} of them are flipped ones "
          f"(it found {c['recall']:.0%} of the flipped labels; {c['precision']:.0%} of its flags are right: "
          "the others are digits that are genuinely hard to read)."),
        findings_html(list(dw.data_report.findings)),
        "<h4>The 10 most suspicious labels</h4>",
        table(["row", "given label", "suggested", "true label", "score", "flipped on purpose"], rows,
              numeric=(0, 1, 2, 3, 4)),
    ]
    try:
        fig = dw.data_report.figure("label_issues")
        rows_shown = [int(str(t).split(":")[0].split()[-1]) for t in fig.data[0].y]
        fig.data[0].marker.color = ["#d62728" if r in flipped else "#9aa0aa" for r in rows_shown]
        fig.update_layout(title="Suspicious labels, most suspicious on top (red: flipped on purpose; "
                                "grey: not flipped, a digit that is hard to read)")
        out.append(page.figure_html(fig, "digits-label-issues"))
    except Exception as exc:  # noqa: BLE001 - the table says it all; a missing chart must not stop the demo
        out.append(p(f"(no label-issues chart: {exc})"))
    return out


# -- step 3: adjusting parameters ----------------------------------------------------
def _verdicts(items: Sequence[tuple[str, float, Any]]) -> str:
    rows = []
    for label, lr, diag in items:
        causes = list(getattr(diag, "causes", None) or ())
        if causes:
            top = f"{causes[0].code}: {causes[0].title}"
            fix = getattr(causes[0], "prescription", "")
        else:
            worst = [f for f in diag.findings if int(f.severity) >= 1]
            top = "; ".join(f"{f.code}" for f in worst) or "nothing wrong"
            fix = worst[0].suggestion if worst else ""
        rows.append((label, lr, diag.verdict, top, fix))
    return table(["run", "learning rate", "verdict", "what diagnose says (top cause or findings)", "what to try"],
                 rows, numeric=(1,))


def _step3(page: Page, data: "LinearData", runs: Sequence["DemoRun"], walk: "Walk | None") -> None:
    X, y, opt = data.X, data.y, data.optimum
    opt_loss = float(np.mean((X @ opt - y) ** 2))
    summary = table(
        ["run", "learning rate", "final loss", "optimum loss", "final theta", "distance to optimum"],
        [(r.label, r.lr, r.final_loss, opt_loss, tuple(r.thetas[-1]), float(np.linalg.norm(r.thetas[-1] - opt)))
         for r in runs],
        numeric=(1, 2, 3, 5),
    )
    curves = [Curve(f"lr={r.lr:g} ({r.label})", np.arange(len(r.losses)), r.losses) for r in runs]
    fig = draw_curves(curves_data("loss J(theta) per epoch (log scale)", curves, log_y=True), height=420)
    body = [p("Three runs that differ only in the learning rate."), summary,
            page.figure_html(fig, "loss-curves")]
    if walk is not None:
        body += ["<h3>What mg.diagnose(run) says about each</h3>",
                 _verdicts([(r.label, r.lr, walk.diagnoses[r.label]) for r in runs])]
        body += _lr_find(page, walk)
        if walk.digits is not None:
            dw = walk.digits
            dcurves = [Curve(f"lr={r.lr:g} ({r.label})", np.arange(len(r.losses)), r.losses) for r in dw.runs]
            body += ["<h3>Digits: the same three kinds of rate</h3>",
                     page.figure_html(draw_curves(curves_data("digits: cross-entropy per epoch", dcurves,
                                                              log_y=True), height=380), "digits-curves"),
                     _verdicts([(r.label, r.lr, dw.diagnoses[r.label]) for r in dw.runs]),
                     table(["run", "learning rate", "final loss", "accuracy on the true labels"],
                           [(r.label, r.lr, float(r.losses[-1]), r.accuracy) for r in dw.runs], numeric=(1, 2, 3))]
    title = "Step 3. Adjusting parameters: the learning rate" if walk else "Runs"
    page.section(title, *body)


def _lr_find(page: Page, walk: "Walk") -> list[str]:
    lf = walk.lr_find
    losses = np.asarray(lf.losses, dtype=float)
    lowest = float(np.asarray(lf.lrs)[int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))])
    text = (f"mg.tune.lr_find swept {len(lf.lrs)} rates from 1e-4 upwards, each time 10 of the seed's steps from "
            f"zero. It suggests lr = {lf.suggestion:.3g} (the steepest fall of the loss, a safe start); the loss "
            f"after 10 steps was lowest at lr = {lowest:.3g}"
            + (f" and the sweep stopped at {lf.stopped_at:.3g}, where the loss blew up" if lf.stopped_at else "")
            + ". The analysis of the update agrees: it diverges above about 0.83.")
    return ["<h3>What lr_find suggests</h3>", p(text), page.figure_html(lf.figure(), "lr-find")]


# -- step 4: the loss ----------------------------------------------------------------
def _step4(page: Page, data: "LinearData", runs: Sequence["DemoRun"], walk: "Walk | None") -> None:
    X, y, opt = data.X, data.y, data.optimum

    def grid(T0: np.ndarray, T1: np.ndarray) -> np.ndarray:
        r = T0[..., None] * X[:, 0] + T1[..., None] * X[:, 1] - y
        return np.mean(r * r, axis=-1)

    surf = surface_data(
        grid,
        [Path2D(f"lr={r.lr:g} ({r.label})", r.thetas) for r in runs],
        center=(float(opt[0]), float(opt[1])),
        optimum=(float(opt[0]), float(opt[1])),
    )
    body = ["<h3>The loss surface and each run's path</h3>",
            p("Contours of log10 J; the star is the closed-form least-squares optimum. The too-large rate "
              "zig-zags out of the valley."),
            page.figure_html(draw_surface(surf), "loss-surface")]
    if walk is not None:
        gc = walk.gradcheck
        body += ["<h3>Checking the gradient (gradcheck)</h3>",
                 p("mg.gradcheck(J, seed_gradient, theta) compares the seed's gradient with centred differences."),
                 f"<p class='verdict'><b>{esc(gc.message)}</b></p>", findings_html(list(gc.findings))]
        body += _outliers(page, walk)
    page.section("Step 4. The loss: its surface, its gradient, its choice" if walk else
                 "The loss surface and each run's path", *body)


def _outliers(page: Page, walk: "Walk") -> list[str]:
    import plotly.graph_objects as go

    oc = walk.outliers
    x, yv = oc.train.X[:, 1], oc.train.y
    mask = np.zeros(len(yv), dtype=bool)
    mask[oc.outliers] = True
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x[~mask], y=yv[~mask], mode="markers", name="points",
                             marker={"color": "#888", "size": 6}))
    fig.add_trace(go.Scatter(x=x[mask], y=yv[mask], mode="markers", name="outliers",
                             marker={"color": "#d62728", "size": 8, "symbol": "x"}))
    xs = np.array([0.0, 2.0])
    colors = {"mse": "#ff7f0e", "mae": "#1f77b4", "huber": "#2ca02c"}
    for f in oc.fits:
        fig.add_trace(go.Scatter(x=xs, y=f.theta[0] + f.theta[1] * xs, mode="lines", name=f"fit with {f.name}",
                                 line={"color": colors.get(f.name, "#333"), "width": 3}))
    fig.add_trace(go.Scatter(x=xs, y=2 + 3 * xs, mode="lines", name="true line y = 3x + 2",
                             line={"color": "#000", "dash": "dot"}))
    fig.update_layout(height=420, template="plotly_white", margin={"l": 50, "r": 20, "t": 30, "b": 40},
                      xaxis_title="x", yaxis_title="y", legend={"orientation": "h", "y": -0.15})
    rows = [(f.name, tuple(f.theta), f.distance_to_truth, f.val_mae) for f in oc.fits]
    return [
        "<h3>Which loss? A comparison on data with outliers</h3>",
        p(f"{len(oc.outliers)} of the {len(yv)} points were pushed 15-25 above the line. The same gradient-descent "
          "update fits the line with three losses; each is judged on clean held-out points. The squared error "
          "lets the outliers drag the line up; the absolute error and Huber ignore them. "
          f"Best here: {oc.best}."),
        table(["loss", "theta (bias, weight)", "distance to the true (2, 3)", "held-out mean absolute error"],
              rows, numeric=(2, 3)),
        page.figure_html(fig, "loss-comparison"),
    ]
