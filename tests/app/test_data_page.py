"""Data page: loading (demo, upload, bad upload), the choices, and what they store."""

import io
import re
import tomllib
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import data as core_data
from core.demos import DEMOS, load_demo
from pages import _ui
from tests.app.conftest import (
    assert_ok,
    choose_features,
    choose_mode,
    choose_positive,
    choose_score,
    choose_target,
    errors,
    find,
    has,
    set_widget,
    goto,
    make_csv,
    pick_demo,
    start,
    stored,
    upload_csv,
)

FIRST_DEMO = next(iter(DEMOS))
ROOT = Path(__file__).resolve().parents[2]


class _TableText(HTMLParser):
    """The text a reader sees in each <table>: its header cells and rows of cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def plain_tables(app) -> list[pd.DataFrame]:
    """Every plain table on the page (drawn as HTML), as text, the header as its columns."""
    found = []
    for element in app.html:
        parser = _TableText()
        parser.feed(element.value)
        found += [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables]
    return found


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_a_fresh_session_has_the_first_demo_ready_to_train(app):
    demo = DEMOS[FIRST_DEMO]
    dataset, setup = stored(app, "dataset"), stored(app, "setup")
    assert dataset.source == "demo" and dataset.demo.key == FIRST_DEMO
    assert setup.mode == _ui.MODE_TRAIN
    assert find(app, "radio", "Mode").value == _ui.MODE_TRAIN
    assert find(app, "selectbox", "Target column").value == demo.target == setup.target
    assert find(app, "selectbox", "Positive class").value == demo.positive_class == setup.positive_class
    features = find(app, "multiselect", "Feature columns").value
    assert features == setup.feature_columns and features
    assert demo.score_column not in features  # a ready-made score is not an input
    usable = core_data.describe_data(load_demo(demo.key), demo.target, demo.positive_class, exclude=[demo.score_column])
    assert features == [c for c in demo.features if c in usable.features]
    assert not errors(app)


def test_the_upload_limit_from_the_config_is_stated(app):
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    uploader = find(app, "file_uploader", "Upload a CSV")
    assert uploader.allowed_type == [".csv"] or "csv" in "".join(uploader.allowed_type)
    assert any(f"{limit:,} MB" in c.value for c in app.caption)


def test_an_upload_replaces_the_demo_with_sensible_defaults(app):
    raw = make_csv()
    upload_csv(app, raw, "loans.csv")
    dataset, setup = stored(app, "dataset"), stored(app, "setup")
    assert dataset.source == "upload" and dataset.name == "loans.csv"
    assert setup.target == "defaulted" and setup.positive_class == "yes"
    expected = core_data.describe_data(core_data.read_csv(raw, "loans.csv"), "defaulted", "yes")
    # every usable column but the one named like another model's score
    inputs = [c for c in expected.features if c != "risk_score"]
    assert "risk_score" in expected.features and setup.feature_columns == inputs
    assert find(app, "multiselect", "Feature columns").value == inputs
    np.testing.assert_array_equal(setup.report.y, expected.y)
    assert not errors(app)
    assert any(t.value.startswith("Loaded: loans.csv") for t in app.text)


def test_use_my_scores_sets_the_evaluation_on_all_rows(app):
    raw = make_csv()
    upload_csv(app, raw, "loans.csv")
    choose_mode(app, _ui.MODE_SCORES)
    assert find(app, "selectbox", "Score column").value == "risk_score"
    evaluation = stored(app, "evaluation")
    df = pd.read_csv(pd.io.common.BytesIO(raw))
    np.testing.assert_array_equal(evaluation.y, (df["defaulted"] == "yes").astype(int))
    np.testing.assert_allclose(evaluation.scores, df["risk_score"])
    assert evaluation.is_probability and evaluation.label == f"all {len(df):,} rows"

    choose_score(app, "debt")  # another column, raw (not 0-1) scores
    evaluation = stored(app, "evaluation")
    np.testing.assert_allclose(evaluation.scores, df["debt"])
    assert not evaluation.is_probability
    assert any("not 0 to 1" in w.value for w in app.warning)


def test_target_and_positive_class_choices_are_stored(app):
    raw = make_csv()
    upload_csv(app, raw, "loans.csv")
    choose_mode(app, _ui.MODE_SCORES)
    choose_positive(app, "no")
    df = pd.read_csv(pd.io.common.BytesIO(raw))
    assert stored(app, "setup").positive_class == "no"
    np.testing.assert_array_equal(stored(app, "evaluation").y, (df["defaulted"] == "no").astype(int))

    choose_mode(app, _ui.MODE_TRAIN)
    choose_features(app, ["income", "colour"])
    setup = stored(app, "setup")
    assert setup.mode == _ui.MODE_TRAIN and setup.feature_columns == ["income", "colour"]
    assert setup.report.numeric == ["income"] and setup.report.categorical == ["colour"]
    assert stored(app, "evaluation") is None  # Train mode: the Train page provides it


def test_a_multi_class_target_is_one_vs_rest_and_says_so(app):
    rng = np.random.default_rng(1)
    segment = rng.choice(["retail", "business", "private"], size=240)
    upload_csv(app, make_csv(segment=segment), "segments.csv")
    choose_target(app, "segment")
    positive = find(app, "selectbox", "Positive class")
    assert sorted(positive.options) == ["business", "private", "retail"]
    choose_positive(app, "retail")
    setup = stored(app, "setup")
    assert setup.report.one_vs_rest
    np.testing.assert_array_equal(setup.report.y, (segment == "retail").astype(int))
    assert any("one-vs-rest" in i.value for i in app.info)


def test_no_features_selected_explains_and_clears_the_setup(app):
    choose_features(app, [])
    assert stored(app, "setup") is None
    assert any("at least one feature" in w.value for w in app.warning)
    for page in ("train", "threshold", "learn", "report", "data"):
        goto(app, page)


ONE_CLASS = pd.DataFrame(
    {"x1": np.linspace(0, 1, 60), "x2": np.linspace(5, 9, 60) ** 2, "outcome": ["no"] * 60}
).to_csv(index=False).encode()


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("binary.csv", b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)) * 20),
        ("empty.csv", b""),
        ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n1,2,3\n"),
        ("one_class.csv", ONE_CLASS),
    ],
)
def test_a_bad_upload_shows_an_error_and_keeps_the_previous_data(app, name, raw):
    before_dataset, before_setup = stored(app, "dataset"), stored(app, "setup")
    upload_csv(app, raw, name)
    assert_ok(app)
    messages = errors(app)
    assert messages and name.replace("_", "\\_").replace(".", "\\.") in messages[0]
    assert stored(app, "dataset") is before_dataset
    assert stored(app, "setup") == before_setup
    assert find(app, "selectbox", "Target column").value == before_setup.target


def test_user_strings_are_shown_as_text_never_as_markdown(app):
    evil = "[click](https://example.com)"
    raw = make_csv(**{evil: np.arange(240) % 2, "<b>bold</b>": np.arange(240) * 1.5})
    upload_csv(app, raw, "**bold**.csv")
    choose_target(app, evil)
    rendered = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success") for e in getattr(app, kind)]
    assert not any(evil in text for text in rendered)  # escaped wherever it appears
    assert not any("<b>bold</b>" in text for text in rendered)
    assert not any("**bold**" in text for text in rendered)
    assert stored(app, "setup").target == evil
    # the contract's tables are HTML: the names are escaped there, and read back exactly as typed
    assert not any("<b>bold</b>" in e.value for e in app.html)
    columns = next(t for t in plain_tables(app) if "role" in t.columns)
    assert {evil, "<b>bold</b>"} <= set(columns["column"])
    assert any("loaded: **bold**.csv" in t.value.lower() for t in app.text)  # plain text is fine


def test_switching_datasets_mid_session_resets_what_depended_on_the_old_one():
    at = start()
    keys = list(DEMOS)
    upload_csv(at, make_csv(), "loans.csv")
    choose_mode(at, _ui.MODE_SCORES)
    assert stored(at, "evaluation") is not None
    for page in ("threshold", "report", "train", "learn"):
        goto(at, page)

    pick_demo(at, keys[-1])  # the most recent action wins: the demo replaces the upload
    dataset, setup = stored(at, "dataset"), stored(at, "setup")
    assert dataset.source == "demo" and dataset.demo.key == keys[-1]
    assert setup.target == DEMOS[keys[-1]].target and setup.mode == _ui.MODE_TRAIN
    assert stored(at, "evaluation") is None and stored(at, "model") is None
    assert find(at, "selectbox", "Target column").value == DEMOS[keys[-1]].target
    for page in ("threshold", "report", "train", "learn", "data"):
        goto(at, page)

    upload_csv(at, make_csv(seed=5), "other.csv")  # and an upload replaces the demo again
    assert stored(at, "dataset").name == "other.csv"
    assert find(at, "selectbox", "Demo dataset").value is None


def test_the_contract_is_shown_with_the_real_reasons(app):
    dataset, setup = stored(app, "dataset"), stored(app, "setup")
    expected = setup.report.columns_frame()
    # The demo's few columns are plain tables: no grid on the page a visitor sees first.
    assert not app.dataframe and not app.table
    tables = plain_tables(app)
    shown = next(t for t in tables if list(t.columns) == list(expected.columns))
    assert shown["column"].tolist() == expected["column"].tolist()
    assert shown["role"].tolist() == expected["role"].tolist()
    assert shown["missing"].map(number).tolist() == expected["missing"].tolist()
    left_out = next(t for t in tables if list(t.columns) == ["column", "reason"])
    reasons = dict(zip(left_out["column"], left_out["reason"]))
    # the demo's score column is left out because it is another model's output, not merely "not selected"
    unrestricted = core_data.describe_data(dataset.df, setup.target, setup.positive_class,
                                           exclude=[dataset.demo.score_column])
    assert reasons[dataset.demo.score_column] == unrestricted.dropped[dataset.demo.score_column]
    assert "not selected" not in reasons[dataset.demo.score_column]
    balance = next(t for t in tables if list(t.columns) == ["class", "rows", "share"])
    expected_balance = setup.report.class_balance
    assert balance["class"].tolist() == expected_balance["class"].astype(str).tolist()
    assert balance["rows"].map(number).tolist() == expected_balance["count"].tolist()
    assert balance["share"].tolist() == [f"{s:.1%}" for s in expected_balance["share"]]


def test_the_class_balance_bars_are_drawn_to_scale():
    at = start()
    upload_csv(at, make_csv(outcome=np.r_[np.ones(60, int), np.zeros(180, int)], x=np.arange(240) * 0.5), "b.csv")
    choose_target(at, "outcome")
    html = next(e.value for e in at.html if ">share</th>" in e.value)
    # the largest class fills its cell; the other is drawn to the same scale (60 of 180 rows)
    ends = [float(v) for v in re.findall(r"linear-gradient\(90deg, [^)]*\) ([0-9.]+)%", html)]
    assert sorted(ends) == [pytest.approx(100 * 60 / 180, abs=0.05), 100.0]


def test_the_first_screen_sends_no_chart(app):
    """The class balance is a table with bars: a Vega-Lite chart would make every visitor's first
    page fetch and compile Vega's scripts, the largest part of the browser's work on this page."""
    assert not app.get("arrow_vega_lite_chart") and not app.get("vega_lite_chart")
    assert any(list(t.columns) == ["class", "rows", "share"] for t in plain_tables(app))
    choose_mode(app, _ui.MODE_SCORES)
    assert not app.get("arrow_vega_lite_chart") and not app.get("vega_lite_chart")


def test_a_long_contract_is_a_scrolling_grid_and_a_short_one_a_plain_table(app):
    n = 60  # more columns than the page draws as a plain table (40)
    wide = {f"extra_{i}": np.arange(240) % (i + 2) for i in range(n)}
    upload_csv(app, make_csv(**wide), "wide.csv")
    expected = stored(app, "setup").report.columns_frame()
    assert len(expected) > n
    grids = [d.value for d in app.dataframe if list(d.value.columns) == list(expected.columns)]
    assert len(grids) == 1 and grids[0]["column"].tolist() == expected["column"].tolist()
    assert not [t for t in plain_tables(app) if list(t.columns) == list(expected.columns)]

    upload_csv(app, make_csv(), "narrow.csv")
    assert not app.dataframe and any(list(t.columns) == list(expected.columns) for t in plain_tables(app))


def test_the_preview_grid_is_sent_only_once_the_expander_is_opened(app):
    assert not app.dataframe  # closed: nothing of the table is sent
    assert [e.label for e in app.expander] == ["Preview the first rows"]
    app.session_state["data.preview"] = True  # what opening the expander does
    assert_ok(app.run())
    preview = app.dataframe[0].value
    first = load_demo(FIRST_DEMO)
    assert len(preview) == 100 and list(preview.columns) == list(first.columns)
    pd.testing.assert_frame_equal(preview.reset_index(drop=True), first.iloc[:100].reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("[click](https://x.io)", "\\[click\\]\\(h\u2060ttps\\://x\\.io\\)"),
        ("see www.example.com or ops@bank.example", "see w\u2060ww\\.example\\.com or ops@\u2060bank\\.example"),
        ("<b>bold</b>", r"\<b\>bold\</b\>"),
        ("**a** _b_ `c` $d$", r"\*\*a\*\* \_b\_ \`c\` \$d\$"),
        ("plain words 42", "plain words 42"),
    ],
)
def test_escape_markdown_backslashes_every_markdown_character(raw, escaped):
    # Autolink triggers (http, www, @) also get an invisible word joiner: backslashes alone
    # leave "https://…" clickable in Streamlit's Markdown.
    assert _ui.escape_markdown(raw) == escaped
    assert _ui.escape_markdown(raw).replace("\u2060", "").replace("\\", "") == raw


def test_an_unusable_outcome_column_falls_back_to_a_yes_no_column_and_says_so(app):
    upload_csv(app, make_csv(outcome=["no"] * 240), "loans.csv")  # "outcome" looks like the target but has one class
    setup = stored(app, "setup")
    assert stored(app, "dataset").name == "loans.csv"
    assert setup.target == "defaulted"
    assert any("'outcome'" in w.value and "cannot be the target" in w.value for w in app.warning)
    choose_target(app, "outcome")  # choosing it anyway explains why not
    assert errors(app) and stored(app, "setup") is None


def test_a_table_too_small_to_train_says_why_the_mode_became_use_my_scores(app):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x1": rng.normal(size=12), "x2": rng.normal(size=12), "target": ["yes", "no"] * 6})
    upload_csv(app, table.to_csv(index=False).encode(), "tiny.csv")
    setup = stored(app, "setup")
    assert setup.mode == _ui.MODE_SCORES and setup.target == "target"
    rows, per_class = core_data.training_minimum("cv")  # the smallest table that trains (cross-validation)
    notes = [w.value for w in app.warning if "too small to train" in w.value]
    assert len(notes) == 1 and f"{rows} rows and {per_class} of each class" in notes[0]
    assert setup.score_column in notes[0]
    assert not app.exception


def test_a_column_named_like_another_models_score_is_not_a_default_feature(app):
    rng = np.random.default_rng(1)
    n = 240
    income = rng.normal(50, 10, n)
    defaulted = np.where(rng.random(n) < 0.3, "yes", "no")
    table = pd.DataFrame({"income": income, "risk_score": rng.random(n), "defaulted": defaulted})
    upload_csv(app, table.to_csv(index=False).encode(), "loans.csv")
    setup = stored(app, "setup")
    assert setup.mode == _ui.MODE_TRAIN and setup.target == "defaulted"
    assert setup.feature_columns == ["income"]
    assert any("risk\\_score" in c.value and "another model" in c.value for c in app.caption)
    choose_features(app, ["income", "risk_score"])  # still allowed on purpose
    assert stored(app, "setup").feature_columns == ["income", "risk_score"]


def test_use_my_scores_shows_each_warning_once(app):
    rng = np.random.default_rng(0)
    n = 300
    target = np.where(rng.random(n) < 0.3, "yes", "no").astype(object)
    target[:24] = None
    table = pd.DataFrame({"x1": rng.normal(size=n), "score": rng.random(n), "target": target})
    upload_csv(app, table.to_csv(index=False).encode(), "scores.csv")
    choose_mode(app, _ui.MODE_SCORES)
    dropped = [w.value for w in app.warning if "Dropped 24 rows" in w.value]
    assert len(dropped) == 1


# ------------------------------------------------------------------ formats, wide tables, count/amount/compare/segment


def _upload(app, name: str, data: bytes, mime: str = "application/octet-stream"):
    return set_widget(app, "file_uploader", "Upload a CSV", (name, data, mime))


def _options(app, label: str) -> list:
    return list(find(app, "selectbox", label).options)


def test_the_uploader_names_every_format_it_reads(app):
    uploader = find(app, "file_uploader", "Upload a CSV")
    for word in ("Parquet", "Excel", ".xlsx", ".xls", ".csv.gz", ".zip"):
        assert word in uploader.help


def test_parquet_and_zipped_uploads_load_like_the_csv(app):
    raw = make_csv()
    expected = core_data.read_csv(raw, "loans.csv")
    buffer = io.BytesIO()
    expected.to_parquet(buffer, index=False)
    _upload(app, "loans.csv", buffer.getvalue())  # a Parquet file with a CSV name: read by content
    assert not errors(app)
    pd.testing.assert_frame_equal(stored(app, "dataset").df, expected, check_dtype=False)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("loans.csv", raw)
    _upload(app, "loans.zip", archive.getvalue())
    assert stored(app, "dataset").name == "loans.zip"
    pd.testing.assert_frame_equal(stored(app, "dataset").df, expected, check_dtype=False)
    assert stored(app, "setup").target == "defaulted"


def test_a_workbook_with_several_sheets_offers_a_sheet_picker(app):
    table = core_data.read_csv(make_csv(), "loans.csv")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["exported by finance", "2024"]}).to_excel(writer, sheet_name="About", index=False)
        table.to_excel(writer, sheet_name="Loans", index=False)
    _upload(app, "book.xlsx", buffer.getvalue())  # a cover sheet first: the table's sheet opens, and says why
    assert _options(app, "Sheet") == ["About", "Loans"] and find(app, "selectbox", "Sheet").value == "Loans"
    pd.testing.assert_frame_equal(stored(app, "dataset").df, table, check_dtype=False)
    assert any("Sheet 'About' has no usable table" in w.value.replace("\\", "") for w in app.warning)
    # a workbook whose first sheet is usable loads it, then Sheet switches
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Loans", index=False)
        table.assign(defaulted=table["defaulted"].iloc[::-1].to_numpy()).to_excel(writer, sheet_name="Shuffled",
                                                                                  index=False)
    _upload(app, "book2.xlsx", buffer.getvalue())
    assert stored(app, "dataset").sheet == "Loans" and _options(app, "Sheet") == ["Loans", "Shuffled"]
    set_widget(app, "selectbox", "Sheet", "Shuffled")
    dataset = stored(app, "dataset")
    assert dataset.sheet == "Shuffled"
    assert dataset.df["defaulted"].tolist() == table["defaulted"].iloc[::-1].tolist()


def test_a_one_column_file_says_exactly_that(app):
    _upload(app, "outcomes.csv", b"default\nyes\nno\nyes\nno\n", "text/csv")
    assert any("this file has one column, 'default'; Cutoff needs at least one more: features to learn from, or "
               "a score" in message.replace("\\", "") for message in errors(app))


def test_an_all_free_text_table_says_why_there_is_nothing_to_choose(app):
    rng = np.random.default_rng(3)
    words = ["called", "about", "late", "payment", "again", "and", "asked", "for", "a", "refund"]
    notes = [" ".join(rng.choice(words, 7)) + f" (ticket {i})" for i in range(120)]
    table = pd.DataFrame({"notes": notes, "complaint": ["yes", "no"] * 60})
    upload_csv(app, table.to_csv(index=False).encode(), "tickets.csv")
    choose_mode(app, _ui.MODE_TRAIN)
    warnings = [w.value.replace("\\", "") for w in app.warning]
    assert any("free text" in w and "'notes'" in w and "left out" in w for w in warnings)
    assert not any("Choose at least one feature column" in w for w in warnings)


def test_a_2000_column_table_loads_and_select_all_numeric_picks_them(app):
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(60, 2_000)).round(3), columns=[f"gene_{i}" for i in range(2_000)])
    wide["tissue"] = rng.choice(["liver", "lung", "skin"], 60)
    wide["diagnosis"] = ["tumour", "normal"] * 30
    _upload(app, "genes.csv", wide.to_csv(index=False).encode(), "text/csv")
    assert not errors(app)
    assert stored(app, "dataset").df.shape == (60, 2_002)
    everything = find(app, "checkbox", "Use every usable column (2,001)")
    assert everything.value and find(app, "multiselect", "Feature columns").disabled
    assert set(stored(app, "setup").feature_columns) == set(wide.columns[:-1])
    everything.uncheck()
    assert_ok(app.run())
    assert stored(app, "setup") is None  # nothing chosen yet: the page asks for a column
    choose_features(app, ["tissue"])
    assert stored(app, "setup").feature_columns == ["tissue"]
    button = find(app, "button", "Select all numeric (2,000)")
    button.click()
    assert_ok(app.run())
    assert set(stored(app, "setup").feature_columns) == {"tissue", *wide.columns[:2_000]}


def test_demos_preset_the_amount_column_and_the_options_are_numeric(app):
    assert _options(app, "Amount column")[0] == "(none)"
    assert find(app, "selectbox", "Amount column").value == "loan_amount"
    assert stored(app, "setup").amount_column == "loan_amount"
    numeric = [c for c in stored(app, "dataset").df.columns
               if pd.api.types.is_numeric_dtype(stored(app, "dataset").df[c]) and c != "defaulted"]
    assert _options(app, "Amount column")[1:] == numeric
    assert "loan_amount" in stored(app, "setup").feature_columns  # both a feature and the amount
    pick_demo(app, "card_fraud")
    assert find(app, "selectbox", "Amount column").value == "amount"
    pick_demo(app, "breast_cancer")
    assert find(app, "selectbox", "Amount column").value == "(none)"
    assert stored(app, "setup").amount_column is None


def test_use_my_scores_evaluation_carries_amounts_segments_and_other_scores(app):
    choose_mode(app, _ui.MODE_SCORES)
    dataset = stored(app, "dataset")
    df = dataset.df
    set_widget(app, "multiselect", "Compare with", ["interest_rate"])
    set_widget(app, "selectbox", "Segment column", "home_ownership")
    evaluation = stored(app, "evaluation")
    assert find(app, "selectbox", "Count column").value == "(none)" and evaluation.weights is None
    np.testing.assert_array_equal(evaluation.amounts, df["loan_amount"].to_numpy(dtype=float))
    assert evaluation.amount_column == "loan_amount" and evaluation.segment_column == "home_ownership"
    assert list(evaluation.segments) == list(df["home_ownership"].astype(object))
    assert list(evaluation.others) == ["interest_rate"]
    np.testing.assert_array_equal(evaluation.others["interest_rate"], df["interest_rate"].to_numpy(dtype=float))
    assert evaluation.primary_name == "risk_score"
    np.testing.assert_array_equal(evaluation.scores, df["risk_score"].to_numpy(dtype=float))


def test_a_score_count_table_picks_its_count_column_and_weights_the_cases(app):
    scores = np.round(np.linspace(0.05, 0.95, 19), 2)
    table = pd.DataFrame({"score": np.repeat(scores, 2), "label": np.tile([1, 0], 19),
                          "count": np.arange(1, 39), "amount": np.arange(38) * 10.0})
    upload_csv(app, table.to_csv(index=False).encode(), "counts.csv")
    setup = stored(app, "setup")
    assert setup.mode == _ui.MODE_SCORES and setup.count_column == "count"
    assert _options(app, "Count column")[:2] == ["(none)", "count"]
    assert not any("too small to train" in w.value for w in app.warning)
    evaluation = stored(app, "evaluation")
    np.testing.assert_array_equal(evaluation.weights, table["count"].to_numpy(dtype=float))
    assert f"{table['count'].sum():,} cases" in evaluation.label
    set_widget(app, "selectbox", "Count column", "(none)")
    assert stored(app, "evaluation").weights is None


def test_a_count_column_with_negative_or_missing_values_is_refused_clearly(app):
    table = pd.DataFrame({"score": np.linspace(0, 1, 10), "label": [0, 1] * 5,
                          "count": [3, 1, -2, 4, 5, 1, 1, 2, 8, 1]})
    upload_csv(app, table.to_csv(index=False).encode(), "counts.csv")
    messages = [m.replace("\\", "") for m in errors(app)]
    assert any("'count' must hold how many cases each row stands for" in m and "1 negative (-2)" in m
               for m in messages)
    assert stored(app, "setup") is None


def test_segment_column_is_checked_and_a_feature_segment_gets_a_note(app):
    set_widget(app, "selectbox", "Segment column", "home_ownership")
    setup = stored(app, "setup")
    assert setup.segment_column == "home_ownership" and "home_ownership" in setup.feature_columns
    captions = [c.value.replace("\\", "") for c in app.caption]
    assert any("also a feature" in c and "protected attribute" in c for c in captions)
    choose_mode(app, _ui.MODE_SCORES)
    set_widget(app, "selectbox", "Segment column", "loan_id")  # a different value on every row
    assert errors(app) and stored(app, "setup").segment_column is None


def test_evaluation_for_rows_takes_the_rows_asked_for():
    dataset = _ui.load_demo_dataset("loan_default")
    setup = _ui.default_setup(dataset)
    setup.segment_column, setup.compare_columns = "purpose", ["risk_score"]
    rows = np.array([5, 0, 17, 4_999])
    scores = np.array([0.1, 0.2, 0.3, 0.4])
    evaluation = _ui.evaluation_for_rows(dataset, setup, rows, scores, label="4 rows", is_probability=True,
                                         primary_name="Trained model")
    df = dataset.df
    np.testing.assert_array_equal(evaluation.y, (df["defaulted"].iloc[rows] == "yes").to_numpy().astype(int))
    np.testing.assert_array_equal(evaluation.amounts, df["loan_amount"].iloc[rows].to_numpy(dtype=float))
    assert list(evaluation.segments) == df["purpose"].iloc[rows].tolist()
    np.testing.assert_array_equal(evaluation.others["risk_score"], df["risk_score"].iloc[rows].to_numpy())
    assert evaluation.primary_name == "Trained model" and evaluation.weights is None


def test_a_32_row_study_opens_in_train_mode(app):
    rng = np.random.default_rng(4)
    table = pd.DataFrame({"dose": rng.normal(size=32).round(3), "age": rng.integers(20, 70, 32),
                          "improved": ["yes"] * 12 + ["no"] * 20})
    upload_csv(app, table.to_csv(index=False).encode(), "study.csv")
    setup = stored(app, "setup")
    assert setup.mode == _ui.MODE_TRAIN and setup.target == "improved"
    assert setup.feature_columns == ["dose", "age"] and not errors(app)
    assert not any("too small to train" in w.value for w in app.warning)


def test_card_outcome_first_is_the_target_not_a_later_0_1_column(app):
    rng = np.random.default_rng(8)
    table = pd.DataFrame({"card": rng.choice(["yes", "no"], 100), "age": rng.normal(35, 9, 100).round(1),
                          "owner": rng.choice(["yes", "no"], 100), "majorcards": rng.choice([0, 1], 100),
                          "active": rng.poisson(6, 100)})
    upload_csv(app, table.to_csv(index=False).encode(), "cards.csv")
    assert find(app, "selectbox", "Target column").value == "card"
