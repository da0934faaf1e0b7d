"""core.store: saves are whole or not at all, tables are kept once, workspaces expire, the size
cap holds, concurrent writers wait instead of failing, and a bad file never stops the app."""

from __future__ import annotations

import base64
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import store as core_store
from core.store import (
    RevisionConflict,
    StoreConfig,
    StoreError,
    WorkspaceStore,
    default_store_path,
    new_workspace_id,
    open_store,
    valid_workspace_id,
)
from core.workspace import decode_part, decode_table, encode_part, encode_table


@pytest.fixture
def store(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(tmp_path / "data" / "workspaces.sqlite")


def table_bytes(n: int = 100, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return encode_table(pd.DataFrame({"score": rng.random(n), "label": rng.choice(["yes", "no"], n)}))


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_ids_are_128_random_bits_and_url_safe():
    ids = {new_workspace_id() for _ in range(1000)}
    assert len(ids) == 1000
    for wid in list(ids)[:20]:
        assert valid_workspace_id(wid)
        assert len(base64.urlsafe_b64decode(wid + "==")) == 16
    assert not valid_workspace_id("short") and not valid_workspace_id("../../etc/passwd-xxxxxxxxxxxxxxx")


def test_file_is_in_wal_mode_and_private(store):
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.path.stat().st_mode & 0o077 == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["setup", "model", "scenarios", "settings", "evaluation"]),
                       st.recursive(st.one_of(st.none(), st.floats(), st.text(max_size=5), st.integers()),
                                    lambda inner: st.lists(inner, max_size=3), max_leaves=6), min_size=1))
def test_parts_and_table_come_back_as_saved(store, values):
    wid = new_workspace_id()
    table = table_bytes()
    parts = {name: encode_part(value) for name, value in values.items()}
    store.save(wid, parts, table=table)
    loaded = store.load(wid)
    assert loaded.table == table and loaded.parts == parts
    pd.testing.assert_frame_equal(decode_table(loaded.table), decode_table(table))
    assert {n: decode_part(p) for n, p in loaded.parts.items()}.keys() == values.keys()


def test_a_part_can_be_replaced_and_deleted(store):
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({"t": 0.3}), "model": encode_part({"coef": [1.0]})})
    store.save(wid, {"settings": encode_part({"t": 0.4}), "model": None})
    loaded = store.load(wid)
    assert decode_part(loaded.parts["settings"]) == {"t": 0.4} and "model" not in loaded.parts


def test_tables_are_stored_once_and_deleted_with_their_last_workspace(store):
    shared, other = table_bytes(seed=1), table_bytes(seed=2)
    first, second = new_workspace_id(), new_workspace_id()
    store.save(first, table=shared)
    store.save(second, table=shared)
    assert count(store.path, "tables") == 1
    store.save(second, table=other)  # the second moves on to another table
    assert count(store.path, "tables") == 2
    assert store.delete(first)
    assert count(store.path, "tables") == 1 and store.load(second).table == other
    store.delete(second)
    assert count(store.path, "tables") == 0 and count(store.path, "parts") == 0
    assert store.load(first) is None and not store.delete(first)


def test_saving_by_digest_needs_a_table_the_store_has(store):
    wid = new_workspace_id()
    with pytest.raises(StoreError, match="not in the store"):
        store.save(wid, table_digest="0" * 64)
    assert store.load(wid) is None  # nothing half-written


def test_unused_workspaces_expire_and_opening_one_keeps_it(store):
    old, opened, fresh = new_workspace_id(), new_workspace_id(), new_workspace_id()
    for seed, wid in enumerate((old, opened, fresh)):  # three different tables: none shared
        store.save(wid, {"settings": encode_part({})}, table=table_bytes(seed=seed))
    past = time.time() - 40 * 86400
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE workspaces SET touched = ? WHERE id IN (?, ?)", (past, old, opened))
    assert store.load(opened) is not None  # opening it counts as using it
    assert store.expire() == 1
    assert store.load(old) is None and store.load(opened) and store.load(fresh)
    assert count(store.path, "tables") == 2
    assert store.expire(now=time.time() + 31 * 86400) == 2 and store.count() == 0
    assert count(store.path, "tables") == 0


def test_expiry_runs_again_only_after_a_day(store):
    assert store.expire_if_due() == 0
    assert store.expire_if_due() is None
    store.last_expiry -= 86401
    assert store.expire_if_due() == 0


def test_the_size_cap_refuses_a_save_whole(tmp_path):
    small = WorkspaceStore(tmp_path / "w.sqlite", max_bytes=50_000)
    wid = new_workspace_id()
    small.save(wid, {"settings": encode_part({"t": 0.1})}, table=table_bytes(100))
    with pytest.raises(StoreError, match="more than the 0 MB|CUTOFF_WORKSPACE_MB"):
        small.save(wid, {"settings": encode_part({"t": 0.2})}, table=table_bytes(20_000, seed=3))
    loaded = small.load(wid)
    assert decode_part(loaded.parts["settings"]) == {"t": 0.1} and loaded.table == table_bytes(100)
    assert count(small.path, "tables") == 1


def test_a_full_disk_rolls_back_and_says_so(store, monkeypatch):
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({"t": 0.1})}, table=table_bytes())
    configure = WorkspaceStore._configure

    def tiny_disk(connection):
        configure(connection)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")  # the file cannot grow: SQLITE_FULL

    monkeypatch.setattr(WorkspaceStore, "_configure", staticmethod(tiny_disk))
    store.close()  # the pooled connections were configured before the disk "filled up"
    with pytest.raises(StoreError, match="disk holding the workspace store is full"):
        store.save(wid, {"settings": encode_part({"t": 0.2})}, table=table_bytes(50_000, seed=4))
    monkeypatch.undo()
    store.close()
    loaded = store.load(wid)
    assert decode_part(loaded.parts["settings"]) == {"t": 0.1} and loaded.table == table_bytes()


def test_a_locked_store_fails_with_a_plain_message_then_works_again(store, monkeypatch):
    monkeypatch.setattr(core_store, "BUSY_TIMEOUT_MS", 200)
    wid = new_workspace_id()
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="busy|locked"):
            store.save(wid, {"settings": encode_part({"t": 0.5})})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.save(wid, {"settings": encode_part({"t": 0.5})})
    assert store.load(wid) is not None


def run_at_once(session, n: int) -> None:
    """``session(k)`` for k in 0..n-1, each on its own thread; returns when all have finished."""
    threads = [threading.Thread(target=session, args=(k,)) for k in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_ten_sessions_saving_at_once_never_see_database_is_locked(store):
    errors, table = [], table_bytes(2000)
    shared = new_workspace_id()
    start = threading.Barrier(10)

    def session(k: int) -> None:
        own = new_workspace_id()
        start.wait()
        try:
            for i in range(25):
                store.save(own, {"settings": encode_part({"t": i / 25})}, table=table if i == 0 else None)
                store.save(shared, {"settings": encode_part({"by": k, "i": i})})
                store.load(own)
        except Exception as error:  # any failure, reported below
            errors.append(repr(error))

    run_at_once(session, 10)
    assert errors == []
    assert store.count() == 11
    assert decode_part(store.load(shared).parts["settings"])["i"] == 24  # the last change wins, whole


def test_a_writer_that_missed_another_tabs_save_is_told(store):
    wid = new_workspace_id()
    first = store.save(wid, {"settings": encode_part({"t": 0.1})}, base_revision=None)
    second = store.save(wid, {"settings": encode_part({"t": 0.2})}, base_revision=first)
    with pytest.raises(RevisionConflict):
        store.save(wid, {"settings": encode_part({"t": 0.3})}, base_revision=first)
    assert decode_part(store.load(wid).parts["settings"]) == {"t": 0.2} and store.load(wid).revision == second


def test_a_damaged_table_blob_is_not_read_back(store):
    wid = new_workspace_id()
    store.save(wid, table=table_bytes())
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE tables SET parquet = substr(parquet, 1, 50)")
    with pytest.raises(StoreError, match="damaged"):
        store.load(wid)


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b"SQLite format 3\0" + b"\xff" * 4000])
def test_a_corrupt_file_falls_back_to_memory_with_a_note(tmp_path, content):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(content)
    with pytest.raises(StoreError):
        WorkspaceStore(bad)
    store, notes = open_store(StoreConfig(path=bad))
    assert store.in_memory and any("Saving to disk is off" in n for n in notes)
    wid = new_workspace_id()
    store.save(wid, {"settings": encode_part({"t": 1.0})})
    assert store.load(wid) is not None
    assert bad.read_bytes() == content  # left for the user to inspect


def test_an_unreadable_location_falls_back_to_memory(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where a folder should be")
    store, notes = open_store(StoreConfig(path=blocked / "workspaces.sqlite"))
    assert store.in_memory and notes


def test_a_store_from_a_newer_cutoff_is_not_touched(tmp_path):
    path = tmp_path / "w.sqlite"
    WorkspaceStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(StoreError, match="newer version"):
        WorkspaceStore(path)


def test_memory_store_keeps_nothing_on_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = WorkspaceStore(None)
    store.save(new_workspace_id(), {"settings": encode_part({"t": 0.5})}, table=table_bytes())
    assert store.in_memory and list(tmp_path.iterdir()) == []


def test_config_from_the_environment(tmp_path):
    assert default_store_path({"HOME": "/home/u"}).parts[-3:] == ("share", "cutoff", "workspaces.sqlite")
    assert default_store_path({"XDG_DATA_HOME": "/data"}) == Path("/data/cutoff/workspaces.sqlite")
    assert StoreConfig.from_env({"XDG_DATA_HOME": str(tmp_path)}).path == tmp_path / "cutoff" / "workspaces.sqlite"
    assert StoreConfig.from_env({"CUTOFF_STORE": "off"}).path is None
    assert StoreConfig.from_env({"CUTOFF_STORE": str(tmp_path / "x.sqlite")}).path == tmp_path / "x.sqlite"
    config = StoreConfig.from_env({"CUTOFF_STORE": str(tmp_path / "x"), "CUTOFF_WORKSPACE_DAYS": "7",
                                   "CUTOFF_WORKSPACE_MB": "1.5"})
    assert config.days == 7 and config.max_bytes == int(1.5 * 2**20) and not config.notes
    bad = StoreConfig.from_env({"CUTOFF_STORE": str(tmp_path / "x"), "CUTOFF_WORKSPACE_DAYS": "soon"})
    assert bad.days == 30 and "CUTOFF_WORKSPACE_DAYS" in bad.notes[0]


def test_the_store_is_never_inside_the_project_folder():
    inside = core_store.PROJECT_ROOT / "tests" / "workspaces.sqlite"
    config = StoreConfig.from_env({"CUTOFF_STORE": str(inside)})
    assert config.path is None and "inside the project folder" in config.notes[0]
    assert not inside.exists()
