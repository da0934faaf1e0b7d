"""core.policy: the exported SQL (run in DuckDB and SQLite) and the exported Python file (run
from its text) score and decide every row as the app does: ``predict_proba`` of the trained
model on ``PreparedData.transform`` of the same rows, and ``score >= threshold`` (or the
review band of ``core.review``).

Random tables carry numbers (with gaps and infinities), integers, true/false columns and
categories (with gaps, padding, rare levels, values never seen in training), under hostile
column names and category values.
"""

from __future__ import annotations

import ast
import io
import math
import os
import pwd
import shutil
import socket
import sqlite3
import string
import subprocess
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.data import describe_data
from core.errors import DataError
from core.features import prepare_features
from core.model import LogisticRegressionGD
from core.policy import WHITESPACE, model_policy, policy_python, policy_sql, scores_policy
from core.review import review_band
from core.thresholds import threshold_sweep

duckdb = pytest.importorskip("duckdb")

HOSTILE_NAMES = ['x"; DROP TABLE cases; --', "it's", "a\nb", "score", "Decision", "--", "'", '"', "\\", "é ü",
                 "SELECT", "*/ /*", "tab\there"]
HOSTILE_VALUES = ["'); import os", "a'b", '"q"', "\\n", "--x", "  padded  ", "\tT", "日本", "%s", "{0}", "0",
                  "1.0", "True", "NULL", "O'Brien; DROP TABLE cases; --"]

text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(text_chars, min_size=1, max_size=10))
levels = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(text_chars, min_size=1, max_size=8))


# ---------------------------------------------------------------------------------------
# helpers


def run_duckdb(sql: str, table: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        con.register("source", table)
        con.execute("CREATE TABLE cases AS SELECT * FROM source")
        con.unregister("source")
        out = con.execute(sql).df()
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == len(table)  # still there
        return out
    finally:
        con.close()


def run_sqlite(sql: str, table: pd.DataFrame) -> pd.DataFrame:
    assert tuple(int(p) for p in sqlite3.sqlite_version.split(".")) >= (3, 35)
    con = sqlite3.connect(":memory:")
    try:
        table.to_sql("cases", con, index=False)
        out = pd.read_sql_query(sql, con)
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == len(table)
        return out
    finally:
        con.close()


# --- PostgreSQL: a throwaway server from the system's binaries (Debian's postgresql package)


def _postgres_binaries() -> dict[str, str] | None:
    found = {}
    for name in ("initdb", "pg_ctl"):
        path = shutil.which(name) or next(
            (p for p in sorted(__import__("glob").glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
        if path is None:
            return None
        found[name] = path
    return found


@pytest.fixture(scope="module")
def postgres():
    """A connection to a fresh PostgreSQL server on a Unix socket, or None (the tests that want it
    skip): needs the server binaries and pg8000. Run as root, the server runs as 'postgres'."""
    binaries = _postgres_binaries()
    try:
        import pg8000.native as pg8000
    except ImportError:
        binaries = None
    if binaries is None:
        yield None
        return
    as_user: list[str] = []
    base = tempfile.mkdtemp(prefix="cutoff-pg-")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            yield None
            return
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(base, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started = False
    try:
        subprocess.run([*as_user, binaries["initdb"], "-D", data, "-A", "trust", "-U", "postgres"], check=True,
                       **quiet)
        options = f"-c listen_addresses='' -c unix_socket_directories={base} -p {port} -c fsync=off"
        subprocess.run([*as_user, binaries["pg_ctl"], "-D", data, "-o", options, "-l", os.path.join(base, "log"),
                        "-w", "start"], check=True, **quiet)
        started = True
        connection = pg8000.Connection("postgres", unix_sock=os.path.join(base, f".s.PGSQL.{port}"))
        yield connection
        connection.close()
    except (subprocess.CalledProcessError, OSError):
        yield None
    finally:
        if started:
            subprocess.run([*as_user, binaries["pg_ctl"], "-D", data, "-m", "immediate", "stop"], **quiet)
        shutil.rmtree(base, ignore_errors=True)


def _pg_type(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(column.dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(column.dtype):
        return "double precision"
    present = column.dropna()
    if len(present) and present.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return "boolean"
    return "text"


def _pg_value(value, kind: str):
    """A cell as a bound parameter: NaN stays NaN in a double column (PostgreSQL has NaN), and is
    a NULL elsewhere (pandas' missing marker in an object column)."""
    if value is None or value is pd.NA or (kind != "double precision" and isinstance(value, float)
                                           and math.isnan(value)):
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def run_postgres(connection, sql: str, table: pd.DataFrame) -> pd.DataFrame:
    """The SQL's result on ``table`` loaded with bound parameters, in the table's row order."""
    order = "cutoff test row"
    assert order not in table.columns
    connection.run("DROP TABLE IF EXISTS cases")
    kinds = [_pg_type(table[c]) for c in table.columns]
    columns = ", ".join(f'"{c.replace(chr(34), chr(34) * 2)}" {k}' for c, k in zip(table.columns, kinds))
    connection.run(f'CREATE TABLE cases ({columns}, "{order}" integer)')
    insert = "INSERT INTO cases VALUES (" + ", ".join(f":p{j}" for j in range(table.shape[1] + 1)) + ")"
    for i, row in enumerate(table.astype(object).itertuples(index=False)):
        values = {f"p{j}": _pg_value(v, kinds[j]) for j, v in enumerate(row)}
        connection.run(insert, **values, **{f"p{table.shape[1]}": i})
    rows = connection.run(sql)
    names = [c["name"] for c in connection.columns]
    out = pd.DataFrame(rows, columns=names).sort_values(order).drop(columns=order).reset_index(drop=True)
    assert connection.run("SELECT count(*) FROM cases")[0][0] == len(table)
    return out


def load_python(code: str) -> dict:
    """Run the exported file's text in a fresh namespace, after checking it imports only math."""
    tree = ast.parse(code)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Name):
            assert node.id not in {"__import__", "eval", "exec", "open", "compile", "globals"}, node.id
    assert imported == {"math"}, imported
    namespace: dict = {"__name__": "exported_policy"}
    exec(compile(tree, "policy.py", "exec"), namespace)  # noqa: S102 - the point of the test
    assert {"score", "decide"} <= set(namespace)
    return namespace


def records(table: pd.DataFrame) -> list[dict]:
    """Rows as plain Python dicts, None for missing (what a service would pass)."""
    out = []
    for row in table.astype(object).to_dict("records"):
        out.append({k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()})
    return out


def as_text_rows(rows: list[dict]) -> list[dict]:
    """The rows as a CSV reader gives them: every value text, blank for missing."""
    return [{k: "" if v is None else (repr(v) if isinstance(v, float) else str(v)) for k, v in r.items()}
            for r in rows]


def away_from(scores: np.ndarray, value: float, gap: float = 1e-9) -> bool:
    return bool(np.min(np.abs(scores - value)) > gap)


def train(df: pd.DataFrame, target: str, *, epochs: int = 40):
    report = describe_data(df, target, "yes")
    prepared = prepare_features(df, report)
    model = LogisticRegressionGD(solver="lbfgs", max_epochs=epochs).fit(prepared.X_train, prepared.y_train)
    return report, prepared, model


def app_scores(model, prepared, table: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(prepared.transform(table))[:, 1]


def check_all(policy, model, prepared, table: pd.DataFrame, *, text_rows: bool = True, postgres=None) -> np.ndarray:
    """SQL in DuckDB and SQLite (and PostgreSQL, given a connection) and the Python file score and
    decide like the app; returns the scores."""
    expected = app_scores(model, prepared, table)
    decisions = [policy.decision(s) for s in expected]
    sql = policy_sql(policy)
    engines = [run_duckdb, run_sqlite]
    if postgres is not None:
        def run_postgresql(sql, table):
            return run_postgres(postgres, sql, table)
        engines.append(run_postgresql)
    for run in engines:
        out = run(sql, table)
        assert list(out.columns[: len(table.columns)]) == list(table.columns)
        assert list(out.columns[len(table.columns):]) == [policy.score_name, policy.decision_name]
        np.testing.assert_allclose(out[policy.score_name].to_numpy(float), expected, rtol=1e-9, atol=1e-12,
                                   err_msg=run.__name__)
        assert out[policy.decision_name].astype(int).tolist() == decisions, run.__name__
    namespace = load_python(policy_python(policy))
    rows = records(table)
    got = np.array([namespace["score"](row) for row in rows])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert [namespace["decide"](row) for row in rows] == decisions
    if text_rows:  # the same rows as text, as a CSV reader hands them over
        text = as_text_rows(rows)
        np.testing.assert_allclose([namespace["score"](row) for row in text], expected, rtol=1e-9, atol=1e-12)
    return expected


# ---------------------------------------------------------------------------------------
# random tables


@st.composite
def tables(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(60, 160))
    n_num = draw(st.integers(0, 2))
    n_cat = draw(st.integers(0 if n_num else 1, 2))
    with_bool = draw(st.booleans())
    count = n_num + n_cat + int(with_bool)
    columns = draw(st.lists(names, min_size=count, max_size=count,
                            unique_by=lambda s: s.casefold()).filter(
        lambda cs: "y" not in {c.casefold() for c in cs} and len({c.lower() for c in cs}) == len(cs)))
    data = {}
    for name in columns[:n_num]:
        values = rng.normal(draw(st.sampled_from([0.0, 50.0, -1e4])), draw(st.sampled_from([1.0, 1e-3, 300.0])), n)
        if draw(st.booleans()):
            values = np.round(values)
        values[rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.3]))] = np.nan
        data[name] = values
    for name in columns[n_num:n_num + n_cat]:
        pool = draw(st.lists(levels, min_size=2, max_size=6, unique=True))
        weights = rng.dirichlet(np.ones(len(pool)))
        values = rng.choice(np.array(pool, dtype=object), n, p=weights).astype(object)
        values[rng.integers(0, n)] = draw(levels)  # a level seen once: rare
        values[rng.random(n) < draw(st.sampled_from([0.0, 0.1]))] = None
        pad = rng.random(n) < 0.1
        values[pad] = [None if v is None else f" {v}\u3000" for v in values[pad]]
        data[name] = values
    if with_bool:
        data[columns[-1]] = rng.random(n) < 0.4
    y = rng.random(n) < 0.4
    y[:12], y[12:24] = True, False  # enough of each class for the split
    data["y"] = np.where(y, "yes", "no")
    return pd.DataFrame(data)


def production_rows(df: pd.DataFrame, report) -> pd.DataFrame:
    """The table plus rows the model never saw: unseen categories, gaps everywhere, padding, inf."""
    extra = df.head(6).copy()
    for name in report.categorical:
        extra[name] = ["never seen 'x'", None, "", "   ", extra[name].iloc[4], "'); import os"]
        present = df[name].dropna()
        if len(present):
            extra.loc[extra.index[4], name] = f"\t{str(present.iloc[0]).strip()} \n"
    for name in report.numeric:
        if pd.api.types.is_bool_dtype(df[name].dtype):
            continue
        extra[name] = [np.nan, np.inf, -np.inf, 1e6, -1e6, 0.0]
    return pd.concat([df, extra], ignore_index=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(df=tables(), cut=st.floats(0.05, 0.95), band=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
       with_band=st.booleans())
def test_random_tables_sql_and_python_match_the_app(df, cut, band, with_band, postgres):
    try:
        report, prepared, model = train(df, "y")
    except DataError:
        assume(False)  # e.g. every feature dropped as constant
    table = production_rows(df, report)
    expected = app_scores(model, prepared, table)
    low, high = sorted(band)
    assume(away_from(expected, cut) and (not with_band or (away_from(expected, low) and away_from(expected, high))))
    policy = model_policy(model, prepared, threshold=cut, review_band=(low, high) if with_band else None,
                          table=df, dataset="random.csv", target="y", positive_class="yes",
                          costs=CostMatrix(100, 500))
    check_all(policy, model, prepared, table, postgres=postgres)


def test_hostile_names_and_values_stay_data(postgres):
    rng = np.random.default_rng(3)
    n = 300
    name = 'x"; DROP TABLE cases; --'
    df = pd.DataFrame({
        name: rng.normal(size=n),
        "it's": rng.choice(["'); import os", "a'b", "plain", "O'Brien; DROP TABLE cases; --"], n).astype(object),
        "y": rng.choice(["yes", "no"], n),
    })
    report, prepared, model = train(df, "y")
    policy = model_policy(model, prepared, threshold=0.5, table=df, dataset="'); import os\n#",
                          target="y\n--", positive_class="yes")
    sql, code = policy_sql(policy), policy_python(policy)
    assert '"x""; DROP TABLE cases; --"' in sql and "'''); import os'" in sql
    # Every comment line stays one line: a line break in a user string cannot start code.
    for line in sql.splitlines():
        assert "DROP TABLE" not in line or '"x""; DROP' in line or "'O''Brien" in line or line.lstrip().startswith("--")
    assert repr("'); import os\n#") in sql and repr("'); import os\n#") in code
    assert "import os" not in {ln.strip() for ln in code.splitlines()}
    namespace = load_python(code)
    assert "'); import os" in namespace["CATEGORICAL"][0][3]
    check_all(policy, model, prepared, df, postgres=postgres)


# ---------------------------------------------------------------------------------------
# how the app reads values


def test_values_are_read_as_the_app_reads_them():
    """Numeric text in a numeric column, True/False in a numeric column, numbers and booleans in a
    categorical column (compared as the text pandas makes of them), and padding."""
    rng = np.random.default_rng(5)
    n = 400
    mixed = rng.choice(np.array([1, 2.5, True, "a", " b "], dtype=object), n).astype(object)
    df = pd.DataFrame({
        "amount": rng.normal(100, 20, n).round(2),
        "member": rng.random(n) < 0.3,
        "mixed": mixed,
        "y": rng.choice(["yes", "no"], n),
    })
    report, prepared, model = train(df, "y")
    assert report.numeric == ["amount", "member"] and report.categorical == ["mixed"]
    policy = model_policy(model, prepared, threshold=0.5, table=df)
    namespace = load_python(policy_python(policy))
    cases = [
        {"amount": "  101.5 ", "member": True, "mixed": 1},
        {"amount": "1_000", "member": False, "mixed": 2.5},
        {"amount": True, "member": 1, "mixed": True},
        {"amount": None, "member": None, "mixed": " a\t"},
        {"amount": float("nan"), "member": 0.0, "mixed": None},
        {"amount": float("inf"), "member": True, "mixed": "never"},
    ]
    for row in cases:
        frame = pd.DataFrame([row], columns=["amount", "member", "mixed"]).astype(object)
        want = app_scores(model, prepared, frame)[0]
        assert namespace["score"](row) == pytest.approx(want, rel=1e-12), row
    # What a CSV reader hands over: text for everything, blank for missing.
    text_row = {"amount": "", "member": "true", "mixed": "2.5"}
    frame = pd.DataFrame([{"amount": None, "member": True, "mixed": 2.5}], dtype=object)
    assert namespace["score"](text_row) == pytest.approx(app_scores(model, prepared, frame)[0], rel=1e-12)
    with pytest.raises(ValueError, match="'amount' must be a number"):
        namespace["score"]({"amount": "lots", "member": True, "mixed": 1})
    with pytest.raises(KeyError, match="no column 'mixed'"):
        namespace["score"]({"amount": 1.0, "member": True})


def test_a_yes_no_column_with_gaps_is_boolean_in_sql(postgres):
    """pyarrow reads true/false with gaps as objects, so the app treats it as a category ("True",
    "False"); the SQL compares it as a BOOLEAN column."""
    rng = np.random.default_rng(6)
    n = 300
    flag = np.where(rng.random(n) < 0.5, True, False).astype(object)
    flag[rng.random(n) < 0.1] = None
    df = pd.DataFrame({"flag": flag, "x": rng.normal(size=n), "y": rng.choice(["yes", "no"], n)})
    report, prepared, model = train(df, "y")
    assert report.categorical == ["flag"]
    policy = model_policy(model, prepared, threshold=0.5, table=df)
    assert policy.categorical[0].boolean
    check_all(policy, model, prepared, df, postgres=postgres)


def test_rare_levels_share_one_weight_and_unseen_levels_weigh_nothing(postgres):
    rng = np.random.default_rng(7)
    n = 500
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[:3] = ["mauve", "teal", "ochre"]  # each under 1% of the training rows
    df = pd.DataFrame({"colour": colour, "y": rng.choice(["yes", "no"], n)})
    report, prepared, model = train(df, "y")
    (term,) = model_policy(model, prepared, threshold=0.5).categorical
    seen_rare = {"mauve", "teal", "ochre"} & set(term.weights)
    assert seen_rare and term.rare == seen_rare
    rare_column = prepared.feature_names.index("colour = (rare levels)")
    assert {term.weights[level] for level in seen_rare} == {float(model.coef_[0, rare_column])}
    for level in ("red", "green", "blue"):
        assert term.weights[level] == float(model.coef_[0, prepared.feature_names.index(f"colour = {level}")])
    unseen = pd.DataFrame({"colour": ["purple"]})
    assert app_scores(model, prepared, unseen)[0] == pytest.approx(1 / (1 + math.exp(-model.intercept_[0])))
    check_all(model_policy(model, prepared, threshold=0.5), model, prepared,
              pd.concat([df, pd.DataFrame({"colour": ["purple", None, "  teal "], "y": ["no"] * 3})],
                        ignore_index=True), postgres=postgres)


def test_extreme_logits_do_not_overflow(postgres):
    """A production value far outside the training range gives |z| in the thousands: the SQL
    never takes EXP of a large positive number (PostgreSQL would raise), Python neither."""
    rng = np.random.default_rng(8)
    n = 300
    x = rng.normal(size=n)
    df = pd.DataFrame({"x": x, "y": np.where(x + rng.normal(0, 0.5, n) > 0, "yes", "no")})
    report, prepared, model = train(df, "y")
    table = pd.DataFrame({"x": [1e5, -1e5, 1e300, -1e300, 0.0], "y": ["yes"] * 5})
    expected = app_scores(model, prepared, table)
    assert expected[0] == 1.0 and expected[1] < 1e-300
    check_all(model_policy(model, prepared, threshold=0.5), model, prepared, table, text_rows=False,
              postgres=postgres)


def test_whitespace_is_what_python_strips():
    assert set(WHITESPACE) == {ch for ch in map(chr, range(0x110000)) if ch.isspace()}
    assert all((ch + "a" + ch).strip() == "a" for ch in WHITESPACE)


# ---------------------------------------------------------------------------------------
# the review band and Use my scores


def scored_table() -> pd.DataFrame:
    return pd.DataFrame({
        "risk": [0.1, 0.3, 0.45, 0.6, 0.9, None, np.inf, 0.2999999999999999, 0.6000000000000001],
        "score": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],  # the table's own column named score
        "label": [0, 0, 1, 1, 1, 0, 1, 0, 1],
    })


def test_review_band_three_outcomes_match_core_review(postgres):
    """[low, high) is reviewed (2), >= high flagged (1), < low cleared (0): boundaries exact."""
    table = scored_table()
    policy = scores_policy("risk", threshold=0.5, review_band=(0.3, 0.6), table_columns=table.columns)
    assert (policy.score_name, policy.decision_name) == ("score_2", "decision")
    expected = [0, 2, 2, 1, 1, None, None, 0, 1]
    engines = [run_duckdb, run_sqlite]
    if postgres is not None:
        engines.append(lambda sql, table: run_postgres(postgres, sql, table))
    for run in engines:
        out = run(policy_sql(policy), table)
        got = [None if pd.isna(v) else int(v) for v in out["decision"]]
        assert got == expected, run.__name__
        np.testing.assert_array_equal(out["score_2"].to_numpy(float), table["risk"].to_numpy(float))
    namespace = load_python(policy_python(policy))
    rows = records(table)
    for row, want in zip(rows, expected):
        if want is None:
            with pytest.raises(ValueError, match="no decision"):
                namespace["decide"](row)
        else:
            assert namespace["decide"](row) == want
    # The counts core.review reports for this band on the scored rows.
    finite = np.isfinite(table["risk"].to_numpy(float))
    y, s = table["label"].to_numpy()[finite], table["risk"].to_numpy(float)[finite]
    outcome = review_band(threshold_sweep(y, s), 0.3, 0.6, review_cost=1.0)
    decided = np.array([w for w in expected if w is not None])
    assert outcome.n_review == int((decided == 2).sum())
    assert outcome.auto.tp + outcome.auto.fp == int((decided == 1).sum())


def test_a_band_of_width_zero_is_the_single_threshold():
    table = scored_table()
    banded = scores_policy("risk", threshold=0.45, review_band=(0.45, 0.45), table_columns=table.columns)
    single = scores_policy("risk", threshold=0.45, table_columns=table.columns)
    banded, single = run_duckdb(policy_sql(banded), table), run_duckdb(policy_sql(single), table)
    assert banded["decision"].tolist() == single["decision"].tolist()
    assert 2 not in banded["decision"].dropna().tolist()


@settings(max_examples=40, deadline=None)
@given(scores=st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=40),
       cut=st.floats(-1e6, 1e6), name=names)
def test_use_my_scores_matches_the_scored_csv(scores, cut, name):
    from core.exports import scored_csv

    assume(name.casefold() not in {"score", "decision"})
    table = pd.DataFrame({name: pd.array(scores, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)})
    policy = scores_policy(name, threshold=cut, table_columns=table.columns)
    csv = pd.read_csv(io.BytesIO(scored_csv(table, table[name].to_numpy(float), cut)))
    want = [None if pd.isna(v) else int(v) for v in csv["decision"]]
    for run in (run_duckdb, run_sqlite):
        out = run(policy_sql(policy), table)
        assert [None if pd.isna(v) else int(v) for v in out["decision"]] == want, run.__name__
    namespace = load_python(policy_python(policy))
    for row, w in zip(records(table), want):
        if w is not None:
            assert namespace["decide"](row) == w
            assert namespace["score"](row) == row[name]


# ---------------------------------------------------------------------------------------
# input checks and headers


def test_bad_rules_are_refused_in_plain_words():
    with pytest.raises(DataError, match="threshold must be a finite number"):
        scores_policy("s", threshold=float("nan"))
    with pytest.raises(DataError, match="must not be above"):
        scores_policy("s", threshold=0.5, review_band=(0.7, 0.2))
    with pytest.raises(DataError, match="two numbers"):
        scores_policy("s", threshold=0.5, review_band=(0.7,))
    with pytest.raises(DataError, match="Train a model first"):
        model_policy(object(), object(), threshold=0.5)


def test_headers_state_the_setting_and_the_drift_warning():
    policy = scores_policy("risk", threshold=0.25, review_band=(0.1, 0.4), dataset="loans.csv", target="default",
                           positive_class="yes", costs=CostMatrix(100, 500, 3, 0, "€"))
    for text, mark in ((policy_sql(policy), "--"), (policy_python(policy), "#")):
        head = "\n".join(line for line in text.splitlines() if line.startswith(mark))
        for fact in ("'loans.csv'", "'default'", "'yes'", "0.25", "[0.1, 0.4)", "€100", "€500", "Made: ",
                     "Re-validate", "drift"):
            assert fact in head, (fact, mark)
    assert set(string.whitespace) <= set(WHITESPACE)


def test_a_saved_scenario_gives_back_the_band_it_was_saved_with():
    from core.policy import saved_review_band
    from core.review import recommend_review_band

    rng = np.random.default_rng(9)
    y = rng.random(2000) < 0.3
    scores = np.clip(0.3 * y + rng.normal(0.35, 0.2, y.size), 0, 1)
    sweep = threshold_sweep(y.astype(int), scores, costs=CostMatrix(100, 500))
    for cost, capacity in ((10.0, 0.1), (40.0, 0.05), (1.0, 0.5), (500.0, 0.1)):
        outcome = recommend_review_band(sweep, cost, capacity)
        record = {"review_rate": outcome.review_rate, "review_cost": cost}
        assert saved_review_band(record, sweep) == (outcome.low, outcome.high)
    assert saved_review_band({"review_low": 0.2, "review_high": 0.4, "review_rate": 0.9, "review_cost": 1}, sweep) \
        == (0.2, 0.4)
    assert saved_review_band({"review_rate": None, "review_cost": None}, sweep) is None


def test_postgresql_is_one_of_the_engines_when_installed(postgres):
    """The other tests run the SQL in PostgreSQL too when its server binaries are installed; here
    is why the logistic link is clamped: PostgreSQL's EXP raises where DuckDB and SQLite round."""
    if postgres is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) or pg8000 not installed")
    assert postgres.run("SELECT EXP(CAST(700 AS double precision)) > 1e300")[0][0] is True
    for argument in (-1000, 1000):  # a double column makes the logit double precision
        with pytest.raises(Exception, match="out of range"):
            postgres.run(f"SELECT EXP(CAST({argument} AS double precision))")


@pytest.fixture(scope="module")
def mixed_model():
    """A model on a number, a true/false column and a categorical column of mixed Python values."""
    rng = np.random.default_rng(12)
    n = 400
    df = pd.DataFrame({
        "amount": rng.normal(100, 20, n).round(2),
        "member": rng.random(n) < 0.3,
        "kind": rng.choice(np.array([1, 2.5, True, False, "a", " b ", "inf", 7], dtype=object), n).astype(object),
        "y": rng.choice(["yes", "no"], n),
    })
    report, prepared, model = train(df, "y")
    assert report.categorical == ["kind"]
    policy = model_policy(model, prepared, threshold=0.5, table=df)
    return model, prepared, load_python(policy_python(policy))


number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.from_regex(r"\A\s{0,2}[+-]?\d{1,4}(\.\d{0,3})?([eE][+-]?\d{1,2})?\s{0,2}\Z"),
    st.sampled_from(["nan", "inf", "-inf", "1_000", "lots", "True", "0x10"]),
)
any_value = st.one_of(st.none(), st.booleans(), st.integers(-5, 10), st.floats(allow_nan=True),
                      st.sampled_from(["a", " b ", "b", "1", "2.5", "True", "inf", "\u3000a\n"]),
                      st.text(text_chars, max_size=4))


@settings(max_examples=200, deadline=None)
@given(amount=st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(-10**9, 10**9), number_text),
       member=st.one_of(st.none(), st.booleans()), kind=any_value)
def test_any_value_is_read_as_the_app_reads_it(mixed_model, amount, member, kind):
    """For a row of any Python values, the file scores what the app scores for a one-row table of
    the same values (an object column each), or refuses a value the app refuses."""
    model, prepared, namespace = mixed_model
    row = {"amount": amount, "member": member, "kind": kind}
    frame = pd.DataFrame([row], columns=list(row)).astype(object)
    try:
        want = app_scores(model, prepared, frame)[0]
    except ValueError:
        with pytest.raises(ValueError):
            namespace["score"](row)
        return
    assert namespace["score"](row) == pytest.approx(want, rel=1e-12, abs=1e-300)
