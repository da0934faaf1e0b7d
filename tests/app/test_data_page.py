"""Data page: loading (demo, upload, bad upload), the choices, and what they store."""

import tomllib
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
    goto,
    make_csv,
    pick_demo,
    start,
    stored,
    upload_csv,
)

FIRST_DEMO = next(iter(DEMOS))
ROOT = Path(__file__).resolve().parents[2]


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
    shown = next(d.value for d in app.dataframe if list(d.value.columns) == list(expected.columns))
    pd.testing.assert_frame_equal(shown[["column", "role", "missing"]], expected[["column", "role", "missing"]])
    left_out = next(d.value for d in app.dataframe if list(d.value.columns) == ["column", "reason"])
    reasons = dict(zip(left_out["column"], left_out["reason"]))
    # the demo's score column is left out because it is another model's output, not merely "not selected"
    unrestricted = core_data.describe_data(dataset.df, setup.target, setup.positive_class,
                                           exclude=[dataset.demo.score_column])
    assert reasons[dataset.demo.score_column] == unrestricted.dropped[dataset.demo.score_column]
    assert "not selected" not in reasons[dataset.demo.score_column]
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")  # the class balance chart


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
