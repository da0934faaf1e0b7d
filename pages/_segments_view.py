"""The Threshold page's **By segment** section: who the threshold flags, misses and costs, group
by group. Not a page (``st.navigation`` does not list it); the Threshold page calls
``render_by_segment`` inside its slider fragment.

All the maths is in ``core.segments`` (labels, per-segment sweeps, the table, separate
thresholds) and ``core.segment_charts`` (the chart); this module only caches and draws. What
is built once per data (segment labels, per-segment sorts, the chart spec) is memoised in
this session's state, keyed by the identity of the evaluation's arrays: the arrays live in
the session as long as the evaluation does, and hashing 200,000 segment values on every
slider move would cost more than the whole lookup.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

from core import charts
from core.costs import CostMatrix
from core.errors import DataError
from core.segment_charts import SEGMENT_RATES, segment_rate_rows, segment_rates_chart
from core.segments import (
    ANALYSIS_CAVEAT,
    FOUR_FIFTHS,
    MIN_POSITIVES,
    MIN_ROWS,
    RATE_COLUMNS,
    TOO_FEW,
    SegmentSweeps,
    segment_labels,
    segment_sweeps,
    segments_payload,
    separate_thresholds,
)
from core.text import escape_markdown

TITLE = "By segment"
KEY_TOLERANCE = "threshold.segment_tolerance"
KEY_ANALYSIS = "threshold.segment_analysis"
ANALYSIS_LABEL = "What would separate thresholds per segment do? (analysis, not a deployable policy)"
_KEY_MEMO = "segments.memo"
MISSING = "—"  # shown for a missing cell (the everyone row's ratios) instead of "None"


def _memo(name: str, objects: tuple, values: tuple, build: Callable[[], Any]) -> Any:
    """``build()`` once per identity of ``objects`` and value of ``values``, in this session."""
    memo = st.session_state.setdefault(_KEY_MEMO, {})
    entry = memo.get(name)
    if (entry is not None and len(entry["objects"]) == len(objects)
            and all(a is b for a, b in zip(entry["objects"], objects)) and entry["values"] == values):
        return entry["result"]
    result = build()
    memo[name] = {"objects": objects, "values": values, "result": result}
    return result


def _sweeps(y: np.ndarray, scores: np.ndarray, segments: Any, weights: Any, amounts: Any,
            column: str | None, digest: str | None) -> SegmentSweeps:
    def build() -> SegmentSweeps:
        labels = segment_labels(pd.Series(np.asarray(segments, dtype=object), name=column))
        return segment_sweeps(y, scores, labels, weights=weights, amounts=amounts)

    # With the evaluation's content digest (labels, scores, counts, amounts) the page may pass
    # fresh copies of those arrays on every run; without it, their identity is the key.
    if digest is not None:
        return _memo("sweeps", (segments,), (digest, column, amounts is not None), build)
    return _memo("sweeps", (y, scores, segments, weights, amounts), (column,), build)


def money_format(currency: str) -> str:
    """A table column's number format for money: the currency sign, thousands separators, whole
    units (``"$%,.0f"``: 12,300 shows as $12,300), as the page's other amounts read."""
    return f"{currency.replace('%', '%%')}%,.0f"


def _column_config(table: pd.DataFrame, costs: CostMatrix | None, weighted: bool) -> dict:
    count = "%,.0f" if weighted else "%,d"
    config = {
        "Segment": st.column_config.TextColumn("Segment", pinned=True),
        "Rows": st.column_config.NumberColumn("Rows", format=count,
                                              help="Cases in the segment" + (" (summed counts)" if weighted else "")),
        "Positives": st.column_config.NumberColumn("Positives", format=count),
        "Flagged": st.column_config.NumberColumn("Flagged", format=count, help="Cases with score ≥ threshold"),
        "Business cost": st.column_config.NumberColumn(
            "Business cost", format=money_format(costs.currency if costs else "")),
        "Flag rate ratio": st.column_config.NumberColumn(
            "Flag rate ratio", format="%.3f",
            help=f"Flag rate ÷ the highest flag rate among segments with at least {MIN_ROWS} rows and "
                 f"{MIN_POSITIVES} positives; below {FOUR_FIFTHS} breaks the four-fifths rule."),
        "Recall ratio": st.column_config.NumberColumn(
            "Recall ratio", format="%.3f",
            help=f"Recall ÷ the highest recall among segments with enough data; below {FOUR_FIFTHS} is marked."),
        "Marks": st.column_config.TextColumn(
            "Marks", width="medium",
            help=f"'below four-fifths': the ratio is under {FOUR_FIFTHS}; '{TOO_FEW}': under {MIN_ROWS} rows or "
                 f"{MIN_POSITIVES} positives, so not compared."),
    }
    level = table.attrs.get("level", 0.9)
    for rate in RATE_COLUMNS:
        config[rate] = st.column_config.NumberColumn(rate, format="%.3f")
        config[f"{rate} low"] = st.column_config.NumberColumn(
            f"{rate} low", format="%.3f", help=f"Lower end of the {level:.0%} Wilson interval")
        config[f"{rate} high"] = st.column_config.NumberColumn(
            f"{rate} high", format="%.3f", help=f"Upper end of the {level:.0%} Wilson interval")
    return config


def _marks_summary(table: pd.DataFrame) -> None:
    names = table["Segment"].to_numpy(dtype=object)[:-1]
    marks = table["Marks"].to_numpy(dtype=object)[:-1]
    below = [(name, mark) for name, mark in zip(names, marks) if "four-fifths" in mark]
    few = [name for name, mark in zip(names, marks) if mark == TOO_FEW]
    if below:
        parts = [f"**{_ui_text(name)}** ({mark.replace(' below four-fifths', '')})"
                 for name, mark in below]
        st.warning("Below four-fifths of the most favourable segment at this threshold: " + ", ".join(parts)
                   + ". A ratio under 0.8 is the usual sign of disparate impact (the four-fifths rule).")
    if few:
        st.caption(f"Too few to judge (under {MIN_ROWS} rows or {MIN_POSITIVES} positives): "
                   + ", ".join(_ui_text(name) for name in few)
                   + ". Their rates are shown with wide intervals but not compared.")


def _ui_text(text: Any) -> str:
    """User text shown inertly in Markdown."""
    return escape_markdown(str(text))


def _chart(sweeps: SegmentSweeps, table: pd.DataFrame) -> None:
    level = table.attrs.get("level", 0.9)
    spec = _memo("chart", (sweeps,), (level,),
                 lambda: charts.chart_spec(segment_rates_chart(sweeps.segments, level=level)))
    st.vega_lite_chart(spec=charts.with_data(spec, {SEGMENT_RATES: segment_rate_rows(table)}),
                       width="content")


def _separate_thresholds(sweeps: SegmentSweeps, costs: CostMatrix, threshold: float, table: pd.DataFrame) -> None:
    # Tracked, so the analysis is only computed while the expander is open.
    expander = st.expander(ANALYSIS_LABEL, key=KEY_ANALYSIS, on_change="rerun")
    if not expander.open:
        return
    with expander:
        st.markdown(f"**{_ui_text(ANALYSIS_CAVEAT)}**")
        tolerance = st.number_input(
            "Recall tolerance", min_value=0.0, max_value=1.0, value=0.05, step=0.01, key=KEY_TOLERANCE,
            help="In the second variant every segment's recall stays within this distance of the overall recall "
                 "at the current threshold.")
        try:
            result = separate_thresholds(sweeps, costs, threshold, tolerance=float(tolerance), table=table)
        except DataError as error:
            st.warning(_ui_text(error))
            return
        st.markdown(_ui_text(result.sentence))
        for note in result.notes:
            st.caption(note)
        money = money_format(costs.currency)
        st.dataframe(
            result.frame, hide_index=True, width="stretch",
            column_config={
                "Segment": st.column_config.TextColumn("Segment", pinned=True),
                "Rows": st.column_config.NumberColumn("Rows", format="%,.0f" if sweeps.weighted else "%,d"),
                **{name: st.column_config.NumberColumn(name, format="%.3f")
                   for name in ("Recall at this threshold", "Own threshold", "Recall at own threshold",
                                "Threshold within recall band", "Recall within band")},
                **{name: st.column_config.NumberColumn(name, format=money)
                   for name in ("Cost at this threshold", "Cost at own threshold", "Cost within band")},
            })
        st.caption("An own threshold of ∞ means that segment is cheapest when nobody in it is flagged.")


def render_by_segment(y: Any, scores: Any, segments: Any, threshold: float, costs: CostMatrix | None, *,
                      weights: Any = None, amounts: Any = None, segment_column: str | None = None,
                      digest: str | None = None, show_analysis: bool = True) -> pd.DataFrame | None:
    """Draw the **By segment** table, its marks and notes, the chart and the separate-thresholds
    analysis at ``threshold``; return the table (``None`` without segments or when the column
    cannot be used, which is said on the page instead of raising).

    ``y``, ``scores``, ``segments`` (raw values of the Segment column), ``weights`` and
    ``amounts`` are the evaluation's row-aligned arrays. Amounts are only used when ``costs``
    take a share of each case's amount. ``digest``: the evaluation's content identity
    (``Evaluation.fingerprint()``), so the per-segment sort is done once per data even when the
    page passes new copies of the arrays on every run.
    """
    if segments is None:
        return None
    st.subheader(TITLE)
    needs_amounts = costs is not None and costs.per_case
    try:
        sweeps = _sweeps(y, scores, segments, weights, amounts if needs_amounts else None, segment_column, digest)
        table = sweeps.table(threshold, costs)
    except DataError as error:
        st.warning(_ui_text(f"{error} The rest of the page does not depend on it."))
        return None
    column = f"'{_ui_text(segment_column)}'" if segment_column else "the segment column"
    st.caption(f"Each row: the cases of one value of {column} at this threshold, and a last row for everyone. "
               "Rates are fractions with 90% Wilson intervals (low/high columns); the ratios compare each "
               "segment's flag rate and recall with the highest among segments with enough data. When being "
               "flagged is the bad outcome (a declined loan), the segment at 1.000 is the one bearing it; the "
               "ratios show how far apart the groups are either way.")
    if sweeps.note:
        st.caption(_ui_text(sweeps.note))
    # The everyone row has no ratios: NaN keeps the columns numeric (sortable), shown as a dash, not "None".
    st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING,
                 column_config=_column_config(table, costs, sweeps.weighted))
    _marks_summary(table)
    _chart(sweeps, table)
    if show_analysis and costs is not None:
        _separate_thresholds(sweeps, costs, threshold, table)
    return table


def scenario_segments(y: Any, scores: Any, segments: Any, threshold: float, costs: CostMatrix | None, *,
                      weights: Any = None, amounts: Any = None, segment_column: str | None = None,
                      digest: str | None = None) -> dict | None:
    """The By segment table at ``threshold`` as plain JSON for a saved scenario (``None``
    without segments or when the column cannot be used). Reuses the memoised per-segment sort."""
    if segments is None:
        return None
    needs_amounts = costs is not None and costs.per_case
    try:
        sweeps = _sweeps(y, scores, segments, weights, amounts if needs_amounts else None, segment_column, digest)
        return segments_payload(sweeps.table(threshold, costs), column=segment_column, threshold=threshold,
                                note=sweeps.note)
    except DataError:
        return None
