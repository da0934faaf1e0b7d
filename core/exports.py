"""What the user takes away: scored CSV, the model as JSON, and the decision report.

- ``scored_csv``: the input rows plus ``score`` and ``decision`` (1 = flagged, i.e.
  score >= threshold), safe to open in a spreadsheet: a text cell starting with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return is prefixed with ``'`` so it cannot run as a formula
  (OWASP "CSV injection"), while numbers, including negative ones, are written as numbers.
- ``model_json``: everything needed to re-score a row without Cutoff: the fitted
  preprocessing, coefficients by feature name, intercept, threshold and costs.
- ``report_markdown`` / ``report_html``: a decision report a stakeholder can forward; the
  HTML is one self-contained file (inline SVG charts, no scripts, no network) and escapes
  every user-supplied string.
- ``scenario_record`` / ``scenarios_frame``: the one shape of a saved scenario, written by the
  Threshold page and read by the Report page.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from core.costs import CostMatrix
from core.scenario import Scenario
from core.segments import segment_report_rows

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_cell",
    "scored_csv",
    "describe_preprocessor",
    "model_dict",
    "model_json",
    "scenario_record",
    "scenario_costs",
    "metrics_table",
    "scenarios_frame",
    "DecisionReport",
    "report_markdown",
    "report_html",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number ("-3.5", "+1e3") cannot be a formula, so a text cell holding one is
# left alone: the spreadsheet still reads it as a number.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Non-text values and text that is a plain number are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutralise_column(column: pd.Series) -> pd.Series:
    if is_numeric_dtype(column) or is_bool_dtype(column) or is_datetime64_any_dtype(column):
        return column
    return column.map(neutralise_cell)


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... if an input column already uses it."""
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def scored_csv(df: pd.DataFrame, scores: Any, threshold: float, *, extra: dict[str, Any] | None = None,
               costs: CostMatrix | None = None, labels: Any = None, amounts: Any = None,
               weights: Any = None) -> bytes:
    """The rows of ``df`` with their ``score`` and ``decision`` as UTF-8 CSV bytes.

    ``scores`` has one float per row of ``df`` (NaN = not scored: empty score and decision).
    ``decision`` is 1 where ``score >= threshold`` else 0. ``extra`` adds columns (e.g. the
    split each row was in), each a sequence of ``len(df)`` values. With ``costs`` and
    ``labels`` (1 = positive, 0 = negative, NaN = unknown; one per row) a ``cost`` column holds
    each row's business cost at ``threshold`` (``core.compare.case_costs``: fixed cost plus the
    per-case share of ``amounts``, times ``weights`` cases; empty where the label or score is
    unknown), so the column sums to the Business cost shown. Added columns get a suffix if the
    input already has a column of that name. Header and text cells are neutralised.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.shape != (len(df),):
        raise ValueError(f"Expected one score per row ({len(df)}), got shape {scores.shape}.")
    out = df.copy()
    out.columns = [str(c) for c in out.columns]
    taken = set(out.columns)
    for name, values in (extra or {}).items():
        column = _free_name(name, taken)
        taken.add(column)
        out[column] = list(values)
    score_name = _free_name("score", taken)
    taken.add(score_name)
    decision_name = _free_name("decision", taken)
    scored = np.isfinite(scores)
    out[score_name] = scores
    out[decision_name] = pd.array(np.where(scored, scores >= threshold, False).astype(int), dtype="Int64")
    out.loc[~scored, decision_name] = pd.NA
    if costs is not None and labels is not None:
        from core.compare import case_costs  # noqa: PLC0415 (compare imports the sweep; exports stays light)

        y = np.asarray(labels, dtype=float)
        known = scored & np.isfinite(y)
        a = None if amounts is None else np.nan_to_num(np.asarray(amounts, dtype=float), nan=0.0)
        w = None if weights is None else np.asarray(weights, dtype=float)
        cost = np.full(len(df), np.nan)
        cost[known] = case_costs(y[known], scores[known], threshold, costs,
                                 weights=None if w is None else w[known], amounts=None if a is None else a[known])
        out[_free_name("cost", taken | {score_name, decision_name})] = cost
    for column in out.columns:
        out[column] = _neutralise_column(out[column])
    out.columns = [neutralise_cell(c) for c in out.columns]
    # CRLF (RFC 4180) also makes the writer quote cells containing a bare CR, which a "\n"
    # terminator would leave unquoted and let split the row.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _jsonable(value: Any) -> Any:
    """Plain JSON types for numpy scalars/arrays, tuples, and non-finite floats (→ None)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [_jsonable(v) for v in list(value)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _first_paragraph(doc: str | None) -> str | None:
    text = (doc or "").strip().split("\n\n")[0]
    return " ".join(text.split()) or None


# Learned state scikit-learn exposes as properties rather than attributes.
_FITTED_PROPERTIES = ("infrequent_categories_",)


def _fitted_state(estimator: Any) -> dict:
    """The learned attributes (``name_``) of a fitted step that are plain data: numbers, text,
    arrays and lists of arrays. Nested estimators and private state are left out."""
    state = {}
    attributes = dict(vars(estimator))
    for name in _FITTED_PROPERTIES:
        try:
            attributes[name] = getattr(estimator, name)
        except AttributeError:  # not this kind of step, or not fitted
            pass
    for name, value in sorted(attributes.items()):
        if not name.endswith("_") or name.startswith("_"):
            continue
        if isinstance(value, (list, tuple)) and all(isinstance(v, (np.ndarray, list, type(None))) for v in value):
            state[name.rstrip("_")] = _jsonable(value)
        elif isinstance(value, (np.ndarray, np.generic, int, float, str, bool)):
            state[name.rstrip("_")] = _jsonable(value)
    return state


def _describe_step(name: str, estimator: Any) -> dict:
    """One pipeline step: its type, what it does (docstring), settings and learned state."""
    kind = type(estimator).__name__
    step: dict[str, Any] = {"step": name, "type": kind}
    if kind == "FunctionTransformer":
        func = getattr(estimator, "func", None)
        step["function"] = getattr(func, "__name__", None)
        step["description"] = _first_paragraph(getattr(func, "__doc__", None))
    else:
        step["description"] = _first_paragraph(type(estimator).__doc__)
    if hasattr(estimator, "get_params"):
        step["params"] = _jsonable({k: v for k, v in estimator.get_params(deep=False).items()
                                    if isinstance(v, (str, int, float, bool, type(None)))})
    step["fitted"] = _fitted_state(estimator)
    return step


def describe_preprocessor(preprocessor: Any) -> list[dict]:
    """The fitted ``ColumnTransformer`` as a list of ``{"name", "columns", "steps"}`` blocks.

    Each step records its type, a one-line description, its settings (``params``) and its
    learned state (``fitted``: e.g. imputation values, missing-indicator columns, scaling
    means and scales, category lists, rare levels), in the order the columns flow through.
    """
    blocks = []
    for name, transformer, columns in getattr(preprocessor, "transformers_", []):
        if isinstance(transformer, str) and transformer == "drop":
            continue
        if isinstance(transformer, str):  # "passthrough"
            steps = []
        elif hasattr(transformer, "steps"):
            steps = [_describe_step(step_name, step) for step_name, step in transformer.steps]
        else:
            steps = [_describe_step(name, transformer)]
        blocks.append({"name": name, "columns": _jsonable(columns), "steps": steps})
    return blocks


def model_dict(model: Any, prepared: Any, *, threshold: float, costs: CostMatrix | None,
               target: Any = None, positive_class: Any = None) -> dict:
    """The fitted model as plain data (see ``model_json``)."""
    names = list(getattr(prepared, "feature_names", []))
    coef = np.asarray(model.coef_, dtype=float).ravel()
    if len(names) != len(coef):
        names = [f"x{i}" for i in range(len(coef))]
    return {
        "format": "cutoff.logistic_regression.v1",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "target": _jsonable(target),
        "positive_class": _jsonable(positive_class),
        "decision_rule": (
            "score = 1 / (1 + exp(-(intercept + sum(coefficients[f] * x[f])))) where x is the row after "
            "preprocessing; flag the row when score >= threshold"
        ),
        "threshold": _jsonable(float(threshold)),
        "costs": None if costs is None else {
            "false_positive_cost": costs.fp_cost, "false_negative_cost": costs.fn_cost,
            "true_positive_value": costs.tp_value, "true_negative_value": costs.tn_value,
            "currency": costs.currency,
        },
        "preprocessing": describe_preprocessor(getattr(prepared, "preprocessor", None)),
        "feature_names": names,
        "coefficients": {name: float(w) for name, w in zip(names, coef)},
        "intercept": float(np.asarray(model.intercept_, dtype=float).ravel()[0]),
        "training": _jsonable({
            "params": {k: v for k, v in model.get_params().items() if not callable(v)},
            "epochs": getattr(model, "n_epochs_", None),
            "stop_reason": getattr(model, "stop_reason_", None),
        }),
    }


def model_json(model: Any, prepared: Any, *, threshold: float, costs: CostMatrix | None,
               target: Any = None, positive_class: Any = None, segments: dict | None = None) -> str:
    """The fitted model as indented JSON text.

    ``model`` is a fitted ``LogisticRegressionGD`` (``coef_`` (1, d), ``intercept_`` (1,));
    ``prepared`` is the ``PreparedData`` whose ``preprocessor`` and ``feature_names`` produced
    the model's inputs. Keys: ``preprocessing`` (``describe_preprocessor``), ``coefficients``
    (feature name → weight, in design-matrix order), ``intercept``, ``threshold``, ``costs``,
    ``decision_rule`` (the formula in words), ``target``, ``positive_class``, ``training``.
    """
    data = model_dict(model, prepared, threshold=threshold, costs=costs, target=target,
                      positive_class=positive_class)
    if segments is not None:  # the By segment table at the threshold (core.segments.segments_payload)
        data["segments"] = segments
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


# ---------------------------------------------------------------------------------------
# Scenarios

_SCENARIO_COLUMNS = {
    "name": "Scenario",
    "threshold": "Threshold",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "accuracy": "Accuracy",
    "cost": "Business cost",
    "review_rate": "Review rate",
    "review_total_cost": "Cost with review",
    "objective": "Objective",
    "costs": "Costs (FP / FN / TP / TN)",
    "evaluated_on": "Evaluated on",
}


def scenario_record(*, name: str, threshold: float, costs: CostMatrix, point: Any, objective: str | None = None,
                    review_rate: float | None = None, review_cost: float | None = None,
                    review_total_cost: float | None = None, explanation: str | None = None,
                    evaluated_on: str = "", **extra: Any) -> dict:
    """One saved scenario as a plain dict (the shape the Report page reads): ``Scenario.to_dict``.

    ``point`` is the ``OperatingPoint`` at ``threshold``; ``review_rate`` is the share of
    cases sent to manual review, ``review_cost`` the cost of one review and
    ``review_total_cost`` the business cost with the review band (all None when no band was
    used); ``explanation`` is the plain-words sentence about this setting. ``extra`` takes
    the other ``Scenario`` fields (``evaluation``, ``amount_column``, ``positive_rate``).
    """
    return Scenario.of(
        name=name, threshold=threshold, costs=costs, point=point, objective=objective, review_rate=review_rate,
        review_cost=review_cost, review_total_cost=review_total_cost, explanation=explanation,
        evaluated_on=evaluated_on, **extra,
    ).to_dict()


def metrics_table(columns: dict[str, Any], costs: CostMatrix) -> pd.DataFrame:
    """One column per evaluated split (name -> ``OperatingPoint``), one row per measure, as text.

    Ratios with 3 decimals, the business cost (per-case money included when the points carry
    amount sums) with thousands separators, and the cases flagged out of all.
    """
    rows = {"Precision": "precision", "Recall": "recall", "F1": "f1", "Accuracy": "accuracy",
            "Share flagged": "positive_rate"}
    table = {}
    for name, point in columns.items():
        values = {label: f"{getattr(point, field):.3f}" for label, field in rows.items()}
        values["Business cost"] = costs.format(costs.cost_of(point), decimals=0)
        values["Cases flagged"] = f"{point.tp + point.fp:,.0f} of {point.tp + point.fp + point.tn + point.fn:,.0f}"
        table[name] = values
    return pd.DataFrame(table)


def scenario_costs(scenario: dict) -> CostMatrix:
    """The ``CostMatrix`` a scenario was saved with."""
    return CostMatrix(scenario["fp_cost"], scenario["fn_cost"], scenario["tp_value"], scenario["tn_value"],
                      scenario.get("currency", "$"), fp_pct=scenario.get("fp_pct", 0.0),
                      fn_pct=scenario.get("fn_pct", 0.0), tp_pct=scenario.get("tp_pct", 0.0),
                      tn_pct=scenario.get("tn_pct", 0.0))


def scenarios_frame(scenarios: list[dict]) -> pd.DataFrame:
    """Saved scenarios side by side, formatted for reading (one row per scenario, text cells)."""
    rows = []
    for s in scenarios:
        money = scenario_costs(s)
        rows.append({
            "name": s["name"],
            "threshold": f"{s['threshold']:.3f}",
            "precision": f"{s['precision']:.3f}",
            "recall": f"{s['recall']:.3f}",
            "f1": f"{s['f1']:.3f}",
            "accuracy": f"{s['accuracy']:.3f}",
            "cost": "n/a" if s.get("cost") is None else money.format(s["cost"]),
            "review_rate": "no review" if s.get("review_rate") is None else f"{s['review_rate']:.1%}",
            "review_total_cost": "" if s.get("review_total_cost") is None else money.format(s["review_total_cost"]),
            "objective": s.get("objective") or "set by hand",
            "costs": " / ".join(money.format(v, decimals=0 if float(v).is_integer() else 2)
                                for v in (s["fp_cost"], s["fn_cost"], s["tp_value"], s["tn_value"])),
            "evaluated_on": s.get("evaluated_on", ""),
        })
    frame = pd.DataFrame(rows, columns=list(_SCENARIO_COLUMNS))
    return frame.rename(columns=_SCENARIO_COLUMNS)


# ---------------------------------------------------------------------------------------
# Decision report


@dataclass
class DecisionReport:
    """Everything the decision report states. Strings are user-facing and may contain anything
    (they are escaped when rendered). ``point``/``test_point`` are ``OperatingPoint``s;
    ``curve`` is ``Sweep.frame()`` of the evaluated rows (for the charts), or None."""

    dataset: str
    target: str
    positive_class: str
    mode: str
    evaluated_on: str
    threshold: float
    costs: CostMatrix
    point: Any
    objective: str | None = None
    explanation: str | None = None
    test_point: Any = None
    test_label: str | None = None
    scenarios: list[dict] = field(default_factory=list)
    curve: pd.DataFrame | None = None
    x_range: tuple[float, float] | None = None  # chart x axis: (0, 1) for probabilities, else the data's range
    segments: dict | None = None  # core.segments.segments_payload at this threshold (By segment), if any
    amount_column: str | None = None  # the column the per-case percentages apply to, if any
    positive_rate: float | None = None  # the production positive rate assumed, if not the data's
    data_positive_rate: float | None = None  # the data's own positive rate (said beside the assumption)
    generated_at: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    title: str = "Decision report"


_METRIC_ROWS = (("precision", "Precision", "share of flagged cases that are truly positive"),
                ("recall", "Recall", "share of positive cases that get flagged"),
                ("f1", "F1", "balance of precision and recall"),
                ("accuracy", "Accuracy", "share of all decisions that are right"),
                ("positive_rate", "Share flagged", "share of all cases flagged"))


def _setting_rows(report: DecisionReport) -> list[tuple[str, str]]:
    c = report.costs
    return [
        ("Data", report.dataset),
        ("Target", f"{report.target} (positive class: {report.positive_class})"),
        ("Mode", report.mode),
        ("Evaluated on", report.evaluated_on),
        ("Decision threshold", f"{report.threshold:.4g} (flag when score ≥ threshold)"),
        ("Chosen by", report.objective or "set by hand"),
        ("Cost of a false positive", c.format(c.fp_cost)),
        ("Cost of a false negative", c.format(c.fn_cost)),
        ("Value of a true positive", c.format(c.tp_value)),
        ("Value of a true negative", c.format(c.tn_value)),
        *_per_case_rows(report),
        *_positive_rate_rows(report),
    ]


def _per_case_rows(report: DecisionReport) -> list[tuple[str, str]]:
    """The per-case money settings (a share of each case's amount), when any is set."""
    c = report.costs
    if not c.per_case:
        return []
    column = report.amount_column or "the amount column"
    return [(f"{cell}: % of amount", f"{pct:g}% of each case's {column}")
            for cell, pct in (("False positive", c.fp_pct), ("False negative", c.fn_pct),
                              ("True positive", c.tp_pct), ("True negative", c.tn_pct))]


def _positive_rate_rows(report: DecisionReport) -> list[tuple[str, str]]:
    """The production positive rate assumed instead of the data's own, when one was set."""
    if report.positive_rate is None:
        return []
    own = "" if report.data_positive_rate is None else f"; the data has {report.data_positive_rate:.2%}"
    return [("Positive rate in production",
             f"{report.positive_rate:.2%} assumed{own}. Precision, cost and counts are reweighted to this mix "
             "(recall and false positive rate do not change).")]


def _result_rows(report: DecisionReport) -> tuple[list[str], list[list[str]]]:
    header = ["Measure", report.evaluated_on or "Evaluation"]
    points = [report.point]
    if report.test_point is not None:
        header.append(report.test_label or "Test split")
        points.append(report.test_point)
    rows = [[title, *(f"{getattr(p, key):.3f}" for p in points)] for key, title, _ in _METRIC_ROWS]
    rows.append(["Business cost", *(report.costs.format(report.costs.cost_of(p)) for p in points)])
    for key, title in (("tp", "True positives"), ("fp", "False positives (false alarms)"),
                       ("fn", "False negatives (missed)"), ("tn", "True negatives")):
        rows.append([title, *(f"{getattr(p, key):,.0f}" for p in points)])
    return header, rows


# Table cells never start a line, so list/heading markers (. + - !) need no escaping here.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~>])")


def _md(text: Any) -> str:
    """User text made inert in Markdown: specials backslash-escaped, HTML escaped, one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report_markdown(report: DecisionReport) -> str:
    """The decision report as Markdown (tables; the HTML version adds charts)."""
    parts = [f"# {_md(report.title)}", "", f"_Generated {_md(report.generated_at)}_", ""]
    if report.explanation:
        parts += [f"> {_md(report.explanation)}", ""]
    parts += ["## Setting", "", _md_table(["", ""], [list(r) for r in _setting_rows(report)]), ""]
    header, rows = _result_rows(report)
    parts += ["## Results at the chosen threshold", "", _md_table(header, rows), ""]
    if report.test_point is None and report.mode:
        parts += ["_No held-out test split: the numbers above come from the rows the threshold was chosen on._", ""]
    if report.segments:
        header, rows = segment_report_rows(report.segments, report.costs)
        parts += [f"## By segment: {_md(report.segments.get('column') or 'segment')}", "", _md_table(header, rows), ""]
        if report.segments.get("note"):
            parts += [f"_{_md(report.segments['note'])}_", ""]
    if report.scenarios:
        frame = scenarios_frame(report.scenarios)
        parts += ["## Scenarios compared", "", _md_table(list(frame.columns), frame.astype(str).values.tolist()), ""]
    return "\n".join(parts)


def _svg_lines(frame: pd.DataFrame, series: dict[str, str], *, threshold: float, title: str, y_label: str,
               x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
               y_format: str = "{:.2f}") -> str:
    """A small static line chart as inline SVG: ``frame["threshold"]`` on x, one polyline per
    column in ``series`` (column → legend label), the threshold as a red vertical line."""
    width, height, left, right, top, bottom = 640, 280, 70, 20, 34, 60
    data = frame.replace([np.inf, -np.inf], np.nan).dropna(subset=["threshold"]).sort_values("threshold")
    if len(data) > 400:
        data = data.iloc[np.unique(np.linspace(0, len(data) - 1, 400).round().astype(int))]
    if len(data) < 2:
        return ""
    x = data["threshold"].to_numpy(float)
    values = np.concatenate([data[c].to_numpy(float) for c in series])
    x0, x1 = x_range if x_range is not None else (float(np.nanmin(x)), float(np.nanmax(x)))
    y0, y1 = y_range if y_range is not None else (float(np.nanmin(values)), float(np.nanmax(values)))
    if x1 <= x0:
        x1 = x0 + 1.0
    if y1 <= y0:
        y1 = y0 + 1.0
    sx = lambda v: left + (v - x0) / (x1 - x0) * (width - left - right)  # noqa: E731
    sy = lambda v: top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom)  # noqa: E731
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{html.escape(title)}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for k in range(5):
        yv = y0 + (y1 - y0) * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 6}" y="{sy(yv) + 4:.1f}" text-anchor="end">'
                   f'{html.escape(y_format.format(yv))}</text>')
        xv = x0 + (x1 - x0) * k / 4
        out.append(f'<text x="{sx(xv):.1f}" y="{height - bottom + 16}" text-anchor="middle">{xv:.3g}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - bottom + 32}" text-anchor="middle">'
               'Threshold (score ≥ threshold ⇒ flagged)</text>')
    out.append(f'<text transform="translate(14 {(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">'
               f'{html.escape(y_label)}</text>')
    for i, (column, label) in enumerate(series.items()):
        y = data[column].to_numpy(float)
        ok = np.isfinite(y)
        points = " ".join(f"{sx(a):.1f},{sy(min(max(b, y0), y1)):.1f}" for a, b in zip(x[ok], y[ok]))
        color = colors[i % len(colors)]
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        lx = left + i * 130
        out.append(f'<rect x="{lx}" y="{height - 16}" width="12" height="4" fill="{color}"/>'
                   f'<text x="{lx + 16}" y="{height - 11}">{html.escape(label)}</text>')
    if math.isfinite(threshold) and x0 <= threshold <= x1:
        out.append(f'<line x1="{sx(threshold):.1f}" x2="{sx(threshold):.1f}" y1="{top}" y2="{height - bottom}" '
                   'stroke="#d62728" stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)


def _html_table(header: list[str] | None, rows: list[list[str]]) -> str:
    e = html.escape
    head = "" if header is None else "<thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in header) + "</tr></thead>"
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:860px;margin:2rem auto;
     padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0}
blockquote{border-left:4px solid #2ca02c;margin:1rem 0;padding:.5rem 1rem;background:#f4faf3}
table{border-collapse:collapse;margin:.5rem 0 1.5rem} td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}
th{background:#f6f6f6} figure{margin:1rem 0}
"""


def report_html(report: DecisionReport) -> str:
    """The decision report as one self-contained HTML page (inline CSS and SVG; no scripts,
    no external resources). Every user-supplied string is HTML-escaped."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(report.title)} — {e(report.dataset)}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(report.title)}</h1>", f'<p class="meta">Generated {e(report.generated_at)}</p>']
    if report.explanation:
        parts.append(f"<blockquote>{e(report.explanation)}</blockquote>")
    parts += ["<h2>Setting</h2>", _html_table(None, [list(r) for r in _setting_rows(report)])]
    header, rows = _result_rows(report)
    parts += ["<h2>Results at the chosen threshold</h2>", _html_table(header, rows)]
    if report.curve is not None and len(report.curve):
        charts = [_svg_lines(report.curve, {"precision": "Precision", "recall": "Recall", "f1": "F1"},
                             threshold=report.threshold, title="Metrics by threshold", y_label="Value",
                             x_range=report.x_range, y_range=(0.0, 1.0))]
        if "cost" in report.curve and report.curve["cost"].notna().any():
            charts.append(_svg_lines(report.curve, {"cost": "Business cost"}, threshold=report.threshold,
                                     x_range=report.x_range,
                                     title="Business cost by threshold", y_label=f"Cost ({report.costs.currency})",
                                     y_format="{:,.0f}"))
        parts += ["<h2>Charts</h2>"] + [f"<figure>{svg}</figure>" for svg in charts if svg]
        parts.append(f"<p>The red line marks the chosen threshold, evaluated on {e(report.evaluated_on)}.</p>")
    if report.segments:
        header, rows = segment_report_rows(report.segments, report.costs)
        parts += [f"<h2>By segment: {e(report.segments.get('column') or 'segment')}</h2>", _html_table(header, rows)]
        if report.segments.get("note"):
            parts.append(f"<p>{e(report.segments['note'])}</p>")
    if report.scenarios:
        frame = scenarios_frame(report.scenarios)
        parts += ["<h2>Scenarios compared</h2>", _html_table(list(frame.columns), frame.astype(str).values.tolist())]
    parts.append("</body></html>")
    return "\n".join(parts)
