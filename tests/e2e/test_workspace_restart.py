"""Workspaces survive a crash: save work in the browser, kill the server with SIGKILL, start it
again on the same store, open the link, and the same metrics, costs and scenarios are back.
Also: a reload keeps the work, and the store is never under the project folder."""

from __future__ import annotations

import os
import signal
import sqlite3

import numpy as np
import pandas as pd
import pytest

from conftest import (
    RATIO_METRICS, StreamlitPage, assert_threshold_metrics, csv_bytes, project_files, running_server, shown_costs,
)

pytestmark = pytest.mark.e2e

METRICS = (*RATIO_METRICS, "Business cost")


def scores_table(n: int = 400, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = np.where(rng.random(n) < 0.35, "churned", "stayed")
    score = np.clip(0.3 + 0.3 * (label == "churned") + rng.normal(0, 0.2, n), 0, 1).round(3)
    return pd.DataFrame({"account": [f"a{i:04d}" for i in range(n)], "outcome": label, "model_score": score})


def shown(app: StreamlitPage) -> dict[str, str]:
    return {label: app.metric_text(label) for label in METRICS}


def save_scenario(app: StreamlitPage, name: str) -> None:
    box = app.page.get_by_role("textbox", name="Scenario name")
    box.fill(name)
    box.press("Enter")
    app.idle()
    app.button("Save scenario").click()
    app.expect(app.main.get_by_text("scenario(s) saved", exact=False)).to_be_visible()
    app.idle()


def test_work_survives_reload_and_kill_9_restart(browser, tmp_path, monkeypatch):
    store = tmp_path / "store" / "workspaces.sqlite"
    monkeypatch.setenv("CUTOFF_STORE", str(store))
    table = scores_table()
    y, scores = (table["outcome"] == "churned").to_numpy().astype(int), table["model_score"].to_numpy()
    before_files = project_files()

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        with running_server() as first:
            app = StreamlitPage(context.new_page(), first.url, name="before", server_log=first.log_path)
            app.open("data")
            app.expect(app.main.get_by_text("anyone with this page's link", exact=False)).to_be_visible()
            app.upload("Upload a CSV", "accounts.csv", csv_bytes(table))
            app.expect(app.main.get_by_text("Loaded: accounts.csv", exact=False)).to_be_visible()
            app.idle()
            app.radio("Mode", "Use my scores")
            app.select("Target column", "outcome")
            app.select("Positive class", "churned")
            app.select("Score column", "model_score")
            app.goto_page("Threshold")
            app.set_number("Cost of a false negative", 350)
            app.wait_threshold_settled(fn="350")
            save_scenario(app, "Scenario one")
            slider = app.slider()
            slider.focus()
            for _ in range(4):
                slider.press("PageUp")
            app.wait_threshold_settled(fn="350")
            save_scenario(app, "Scenario two")
            t = app.wait_threshold_settled(fn="350")
            metrics, costs = shown(app), shown_costs(app)
            assert_threshold_metrics(app, y, scores, t, costs)
            wid = app.query()["w"]
            assert len(wid) >= 22

            # A reload (F5) is a new session on the same link: the same page comes back.
            app.page.reload()
            app.slider().wait_for()
            assert app.wait_threshold_settled(fn="350") == t
            assert shown(app) == metrics

            os.killpg(first.pid, signal.SIGKILL)  # no shutdown code runs
            first.process.wait(timeout=10)

        assert store.exists()
        with sqlite3.connect(store) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        with running_server() as second:
            again = StreamlitPage(context.new_page(), second.url, name="after", server_log=second.log_path)
            again.open("threshold", f"w={wid}")
            again.slider().wait_for()
            assert again.wait_threshold_settled() == t
            assert shown_costs(again) == costs
            assert shown(again) == metrics
            assert again.query()["w"] == wid
            again.goto_page("Report")
            # Both scenarios are back, each still matching the scores it was saved on.
            again.expect(again.combobox("Scenario to report")).to_have_value("Scenario two")
            again.expect(again.main.get_by_role("heading", name=f"“Scenario two” at threshold {t:.3f}")).to_be_visible()
            again.select("Scenario to report", "Scenario one")
            again.expect(again.main.get_by_role("heading", name="“Scenario one” at threshold", exact=False)).to_be_visible()
            again.expect(again.main.get_by_text("earlier model or data", exact=False)).to_have_count(0)
            again.expect(again.page.get_by_role("button", name="Delete this workspace")).to_be_visible()
            again.assert_clean()
    finally:
        context.close()
    assert project_files() - before_files == set(), "the session left files under the project folder"


def test_a_corrupt_store_file_still_lets_the_app_start(browser, tmp_path, monkeypatch):
    bad = tmp_path / "workspaces.sqlite"
    bad.write_bytes(b"definitely not SQLite" * 500)
    monkeypatch.setenv("CUTOFF_STORE", str(bad))
    context = browser.new_context()
    try:
        with running_server() as server:
            app = StreamlitPage(context.new_page(), server.url, server_log=server.log_path)
            app.open("data")
            app.expect(app.main.get_by_text("Saving to disk is off", exact=False)).to_be_visible()
            app.expect(app.main.get_by_text("memory only", exact=False)).to_be_visible()
            app.expect(app.main.get_by_text("What Cutoff will do with this table")).to_be_visible()
            app.assert_clean()
    finally:
        context.close()
