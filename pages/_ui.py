"""Shared Streamlit helpers: typed access to the session's state, cached core calls, the sidebar.

Not a page (``st.navigation`` does not list it). Every page reads and writes the user's
work through these accessors only, so the keys live in one place and a change upstream
(new data, new model) clears what was derived from the old one.

Flow of state: ``Dataset`` (Data page) -> ``Setup`` (Data page) -> ``TrainedModel``
(Train page, *Train a model* mode) -> ``Evaluation`` (the labels and scores the Threshold
page sweeps) -> scenarios (Report page).

Caching: ``st.cache_data`` is shared by every session, so the cached functions below take
the dataset's content token (a digest of the uploaded bytes, or the demo key) as their
hashed identity and the DataFrame itself unhashed (``_df``): the token fully determines
the table, which keeps the functions pure in their hashed arguments without hashing a
large table on every rerun.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import data as core_data
from core.errors import DataError

MODE_TRAIN = "Train a model"
MODE_SCORES = "Use my scores"
MODES = (MODE_TRAIN, MODE_SCORES)

#: A column with more distinct values than this is not offered as the target: a yes/no
#: outcome (or a handful of categories, one of which is "positive") is what Cutoff needs.
MAX_TARGET_CLASSES = 20

def _leave_pages_folder_mode() -> None:
    """Make the first run on a fresh server go through ``streamlit_app.py``'s navigation.

    Streamlit treats a folder named ``pages/`` beside the entry script as an old-style
    multipage app until ``st.navigation`` has run once in the process. Until then a deep
    link (``/threshold?t=0.3``) opened first after a restart would run that page script on
    its own: no shared sidebar, no demo data, a stray "ui" page. Our page scripts import this
    module first, so here we switch the process to ``st.navigation`` (what the entry script
    would do) and rerun; the URL, and with it the page and its query parameters, is kept.
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

# Names that usually mark the outcome column of a table, in order of preference.
_TARGET_NAMES = ("target", "label", "class", "outcome", "y", "default", "churn", "fraud", "response")


@dataclass
class Dataset:
    """A loaded table: an upload or a demo."""

    name: str  # file name or demo title, shown to the user as text
    df: pd.DataFrame
    source: str  # "upload" or "demo"
    demo: Any = None  # core.demos.Demo when source == "demo"
    warnings: list[str] = field(default_factory=list)
    token: str = ""  # content identity: "demo:<key>" or "upload:<digest of the bytes>"
    target_options: list[str] = field(default_factory=list)  # columns that can be the target


@dataclass
class Setup:
    """What the user chose on the Data page.

    Two setups are equal when the user's choices are equal; the contract report is
    derived from them and left out of the comparison.
    """

    mode: str  # MODE_TRAIN or MODE_SCORES
    target: str
    positive_class: Any
    feature_columns: list[str] = field(default_factory=list)
    score_column: str | None = None
    report: Any = field(default=None, compare=False)  # core.data.DataReport


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
    """The labels (0/1) and scores the Threshold page evaluates."""

    y: np.ndarray
    scores: np.ndarray
    is_probability: bool
    label: str  # plain words, e.g. "validation split (1,234 rows)" or "all 5,000 rows"

    def fingerprint(self) -> str:
        """Content identity of these labels and scores. A saved scenario records it, so the
        Report never applies one model's threshold to another model's scores."""
        digest = hashlib.blake2b(digest_size=16)
        for array in (self.y, self.scores):
            array = np.ascontiguousarray(array)
            digest.update(array.dtype.str.encode())
            digest.update(array.tobytes())
        digest.update(f"{self.is_probability}|{self.label}".encode())
        return digest.hexdigest()


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


# ---------------------------------------------------------------- text safety


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
_AUTOLINK_TRIGGERS = re.compile(r"(?i)https?|ftp|mailto|www|@")


def escape_markdown(text: Any) -> str:
    """``text`` as a string that Streamlit's Markdown shows literally.

    User strings (column names, class labels, file names, messages quoting them) go
    through this before any ``st.markdown``/``st.caption``/``st.error``: a column named
    ``[click](http://x)`` or ``<b>`` must appear as typed, never as a link or markup.
    """
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
    # Backslashes do not stop GitHub-style autolinks ("http://…", "www.…", "a@b.c"): a word
    # joiner (zero width, invisible) inside the trigger does, and the text still reads the same.
    return _AUTOLINK_TRIGGERS.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], escaped)


# ---------------------------------------------------------------- cached core calls


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read_csv(token: str, _data: bytes, filename: str) -> tuple[pd.DataFrame, list[str]]:
    df = core_data.read_csv(_data, filename)
    return df, list(df.attrs.get("warnings", []))


@st.cache_data(max_entries=8, show_spinner="Loading the demo…")
def _load_demo(key: str) -> pd.DataFrame:
    from core.demos import load_demo

    return load_demo(key)


@st.cache_data(max_entries=16)
def _target_options(token: str, _df: pd.DataFrame) -> list[str]:
    counts = _df.nunique(dropna=True)
    return [str(c) for c in _df.columns if counts[c] <= MAX_TARGET_CLASSES]


@st.cache_data(max_entries=64)
def target_classes(token: str, _df: pd.DataFrame, target: str) -> list:
    """``core.data.target_classes`` for the dataset with content ``token``."""
    return core_data.target_classes(_df, target)


@st.cache_data(max_entries=32, show_spinner=False)
def _describe(token: str, _df: pd.DataFrame, target: str, positive_class, feature_columns, exclude, require_split):
    columns = None if feature_columns is None else list(feature_columns)
    return core_data.describe_data(
        _df, target, positive_class, columns, exclude=exclude, require_split=require_split
    )


def describe(dataset: Dataset, target: str, positive_class, feature_columns=None, *, require_split: bool = True):
    """``core.data.describe_data`` for ``dataset`` (raises DataError).

    A demo's ready-made score column is excluded from the features; ``require_split``
    (Train mode) checks there are enough rows of each class to split.
    """
    exclude = (dataset.demo.score_column,) if dataset.demo is not None else ()
    columns = None if feature_columns is None else tuple(feature_columns)
    return _describe(dataset.token, dataset.df, target, positive_class, columns, exclude, require_split)


@st.cache_data(max_entries=8, show_spinner="Preparing the features…")
def _prepare(token: str, _df: pd.DataFrame, _report, target: str, positive_class, feature_columns: tuple):
    from core.features import prepare_features

    return prepare_features(_df, _report)


def setup_key(dataset: Dataset, setup: Setup) -> str:
    """A short stable id of (table, choices): keys the Train page's widgets and unfinished runs."""
    parts = (
        dataset.token, setup.mode, setup.target, repr(setup.positive_class),
        *setup.feature_columns, str(setup.score_column),
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def prepared_split(dataset: Dataset, setup: Setup):
    """The train/validation/test split for ``setup`` (``core.features.PreparedData``, seeded)."""
    report = describe(dataset, setup.target, setup.positive_class, setup.feature_columns)
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


def load_uploaded_dataset(filename: str, data: bytes) -> tuple[Dataset, Setup]:
    """Parse an uploaded CSV and check it offers a usable default setup.

    Raises DataError (with core's plain-words message) when the bytes are not a usable
    table, so the caller can keep whatever was loaded before.
    """
    token = "upload:" + hashlib.blake2b(data, digest_size=16).hexdigest()
    df, warnings = _read_csv(token, data, filename)
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
    )
    setup = default_setup(dataset)
    if setup.mode == MODE_SCORES:
        # Only reached when no target has enough rows to split for training: say so, and that
        # the chosen "score" column is a guess.
        rows, per_class = core_data.min_rows_for_split()
        dataset.warnings.append(
            f"This table is too small to train and check a model (the train, validation and test splits need at "
            f"least {rows} rows and {per_class} of each class), so Mode is set to "
            f"'{MODE_SCORES}' with '{setup.score_column}' as the score. If that column is not a model's score, "
            "pick the right Score column below, or upload more rows to train a model."
        )
    guessed = guess_target(dataset)
    if setup.target != guessed:
        dataset.warnings.append(
            f"'{guessed}' looked like the outcome column but cannot be the target, so '{setup.target}' is "
            "selected instead. Pick the right Target column below."
        )
    return dataset, setup


def guess_target(dataset: Dataset) -> str:
    """The column most likely to be the outcome: the demo's, a conventional name, a yes/no column, the last."""
    options = dataset.target_options
    if dataset.demo is not None and dataset.demo.target in options:
        return dataset.demo.target
    by_name = {name.strip().lower(): name for name in options}
    for name in _TARGET_NAMES:
        if name in by_name:
            return by_name[name]
    binary = [c for c in options if dataset.df[c].nunique(dropna=True) == 2]
    return (binary or options)[-1]


def default_positive_class(dataset: Dataset, target: str, classes: list):
    """The demo's preset when it applies, otherwise ``core.data.default_positive_class``."""
    demo = dataset.demo
    if demo is not None and target == demo.target and demo.positive_class in classes:
        return demo.positive_class
    return core_data.default_positive_class(classes)


_MODEL_OUTPUT_WORDS = ("score", "prob", "pred")


def looks_like_model_output(column: str) -> bool:
    """A column named like another model's score or prediction (``risk_score``, ``p_pred``)."""
    return any(word in str(column).lower() for word in _MODEL_OUTPUT_WORDS)


def default_features(dataset: Dataset, target: str, report) -> list[str]:
    """A demo's own feature list for its target, else every column ``report`` found usable
    except those named like another model's output: training on an existing model's score
    would copy that model (and any leak in it), so the user must add such a column on purpose."""
    demo = dataset.demo
    if demo is not None and target == demo.target:
        return [c for c in demo.features if c in report.features]
    return [c for c in report.features if not looks_like_model_output(c)]


def default_score_column(dataset: Dataset, target: str) -> str | None:
    """The demo's score column, else a numeric column named like a score, else the first numeric one."""
    options = score_column_options(dataset, target)
    if not options:
        return None
    if dataset.demo is not None and dataset.demo.score_column in options:
        return dataset.demo.score_column
    for name in options:
        if looks_like_model_output(name):
            return name
    return options[0]


def score_column_options(dataset: Dataset, target: str) -> list[str]:
    """Numeric columns other than the target: the candidates for *Use my scores*."""
    df = dataset.df
    numeric = pd.api.types.is_numeric_dtype
    return [str(c) for c in df.columns if c != target and numeric(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


def default_setup(dataset: Dataset) -> Setup:
    """The setup a newcomer gets without touching a widget.

    *Train a model* on the best-guess target, else on the other candidate columns; when no
    column has enough rows of each class to split but the table has a numeric column,
    *Use my scores* on it. Raises the first DataError when no column makes a usable target.
    """
    first = guess_target(dataset)
    others = [c for c in dataset.target_options if c != first]
    others.sort(key=lambda c: dataset.df[c].nunique(dropna=True) != 2)  # yes/no columns next
    candidates = [first, *others][:5]
    first_error: DataError | None = None
    fallback: Setup | None = None
    for target in candidates:
        try:
            classes = target_classes(dataset.token, dataset.df, target)
            positive = default_positive_class(dataset, target, classes)
        except DataError as error:
            first_error = first_error or error
            continue
        try:
            report = describe(dataset, target, positive)
            features = default_features(dataset, target, report)
            return Setup(MODE_TRAIN, target, positive, feature_columns=features, report=report)
        except DataError as error:
            first_error = first_error or error
        score_column = default_score_column(dataset, target)
        if fallback is None and score_column is not None:
            try:
                report = describe(dataset, target, positive, require_split=False)
            except DataError:
                continue
            fallback = Setup(MODE_SCORES, target, positive, score_column=score_column, report=report)
    if fallback is not None:
        return fallback
    raise first_error


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
    return core_data.scores_from_column(_df, target, score_column, positive_class)


def scores_evaluation(dataset: Dataset, setup: Setup) -> tuple[Evaluation, list[str]]:
    """The Evaluation for *Use my scores*: every row with a target, scored by the chosen column.

    Returns the evaluation and core's warnings about the scores; raises DataError.
    """
    scored = _scores(dataset.token, dataset.df, setup.target, setup.score_column, setup.positive_class)
    n = len(scored.y)
    evaluation = Evaluation(
        y=np.asarray(scored.y),
        scores=np.asarray(scored.scores, dtype=np.float64),
        is_probability=bool(scored.is_probability),
        label=f"all {n:,} rows",
    )
    return evaluation, list(scored.warnings)


# ---------------------------------------------------------------- page furniture


def send_to(page: str, message: str, label: str) -> None:
    """A friendly stop: say what is missing, link to the page that provides it, end this page's run."""
    st.info(message)
    try:
        st.page_link(page, label=label, icon=":material/arrow_forward:")
    except StreamlitAPIException:  # a page run on its own (no navigation) has nothing to link to
        st.caption(f"{label}: use the page list in the sidebar.")
    st.stop()


def render_sidebar() -> None:
    """What is loaded right now, in plain words, on every page."""
    with st.sidebar:
        dataset = get_dataset()
        setup = get_setup()
        evaluation = get_evaluation()
        st.caption("Session")
        st.text(f"Data: {dataset.name if dataset else 'none yet'}")
        if setup is not None:
            st.text(f"Mode: {setup.mode}")
            st.text(f"Target: {setup.target} (positive = {setup.positive_class})")
        if get_model() is not None:
            st.text("Model: trained")
        if evaluation is not None:
            st.text(f"Evaluating: {evaluation.label}")
