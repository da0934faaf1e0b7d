"""The Threshold page's cached computations and the rows its charts swap on every run.

A page script runs again on every interaction, so these live in a module imported once: the
caches' decorators are not rebuilt per run (~1 ms each, more under load), and what they hold
is shared by every session. cache_resource (not cache_data) because the analysis of 200,000
rows is tens of MB of arrays that cache_data would unpickle on every slider move; the results
are pure functions of the arguments, their arrays are read-only, so sharing them across
sessions is safe. The analysis is keyed on the data only; money enters in ``costed``.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
# Streamlit's own DataFrame -> Arrow IPC serialiser, the form st.vega_lite_chart sends. There is
# no public way to hand st.vega_lite_chart pre-serialised data; doing it once per data here keeps
# a slider move from re-serialising every curve (tests/app/test_threshold_page.py checks that the
# function still exists and that Streamlit still passes such bytes through).
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

import core.analysis  # looked up on the module at call time, so tests can count the builds
from core import charts
from core.analysis import Analysis, CostedAnalysis
from core.compare import Comparison, compare_models, model_sweeps
from core.costs import CostMatrix

@st.cache_resource(max_entries=8, ttl=3600, show_spinner="Sweeping every threshold…")
def analysis(digest: str, _y: np.ndarray, _scores: np.ndarray, _weights: np.ndarray | None,
              _amounts: np.ndarray | None, is_probability: bool) -> Analysis:
    """Everything about (``_y``, ``_scores``, ...) that money does not change; ``digest`` is their identity."""
    return core.analysis.build_analysis(_y, _scores, weights=_weights, amounts=_amounts, is_probability=is_probability)


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def costed(digest: str, _analysis_of_data: Analysis, costs: tuple) -> tuple[CostedAnalysis, bytes, bytes, bytes]:
    """The analysis under ``costs`` (the CostMatrix fields as a tuple), with the cost chart's rows
    (the curve, its band, and the band without rows) as Arrow bytes."""
    costed = _analysis_of_data.costed(cost_matrix(costs))
    band_rows = charts.cost_band_rows(costed.cost_bands)
    # Serialised here, once per costs: a slider move sends these bytes as they are.
    return costed, arrow(charts.cost_rows(costed.cost_frame)), arrow(band_rows), arrow(band_rows.iloc[:0])


# No spinner on the per-cost computations (this one and the comparison): they take milliseconds
# (the resamples are drawn once per data), and a cache miss's spinner costs each cost edit a
# timer thread and a placeholder element for a message that would show only after 0.5 s.
@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def stability(digest: str, _analysis_of_data: Analysis, _costed_analysis: CostedAnalysis, costs: tuple,
               objective: str, settings: tuple):
    """Bootstrap interval of the recommendation (resamples drawn once per data, chosen under ``costs``)."""
    return _analysis_of_data.stability(_costed_analysis, objective, **dict(settings))


@st.cache_resource(max_entries=8, ttl=3600, show_spinner="Sweeping every model…")
def sweeps_of_models(digest: str, _y: np.ndarray, _scores: dict, _weights: np.ndarray | None,
                     _amounts: np.ndarray | None) -> dict:
    """Each model's sweep without costs, once per data (``digest``): cost edits re-cost them."""
    sweeps = model_sweeps(_y, _scores, weights=_weights, amounts=_amounts)
    return {name: core.analysis.read_only_sweep(sweep) for name, sweep in sweeps.items()}


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def comparison(digest: str, _y: np.ndarray, _scores: dict, _weights: np.ndarray | None,
                _amounts: np.ndarray | None, costs: tuple, objective: str, settings: tuple) -> Comparison:
    """Each model at its own recommended threshold, with the paired bootstrap of the cost difference."""
    sweeps = sweeps_of_models(digest, _y, _scores, _weights, _amounts)
    return compare_models(_y, _scores, costs=cost_matrix(costs), objective=objective, weights=_weights,
                          amounts=_amounts, sweeps=sweeps, **dict(settings))


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _overlay_curves(digest: str, _comparison_of_models: Comparison) -> dict[str, dict]:
    """ROC and precision–recall curves of every model: the same under any costs, so per data."""
    sweeps = _comparison_of_models.sweeps
    return {name: _serialised(charts.chart_spec(chart)) for name, chart in (
        ("roc", charts.models_roc_chart(sweeps)),
        ("pr", charts.models_pr_chart(sweeps)),
    )}


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _overlay_cost_spec(digest: str, _comparison_of_models: Comparison, currency: str) -> dict:
    """The models' cost chart, built once per data and currency; its curves are swapped per costs."""
    return _serialised(charts.chart_spec(charts.models_cost_chart(_comparison_of_models.sweeps, currency=currency)))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def _overlay_cost_rows(digest: str, _comparison_of_models: Comparison, costs: tuple) -> bytes:
    return arrow(charts.models_cost_rows(_comparison_of_models.sweeps))


def overlay_specs(digest: str, comparison_of_models: Comparison, costs: tuple) -> dict[str, dict]:
    """ROC, precision–recall and cost curves of every model on one chart each."""
    cost = charts.with_data(_overlay_cost_spec(digest, comparison_of_models, costs[4]),
                            {charts.MODELS_COST: _overlay_cost_rows(digest, comparison_of_models, costs)})
    return {**_overlay_curves(digest, comparison_of_models), "cost": cost}


@st.cache_resource
def fingerprints() -> dict:
    """id(evaluation) -> (weak reference, fingerprint): hashing 200,000 rows takes ~30 ms a run."""
    return {}


def fingerprint(evaluation) -> str:
    """The evaluation's content identity, computed once per evaluation object."""
    memo = fingerprints()
    entry = memo.get(id(evaluation))
    if entry is not None and entry[0]() is evaluation:
        return entry[1]
    for key in [key for key, (ref, _) in memo.items() if ref() is None]:
        memo.pop(key, None)
    value = evaluation.fingerprint()
    memo[id(evaluation)] = (weakref.ref(evaluation), value)
    return value


def cost_matrix(fields: tuple) -> CostMatrix:
    fp, fn, tp, tn, currency, fpa, fna, tpa, tna = fields
    return CostMatrix(fp, fn, tp, tn, currency, fp_pct=fpa, fn_pct=fna, tp_pct=tpa, tn_pct=tna)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def chart_specs(digest: str, _analysis_of_data: Analysis, currency: str, with_bands: bool, positive_label: str,
                 negative_label: str) -> dict[str, dict]:
    """Every chart of the page as a Vega-Lite spec, built and validated once per data (never per cost).

    The slider-dependent datasets hold placeholders; each rerun swaps in the current rows with
    ``charts.with_data`` (microseconds) instead of rebuilding the charts (~250 ms with Altair); the
    cost curve and its band are swapped the same way. The other datasets are serialised to Arrow
    here, once, so a rerun sends bytes as they are.
    """
    analysis = _analysis_of_data
    sweep, frame, domain = analysis.sweep, analysis.frame, analysis.domain
    bands = analysis.ratio_bands if with_bands else None
    anywhere = sweep.at(domain[0])
    no_cost = pd.DataFrame({"threshold": [], "cost": []})
    specs = {
        "metrics": charts.metrics_chart(frame, threshold=domain[0], bands=bands, domain=domain),
        "cost": charts.cost_chart(no_cost, threshold=domain[0], currency=currency, domain=domain),
        "confusion": charts.confusion_chart(
            charts.confusion_frame(anywhere, None, positive_label=positive_label, negative_label=negative_label),
            currency=currency),
        "distribution": charts.score_distribution_chart(analysis.histogram_named(positive_label, negative_label),
                                                        threshold=domain[0]),
        "roc": charts.roc_chart(analysis.roc, fpr=0.0, tpr=0.0, auc=analysis.auc),
        "pr": charts.pr_chart(analysis.pr, recall=0.0, precision=0.0, ap=analysis.ap, prevalence=analysis.prevalence),
        "capacity": charts.capacity_chart(frame, positive_rate=0.0, recall=0.0),
    }
    if analysis.decision_curve is not None:
        specs["decision"] = charts.decision_curve_chart(analysis.decision_curve, threshold=domain[0])
        specs["reliability"] = charts.reliability_chart(analysis.reliability)
    return {name: _serialised(charts.chart_spec(chart)) for name, chart in specs.items()}


def _serialised(spec: dict) -> dict:
    """``spec`` with every dataset a run does not swap already Arrow bytes, as Streamlit sends them."""
    spec["datasets"] = {name: data if name in SWAPPED_DATASETS else convert_anything_to_arrow_bytes(data)
                        for name, data in spec["datasets"].items()}
    return spec


# Datasets each rerun replaces: the slider's markers and points, the confusion cells, the cost curve.
SWAPPED_DATASETS = {charts.MARKERS, charts.POINT, charts.CELLS, charts.COST_LINE, charts.COST_BAND, charts.MODELS_COST}


def arrow(rows: list[dict] | pd.DataFrame) -> bytes:
    """Arrow IPC bytes of a chart's rows, the form st.vega_lite_chart sends.

    Built with pyarrow directly: Streamlit's own path makes a pandas DataFrame of every list
    first, 3–13 ms for two rows, and a slider move swaps eight such datasets. A DataFrame goes
    column by column too (a quarter of ``Table.from_pandas``'s time, which also writes pandas
    metadata no chart reads). NaN becomes null, as it does from pandas.
    """
    if isinstance(rows, pd.DataFrame):
        table = pa.table({str(name): pa.array(rows[name].to_numpy(), from_pandas=True) for name in rows.columns})
    else:
        table = pa.table({name: pa.array([row[name] for row in rows], from_pandas=True) for name in rows[0]})
    return convert_anything_to_arrow_bytes(table)
