"""core.store at its limits: settings exactly at their bounds, expiry exactly ``days`` old, a
workspace exactly at the size cap, what a save counts towards the cap, reads that must not
count as use, and the plain words of each failure.

``test_store.py`` covers the store's behaviour in general; these tests pin each boundary, so
a ``<`` made ``<=`` or a constant nudged is seen.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core import store as core_store
from core.store import (
    ANY_REVISION,
    DEFAULT_DAYS,
    DEFAULT_MAX_MB,
    RevisionConflict,
    StoreConfig,
    StoreError,
    WorkspaceStore,
    default_store_path,
    new_workspace_id,
    open_store,
    valid_workspace_id,
)
from core.workspace import decode_part, encode_part, encode_table
from tests.core.test_store import run_at_once


@pytest.fixture
def store(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(tmp_path / "w.sqlite")


def table_bytes(n: int = 50, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return encode_table(pd.DataFrame({"score": rng.random(n)}))


def rows(path: Path, sql: str, *args):
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


# ---------------------------------------------------------------------------------------
# settings from the environment


@pytest.mark.parametrize("raw", ["0", "-3", "1e9", "2e9", "inf", "-inf", "nan", "soon"])
def test_a_setting_outside_0_to_1e9_falls_back_to_the_default_with_a_note(tmp_path, raw):
    env = {"CUTOFF_STORE": str(tmp_path / "x"), "CUTOFF_WORKSPACE_DAYS": raw, "CUTOFF_WORKSPACE_MB": raw}
    config = StoreConfig.from_env(env)
    assert config.days == DEFAULT_DAYS and config.max_bytes == DEFAULT_MAX_MB * 2**20
    assert len(config.notes) == 2
    assert f"CUTOFF_WORKSPACE_DAYS={raw!r} is not a positive number; using {DEFAULT_DAYS}." == config.notes[0]
    assert f"CUTOFF_WORKSPACE_MB={raw!r} is not a positive number; using {DEFAULT_MAX_MB}." == config.notes[1]


@pytest.mark.parametrize("raw, value", [(" 7 ", 7.0), ("0.5", 0.5), ("999999999", 999999999.0), ("1e-3", 0.001)])
def test_a_setting_inside_the_range_is_used_as_given(tmp_path, raw, value):
    config = StoreConfig.from_env({"CUTOFF_STORE": str(tmp_path / "x"), "CUTOFF_WORKSPACE_DAYS": raw,
                                   "CUTOFF_WORKSPACE_MB": raw})
    assert config.days == value and type(config.days) is float and not config.notes
    assert config.max_bytes == int(value * 2**20)


def test_unset_or_blank_settings_are_the_defaults_as_floats(tmp_path):
    for env in ({}, {"CUTOFF_WORKSPACE_DAYS": "  ", "CUTOFF_WORKSPACE_MB": ""}):
        config = StoreConfig.from_env({"CUTOFF_STORE": str(tmp_path / "x"), **env})
        assert config.days == 30.0 and type(config.days) is float
        assert config.max_bytes == 200 * 2**20 and not config.notes


def test_store_off_in_any_case_and_padding_is_memory(tmp_path):
    for raw in ("off", "OFF", " Off "):
        assert StoreConfig.from_env({"CUTOFF_STORE": raw, "XDG_DATA_HOME": str(tmp_path)}).path is None


def test_a_relative_or_home_store_path_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert StoreConfig.from_env({"CUTOFF_STORE": "data/w.sqlite"}).path == tmp_path / "data" / "w.sqlite"
    assert StoreConfig.from_env({"CUTOFF_STORE": " data/w.sqlite "}).path == tmp_path / "data" / "w.sqlite"
    home = StoreConfig.from_env({"CUTOFF_STORE": "~/cutoff-w.sqlite"}).path
    assert home == Path.home() / "cutoff-w.sqlite"


def test_a_relative_or_blank_xdg_data_home_is_ignored():
    home = Path.home() / ".local" / "share" / "cutoff" / "workspaces.sqlite"
    assert default_store_path({"XDG_DATA_HOME": "relative/dir"}) == home
    assert default_store_path({"XDG_DATA_HOME": "   "}) == home
    assert default_store_path({}) == home
    assert default_store_path({"XDG_DATA_HOME": " /data "}) == Path("/data/cutoff/workspaces.sqlite")


def test_the_default_store_follows_the_process_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("CUTOFF_STORE", raising=False)
    monkeypatch.setenv("CUTOFF_WORKSPACE_DAYS", "3")
    assert default_store_path() == tmp_path / "cutoff" / "workspaces.sqlite"
    config = StoreConfig.from_env()
    assert config.path == tmp_path / "cutoff" / "workspaces.sqlite" and config.days == 3.0


def test_ids_are_22_to_64_url_safe_characters():
    assert valid_workspace_id("a" * 22) and valid_workspace_id("A-_9" * 16)
    assert not valid_workspace_id("a" * 21) and not valid_workspace_id("a" * 65)
    assert not valid_workspace_id("\n" + "a" * 22) and not valid_workspace_id("a" * 21 + "/")
    assert not valid_workspace_id(None) and not valid_workspace_id(b"a" * 22)
    assert len(new_workspace_id()) == 22


def test_an_id_with_a_trailing_line_break_is_not_valid():
    # A regex ending in `$` also matches before a final line break; the id must match whole.
    assert not valid_workspace_id("a" * 22 + "\n")


# ---------------------------------------------------------------------------------------
# expiry


def _touch(store: WorkspaceStore, wid: str, when: float) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE workspaces SET touched = ? WHERE id = ?", (when, wid))


def test_a_workspace_exactly_days_old_is_kept_and_one_a_moment_older_goes(tmp_path):
    store = WorkspaceStore(tmp_path / "w.sqlite", days=2.5)
    now = 2_000_000_000.0
    exact, older, newer = new_workspace_id(), new_workspace_id(), new_workspace_id()
    for wid, age in ((exact, 2.5 * 86400), (older, 2.5 * 86400 + 1), (newer, 2.5 * 86400 - 1)):
        store.save(wid, {"settings": encode_part({})})
        _touch(store, wid, now - age)
    assert store.expire(now=now) == 1
    assert store.load(older, touch=False) is None
    assert store.load(exact, touch=False) is not None and store.load(newer, touch=False) is not None
    assert store.last_expiry == now


def test_expiry_takes_the_tables_only_the_expired_used(store):
    now = time.time()
    old, kept = new_workspace_id(), new_workspace_id()
    store.save(old, {"settings": encode_part({})}, table=table_bytes(seed=1))
    store.save(kept, {"settings": encode_part({})}, table=table_bytes(seed=2))
    _touch(store, old, now - 31 * 86400)
    assert store.expire() == 1
    assert rows(store.path, "SELECT count(*) FROM tables") == [(1,)]
    assert rows(store.path, "SELECT count(*) FROM parts") == [(1,)]
    assert store.load(kept).table == table_bytes(seed=2)


def test_expiry_runs_again_once_the_interval_has_passed(store):
    assert store.expire_if_due() == 0
    store.last_expiry = time.time() - 86400.5
    assert store.expire_if_due() == 0  # more than a day: runs
    assert store.expire_if_due() is None  # just ran
    store.last_expiry = time.time() - 100
    assert store.expire_if_due(every=50) == 0 and store.expire_if_due(every=50) is None


def test_expiry_runs_when_exactly_the_interval_has_passed(store, monkeypatch):
    store.expire_if_due()
    now = store.last_expiry
    monkeypatch.setattr(core_store, "time", SimpleNamespace(time=lambda: now + 49.999))
    assert store.expire_if_due(every=50) is None
    monkeypatch.setattr(core_store, "time", SimpleNamespace(time=lambda: now + 50.0))
    assert store.expire_if_due(every=50) == 0


def test_the_expiry_uses_the_stores_days(tmp_path):
    store = WorkspaceStore(tmp_path / "w.sqlite")
    assert store.days == 30.0
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({})})
    assert store.expire(now=time.time() + 29.9 * 86400) == 0
    assert store.expire(now=time.time() + 30.1 * 86400) == 1


# ---------------------------------------------------------------------------------------
# the size cap and what counts towards it


def test_workspace_bytes_are_the_table_plus_every_part(store):
    wid = new_workspace_id()
    assert store.workspace_bytes(wid) == 0
    table = table_bytes()
    big = encode_part({"scores": np.arange(5000, dtype=float)})  # JSON plus a Parquet side-car
    small = encode_part({"t": 0.25})
    assert big.arrays is not None
    store.save(wid, {"evaluation": big, "settings": small}, table=table)
    assert store.workspace_bytes(wid) == len(table) + big.nbytes + small.nbytes
    store.save(wid, {"settings": None})
    assert store.workspace_bytes(wid) == len(table) + big.nbytes
    store.save(wid, clear_table=True)
    assert store.workspace_bytes(wid) == big.nbytes


def test_a_workspace_exactly_at_the_cap_is_saved_and_one_byte_more_is_not(tmp_path):
    part = encode_part({"t": 0.125})
    store = WorkspaceStore(tmp_path / "w.sqlite", max_bytes=part.nbytes)
    wid = new_workspace_id()
    store.save(wid, {"settings": part})
    assert decode_part(store.load(wid).parts["settings"]) == {"t": 0.125}
    tight = WorkspaceStore(tmp_path / "v.sqlite", max_bytes=part.nbytes - 1)
    with pytest.raises(StoreError, match="more than the") as raised:
        tight.save(wid, {"settings": part})
    assert raised.value.size == part.nbytes and raised.value.limit == part.nbytes - 1
    assert tight.load(wid) is None


def test_the_cap_message_gives_the_sizes_in_megabytes(tmp_path):
    store = WorkspaceStore(tmp_path / "w.sqlite", max_bytes=int(1.5 * 2**20))
    table = b"x" * (3 * 2**20)
    with pytest.raises(StoreError) as raised:
        store.save(new_workspace_id(), table=table)
    text = str(raised.value)
    assert "3.0 MB" in text and "1.5 MB" in text and "CUTOFF_WORKSPACE_MB" in text


# ---------------------------------------------------------------------------------------
# saving and reading


def test_a_bad_id_or_an_unknown_part_is_refused_before_anything_is_written(store):
    with pytest.raises(StoreError, match="not valid"):
        store.save("short", {"settings": encode_part({})})
    with pytest.raises(ValueError, match="unknown workspace parts"):
        store.save(new_workspace_id(), {"settings": encode_part({}), "secrets": encode_part({})})
    assert store.count() == 0
    assert store.load("short") is None and store.load(None) is None


def test_clearing_the_table_detaches_it_and_drops_it_when_unused(store):
    wid, other = new_workspace_id(), new_workspace_id()
    table = table_bytes()
    store.save(wid, table=table)
    store.save(other, table=table)
    store.save(wid, clear_table=True)
    loaded = store.load(wid)
    assert loaded.table is None and loaded.table_digest is None
    assert rows(store.path, "SELECT count(*) FROM tables") == [(1,)]  # the other still uses it
    store.save(other, clear_table=True)
    assert rows(store.path, "SELECT count(*) FROM tables") == [(0,)]


def test_saving_the_same_table_again_keeps_it(store):
    wid = new_workspace_id()
    table = table_bytes()
    store.save(wid, table=table)
    store.save(wid, table=table)
    assert store.load(wid).table == table
    assert store.has_table(core_store.digest(table)) and not store.has_table("0" * 64)


def test_a_save_by_digest_reuses_the_stored_bytes(store):
    wid, other = new_workspace_id(), new_workspace_id()
    table = table_bytes(seed=5)
    store.save(wid, table=table)
    store.save(other, table_digest=core_store.digest(table))
    assert store.load(other).table == table
    assert rows(store.path, "SELECT count(*) FROM tables") == [(1,)]


def test_opening_counts_as_use_but_a_look_without_touch_does_not(store):
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({})})
    _touch(store, wid, 1000.0)
    looked = store.load(wid, touch=False)
    assert looked.touched == 1000.0 and rows(store.path, "SELECT touched FROM workspaces") == [(1000.0,)]
    before = time.time()
    opened = store.load(wid)
    assert opened.touched == 1000.0  # what was read: the last use before this one
    (touched,), = rows(store.path, "SELECT touched FROM workspaces")
    assert touched >= before


def test_created_stays_and_touched_moves_with_each_save(store):
    wid = new_workspace_id()
    before = time.time()
    store.save(wid, {"settings": encode_part({"t": 1})})
    first = store.load(wid, touch=False)
    assert before <= first.created == first.touched <= time.time()
    _touch(store, wid, 1000.0)
    store.save(wid, {"settings": encode_part({"t": 2})})
    second = store.load(wid, touch=False)
    assert second.created == first.created and second.touched >= before


def test_parts_the_format_does_not_know_are_not_read_back(store):
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({"t": 1})})
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO parts VALUES (?, 'intruder', '{}', NULL, 2)", (wid,))
    assert set(store.load(wid).parts) == {"settings"}


def test_every_save_gives_a_new_revision_and_the_first_may_name_none(store):
    wid = new_workspace_id()
    revisions = [store.save(wid, {"settings": encode_part({"t": i})}) for i in range(3)]
    assert len(set(revisions)) == 3 and all(len(r) == 16 for r in revisions)
    assert store.load(wid).revision == revisions[-1]
    fresh = new_workspace_id()
    with pytest.raises(RevisionConflict):
        store.save(fresh, {"settings": encode_part({})}, base_revision="abc")
    assert store.load(fresh) is None
    assert store.save(fresh, {"settings": encode_part({})}, base_revision=None)
    assert store.save(fresh, base_revision=ANY_REVISION)


def test_a_missing_table_blob_is_reported_as_damage(store):
    wid = new_workspace_id()
    store.save(wid, table=table_bytes())
    with sqlite3.connect(store.path) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("DELETE FROM tables")
    with pytest.raises(StoreError, match="damaged"):
        store.load(wid)


def test_where_says_where_work_is_kept(tmp_path):
    assert WorkspaceStore(None).where == "in this server's memory only"
    path = tmp_path / "w.sqlite"
    assert WorkspaceStore(path).where == f"in {path}"


def test_the_folder_the_store_creates_is_private(tmp_path):
    store = WorkspaceStore(tmp_path / "new" / "deeper" / "w.sqlite")
    assert (store.path.parent.stat().st_mode & 0o777) == 0o700
    assert (store.path.stat().st_mode & 0o777) == 0o600


def test_a_store_with_an_unreadable_schema_version_is_not_used(tmp_path):
    path = tmp_path / "w.sqlite"
    WorkspaceStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'two' WHERE key = 'schema'")
    with pytest.raises(StoreError, match="newer version"):
        WorkspaceStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    WorkspaceStore(path)  # the current version opens
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchall() == [("1",)]


def test_a_new_store_records_its_schema_version(tmp_path):
    path = tmp_path / "w.sqlite"
    WorkspaceStore(path)
    assert rows(path, "SELECT key, value FROM meta") == [("schema", "1")]
    WorkspaceStore(None)  # memory: no file anywhere


# ---------------------------------------------------------------------------------------
# failures in plain words


@pytest.mark.parametrize("message, words", [
    ("database or disk is full", "the disk holding the workspace store is full"),
    ("database is locked", "busy for more than 10 seconds"),
    ("database table is busy", "busy for more than 10 seconds"),
    ("attempt to write a readonly database", "is read-only"),
    ("read-only file system", "is read-only"),
    ("no such table: parts", "(no such table: parts)"),
])
def test_each_sqlite_failure_is_said_in_plain_words(message, words):
    text = core_store._plain_sqlite_error("save the workspace", sqlite3.OperationalError(message),
                                          Path("/srv/w.sqlite"))
    assert text.startswith("Could not save the workspace")
    assert words in text and "Your work stays open in this session" in text
    if "read-only" in words:
        assert "/srv/w.sqlite" in text


def test_a_read_only_store_says_so_on_save(tmp_path):
    path = tmp_path / "w.sqlite"
    WorkspaceStore(path)
    reader = WorkspaceStore(path)
    reader.close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    reader._pool.put(read_only)
    with pytest.raises(StoreError, match="read-only"):
        reader.save(new_workspace_id(), {"settings": encode_part({})})


def test_open_store_keeps_the_configs_notes_and_limits(tmp_path):
    config = StoreConfig(path=tmp_path / "w.sqlite", days=3.0, max_bytes=12345, notes=("a note",))
    store, notes = open_store(config)
    assert notes == ["a note"] and store.days == 3.0 and store.max_bytes == 12345 and not store.in_memory
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 200)
    store, notes = open_store(StoreConfig(path=bad, days=4.0, max_bytes=999, notes=("first",)))
    assert store.in_memory and store.days == 4.0 and store.max_bytes == 999
    assert notes[0] == "first" and notes[1].startswith("Saving to disk is off: the store at")


# ---------------------------------------------------------------------------------------
# what the mutation run of core/store.py found untested


def test_off_is_memory_wherever_the_server_was_started(tmp_path, monkeypatch):
    # Started outside the project folder, "off" must not be read as a file called "off".
    monkeypatch.chdir(tmp_path)
    for raw in ("off", "OFF", " Off "):
        config = StoreConfig.from_env({"CUTOFF_STORE": raw})
        assert config.path is None and config.notes == ()
    assert not (tmp_path / "off").exists()


def _read_only(store: WorkspaceStore) -> WorkspaceStore:
    """``store`` lent only a read-only connection next (the file itself stays writable)."""
    store.close()
    connection = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None,
                                 check_same_thread=False)
    store._pool.put(connection)
    return store


def test_a_failed_delete_or_expiry_says_which_action_failed(tmp_path):
    path = tmp_path / "w.sqlite"
    store = WorkspaceStore(path)
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({})})
    with pytest.raises(StoreError) as raised:
        _read_only(store).delete(wid)
    text = str(raised.value)
    assert text.startswith("Could not delete the workspace:") and f"{path} is read-only" in text
    with pytest.raises(StoreError) as raised:
        _read_only(store).expire()
    text = str(raised.value)
    assert text.startswith("Could not expire old workspaces:") and f"{path} is read-only" in text
    assert store.load(wid, touch=False) is not None  # neither took anything away


def test_a_lookup_in_a_damaged_store_is_a_store_error_in_plain_words(store):
    wid = new_workspace_id()
    table = table_bytes()
    store.save(wid, table=table)
    assert _read_only(store).has_table(core_store.digest(table))  # a read-only store can still look
    with sqlite3.connect(store.path) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("DROP TABLE tables")
    with pytest.raises(StoreError) as raised:
        store.has_table(core_store.digest(table))
    text = str(raised.value)
    assert text.startswith("Could not read the workspace store") and "(no such table: tables)" in text


def test_a_failed_daily_expiry_waits_for_the_next_day(store):
    store.last_expiry = time.time() - 2 * 86400
    with pytest.raises(StoreError, match="Could not expire old workspaces"):
        _read_only(store).expire_if_due()
    # The others go on: no retry on every call while the store cannot be written.
    assert store.expire_if_due() is None
    assert time.time() - store.last_expiry < 60


def test_a_part_with_a_parquet_side_car_comes_back_whole(store):
    wid = new_workspace_id()
    scores = np.random.default_rng(3).random(5000)
    part = encode_part({"scores": scores, "t": 0.5})
    assert part.arrays is not None  # the scores live in the side-car, not the JSON
    table = table_bytes()
    store.save(wid, {"evaluation": part}, table=table)
    loaded = store.load(wid)
    assert loaded.id == wid and loaded.table_digest == core_store.digest(table)
    assert loaded.parts["evaluation"] == part
    back = decode_part(loaded.parts["evaluation"])
    assert back["t"] == 0.5 and back["scores"].tobytes() == scores.tobytes()


def test_a_workspace_opens_from_a_store_that_cannot_be_written(store):
    # Marking it as used fails; opening it must not.
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({"t": 0.25})})
    _touch(store, wid, 1000.0)
    loaded = _read_only(store).load(wid)
    assert decode_part(loaded.parts["settings"]) == {"t": 0.25}
    assert rows(store.path, "SELECT touched FROM workspaces") == [(1000.0,)]


def test_a_read_of_a_damaged_store_is_a_store_error_in_plain_words(store):
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({})})
    with sqlite3.connect(store.path) as db:
        db.execute("DROP TABLE parts")
    with pytest.raises(StoreError) as raised:
        store.load(wid)
    assert str(raised.value).startswith("Could not read the workspace (no such table: parts)")


def test_a_failed_save_or_a_missed_save_says_so(tmp_path):
    path = tmp_path / "w.sqlite"
    store = WorkspaceStore(path)
    with pytest.raises(StoreError) as raised:
        _read_only(store).save(new_workspace_id(), {"settings": encode_part({})})
    text = str(raised.value)
    assert text.startswith("Could not save the workspace:") and f"{path} is read-only" in text
    wid = new_workspace_id()
    first = store.save(wid, {"settings": encode_part({"t": 1})})
    store.save(wid, {"settings": encode_part({"t": 2})})
    with pytest.raises(RevisionConflict, match="Another tab saved this workspace"):
        store.save(wid, {"settings": encode_part({"t": 3})}, base_revision=first)


def test_the_memory_store_serves_every_thread():
    # Each Streamlit session runs in its own thread; the in-memory store is shared by all.
    import threading

    store = WorkspaceStore(None)
    wid = new_workspace_id()
    results, errors = [], []

    def session(k: int) -> None:
        try:
            store.save(wid, {"settings": encode_part({"by": k})})
            results.append(decode_part(store.load(wid).parts["settings"])["by"])
        except Exception as error:  # reported below
            errors.append(repr(error))

    run_at_once(session, 4)
    assert errors == [] and len(results) == 4 and store.count() == 1


def test_a_store_folder_that_cannot_be_made_is_said_in_plain_words(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where a folder should be")
    with pytest.raises(StoreError) as raised:
        WorkspaceStore(blocked / "workspaces.sqlite")
    assert str(raised.value) == f"the store at {blocked / 'workspaces.sqlite'} cannot be opened (File exists)"
    store, notes = open_store(StoreConfig(path=blocked / "workspaces.sqlite"))
    assert store.in_memory and "cannot be opened (File exists)" in notes[-1]
