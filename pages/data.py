"""Data: load a table, say what to predict, and see what Cutoff will do with every column."""

import html

import numpy as np
import pandas as pd
import streamlit as st

from core import setup as core_setup
from core.demos import DEMOS
from core.errors import DataError
from core.scores import case_counts
from pages import _ui, _workspace

_UPLOAD_KEY = "data.upload"
_DEMO_KEY = "data.demo"
_SHEET_KEY = "data.sheet"
_NONE = "(none)"
#: More usable feature columns than this: "Use every usable column" instead of one chip each.
_WIDE_FEATURES = 300
#: The preview shows at most this many columns (a 10,000-column grid only slows the page).
_PREVIEW_COLUMNS = 200
_PREVIEW_KEY = "data.preview"
#: Tables up to this many rows are drawn plain (one HTML table); longer ones as a scrolling grid. The
#: grid's frontend code is a large download that a visitor's first page would otherwise wait for.
_PLAIN_TABLE_ROWS = 40
#: A plain table longer than this many rows scrolls inside a box of _PLAIN_TABLE_HEIGHT pixels.
_PLAIN_TABLE_FULL_ROWS = 12
_PLAIN_TABLE_HEIGHT = 420
#: The class balance's bars: drawn by the table itself (CSS), readable in light and dark themes.
#: A Vega-Lite chart here would make a visitor's first page fetch and compile Vega (about 0.8 MB
#: of scripts), the largest part of the browser's work on this page.
_BAR_COLOR = "rgba(0, 104, 201, 0.35)"
#: The plain tables' look: lines and text that read in light and dark themes alike.
_TABLE_CLASS = "cutoff-table"
_TABLE_CSS = (
    ".cutoff-table table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }"
    ".cutoff-table th, .cutoff-table td { border-bottom: 1px solid rgba(128, 128, 128, 0.3);"
    " padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }"
    ".cutoff-table th { font-weight: 600; border-bottom-width: 2px; }"
    ".cutoff-table .num { text-align: right; font-variant-numeric: tabular-nums; }"
)
#: What the uploader reads (recognised by content; the names only filter the file dialog).
_UPLOAD_TYPES = ["csv", "tsv", "txt", "gz", "zip", "parquet", "pq", "xlsx", "xlsm", "xls"]


def _on_upload() -> None:
    """The newest upload replaces the loaded table, unless it cannot be used."""
    uploaded = st.session_state.get(_UPLOAD_KEY)
    if uploaded is None:  # the file was removed from the widget: keep what is loaded
        return
    _load_upload(uploaded, sheet=None)


def _load_upload(uploaded, sheet: str | None) -> None:
    try:
        dataset, setup = _ui.load_uploaded_dataset(uploaded.name, uploaded.getvalue(), sheet)
    except DataError as error:
        _ui.set_load_error(f"“{uploaded.name}” was not loaded. {error}")
        return
    _ui.set_dataset(dataset)
    _ui.set_setup(setup)
    _ui.set_load_error(None)
    st.session_state[_DEMO_KEY] = None  # so picking any demo afterwards counts as a new choice
    st.session_state[_SHEET_KEY] = dataset.sheet


def _on_sheet() -> None:
    """Another sheet of the uploaded workbook replaces the one loaded."""
    uploaded = st.session_state.get(_UPLOAD_KEY)
    sheet = st.session_state.get(_SHEET_KEY)
    dataset = _ui.get_dataset()
    if uploaded is None or dataset is None or sheet == dataset.sheet:
        return
    _load_upload(uploaded, sheet)


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
            type=_UPLOAD_TYPES,
            key=_UPLOAD_KEY,
            on_change=_on_upload,
            help=(
                "One row per case, one column per field, with a header row. Reads CSV (commas, semicolons, "
                "tabs or pipes), Parquet, Excel (.xlsx, .xls) and a .csv.gz or .zip holding one CSV; "
                "the format is recognised from the file's content, not its name."
            ),
        )
        st.caption(
            f"A file up to {limit:,} MB with a header row: CSV, Parquet, Excel (.xlsx, .xls), "
            "or a .csv.gz / .zip holding one CSV."
        )
        if dataset is not None and len(dataset.sheets) > 1:
            st.selectbox(
                "Sheet",
                dataset.sheets,
                key=_SHEET_KEY,
                on_change=_on_sheet,
                help="The workbook has several sheets: the one with the table to use.",
            )
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
    same = stored is not None and stored.target == target and stored.mode == mode

    if mode == _ui.MODE_TRAIN:
        features = _feature_picker(dataset, target, base, stored if same else None)
        if features is None:
            return None, None
        try:
            # Every usable column chosen (the default): the unrestricted report is that report,
            # and a wide table is not checked twice.
            same_features = len(features) == len(base.features) and set(features) == set(base.features)
            report = base if same_features else _ui.describe(dataset, target, positive, features)
        except DataError as error:
            st.error(_ui.escape_markdown(error))
            return None, None
        setup = _ui.Setup(_ui.MODE_TRAIN, target, positive, feature_columns=list(features), report=report)
    else:
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
        count = _optional_column(
            "Count column",
            core_setup.count_column_options(df, target, score),
            stored.count_column if same else core_setup.default_count_column(df, target, score),
            key=f"data.count.{token}.{target}",
            help="For a score-count table (one row per score and label, e.g. from python -m core.summarise): "
            "how many cases each row stands for. Every metric then counts cases, not rows.",
        )
        if count is not None:
            try:
                case_counts(df, count, base.row_mask)
            except DataError as error:
                st.error(_ui.escape_markdown(error))
                return None, None
        setup = _ui.Setup(_ui.MODE_SCORES, target, positive, score_column=score, report=base, count_column=count)
    _extras(dataset, setup, stored if same else None)
    return setup, base


def _feature_picker(dataset: _ui.Dataset, target: str, base, stored):
    """The Feature columns multiselect (with "select all numeric"); None after saying why nothing can be chosen."""
    candidates = [str(c) for c in dataset.df.columns.tolist() if str(c) != target]
    key = f"data.features.{dataset.token}.{target}"
    if key not in st.session_state:  # seeded once; afterwards the widget's own state rules
        default = stored.feature_columns if stored is not None else _ui.default_features(dataset, target, base)
        offered = set(candidates)  # a set: a wide table's 10,000 defaults against 10,000 candidates
        st.session_state[key] = [c for c in default if c in offered]
    if not base.features:
        # Nothing usable to choose from (e.g. every column is free text): say why, not "choose one".
        for message in base.warnings:
            if message.startswith(("Every column besides the target", "No usable feature columns")):
                st.warning(_ui.escape_markdown(message))
        return None
    numeric = list(base.numeric)
    everything = None
    if len(base.features) > _WIDE_FEATURES:
        # Thousands of chips make the multiselect (and the browser) crawl: a wide table uses
        # every usable column unless the user unticks this and picks some.
        all_key = f"data.features.all.{dataset.token}.{target}"
        st.session_state.setdefault(all_key, set(st.session_state[key]) == set(base.features))
        everything = st.checkbox(
            f"Use every usable column ({len(base.features):,})",
            key=all_key,
            help="Untick to pick the columns yourself: type part of a name in Feature columns to find one.",
        )
        if everything:
            st.session_state[key] = []

    def select_numeric() -> None:
        st.session_state[key] = list(dict.fromkeys([*st.session_state.get(key, []), *numeric]))

    features = st.multiselect(
        "Feature columns",
        candidates,
        key=key,
        disabled=bool(everything),
        placeholder=(f"All {len(base.features):,} usable columns are used" if everything
                     else "Type to search the columns…"),
        help="The columns the model may learn from. Leave out anything only known after the outcome. "
        "Type part of a name to find a column in a wide table.",
    )
    if everything:
        return list(base.features)
    left, right = st.columns([1, 3])
    left.button(
        f"Select all numeric ({len(numeric):,})",
        key=f"data.features.numeric.{dataset.token}.{target}",
        on_click=select_numeric,
        disabled=not numeric,
        help="Add every usable numeric column to the features.",
    )
    right.caption(f"{len(features):,} of {len(base.features):,} usable columns selected.")
    held_back = [c for c in base.features if _ui.looks_like_model_output(c) and c not in features]
    if held_back:
        st.caption(
            "Left out unless you add it: " + ", ".join(f"‘{_ui.escape_markdown(c)}’" for c in held_back)
            + " — named like another model's score, which would hand that model's answer to this one. "
            "Add it above if it is a genuine input."
        )
    if not features:
        st.warning("Choose at least one feature column for the model to learn from.")
        return None
    return features


def _optional_column(label: str, options: list[str], default: str | None, *, key: str, help: str) -> str | None:
    """A selectbox whose first option is "(none)"; returns the column or None."""
    choices = [_NONE, *options]
    picked = st.selectbox(label, choices, index=choices.index(default) if default in choices else 0, key=key,
                          help=help)
    return None if picked == _NONE else picked


def _extras(dataset: _ui.Dataset, setup: _ui.Setup, stored) -> None:
    """Amount column, Compare with and Segment column: fill them into ``setup``."""
    df, token, target = dataset.df, dataset.token, setup.target
    st.markdown("**Money, comparisons and groups** (optional)")
    left, middle, right = st.columns(3)
    with left:
        default = stored.amount_column if stored is not None else core_setup.default_amount_column(
            df, target, dataset.demo)
        setup.amount_column = _optional_column(
            "Amount column",
            core_setup.amount_column_options(df, target),
            default,
            key=f"data.amount.{token}.{target}",
            help="Money at stake in each case (a loan's size, a transaction's value). It may also be a feature.",
        )
        st.caption(
            "Used for costs set as a % of each case's amount on the Threshold page (a missed fraud loses "
            "the transaction, a defaulted loan a share of its size)."
            + (" In a count table, each row's total amount." if setup.count_column else "")
        )
    with middle:
        compare_options = core_setup.compare_column_options(
            df, target, score_column=setup.score_column, count_column=setup.count_column)
        kept = [c for c in (stored.compare_columns if stored is not None else []) if c in compare_options]
        against = "the trained model" if setup.mode == _ui.MODE_TRAIN else f"‘{setup.score_column}’"
        setup.compare_columns = list(st.multiselect(
            "Compare with",
            compare_options,
            default=kept,
            key=f"data.compare.{token}.{target}.{setup.mode}",
            help="Score columns of other models (an existing model, a rule's score) to set side by side "
            "with the main scores on the Threshold page.",
        ))
        st.caption(f"Other models' scores in this table, shown beside {_ui.escape_markdown(against)}.")
    with right:
        setup.segment_column = _optional_column(
            "Segment column",
            core_setup.segment_column_options(df, target, count_column=setup.count_column),
            stored.segment_column if stored is not None else None,
            key=f"data.segment.{token}.{target}",
            help="A column that splits the rows into groups (region, product, age band) to compare the "
            "threshold's effect group by group.",
        )
        if setup.segment_column is not None:
            _check_segment(dataset, setup)


def _check_segment(dataset: _ui.Dataset, setup: _ui.Setup) -> None:
    """Validate the Segment column (``core.segments.segment_labels``) and say what it does; clears it if unusable."""
    column = setup.segment_column
    try:
        from core.segments import segment_labels
    except ImportError:  # segments not available in this build: keep the choice unchecked
        segment_labels = None
    if segment_labels is not None:
        try:
            segmentation = segment_labels(dataset.df.loc[setup.report.row_mask, column])
        except DataError as error:
            st.error(_ui.escape_markdown(error))
            setup.segment_column = None
            return
        groups = len(segmentation.order)
        st.caption(f"{groups} groups. " + _ui.escape_markdown(segmentation.note))
    name = _ui.escape_markdown(column)
    if setup.mode == _ui.MODE_TRAIN and column in setup.feature_columns:
        st.caption(
            f"‘{name}’ is also a feature. For a protected attribute (sex, age, ethnicity) you may leave it out "
            "of the features, so the model cannot use it directly, and still see here how each group fares."
        )
    elif setup.mode == _ui.MODE_TRAIN:
        st.caption(f"‘{name}’ only groups the results; the model does not learn from it.")


def _cell(value, fmt: str | None) -> str:
    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _plain_table(frame: pd.DataFrame, formats: dict[str, str] | None = None, bar: str | None = None) -> None:
    """``frame`` as one HTML table (text escaped, shown as typed), ``bar`` drawn to scale in its cells.

    One element for the whole table: st.table renders every cell through Markdown, and on the
    first page a visitor sees that was the largest part of the browser's work after Streamlit's own.
    """
    formats = formats or {}
    top = float(frame[bar].max()) if bar is not None and len(frame) else 0.0
    numeric = {name: pd.api.types.is_numeric_dtype(frame[name].dtype) for name in frame.columns}
    head = "".join(f'<th{" class=num" if numeric[n] else ""}>{html.escape(str(n))}</th>' for n in frame.columns)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for name, value in zip(frame.columns, record):
            style = ""
            if name == bar and top > 0:
                end = f"{100.0 * float(value) / top:.1f}%"
                style = f' style="background: linear-gradient(90deg, {_BAR_COLOR} {end}, transparent {end})"'
            cells.append(f'<td{" class=num" if numeric[name] else ""}{style}>'
                         f"{html.escape(_cell(value, formats.get(name)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    box = f' style="max-height: {_PLAIN_TABLE_HEIGHT}px; overflow-y: auto"' if len(frame) > _PLAIN_TABLE_FULL_ROWS else ""
    st.html(f'<div class="{_TABLE_CLASS}"{box}><style>{_TABLE_CSS}</style>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _table(frame: pd.DataFrame) -> None:
    """``frame`` without its index: a plain table when it is short, a scrolling grid when long."""
    if len(frame) > _PLAIN_TABLE_ROWS:
        st.dataframe(frame, hide_index=True, width="stretch")
        return
    _plain_table(frame)


def _class_balance(balance: pd.DataFrame) -> None:
    """One row per class (the positive first): its rows, with a bar to scale, and its share."""
    shown = pd.DataFrame({
        "class": balance["class"],
        "rows": balance["count"].astype("int64"),
        "share": balance["share"],
    })
    _plain_table(shown, {"rows": "{:,d}", "share": "{:.1%}"}, bar="rows")


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
        _table(columns)
        if reasons:
            st.caption("Columns left out, and why:")
            _table(pd.DataFrame({"column": list(reasons), "reason": list(reasons.values())}))
    with right:
        balance = report.class_balance.assign(**{"class": lambda f: f["class"].astype(str)})
        st.caption("How many rows of each class (class balance)")
        _class_balance(balance)
        share = float(report.y.mean()) if len(report.y) else 0.0
        st.markdown(f"{share:.1%} of rows are positive: a model that flags nobody is right {1 - share:.1%} of the time.")
    # The score check repeats some of the contract's notes (rows dropped for a missing target): once each.
    for message in dict.fromkeys([*dataset.warnings, *report.warnings, *extra_warnings]):
        st.warning(_ui.escape_markdown(message))


st.title("Data")
st.markdown("Start here: load a table, say which column is the outcome and which class you want to catch.")
_source()
_workspace.data_page_section()  # where work is kept, and Open a workspace file

error = _ui.get_load_error()
dataset = _ui.get_dataset()
if error:
    kept = f" Still using “{_ui.escape_markdown(dataset.name)}”." if dataset is not None else ""
    st.error(_ui.escape_markdown(error) + kept)
if dataset is None:
    st.info("Upload a CSV or choose a demo dataset to begin.")
    st.stop()

st.text(f"Loaded: {dataset.name} — {len(dataset.df):,} rows × {dataset.df.shape[1]:,} columns")
# Tracked, so the grid is only sent (and its frontend code only loaded) once it is opened.
preview = st.expander("Preview the first rows", key=_PREVIEW_KEY, on_change="rerun")
if preview.open:
    with preview:
        st.dataframe(dataset.df.iloc[:100, :_PREVIEW_COLUMNS], width="stretch")
        if dataset.df.shape[1] > _PREVIEW_COLUMNS:
            st.caption(f"The first {_PREVIEW_COLUMNS} of {dataset.df.shape[1]:,} columns.")

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
    st.markdown(f"Ready to train on {len(setup.feature_columns):,} feature columns.")
    st.page_link(_ui.PAGE_TRAIN, label="Train a model and watch the cost fall", icon=":material/arrow_forward:")
else:
    cases = f" ({evaluation.weights.sum():,.0f} cases)" if evaluation.weights is not None else ""
    st.markdown(f"Your scores for all {len(setup.report.y):,} rows{cases} are ready to evaluate.")
    st.page_link(_ui.PAGE_THRESHOLD, label="Choose a threshold", icon=":material/arrow_forward:")
