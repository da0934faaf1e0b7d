"""Data: load a table, say what to predict, and see what Cutoff will do with every column."""

import pandas as pd
import streamlit as st

from core.demos import DEMOS
from core.errors import DataError
from pages import _ui

_UPLOAD_KEY = "data.upload"
_DEMO_KEY = "data.demo"


def _on_upload() -> None:
    """The newest upload replaces the loaded table, unless it cannot be used."""
    uploaded = st.session_state.get(_UPLOAD_KEY)
    if uploaded is None:  # the file was removed from the widget: keep what is loaded
        return
    try:
        dataset, setup = _ui.load_uploaded_dataset(uploaded.name, uploaded.getvalue())
    except DataError as error:
        _ui.set_load_error(f"“{uploaded.name}” was not loaded. {error}")
        return
    _ui.set_dataset(dataset)
    _ui.set_setup(setup)
    _ui.set_load_error(None)
    st.session_state[_DEMO_KEY] = None  # so picking any demo afterwards counts as a new choice


def _on_demo() -> None:
    key = st.session_state.get(_DEMO_KEY)
    if key is None:
        return
    try:
        dataset = _ui.load_demo_dataset(key)
        setup = _ui.default_setup(dataset)
    except DataError as error:
        _ui.set_load_error(str(error))
        return
    _ui.set_dataset(dataset)
    _ui.set_setup(setup)
    _ui.set_load_error(None)


def _source() -> None:
    dataset = _ui.get_dataset()
    limit = st.get_option("server.maxUploadSize")
    left, right = st.columns(2)
    with left:
        st.file_uploader(
            "Upload a CSV",
            type="csv",
            key=_UPLOAD_KEY,
            on_change=_on_upload,
            help="One row per case, one column per field, with a header row.",
        )
        st.caption(f"A CSV file up to {limit:,} MB, with a header row; commas, semicolons or tabs all work.")
    with right:
        keys = list(DEMOS)
        current = dataset.demo.key if dataset is not None and dataset.source == "demo" else None
        st.selectbox(
            "Demo dataset",
            keys,
            index=keys.index(current) if current in keys else None,
            format_func=lambda key: DEMOS[key].title,
            key=_DEMO_KEY,
            on_change=_on_demo,
            placeholder="Choose a demo…",
            help="Built-in example tables, each with a ready-made score column.",
        )
        if dataset is not None and dataset.demo is not None:
            st.caption(_ui.escape_markdown(dataset.demo.story))


def _choose(dataset: _ui.Dataset):
    """The choice widgets: returns (setup, report over every column), or (None, None) after showing why not."""
    df, token = dataset.df, dataset.token
    stored = _ui.get_setup()
    mode = st.radio(
        "Mode",
        _ui.MODES,
        index=_ui.MODES.index(stored.mode) if stored else 0,
        key=f"data.mode.{token}",
        horizontal=True,
        captions=[
            "Cutoff fits a logistic regression on your columns and scores held-out rows.",
            "Your table already has a model's score for every row; Cutoff evaluates it.",
        ],
    )
    options = dataset.target_options
    target_default = stored.target if stored and stored.target in options else _ui.guess_target(dataset)
    target = st.selectbox(
        "Target column",
        options,
        index=options.index(target_default),
        key=f"data.target.{token}",
        help="The outcome to predict: the column that says what really happened.",
    )
    classes = _ui.target_classes(token, df, target)
    if stored and stored.target == target and stored.positive_class in classes:
        positive_default = stored.positive_class
    else:
        positive_default = _ui.default_positive_class(dataset, target, classes)
    positive = st.selectbox(
        "Positive class",
        classes,
        index=classes.index(positive_default) if positive_default in classes else 0,
        format_func=str,
        key=f"data.positive.{token}.{target}",
        help="The outcome you want to catch (a default, a fraud, a churner): a score at or above the threshold flags it.",
    )
    try:
        base = _ui.describe(dataset, target, positive, require_split=mode == _ui.MODE_TRAIN)
    except DataError as error:
        st.error(_ui.escape_markdown(error))
        return None, None

    if mode == _ui.MODE_TRAIN:
        candidates = [str(c) for c in df.columns if str(c) != target]
        same = stored is not None and stored.target == target and stored.mode == _ui.MODE_TRAIN
        default = stored.feature_columns if same else _ui.default_features(dataset, target, base)
        features = st.multiselect(
            "Feature columns",
            candidates,
            default=[c for c in default if c in candidates],
            key=f"data.features.{token}.{target}",
            help="The columns the model may learn from. Leave out anything only known after the outcome.",
        )
        held_back = [c for c in base.features if _ui.looks_like_model_output(c) and c not in features]
        if held_back:
            st.caption(
                "Left out unless you add it: " + ", ".join(f"‘{_ui.escape_markdown(c)}’" for c in held_back)
                + " — named like another model's score, which would hand that model's answer to this one. "
                "Add it above if it is a genuine input."
            )
        if not features:
            st.warning("Choose at least one feature column for the model to learn from.")
            return None, None
        try:
            report = _ui.describe(dataset, target, positive, features)
        except DataError as error:
            st.error(_ui.escape_markdown(error))
            return None, None
        return _ui.Setup(_ui.MODE_TRAIN, target, positive, feature_columns=list(features), report=report), base

    score_options = _ui.score_column_options(dataset, target)
    if not score_options:
        st.error(
            "This table has no numeric column besides the target, so there are no scores to evaluate. "
            "Choose *Train a model* instead."
        )
        return None, None
    if stored and stored.score_column in score_options:
        score_default = stored.score_column
    else:
        score_default = _ui.default_score_column(dataset, target)
    score = st.selectbox(
        "Score column",
        score_options,
        index=score_options.index(score_default),
        key=f"data.score.{token}.{target}",
        help="Your model's score for each row: higher means more likely positive.",
    )
    return _ui.Setup(_ui.MODE_SCORES, target, positive, score_column=score, report=base), base


def _contract(dataset: _ui.Dataset, setup: _ui.Setup, unrestricted, extra_warnings: list[str]) -> None:
    """The data contract of ``setup``; ``unrestricted`` is the report over every column (no feature choice)."""
    report = setup.report
    positive = _ui.escape_markdown(report.positive_class)
    negative = _ui.escape_markdown(report.negative_label)
    # A column the user left out may also be unusable (an ID, a constant); say that, not just "not selected".
    reasons = {c: unrestricted.dropped.get(c, reason) for c, reason in report.dropped.items()}
    st.subheader("What Cutoff will do with this table")
    if report.one_vs_rest:
        st.info(
            f"The target has {len(report.classes)} classes, so Cutoff asks one yes/no question: "
            f"is it **{positive}**? Every other class counts as **{negative}** (one-vs-rest)."
        )
    left, right = st.columns([3, 2])
    with left:
        st.markdown(
            f"**{len(report.y):,}** rows will be used; positive means **{positive}**, "
            f"negative means **{negative}**."
        )
        if report.n_missing_target:
            st.markdown(f"{report.n_missing_target:,} rows have no target value and are left out.")
        st.caption("Every column, its type, and what Cutoff does with it (missing = empty cells).")
        columns = report.columns_frame()
        columns["reason"] = [reasons.get(name, reason) for name, reason in zip(columns["column"], columns["reason"])]
        st.dataframe(columns, hide_index=True, width="stretch")
        if reasons:
            st.caption("Columns left out, and why:")
            st.dataframe(
                pd.DataFrame({"column": list(reasons), "reason": list(reasons.values())}),
                hide_index=True,
                width="stretch",
            )
    with right:
        balance = report.class_balance.assign(**{"class": lambda f: f["class"].astype(str)})
        st.caption("How many rows of each class (class balance)")
        st.bar_chart(balance, x="class", y="count", horizontal=True, height=160)
        share = float(report.y.mean()) if len(report.y) else 0.0
        st.markdown(f"{share:.1%} of rows are positive: a model that flags nobody is right {1 - share:.1%} of the time.")
    # The score check repeats some of the contract's notes (rows dropped for a missing target): once each.
    for message in dict.fromkeys([*dataset.warnings, *report.warnings, *extra_warnings]):
        st.warning(_ui.escape_markdown(message))


st.title("Data")
st.markdown("Start here: load a table, say which column is the outcome and which class you want to catch.")
_source()

error = _ui.get_load_error()
dataset = _ui.get_dataset()
if error:
    kept = f" Still using “{_ui.escape_markdown(dataset.name)}”." if dataset is not None else ""
    st.error(_ui.escape_markdown(error) + kept)
if dataset is None:
    st.info("Upload a CSV or choose a demo dataset to begin.")
    st.stop()

st.text(f"Loaded: {dataset.name} — {len(dataset.df):,} rows × {dataset.df.shape[1]:,} columns")
with st.expander("Preview the first rows", expanded=False):
    st.dataframe(dataset.df.head(100), width="stretch")

st.subheader("What to predict")
setup, unrestricted = _choose(dataset)
_ui.set_setup(setup)
if setup is None:
    st.stop()

score_warnings: list[str] = []
if setup.mode == _ui.MODE_SCORES:
    try:
        evaluation, score_warnings = _ui.scores_evaluation(dataset, setup)
    except DataError as error:
        st.error(_ui.escape_markdown(error))
        st.stop()
    if _ui.get_evaluation() is None:
        _ui.set_evaluation(evaluation)

_contract(dataset, setup, unrestricted, score_warnings)

st.subheader("Next")
if setup.mode == _ui.MODE_TRAIN:
    st.markdown(f"Ready to train on {len(setup.feature_columns)} feature columns.")
    st.page_link(_ui.PAGE_TRAIN, label="Train a model and watch the cost fall", icon=":material/arrow_forward:")
else:
    st.markdown(f"Your scores for all {len(setup.report.y):,} rows are ready to evaluate.")
    st.page_link(_ui.PAGE_THRESHOLD, label="Choose a threshold", icon=":material/arrow_forward:")
