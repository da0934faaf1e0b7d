"""The workspace store: every session's work in one SQLite file (standard library ``sqlite3``).

Where: ``CUTOFF_STORE`` names the file; by default ``$XDG_DATA_HOME/cutoff/workspaces.sqlite``
(``~/.local/share/cutoff/workspaces.sqlite``), never inside the project folder.
``CUTOFF_STORE=off`` keeps the store in memory (nothing touches the disk; work lasts until the
server stops). ``CUTOFF_WORKSPACE_DAYS`` (default 30): workspaces not opened or changed for that
long are deleted (:meth:`WorkspaceStore.expire`, run at start-up and daily by the app).
``CUTOFF_WORKSPACE_MB`` (default 200): the most one workspace may hold.

Tables:

``workspaces(id, created, touched, table_digest)``
    one row per workspace; ``touched`` is the last save or open (seconds since the epoch).
``tables(digest, parquet, bytes)``
    each distinct table once, as Parquet bytes keyed by their SHA-256, shared by every
    workspace that uses it and deleted with the last of them.
``parts(workspace, name, json, arrays, bytes)``
    the workspace's parts (``core.workspace.PART_NAMES``: setup, model JSON, scenarios, the
    small ``settings`` row a slider move rewrites, ...), JSON plus an optional Parquet side-car.

Safety: WAL mode (readers never block the writer), ``busy_timeout`` so concurrent sessions
wait their turn instead of failing with "database is locked", ``BEGIN IMMEDIATE`` so every save
is one transaction that takes the write lock up front (a read-then-write upgrade cannot
deadlock), ``synchronous=NORMAL`` (a commit survives the process being killed; only a power cut
may lose the last moments). A save that fails (disk full, locked, over the size cap) raises
:class:`StoreError` and rolls back completely: a reader never sees half a save. Each table's
bytes are checked against their digest when read back.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.workspace import PART_NAMES, EncodedPart, digest

__all__ = ["WorkspaceStore", "StoreError", "RevisionConflict", "ANY_REVISION", "StoredWorkspace", "StoreConfig", "open_store", "new_workspace_id",
           "valid_workspace_id", "default_store_path", "DEFAULT_DAYS", "DEFAULT_MAX_MB"]

DEFAULT_DAYS = 30
DEFAULT_MAX_MB = 200
SCHEMA_VERSION = 1
#: How long a save waits for another writer before giving up (ms). Saves take milliseconds,
#: so this only runs out when something holds the file locked.
BUSY_TIMEOUT_MS = 10_000
PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Connections kept open for reuse; more concurrent calls open extra ones and close them after.
_POOL_SIZE = 8

_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tables(
    digest TEXT PRIMARY KEY,
    parquet BLOB NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS workspaces(
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    touched REAL NOT NULL,
    revision TEXT NOT NULL DEFAULT '',
    table_digest TEXT REFERENCES tables(digest)
);
CREATE INDEX IF NOT EXISTS workspaces_touched ON workspaces(touched);
CREATE TABLE IF NOT EXISTS parts(
    workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    arrays BLOB,
    bytes INTEGER NOT NULL,
    PRIMARY KEY(workspace, name)
);
"""


class StoreError(Exception):
    """A save or load failed; the message says why in plain words. Nothing was half-written."""


class RevisionConflict(StoreError):
    """Another session saved this workspace since the given revision (nothing was written)."""


#: ``base_revision`` value meaning "write whatever the workspace holds now".
ANY_REVISION = object()


def new_workspace_id() -> str:
    """A fresh workspace id: 128 random bits (``secrets``), URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def valid_workspace_id(text) -> bool:
    return isinstance(text, str) and bool(_ID.fullmatch(text))  # fullmatch: `$` also matches before a final "\n"


def default_store_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/cutoff/workspaces.sqlite`` (``~/.local/share/...`` when unset)."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "cutoff" / "workspaces.sqlite"


@dataclass(frozen=True)
class StoreConfig:
    """The store's settings from the environment, plus plain-words notes on ignored values."""

    path: Path | None  # None: in memory
    days: float = DEFAULT_DAYS
    max_bytes: int = DEFAULT_MAX_MB * 2**20
    notes: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "StoreConfig":
        env = os.environ if env is None else env
        notes = []
        raw = env.get("CUTOFF_STORE", "").strip()
        path: Path | None
        if raw.lower() == "off":
            path = None
        else:
            path = Path(raw).expanduser() if raw else default_store_path(env)
            if not path.is_absolute():
                path = Path.cwd() / path
            if _inside(path, PROJECT_ROOT):
                notes.append(f"CUTOFF_STORE points inside the project folder ({path}); work is never kept "
                             "there, so saving to disk is off. Point CUTOFF_STORE at a file elsewhere.")
                path = None
        days = _number(env, "CUTOFF_WORKSPACE_DAYS", DEFAULT_DAYS, notes)
        megabytes = _number(env, "CUTOFF_WORKSPACE_MB", DEFAULT_MAX_MB, notes)
        return cls(path=path, days=days, max_bytes=int(megabytes * 2**20), notes=tuple(notes))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _number(env, name: str, default: float, notes: list[str]) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value < 1e9):
        notes.append(f"{name}={raw!r} is not a positive number; using {default}.")
        return float(default)
    return value


@dataclass
class StoredWorkspace:
    """A workspace as read back: its table's Parquet bytes (or None) and its encoded parts."""

    id: str
    created: float
    touched: float
    table: bytes | None
    table_digest: str | None
    parts: dict[str, EncodedPart] = field(default_factory=dict)
    revision: str = ""


class WorkspaceStore:
    """Workspaces in one SQLite database: a file (``path``) or, with ``path=None``, memory.

    Thread-safe: a file store lends each call a connection from a small pool (one thread at
    a time per connection). Keeping them open matters: when the last connection to a WAL
    database closes, SQLite checkpoints and deletes the log, an fsync that made each save
    take 35–50 ms on a busy disk here instead of about 1 ms. The memory store shares one
    connection under a lock. Raises :class:`StoreError` from ``__init__``
    when the file cannot be used (not a database, unreadable, from a newer Cutoff).
    """

    def __init__(self, path: Path | str | None, *, max_bytes: int = DEFAULT_MAX_MB * 2**20,
                 days: float = DEFAULT_DAYS):
        self.path = None if path is None else Path(path)
        self.max_bytes = int(max_bytes)
        self.days = float(days)
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self.last_expiry = 0.0
        try:
            if self.path is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
                self._configure(self._memory)
            else:
                self._create_file()
            with self._connection() as connection:
                connection.executescript(_SCHEMA)
                row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif not row[0].isdigit() or int(row[0]) > SCHEMA_VERSION:
                    raise StoreError(f"the store at {self.path} was written by a newer version of Cutoff "
                                     f"(schema {row[0]})")
                connection.execute("SELECT count(*) FROM workspaces").fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"the store at {self.path} cannot be used ({error})") from None
        except OSError as error:
            raise StoreError(f"the store at {self.path} cannot be opened ({error.strerror or error})") from None

    @property
    def in_memory(self) -> bool:
        return self.path is None

    @property
    def where(self) -> str:
        return "in this server's memory only" if self.path is None else f"in {self.path}"

    # -- connections ------------------------------------------------------------------------

    def _create_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            # Workspaces hold people's data: readable by the server's user only.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"the store at {self.path} cannot use write-ahead logging (mode {mode})")
        finally:
            connection.close()

    @staticmethod
    def _configure(connection: sqlite3.Connection) -> None:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._lock:
                yield self._memory
            return
        try:
            connection = self._pool.get_nowait()
        except queue.Empty:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
            try:
                self._configure(connection)
            except sqlite3.Error:
                connection.close()
                raise
        try:
            yield connection
        except BaseException:
            connection.close()  # its state is unknown after a failure: never lend it again
            raise
        if connection.in_transaction:
            connection.close()
        elif self._pool.qsize() < _POOL_SIZE:
            self._pool.put(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Close the pooled connections (the store still works; it opens new ones when used)."""
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    @contextlib.contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); any failure rolls it back."""
        try:
            with self._connection() as connection:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield connection
                    connection.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
                    raise
        except sqlite3.Error as error:
            raise StoreError(_plain_sqlite_error(action, error, self.path)) from None
        except OSError as error:
            raise StoreError(f"Could not {action}: {error.strerror or error}.") from None

    # -- saving -----------------------------------------------------------------------------

    def save(self, workspace_id: str, parts: Mapping[str, EncodedPart | None] | None = None, *,
             table: bytes | None = None, table_digest: str | None = None, clear_table: bool = False,
             base_revision=ANY_REVISION) -> str:
        """Write the given parts (``None`` deletes that part) and, if given, the table, in one transaction.

        ``table`` is Parquet bytes; pass ``table_digest`` alone when the store already has
        them (:meth:`has_table`). ``clear_table`` detaches the workspace's table.
        ``base_revision``: the revision this writer last saw; when another writer has saved
        since, :class:`RevisionConflict` is raised and nothing is written (the caller then
        saves everything it has, so the workspace holds one session's work, never a mix).
        Returns the workspace's new revision. Raises StoreError (nothing saved) when the
        workspace would exceed ``max_bytes``.
        """
        if not valid_workspace_id(workspace_id):
            raise StoreError("That workspace id is not valid.")
        parts = dict(parts or {})
        unknown = set(parts) - set(PART_NAMES)
        if unknown:
            raise ValueError(f"unknown workspace parts {sorted(unknown)}")
        if table is not None:
            table_digest = digest(table)
        now = time.time()
        with self._transaction("save the workspace") as db:
            row = db.execute("SELECT table_digest, revision FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
            old_digest = row[0] if row else None
            if base_revision is not ANY_REVISION and (row[1] if row else None) != base_revision:
                raise RevisionConflict("Another tab saved this workspace in the meantime.")
            if row is None:
                db.execute("INSERT INTO workspaces(id, created, touched) VALUES (?, ?, ?)", (workspace_id, now, now))
            if table_digest is not None or clear_table:
                if table_digest is not None:
                    known = db.execute("SELECT 1 FROM tables WHERE digest = ?", (table_digest,)).fetchone()
                    if not known:
                        if table is None:
                            raise StoreError("The table to save is not in the store; save it with its bytes.")
                        db.execute("INSERT INTO tables VALUES (?, ?, ?)", (table_digest, table, len(table)))
                db.execute("UPDATE workspaces SET table_digest = ? WHERE id = ?", (table_digest, workspace_id))
                if old_digest and old_digest != table_digest:
                    _drop_unused_table(db, old_digest)
            for name, part in parts.items():
                if part is None:
                    db.execute("DELETE FROM parts WHERE workspace = ? AND name = ?", (workspace_id, name))
                else:
                    db.execute("INSERT INTO parts VALUES (?, ?, ?, ?, ?) ON CONFLICT(workspace, name) DO UPDATE "
                               "SET json = excluded.json, arrays = excluded.arrays, bytes = excluded.bytes",
                               (workspace_id, name, part.json, part.arrays, part.nbytes))
            revision = secrets.token_hex(8)
            db.execute("UPDATE workspaces SET touched = ?, revision = ? WHERE id = ?", (now, revision, workspace_id))
            size = _workspace_bytes(db, workspace_id)
            if size > self.max_bytes:
                raise _TooLarge(size, self.max_bytes)
        return revision

    def has_table(self, table_digest: str) -> bool:
        try:
            with self._connection() as db:
                return db.execute("SELECT 1 FROM tables WHERE digest = ?", (table_digest,)).fetchone() is not None
        except sqlite3.Error as error:
            raise StoreError(_plain_sqlite_error("read the workspace store", error, self.path)) from None

    # -- reading ----------------------------------------------------------------------------

    def load(self, workspace_id: str, *, touch: bool = True) -> StoredWorkspace | None:
        """The workspace, or None when there is none with this id (never saved, expired, deleted)."""
        if not valid_workspace_id(workspace_id):
            return None
        try:
            with self._connection() as db:
                db.execute("BEGIN")  # one consistent snapshot across the three tables
                row = db.execute("SELECT created, touched, table_digest, revision FROM workspaces WHERE id = ?",
                                 (workspace_id,)).fetchone()
                if row is None:
                    db.execute("COMMIT")
                    return None
                created, touched, table_digest, revision = row
                table = None
                if table_digest is not None:
                    blob = db.execute("SELECT parquet FROM tables WHERE digest = ?", (table_digest,)).fetchone()
                    table = None if blob is None else bytes(blob[0])
                parts = {name: EncodedPart(text, None if arrays is None else bytes(arrays))
                         for name, text, arrays in db.execute(
                             "SELECT name, json, arrays FROM parts WHERE workspace = ?", (workspace_id,))
                         if name in PART_NAMES}
                db.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreError(_plain_sqlite_error("read the workspace", error, self.path)) from None
        if table_digest is not None and (table is None or digest(table) != table_digest):
            raise StoreError("The saved table of this workspace is damaged (its bytes do not match their "
                             "checksum), so the workspace was not opened.")
        if touch:
            with contextlib.suppress(StoreError):
                with self._transaction("update the workspace") as db:
                    db.execute("UPDATE workspaces SET touched = ? WHERE id = ?", (time.time(), workspace_id))
        return StoredWorkspace(workspace_id, created, touched, table, table_digest, parts, revision)

    def workspace_bytes(self, workspace_id: str) -> int:
        with self._connection() as db:
            return _workspace_bytes(db, workspace_id)

    def count(self) -> int:
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM workspaces").fetchone()[0]

    # -- deleting ---------------------------------------------------------------------------

    def delete(self, workspace_id: str) -> bool:
        """Remove the workspace, its parts and (if no other workspace uses it) its table."""
        with self._transaction("delete the workspace") as db:
            row = db.execute("SELECT table_digest FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM parts WHERE workspace = ?", (workspace_id,))
            db.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))
            if row[0]:
                _drop_unused_table(db, row[0])
        return True

    def expire(self, *, now: float | None = None) -> int:
        """Delete workspaces untouched for ``days``, and tables no workspace uses; returns how many."""
        now = time.time() if now is None else now
        cutoff = now - self.days * 86400
        with self._transaction("expire old workspaces") as db:
            gone = db.execute("SELECT count(*) FROM workspaces WHERE touched < ?", (cutoff,)).fetchone()[0]
            db.execute("DELETE FROM parts WHERE workspace IN (SELECT id FROM workspaces WHERE touched < ?)",
                       (cutoff,))
            db.execute("DELETE FROM workspaces WHERE touched < ?", (cutoff,))
            db.execute("DELETE FROM tables WHERE digest NOT IN "
                       "(SELECT table_digest FROM workspaces WHERE table_digest IS NOT NULL)")
        self.last_expiry = now
        return gone

    def expire_if_due(self, *, every: float = 86400.0) -> int | None:
        """:meth:`expire` once ``every`` seconds or more have passed since the last run (else None)."""
        if time.time() - self.last_expiry < every:
            return None
        self.last_expiry = time.time()  # one thread runs it; the others go on
        return self.expire()


class _TooLarge(StoreError):
    def __init__(self, size: int, limit: int):
        super().__init__(
            f"This workspace would hold {size / 2**20:,.1f} MB, more than the {limit / 2**20:,.4g} MB a saved "
            "workspace may hold, so the last change was not saved (it still works in this session). Use a "
            "smaller table, or ask whoever runs Cutoff to raise CUTOFF_WORKSPACE_MB.")
        self.size = size
        self.limit = limit


def _drop_unused_table(db: sqlite3.Connection, table_digest: str) -> None:
    db.execute("DELETE FROM tables WHERE digest = ? AND NOT EXISTS "
               "(SELECT 1 FROM workspaces WHERE table_digest = ?)", (table_digest, table_digest))


def _workspace_bytes(db: sqlite3.Connection, workspace_id: str) -> int:
    # length() of a BLOB comes from the record header; reading the `bytes` columns, which are
    # stored after the blobs, would walk each blob's overflow pages (~10 ms for a 6 MB table, on
    # every slider move's save).
    parts = db.execute("SELECT coalesce(sum(length(CAST(json AS BLOB)) + coalesce(length(arrays), 0)), 0) "
                       "FROM parts WHERE workspace = ?", (workspace_id,)).fetchone()[0]
    table = db.execute("SELECT coalesce(length(t.parquet), 0) FROM workspaces w "
                       "LEFT JOIN tables t ON t.digest = w.table_digest WHERE w.id = ?", (workspace_id,)).fetchone()
    return int(parts) + int(table[0] if table else 0)


def _plain_sqlite_error(action: str, error: sqlite3.Error, path: Path | None) -> str:
    text = str(error)
    lowered = text.lower()
    if "full" in lowered:
        return (f"Could not {action}: the disk holding the workspace store is full. Your work stays open in this "
                "session; free some space to save again.")
    if "locked" in lowered or "busy" in lowered:
        return (f"Could not {action}: the workspace store was busy for more than {BUSY_TIMEOUT_MS // 1000} "
                "seconds (another program holds it locked). Your work stays open in this session; the next "
                "change tries again.")
    if "readonly" in lowered or "read-only" in lowered:
        return (f"Could not {action}: the workspace store {path} is read-only. Your work stays open in this "
                "session.")
    return f"Could not {action} ({text}). Your work stays open in this session."


def open_store(config: StoreConfig | None = None) -> tuple[WorkspaceStore, list[str]]:
    """The store the configuration names and notes to show; an unusable file falls back to memory.

    Never raises for a bad file: the app must start, say that saving to disk is off and why,
    and keep work in memory.
    """
    config = config or StoreConfig.from_env()
    notes = list(config.notes)
    try:
        store = WorkspaceStore(config.path, max_bytes=config.max_bytes, days=config.days)
    except StoreError as error:
        notes.append(f"Saving to disk is off: {error}. Work is kept in this server's memory until it stops. "
                     "Move that file away (or set CUTOFF_STORE) and restart to save to disk again.")
        store = WorkspaceStore(None, max_bytes=config.max_bytes, days=config.days)
    return store, notes
