"""Altair chart of the By segment table: flag rate and recall per segment, with intervals.

Pure functions, data in and chart out (nothing here computes a metric or touches Streamlit):
``segment_rate_rows(table)`` turns a ``core.segments`` table into the chart's long-format
rows, ``segment_rates_chart(order, rows)`` draws them. The rows live in the named dataset
``SEGMENT_RATES``, so a page can turn the chart into a spec once per set of segments
(``core.charts.chart_spec``) and on each slider move swap only the rows
(``core.charts.with_data``), as the Threshold page's other charts do.

What is drawn, one panel per rate: a dot per segment at its rate, a bar from the low to the
high end of its Wilson interval, and a dashed line at everyone's rate. Colour says whether the
segment is below four-fifths of the most favourable one, has too few cases to judge, or
neither.
"""

from __future__ import annotations

import math
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.segments import TOO_FEW

__all__ = ["SEGMENT_RATES", "CHART_RATES", "segment_rate_rows", "segment_rates_chart"]

SEGMENT_RATES = "cutoff_segment_rates"
CHART_RATES = ("Flag rate", "Recall")
_STATUS = ("within four-fifths", "below four-fifths", TOO_FEW)
_COLORS = ("#1f77b4", "#d62728", "#9e9e9e")


def _records(rows: pd.DataFrame) -> list[dict]:
    """Rows as plain records for an Altair dataset (NaN -> None, which Vega-Lite skips)."""
    return [{key: (None if isinstance(value, float) and not math.isfinite(value) else value)
             for key, value in record.items()} for record in rows.to_dict("records")]


def segment_rate_rows(table: pd.DataFrame, rates: Sequence[str] = CHART_RATES) -> pd.DataFrame:
    """Long rows for ``segment_rates_chart``: one per segment and rate, with ``Segment``,
    ``Rate`` (the rate's name), ``Value``, ``Low``, ``High`` (the interval; NaN when
    undefined), ``Overall`` (everyone's value) and ``Status`` (four-fifths / too few to
    judge). ``table`` is a ``core.segments`` By segment table; its last row is everyone.
    Column-wise (no per-row Python), since it runs on every slider move."""
    k = len(table) - 1  # the last row is everyone
    marks = table["Marks"].to_numpy(dtype=object)[:k]
    names = table["Segment"].to_numpy(dtype=object)[:k].astype(str).astype(object)
    too_few = marks == TOO_FEW
    parts = {"Segment": [], "Rate": [], "Value": [], "Low": [], "High": [], "Overall": [], "Status": []}
    for rate in rates:
        below = np.array([rate.lower() in m for m in marks], dtype=bool)
        status = np.where(too_few, TOO_FEW, np.where(below, "below four-fifths", "within four-fifths"))
        values = table[rate].to_numpy(dtype=np.float64)
        parts["Segment"].append(names)
        parts["Rate"].append(np.full(k, rate, dtype=object))
        parts["Value"].append(values[:k])
        parts["Low"].append(table[f"{rate} low"].to_numpy(dtype=np.float64)[:k])
        parts["High"].append(table[f"{rate} high"].to_numpy(dtype=np.float64)[:k])
        parts["Overall"].append(np.full(k, values[k]))
        parts["Status"].append(status.astype(object))
    # Segment-major order (a, a, b, b, ...), as a reader scans the table.
    order = np.arange(k * len(rates)).reshape(len(rates), k).T.ravel()
    return pd.DataFrame({name: np.concatenate(chunks)[order] for name, chunks in parts.items()})


def segment_rates_chart(order: Sequence[str], rows: pd.DataFrame | None = None, *, level: float = 0.9,
                        width: int = 280) -> alt.FacetChart:
    """Flag rate and recall per segment (``order``: the segments top to bottom), each with its
    ``level`` interval and everyone's rate as a dashed line; one panel per rate.

    ``rows``: from ``segment_rate_rows``; they are stored as the named dataset
    ``SEGMENT_RATES`` (swap them per threshold with ``core.charts.with_data``).
    """
    order = [str(name) for name in order]
    y = alt.Y("Segment:N", sort=order, title=None, axis=alt.Axis(labelLimit=180))
    x = alt.X("Value:Q", title=None, scale=alt.Scale(domain=[0, 1], nice=False), axis=alt.Axis(format=".0%"))
    color = alt.Color("Status:N", title=None, scale=alt.Scale(domain=list(_STATUS), range=list(_COLORS)),
                      legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("Segment:N"), alt.Tooltip("Rate:N"), alt.Tooltip("Value:Q", format=".3f"),
               alt.Tooltip("Low:Q", format=".3f", title=f"{level:.0%} low"),
               alt.Tooltip("High:Q", format=".3f", title=f"{level:.0%} high"),
               alt.Tooltip("Overall:Q", format=".3f", title="Everyone"), alt.Tooltip("Status:N")]
    base = alt.Chart().encode(y=y)
    intervals = base.mark_rule(strokeWidth=3, opacity=0.45).encode(
        x=alt.X("Low:Q", title=None), x2="High:Q", color=color, tooltip=tooltip)
    points = base.mark_circle(size=70, opacity=1).encode(x=x, color=color, tooltip=tooltip)
    overall = alt.Chart().mark_rule(color="#333333", strokeDash=[5, 4]).encode(
        x="mean(Overall):Q", tooltip=[alt.Tooltip("mean(Overall):Q", format=".3f", title="Everyone")])
    height = max(60, 24 * len(order))
    layered = alt.layer(intervals, points, overall, data=alt.NamedData(SEGMENT_RATES)).properties(
        width=width, height=height)
    return layered.facet(
        column=alt.Column("Rate:N", title=None, sort=list(CHART_RATES), header=alt.Header(labelFontSize=13)),
    ).properties(
        title=f"Flag rate and recall by segment ({level:.0%} intervals; dashed line = everyone)",
        datasets={SEGMENT_RATES: [] if rows is None else _records(rows)},
    ).resolve_scale(x="shared")
