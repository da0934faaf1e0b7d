"""Shared Streamlit helpers: typed access to the session's state, cached core calls, the sidebar.

Not a page (``st.navigation`` does not list it). Every page reads and writes the user's
work through these accessors only, so the keys live in one place and a change upstream
(new data, new model) clears what was derived from the old one.

Flow of state: ``Dataset`` (Data page) -> ``Setup`` (Data page) -> ``TrainedModel``
(Train page, *Train a model* mode) -> ``Evaluation`` (the labels and scores the Threshold
page sweeps, with each row's count, amount, segment and other models' scores: built by
:func:`evaluation_for_rows`) -> scenarios (Report page).

The rules behind the defaults (target, features, score/count/amount columns, validation)
live in ``core.setup``; the wrappers here only feed them the dataset and cache the calls.

Caching: ``st.cache_data`` is shared by every session, so the cached functions below take
the dataset's content token (``core.identity.content_digest`` of the uploaded bytes and
sheet, or the demo key) as their
hashed identity and the DataFrame itself unhashed (``_df``): the token fully determines
the table, which keeps the functions pure in their hashed arguments without hashing a
large table on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core import setup as core_setup
from core.contract import describe_data
from core.errors import DataError
from core.identity import content_digest
from core.read import read_table
from core.scores import amount_values, case_counts, scores_from_column
from core.setup import MAX_TARGET_CLASSES, MODE_SCORES, MODE_TRAIN, MODES  # noqa: F401 (re-exported)
from core.target import target_classes as _core_target_classes
from core.text import escape_markdown  # noqa: F401 (re-exported: pages escape through _ui)

_KEY_NAVIGATION = "cutoff.navigation_ran"


def _leave_pages_folder_mode() -> None:
    """Make the first run on a fresh server go through ``streamlit_app.py``'s navigation.

    Streamlit treats a folder named ``pages/`` beside the entry script as an old-style
    multipage app until ``st.navigation`` has run once in the process. Until then a deep
    link (``/threshold?t=0.3``) opened first after a restart would run that page script on
    its own: no shared sidebar, no demo data, a stray "ui" page. Our page scripts import this
    module first, so here we switch the process to ``st.navigation`` (what the entry script
    would do) and rerun; the URL, and with it the page and its query parameters, is kept.

    Why an internal: Streamlit has no public switch for this. The public ``st.navigation``
    flips the same flag, but only the entry script may call it, and on this first run the
    entry script is not running. tests/app/test_streamlit_internals.py fails with a clear
    message if Streamlit renames or drops the flag (then this workaround must be revisited).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_pages_folder_mode()

_KEY_DATASET = "cutoff.dataset"
_KEY_SETUP = "cutoff.setup"
_KEY_MODEL = "cutoff.model"
_KEY_EVALUATION = "cutoff.evaluation"
_KEY_SCENARIOS = "cutoff.scenarios"
_KEY_LOAD_ERROR = "cutoff.load_error"
_KEY_TRAINING = "cutoff.training_in_progress"
#: Where each piece of the user's work lives in ``st.session_state`` (tests read these).
SESSION_KEYS = {
    "dataset": _KEY_DATASET,
    "setup": _KEY_SETUP,
    "model": _KEY_MODEL,
    "evaluation": _KEY_EVALUATION,
    "scenarios": _KEY_SCENARIOS,
    "load_error": _KEY_LOAD_ERROR,
    "training": _KEY_TRAINING,
}

PAGE_DATA = "pages/data.py"
PAGE_TRAIN = "pages/train.py"
PAGE_THRESHOLD = "pages/threshold.py"
PAGE_LEARN = "pages/learn.py"
PAGE_REPORT = "pages/report.py"

@dataclass
class Dataset:
    """A loaded table: an upload or a demo."""

    name: str  # file name or demo title, shown to the user as text
    df: pd.DataFrame
    source: str  # "upload" or "demo"
    demo: Any = None  # core.demos.Demo when source == "demo"
    warnings: list[str] = field(default_factory=list)
    token: str = ""  # content identity: "demo:<key>" or "upload:<content_digest(bytes, sheet)>"
    target_options: list[str] = field(default_factory=list)  # columns that can be the target
    sheets: list[str] = field(default_factory=list)  # a workbook's sheet names (else empty)
    sheet: str | None = None  # the sheet read, for a workbook


@dataclass
class Setup:
    """What the user chose on the Data page.

    Two setups are equal when the user's choices are equal; the contract report is
    derived from them and left out of the comparison.

    ``amount_column``: money per case (a loan's size), numeric; it may also be a feature. In a
    count table it is the total amount of the row's cases. Missing amounts reach the
    Evaluation as NaN and negative ones as they are: core (``core.analysis``) decides and says
    what it does with them. ``segment_column``: any column, split into groups by
    ``core.segments.segment_labels``; it is a feature only if it is also in
    ``feature_columns``. ``compare_columns``: other score columns to set beside the main
    scores. ``count_column`` (*Use my scores* only): how many cases each row stands for.
    """

    mode: str  # MODE_TRAIN or MODE_SCORES
    target: str
    positive_class: Any
    feature_columns: list[str] = field(default_factory=list)
    score_column: str | None = None
    report: Any = field(default=None, compare=False)  # core.contract.DataReport
    amount_column: str | None = None
    segment_column: str | None = None
    compare_columns: list[str] = field(default_factory=list)
    count_column: str | None = None


@dataclass
class TrainedModel:
    """A fitted model with its data split and scores."""

    model: Any  # core.model.LogisticRegressionGD
    prepared: Any  # core.features.PreparedData (design matrices, names, preprocessor)
    params: dict
    history: pd.DataFrame
    val_scores: np.ndarray  # P(positive) on the validation split, shape (n_val,)
    test_scores: np.ndarray  # P(positive) on the held-out test split, shape (n_test,)
    mse_history: pd.DataFrame | None = None


@dataclass
class Evaluation:
    """The labels (0/1) and scores the Threshold page evaluates, and what goes with each row.

    Every array is row-aligned with ``y``. ``weights``: cases per row (a Count column), None
    for one case per row. ``amounts``: float money per row (NaN where missing; for a count
    table the total of the row's cases), None without an Amount column. ``segments``: the
    Segment column's raw values (object array), None without one. ``others``: Compare with
    scores, name -> float array. ``primary_name``: what to call ``scores`` beside the others.
    """

    y: np.ndarray
    scores: np.ndarray
    is_probability: bool
    label: str  # plain words, e.g. "validation split (1,234 rows)" or "all 5,000 rows"
    weights: np.ndarray | None = None
    amounts: np.ndarray | None = None
    amount_column: str | None = None
    segments: np.ndarray | None = None
    segment_column: str | None = None
    others: dict[str, np.ndarray] = field(default_factory=dict)
    primary_name: str = "Trained model"

    def fingerprint(self) -> str:
        """Content identity of the labels, scores, weights and amounts. A saved scenario
        records it, so the Report never applies one model's threshold to another model's
        scores (or to other counts or amounts)."""
        return content_digest(self.y, self.scores, self.weights, self.amounts,
                              self.is_probability, self.label)


# ---------------------------------------------------------------- session state


def _get(key: str):
    return st.session_state.get(key)


def get_dataset() -> Dataset | None:
    return _get(_KEY_DATASET)


def set_dataset(dataset: Dataset) -> None:
    """Store a new table and forget everything derived from the previous one."""
    st.session_state[_KEY_DATASET] = dataset
    for key in (_KEY_SETUP, _KEY_MODEL, _KEY_EVALUATION, _KEY_SCENARIOS, _KEY_TRAINING):
        st.session_state.pop(key, None)


def get_setup() -> Setup | None:
    return _get(_KEY_SETUP)


def set_setup(setup: Setup | None) -> None:
    """Store the Data page's choices; a changed choice invalidates model and scores."""
    if setup != _get(_KEY_SETUP):
        for key in (_KEY_MODEL, _KEY_EVALUATION, _KEY_TRAINING):
            st.session_state.pop(key, None)
    st.session_state[_KEY_SETUP] = setup


def get_model() -> TrainedModel | None:
    return _get(_KEY_MODEL)


def set_model(model: TrainedModel | None) -> None:
    st.session_state[_KEY_MODEL] = model


def get_evaluation() -> Evaluation | None:
    return _get(_KEY_EVALUATION)


def set_evaluation(evaluation: Evaluation | None) -> None:
    st.session_state[_KEY_EVALUATION] = evaluation


def get_scenarios() -> list[dict]:
    return st.session_state.setdefault(_KEY_SCENARIOS, [])


def get_load_error() -> str | None:
    """The message of the last upload that could not be loaded (cleared by a successful load)."""
    return _get(_KEY_LOAD_ERROR)


def set_load_error(message: str | None) -> None:
    st.session_state[_KEY_LOAD_ERROR] = message


def get_training_in_progress() -> dict | None:
    """The Train page's record of a run that has not finished (see pages/train.py)."""
    return _get(_KEY_TRAINING)


def set_training_in_progress(record: dict | None) -> None:
    st.session_state[_KEY_TRAINING] = record


# ---------------------------------------------------------------- cached core calls


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read_table(token: str, _data: bytes, filename: str, sheet: str | None) -> tuple[pd.DataFrame, list[str], list[str]]:
    df = read_table(_data, filename, sheet)
    return df, list(df.attrs.get("warnings", [])), list(df.attrs.get("sheets", []))


@st.cache_data(max_entries=8, show_spinner="Loading the demo…")
def _load_demo(key: str) -> pd.DataFrame:
    from core.demos import load_demo

    return load_demo(key)


@st.cache_data(max_entries=16)
def _target_options(token: str, _df: pd.DataFrame) -> list[str]:
    return core_setup.target_options(_df)


@st.cache_data(max_entries=64)
def target_classes(token: str, _df: pd.DataFrame, target: str) -> list:
    """``core.target.target_classes`` for the dataset with content ``token``."""
    return _core_target_classes(_df, target)


@st.cache_data(max_entries=32, show_spinner=False)
def _describe(token: str, _df: pd.DataFrame, target: str, positive_class, feature_columns, exclude, require_split,
              validation):
    columns = None if feature_columns is None else list(feature_columns)
    return describe_data(_df, target, positive_class, columns, exclude=exclude, require_split=require_split,
                         validation=validation)


def describe(dataset: Dataset, target: str, positive_class, feature_columns=None, *, require_split: bool = True,
             validation: str = "auto"):
    """``core.contract.describe_data`` for ``dataset`` (raises DataError).

    A demo's ready-made score column is excluded from the features; ``require_split``
    (Train mode) checks there are enough rows to train with ``validation`` ("auto": the
    scheme ``core.setup.default_validation`` picks, so small tables train with
    cross-validation; "holdout" or "cv" to insist on one).
    """
    exclude = (dataset.demo.score_column,) if dataset.demo is not None else ()
    columns = None if feature_columns is None else tuple(feature_columns)
    return _describe(dataset.token, dataset.df, target, positive_class, columns, exclude, require_split, validation)


@st.cache_data(max_entries=8, show_spinner="Preparing the features…")
def _prepare(token: str, _df: pd.DataFrame, _report, target: str, positive_class, feature_columns: tuple):
    from core.features import prepare_features

    return prepare_features(_df, _report)


def setup_key(dataset: Dataset, setup: Setup) -> str:
    """A short stable id of (table, choices): keys the Train page's widgets and unfinished runs."""
    return content_digest(dataset.token, setup.mode, setup.target, repr(setup.positive_class),
                          list(setup.feature_columns), setup.score_column, size=8)


def prepared_split(dataset: Dataset, setup: Setup):
    """The train/validation/test split for ``setup`` (``core.features.PreparedData``, seeded)."""
    report = describe(dataset, setup.target, setup.positive_class, setup.feature_columns, validation="holdout")
    return _prepare(dataset.token, dataset.df, report, setup.target, setup.positive_class, tuple(setup.feature_columns))


# ---------------------------------------------------------------- loading data


def load_demo_dataset(key: str) -> Dataset:
    """The demo ``key`` of ``core.demos.DEMOS`` as a Dataset."""
    from core.demos import DEMOS

    demo = DEMOS[key]
    df = _load_demo(key)
    token = f"demo:{key}"
    return Dataset(
        name=demo.title, df=df, source="demo", demo=demo, token=token, target_options=_target_options(token, df)
    )


def load_uploaded_dataset(filename: str, data: bytes, sheet: str | None = None) -> tuple[Dataset, Setup]:
    """Parse an upload (CSV, Parquet, Excel, gzip/zip: ``core.read.read_table``) and check it
    offers a usable default setup. ``sheet`` picks a workbook's sheet (the first when None).

    Raises DataError (with core's plain-words message) when the bytes are not a usable
    table, so the caller can keep whatever was loaded before. A workbook whose first sheet is
    not usable (a cover page, notes) opens on its first sheet that is, and says so.
    """
    try:
        return _load_upload(filename, data, sheet)
    except DataError as first_error:
        if sheet is not None:
            raise
        from core.read import excel_sheets

        sheets = excel_sheets(data)
        for other in sheets[1:]:
            try:
                dataset, setup = _load_upload(filename, data, other)
            except DataError:
                continue
            dataset.warnings.insert(0, f"Sheet '{sheets[0]}' has no usable table ({first_error}) Opened sheet "
                                       f"'{other}' instead.")
            return dataset, setup
        raise


def _load_upload(filename: str, data: bytes, sheet: str | None) -> tuple[Dataset, Setup]:
    from core.contract import one_column_error

    token = "upload:" + content_digest(data, sheet)
    df, warnings, sheets = _read_table(token, data, filename, sheet)
    if (error := one_column_error(df)) is not None:
        raise error
    options = _target_options(token, df)
    if not options:
        raise DataError(
            "No column in this file looks like an outcome to predict: every column has more than "
            f"{MAX_TARGET_CLASSES} different values. Add a column with the outcome "
            "(for example yes/no or 1/0) and upload the file again."
        )
    dataset = Dataset(
        name=filename or "uploaded file",
        df=df,
        source="upload",
        warnings=warnings,
        token=token,
        target_options=options,
        sheets=sheets,
        sheet=(sheet or sheets[0]) if sheets else None,
    )
    setup = default_setup(dataset)
    if setup.mode == MODE_SCORES and setup.count_column is None:
        # Only reached when no target has enough rows to train: say so, and that the chosen
        # "score" column is a guess.
        dataset.warnings.append(core_setup.too_small_to_train_note(setup.score_column))
    guessed = guess_target(dataset)
    if setup.target != guessed:
        dataset.warnings.append(
            f"'{guessed}' looked like the outcome column but cannot be the target, so '{setup.target}' is "
            "selected instead. Pick the right Target column below."
        )
    return dataset, setup


# The setup rules live in core.setup; these wrappers feed them the dataset (and its demo).


def guess_target(dataset: Dataset) -> str:
    """``core.setup.guess_target`` for ``dataset``."""
    return core_setup.guess_target(dataset.df, dataset.target_options, dataset.demo)


def default_positive_class(dataset: Dataset, target: str, classes: list):
    """The demo's preset when it applies, otherwise ``core.target.default_positive_class``."""
    return core_setup.positive_class_for(classes, target, dataset.demo)


looks_like_model_output = core_setup.looks_like_model_output


def default_features(dataset: Dataset, target: str, report) -> list[str]:
    """``core.setup.default_features`` for ``dataset``."""
    return core_setup.default_features(report, target, dataset.demo)


def default_score_column(dataset: Dataset, target: str) -> str | None:
    """``core.setup.default_score_column`` for ``dataset``."""
    return core_setup.default_score_column(dataset.df, target, dataset.demo)


def score_column_options(dataset: Dataset, target: str) -> list[str]:
    """Numeric columns other than the target: the candidates for *Use my scores*."""
    return core_setup.score_column_options(dataset.df, target)


def default_setup(dataset: Dataset) -> Setup:
    """``core.setup.default_setup`` for ``dataset``, through the cached core calls."""

    def cached_describe(target, positive, require_split=True):
        return describe(dataset, target, positive, require_split=require_split)

    chosen = core_setup.default_setup(
        dataset.df, options=dataset.target_options, demo=dataset.demo, describe=cached_describe,
        classes=lambda target: target_classes(dataset.token, dataset.df, target),
    )
    return Setup(
        chosen.mode, chosen.target, chosen.positive_class, feature_columns=chosen.feature_columns,
        score_column=chosen.score_column, report=chosen.report, amount_column=chosen.amount_column,
        count_column=chosen.count_column,
    )


def ensure_dataset() -> None:
    """Give a fresh session the first demo with its default setup, so every page has something to show."""
    if get_dataset() is not None:
        return
    from core.demos import DEMOS

    try:
        dataset = load_demo_dataset(next(iter(DEMOS)))
        setup = default_setup(dataset)
    except DataError as error:  # a broken demo must not take the app down
        set_load_error(str(error))
        return
    set_dataset(dataset)
    set_setup(setup)


@st.cache_data(max_entries=8, show_spinner=False)
def _scores(token: str, _df: pd.DataFrame, target: str, score_column: str, positive_class):
    return scores_from_column(_df, target, score_column, positive_class)


@st.cache_data(max_entries=16, show_spinner=False)
def _column_values(token: str, _df: pd.DataFrame, kind: str, column: str, positions: bytes | None):
    """A column's values for the evaluated rows (``positions``: int64 bytes; None = all rows)."""
    rows = None if positions is None else np.frombuffer(positions, dtype=np.int64)
    frame = _df if rows is None else _df.iloc[rows]
    if kind == "counts":
        values = case_counts(frame, column)
    elif kind == "amounts":
        values = amount_values(frame, column)
    else:  # segment values as they are, object dtype (core.segments labels them)
        values = frame[column].to_numpy(dtype=object)
    return values  # st.cache_data hands each caller its own copy


def _others(dataset: Dataset, setup: Setup, rows: np.ndarray, exclude: str | None) -> dict[str, np.ndarray]:
    """Compare with: name -> scores over ``rows`` (positions in the table), checked like a score column."""
    others = {}
    for column in setup.compare_columns:
        if column == exclude:
            continue
        scored = _scores(dataset.token, dataset.df, setup.target, column, setup.positive_class)
        by_row = np.full(len(dataset.df), np.nan)
        by_row[np.flatnonzero(scored.row_mask)] = scored.scores
        others[column] = by_row[rows]
    return others


def evaluation_for_rows(dataset: Dataset, setup: Setup, rows, scores, *, label: str, is_probability: bool,
                        primary_name: str = "Trained model") -> Evaluation:
    """The Evaluation of ``scores`` on the table rows at positions ``rows`` (``df.iloc``),
    with the labels, weights, amounts, segment values and Compare with scores of those rows.

    ``rows`` must have a target (e.g. ``PreparedData.idx_val`` or out-of-fold rows); the
    Train page calls this for its validation rows. Raises DataError for an unusable column.
    """
    rows = np.asarray(rows, dtype=np.int64)
    report = setup.report if setup.report is not None else describe(
        dataset, setup.target, setup.positive_class, require_split=False)
    by_row = np.full(len(dataset.df), -1, dtype=np.int64)
    by_row[np.flatnonzero(report.row_mask)] = report.y
    y = by_row[rows]
    if (y < 0).any():
        raise DataError("Some of the rows to evaluate have no target value. Check the data again.")
    key = rows.tobytes()
    column = lambda kind, name: _column_values(dataset.token, dataset.df, kind, name, key)  # noqa: E731
    return Evaluation(
        y=y,
        scores=np.asarray(scores, dtype=np.float64),
        is_probability=bool(is_probability),
        label=label,
        weights=column("counts", setup.count_column) if setup.count_column else None,
        amounts=column("amounts", setup.amount_column) if setup.amount_column else None,
        amount_column=setup.amount_column,
        segments=column("segments", setup.segment_column) if setup.segment_column else None,
        segment_column=setup.segment_column,
        others=_others(dataset, setup, rows, exclude=setup.score_column),
        primary_name=primary_name,
    )


def scores_evaluation(dataset: Dataset, setup: Setup) -> tuple[Evaluation, list[str]]:
    """The Evaluation for *Use my scores*: every row with a target, scored by the chosen column,
    with its counts, amounts, segments and Compare with scores.

    Returns the evaluation and core's warnings about the scores; raises DataError.
    """
    scored = _scores(dataset.token, dataset.df, setup.target, setup.score_column, setup.positive_class)
    rows = np.flatnonzero(scored.row_mask)
    n = len(scored.y)
    evaluation = evaluation_for_rows(
        dataset, setup, rows, scored.scores, label=f"all {n:,} rows", is_probability=scored.is_probability,
        primary_name=setup.score_column,
    )
    if evaluation.weights is not None:
        evaluation.label = f"all {n:,} rows ({evaluation.weights.sum():,.0f} cases)"
    return evaluation, list(scored.warnings)


# ---------------------------------------------------------------- page furniture


def send_to(page: str, message: str, label: str) -> None:
    """A friendly stop: say what is missing, link to the page that provides it, end this page's run."""
    st.info(message)
    if st.session_state.get(_KEY_NAVIGATION):
        st.page_link(page, label=label, icon=":material/arrow_forward:")
    else:  # a page run on its own (no st.navigation, e.g. in a test) has nothing to link to
        st.caption(f"{label}: use the page list in the sidebar.")
    st.stop()


def render_sidebar() -> None:
    """What is loaded right now, in plain words, on every page.

    The entry script calls this right after ``st.navigation``, so it also records that the
    page list exists: :func:`send_to` links to a page only then (``st.page_link`` refuses a
    page that no navigation registered).
    """
    st.session_state[_KEY_NAVIGATION] = True
    with st.sidebar:
        dataset = get_dataset()
        setup = get_setup()
        evaluation = get_evaluation()
        st.caption("Session")
        # Plain text (names stay exactly as typed, never Markdown), one element for all the lines:
        # every element is redrawn on each run.
        lines = [f"Data: {dataset.name if dataset else 'none yet'}"]
        if setup is not None:
            lines += [f"Mode: {setup.mode}", f"Target: {setup.target} (positive = {setup.positive_class})"]
        if get_model() is not None:
            lines.append("Model: trained")
        if evaluation is not None:
            lines.append(f"Evaluating: {evaluation.label}")
        st.text("\n".join(lines))
