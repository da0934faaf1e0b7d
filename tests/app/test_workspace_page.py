"""Workspaces in the app (AppTest): the id in the URL, restore from a link in a new session,
the settings row the slider fragment saves, the Data-page file and sentence, the Report
buttons, and the faults (a corrupt store, a failing save, a link to missing data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core import store as core_store
from core.workspace import read_workspace_file
from pages import _ui, _workspace
from tests.app.conftest import (
    APP, PAGES, assert_ok, choose_mode, find, goto, make_csv, metric, start, stored, train, upload_csv,
)
from tests.app.test_report_page import download, media, save_scenario  # noqa: F401 (fixture)

METRICS = ("Precision", "Recall", "F1", "Accuracy", "Business cost")


@pytest.fixture(autouse=True)
def entry_script_every_run(monkeypatch):
    """Run streamlit_app.py on every run, as the server does. AppTest resets Streamlit's
    pages-folder flag before each run, so (with a pages/ folder beside the entry script) its
    later runs would execute the page script alone, skipping the restore and the autosave."""
    init = PagesManager.__init__

    def navigation_mode(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", navigation_mode)


def open_link(wid: str | None, page: str | None = None, **params) -> AppTest:
    """A new session (a reload, a new browser) on the app with ``?w=wid&...``."""
    at = AppTest.from_file(APP, default_timeout=60)
    if wid is not None:
        at.query_params["w"] = wid
    for key, value in params.items():
        at.query_params[key] = str(value)
    if page is not None:  # a link straight to that page
        at.switch_page(PAGES[page])
    return assert_ok(at.run())


def scores_session(page: str = "threshold") -> AppTest:
    """A fresh session on the demo in *Use my scores* mode, on ``page``."""
    return goto(choose_mode(start(), _ui.MODE_SCORES), page)


def wid_of(at: AppTest) -> str:
    return at.session_state[_workspace.KEY_ID]


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {label: metric(at, label) for label in METRICS}


def notices(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.info, *at.success, *at.error])


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """A store of the test's own (the app's store is opened once per process)."""
    def use(value: str):
        monkeypatch.setenv("CUTOFF_STORE", value)
        _workspace._opened.clear()
        _workspace._TABLE_DIGESTS.clear()
    use(str(tmp_path / "store" / "workspaces.sqlite"))
    yield use
    _workspace._opened.clear()
    _workspace._TABLE_DIGESTS.clear()


def test_every_page_carries_a_128_bit_workspace_id():
    at = start()
    wid = wid_of(at)
    assert core_store.valid_workspace_id(wid) and len(wid) >= 22  # 16 random bytes, URL-safe base64
    assert at.query_params["w"] == wid
    for page in ("train", "threshold", "learn", "report", "data"):
        goto(at, page)
        assert at.query_params["w"] == wid, page
    assert wid_of(start()) != wid  # a new tab without w: a new workspace


@pytest.mark.parametrize("rows", [300, 1500])  # cross-validated (small table) and train/validation/test
def test_upload_train_scenarios_and_threshold_come_back_exactly_in_a_new_session(fresh_store, rows):
    at = start()
    upload_csv(at, make_csv(n=rows, seed=3), name="loans ü.csv")
    train(at, epochs=40)
    save_scenario(at, 0.35, "cautious")
    at.number_input(key="threshold.fn").set_value(777.0)
    assert_ok(at.run())
    save_scenario(at, 0.6, "bold")
    at.slider(key="threshold.t").set_value(0.45)
    assert_ok(at.run())
    before = shown_metrics(at)
    wid = wid_of(at)
    model = stored(at, "model")
    evaluation = stored(at, "evaluation")

    again = open_link(wid, "threshold")  # no t/fp/...: the workspace's own settings
    assert wid_of(again) == wid
    dataset = stored(again, "dataset")
    pd.testing.assert_frame_equal(dataset.df, stored(at, "dataset").df, check_exact=True)
    assert dataset.name == "loans ü.csv" and dataset.token == stored(at, "dataset").token
    assert stored(again, "setup") == stored(at, "setup")
    restored = stored(again, "model")
    assert restored.model.coef_.tobytes() == model.model.coef_.tobytes()
    assert restored.model.intercept_.tobytes() == model.model.intercept_.tobytes()
    pd.testing.assert_frame_equal(restored.history, model.history, check_exact=True)
    assert restored.test_scores.tobytes() == model.test_scores.tobytes()
    # The rebuilt preprocessor scores the table exactly as the trained one did.
    X = restored.prepared.transform(dataset.df)
    assert np.array_equal(restored.model.predict_proba(X), model.model.predict_proba(model.prepared.transform(dataset.df)))
    assert stored(again, "evaluation").fingerprint() == evaluation.fingerprint()
    assert stored(again, "scenarios") == stored(at, "scenarios")
    assert again.slider(key="threshold.t").value == 0.45
    assert again.number_input(key="threshold.fn").value == 777.0
    assert shown_metrics(again) == before
    goto(again, "report")
    assert not again.exception and "earlier model or data" not in notices(again)


def test_a_slider_move_saves_only_the_settings_row_quickly(fresh_store):
    at = scores_session()
    wid = wid_of(at)
    saved = _workspace.store().load(wid)
    at.slider(key="threshold.t").set_value(0.7)
    assert_ok(at.run())
    after = _workspace.store().load(wid)
    assert after.parts["settings"] != saved.parts["settings"]
    assert {n: p for n, p in after.parts.items() if n != "settings"} == {
        n: p for n, p in saved.parts.items() if n != "settings"}
    assert open_link(wid, "threshold").slider(key="threshold.t").value == 0.7


def test_link_settings_override_the_saved_ones_on_the_same_data(fresh_store):
    at = scores_session()
    at.slider(key="threshold.t").set_value(0.7)
    assert_ok(at.run())
    again = open_link(wid_of(at), "threshold", t=0.25, fp=40, fn=300, tp=0, tn=0)
    assert again.slider(key="threshold.t").value == 0.25
    assert again.number_input(key="threshold.fp").value == 40


def test_a_link_to_a_missing_workspace_does_not_apply_its_setting_to_other_data(fresh_store):
    missing = core_store.new_workspace_id()
    at = open_link(missing, "threshold", t=0.9, fp=1, fn=2)
    text = notices(at)
    assert "A new workspace was started" in text and "made on other data" in text
    assert wid_of(at) != missing
    assert "t" not in at.query_params and "fp" not in at.query_params
    assert "A new workspace was started" in notices(open_link(missing))  # also via the root's hop
    choose_mode(at, _ui.MODE_SCORES)
    goto(at, "threshold")
    assert at.slider(key="threshold.t").value != 0.9
    assert at.number_input(key="threshold.fp").value != 1


def test_a_corrupt_store_file_still_lets_the_app_start_in_memory(fresh_store, tmp_path):
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(b"this is not a database" * 200)
    fresh_store(str(bad))
    at = start()
    assert "Saving to disk is off" in notices(at) and "not a database" in notices(at)
    assert _workspace.store().in_memory
    assert "memory only" in " ".join(c.value for c in at.caption)
    choose_mode(at, _ui.MODE_SCORES)
    goto(at, "threshold")
    at.slider(key="threshold.t").set_value(0.3)
    assert_ok(at.run())
    assert open_link(wid_of(at), "threshold").slider(key="threshold.t").value == 0.3  # kept in memory
    assert bad.read_bytes().startswith(b"this is not a database")  # left as it was


def test_store_off_keeps_work_in_memory(fresh_store, tmp_path):
    fresh_store("off")
    at = start()
    assert _workspace.store().in_memory and not list(tmp_path.rglob("*.sqlite"))
    assert "memory only" in " ".join(c.value for c in at.caption)


def test_a_failing_save_is_a_visible_notice_and_the_session_keeps_working(fresh_store, monkeypatch):
    at = scores_session()
    wid = wid_of(at)
    good = _workspace.store().load(wid)

    def disk_full(*args, **kwargs):
        raise core_store.StoreError("Could not save the workspace: the disk holding the workspace store is full.")

    monkeypatch.setattr(_workspace.store(), "save", disk_full)
    at.slider(key="threshold.t").set_value(0.66)
    assert_ok(at.run())
    assert any("disk holding the workspace store is full" in t.value for t in at.toast)
    assert at.slider(key="threshold.t").value == 0.66 and metric(at, "Precision")
    at.run()
    assert "Not saved" in notices(at)
    monkeypatch.undo()
    monkeypatch.setenv("CUTOFF_STORE", str(_workspace.store().path))
    assert _workspace.store().load(wid).parts == good.parts  # nothing half-written
    at.slider(key="threshold.t").set_value(0.67)
    assert_ok(at.run())
    assert "Not saved" not in notices(at.run())


def test_data_page_says_where_work_is_kept_and_for_how_long():
    at = start()
    sentence = next(c.value for c in at.caption if "anyone with this page's link" in c.value)
    assert "30 days" in sentence and "data included" in sentence
    assert find(at, "file_uploader", "Open a workspace file")


def test_download_then_open_the_file_in_another_session_restores_everything(media, fresh_store):
    at = start()
    choose_mode(at, _ui.MODE_SCORES)
    save_scenario(at, 0.42, "scores")
    goto(at, "report")
    data = download(media, at, "Download workspace")
    manifest = read_workspace_file(data).manifest
    assert manifest["format"] == "cutoff-workspace" and manifest["version"] == 1

    other = start()
    upload_csv(other, make_csv(n=200, seed=9), name="other.csv")
    before_id = wid_of(other)
    find(other, "file_uploader", "Open a workspace file").set_value(("work.cutoff", data, "application/zip"))
    assert_ok(other.run())
    assert "Opened" in notices(other)
    assert wid_of(other) != before_id and other.query_params["w"] == wid_of(other)
    pd.testing.assert_frame_equal(stored(other, "dataset").df, stored(at, "dataset").df, check_exact=True)
    assert stored(other, "scenarios") == stored(at, "scenarios")
    assert stored(other, "evaluation").fingerprint() == stored(at, "evaluation").fingerprint()
    goto(other, "threshold")
    assert other.slider(key="threshold.t").value == 0.42


@pytest.mark.parametrize("name, data, words", [
    ("empty.cutoff", b"", "empty"),
    ("table.cutoff", b"a,b\n1,2\n", "not a Cutoff workspace file"),
    ("cut.cutoff", b"PK\x03\x04" + b"\0" * 40, "damaged or incomplete"),
])
def test_a_bad_workspace_file_is_an_error_and_the_open_work_stays(name, data, words):
    at = start()
    upload_csv(at, make_csv(n=200, seed=4), name="mine.csv")
    find(at, "file_uploader", "Open a workspace file").set_value((name, data, "application/zip"))
    assert_ok(at.run())
    message = " ".join(str(e.value) for e in at.error).replace("\\", "")  # as shown, unescaped
    assert name in message and words in message and "Still using" in message
    assert stored(at, "dataset").name == "mine.csv"


def test_delete_removes_the_workspace_at_once(fresh_store):
    at = start()
    upload_csv(at, make_csv(n=200, seed=5), name="secret.csv")
    wid = wid_of(at)
    assert _workspace.store().load(wid) is not None
    goto(at, "report")
    find(at, "button", "Delete this workspace").click()
    assert_ok(at.run())
    assert _workspace.store().load(wid) is None
    assert wid_of(at) != wid and stored(at, "dataset").name != "secret.csv"
    assert "deleted" in notices(at)
    assert "A new workspace was started" in notices(open_link(wid))


def test_two_tabs_on_one_workspace_the_last_change_wins_whole(fresh_store):
    first = scores_session()
    wid = wid_of(first)
    second = open_link(wid, "threshold")
    first.slider(key="threshold.t").set_value(0.3)
    assert_ok(first.run())
    second.number_input(key="threshold.fn").set_value(999.0)  # saved over the first tab's change
    assert_ok(second.run())
    third = open_link(wid, "threshold")
    assert third.number_input(key="threshold.fn").value == 999.0
    assert third.slider(key="threshold.t").value == second.slider(key="threshold.t").value != 0.3
    first.slider(key="threshold.t").set_value(0.8)  # and back: the first tab's whole state
    assert_ok(first.run())
    fourth = open_link(wid, "threshold")
    assert fourth.slider(key="threshold.t").value == 0.8
    assert fourth.number_input(key="threshold.fn").value == first.number_input(key="threshold.fn").value != 999.0
    assert shown_metrics(fourth) == shown_metrics(first)


def test_a_file_whose_choices_do_not_fit_its_table_is_refused_and_the_open_work_stays():
    from core.workspace import encode_part, encode_table, write_workspace_file

    table = pd.DataFrame({"score": np.linspace(0, 1, 50), "label": ["yes", "no"] * 25})
    parts = {
        "dataset": encode_part({"fields": {"name": "crafted", "source": "upload", "token": "upload:crafted",
                                           "target_options": ["label"]}, "demo": None}),
        "setup": encode_part({"fields": {"mode": _ui.MODE_SCORES, "target": "no such column",
                                         "positive_class": "yes", "score_column": "score"}}),
    }
    data = write_workspace_file(encode_table(table), parts)
    at = start()
    upload_csv(at, make_csv(n=200, seed=6), name="mine.csv")
    find(at, "file_uploader", "Open a workspace file").set_value(("crafted.cutoff", data, "application/zip"))
    assert_ok(at.run())
    message = " ".join(str(e.value) for e in at.error).replace("\\", "")
    assert "crafted.cutoff” was not opened" in message and "do not fit its table" in message
    assert stored(at, "dataset").name == "mine.csv"
