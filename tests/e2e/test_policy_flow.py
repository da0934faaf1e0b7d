"""Flow: train on an upload, save a threshold, take the decision policy away as SQL and as
Python, and run both outside the app the way a user would: the uploaded CSV loaded by DuckDB's
and pandas' own readers (DuckDB, SQLite), and the Python file fed the rows as a CSV reader
gives them (text, blank for missing). Every row's score and decision equals the scored CSV
downloaded from the same page.
"""

import csv
import io
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

from conftest import churn_table, csv_bytes

pytestmark = pytest.mark.e2e

duckdb = pytest.importorskip("duckdb")

HOSTILE_COLUMN = 'x"; DROP TABLE cases; --'
HOSTILE_VALUES = ("'); import os", "a'b", "plain")


def policy_table(n: int = 700) -> pd.DataFrame:
    """The churn table plus a categorical column with a hostile name and values, and gaps."""
    table = churn_table(n, seed=11)
    rng = np.random.default_rng(11)
    table.insert(2, HOSTILE_COLUMN, rng.choice(HOSTILE_VALUES, n))
    spend = table["spend"].astype(float)
    spend[rng.random(n) < 0.08] = np.nan
    table["spend"] = spend
    table.loc[rng.random(n) < 0.05, HOSTILE_COLUMN] = ""
    return table


def run_python(code: str, rows: list[dict]) -> tuple[np.ndarray, list[int]]:
    namespace: dict = {}
    exec(compile(code, "policy.py", "exec"), namespace)  # noqa: S102 - what the user does with the file
    return np.array([namespace["score"](r) for r in rows]), [namespace["decide"](r) for r in rows]


def test_policy_downloads_decide_like_the_scored_csv(app, tmp_path):
    table = policy_table()
    data = csv_bytes(table)

    app.open("")
    app.upload("Upload a CSV", "churn policy.csv", data)
    app.expect(app.main.get_by_text("Loaded: churn policy.csv", exact=False)).to_be_visible()
    app.idle()
    app.radio("Mode", "Train a model")
    app.select("Target column", "churn")
    app.select("Positive class", "yes")
    assert HOSTILE_COLUMN in app.multiselect_values("Feature columns")

    app.goto_page("Train")
    app.set_number("Epochs", 60)
    app.button("Train").click()
    app.expect(app.metric("Validation log-loss")).to_be_visible(timeout=120_000)
    app.idle(timeout=120_000)

    app.goto_page("Threshold")
    app.button("Use recommended threshold").click()
    app.idle()
    threshold = app.wait_threshold_settled()
    app.button("Save scenario").click()
    app.expect(app.main.get_by_text("1 scenario(s) saved", exact=False)).to_be_visible()
    app.idle()

    app.goto_page("Report")
    _, scored_bytes = app.download(re.compile(r"\bCSV\b"))
    sql_name, sql_bytes = app.download("Decision policy (SQL)")
    py_name, py_bytes = app.download("Decision policy (Python)")
    app.assert_clean()
    assert sql_name.endswith("-policy.sql") and py_name.endswith("_policy.py")
    sql, code = sql_bytes.decode("utf-8"), py_bytes.decode("utf-8")
    assert f"Threshold: {threshold!r}" in sql and f"THRESHOLD = {threshold!r}" in code

    scored = pd.read_csv(io.BytesIO(scored_bytes))
    want_scores = scored["score"].to_numpy(float)
    want = scored["decision"].astype(int).tolist()
    assert len(want) == len(table) and 0 < sum(want) < len(want)

    # Python: the rows as csv.DictReader hands them over.
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    scores, decisions = run_python(code, rows)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-9, atol=1e-12)
    assert decisions == want

    # DuckDB: its own CSV reader types the columns.
    path = tmp_path / "churn.csv"
    path.write_bytes(data)
    con = duckdb.connect()
    con.execute("CREATE TABLE cases AS SELECT * FROM read_csv(?)", [str(path)])
    out = con.execute(sql).df()
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == len(table)
    np.testing.assert_allclose(out["score"].to_numpy(float), want_scores, rtol=1e-9, atol=1e-12)
    assert out["decision"].astype(int).tolist() == want

    # SQLite: the table as pandas reads the file.
    lite = sqlite3.connect(":memory:")
    pd.read_csv(path).to_sql("cases", lite, index=False)
    out = pd.read_sql_query(sql, lite)
    np.testing.assert_allclose(out["score"].to_numpy(float), want_scores, rtol=1e-9, atol=1e-12)
    assert out["decision"].astype(int).tolist() == want
