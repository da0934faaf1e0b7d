"""Workspaces in the app: the id in the URL, restore on open, autosave, the file, the notices.

Not a page. ``streamlit_app.py`` calls :func:`begin` before a page runs and :func:`autosave`
after it (in a ``finally``, since ``st.stop`` raises inside the page); the Threshold page's
slider fragment calls :func:`save_settings`, which writes only the small settings row. The
Data page shows :func:`data_page_section` (the ``Open a workspace file`` uploader and where
work is kept); the Report page shows :func:`report_page_buttons` (``Download workspace``,
``Delete this workspace``).

What is saved is read through ``pages/_ui.py``'s accessors and converted generically: every
field of ``Dataset``, ``Setup``, ``TrainedModel`` and ``Evaluation`` that the workspace format
can hold (``core.workspace.encode_value``), so a field added later persists without a change
here. Derived objects are rebuilt instead of stored: the data report from the setup, the
model's split and preprocessor with ``_ui.prepared_split`` (seeded, so the same), then the
estimator from its parameters and learned attributes (``coef_``, ``intercept_``, ``history_``,
weight snapshots) — never a pickle. The Threshold page's settings are the session keys that
start with ``threshold.``.

Autosave compares each part with what this session last saved (by object identity for the
big ones, by digest of the small JSON for the rest), so an unchanged run writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import store as core_store
from core import workspace as core_workspace
from core.errors import DataError
from core.store import RevisionConflict, StoreConfig, StoreError, WorkspaceStore
from core.workspace import EncodedPart, decode_part, decode_table, encode_part, encode_table, encode_value
from pages import _ui

log = logging.getLogger(__name__)

PARAM = "w"
SETTINGS_PREFIX = "threshold."
#: URL parameters that carry a Threshold-page setting (the page's own mirror of its inputs).
SETTING_PARAMS = ("t", "fp", "fn", "tp", "tn", "fpa", "fna", "tpa", "tna")
# The settings key that ties the Threshold page's values to the data they were set on.
_CONTEXT_KEY = "threshold.context"

KEY_ID = "workspace.id"
_KEY_SAVED = "workspace.saved"
_KEY_NOTICES = "workspace.notices"
_KEY_SAVE_ERROR = "workspace.save_error"
_KEY_OPEN = "workspace.open_file"

# Process-wide: content token of a table -> digest of its Parquet bytes, so a table the
# store already holds is not encoded again for every session that uses it.
_TABLE_DIGESTS: dict[str, str] = {}


# ---------------------------------------------------------------------------------------
# The store (one per server process).


@st.cache_resource(show_spinner=False)
def _opened() -> tuple[WorkspaceStore, tuple[str, ...]]:
    store, notes = core_store.open_store(StoreConfig.from_env())
    try:
        store.expire()
    except StoreError as error:
        notes.append(str(error))
    return store, tuple(notes)


def store() -> WorkspaceStore:
    return _opened()[0]


def workspace_id() -> str | None:
    return st.session_state.get(KEY_ID)


# ---------------------------------------------------------------------------------------
# Notices: shown at the top of the page they were raised on, until the user moves on.


def _notify(message: str, kind: str = "warning") -> None:
    st.session_state.setdefault(_KEY_NOTICES, []).append({"text": message, "kind": kind, "page": None})


def _show_notices(page_key: str) -> None:
    notices = [n for n in st.session_state.get(_KEY_NOTICES, []) if n["page"] in (None, page_key)]
    for notice in notices:
        notice["page"] = page_key
        getattr(st, notice["kind"])(_ui.escape_markdown(notice["text"]))
    st.session_state[_KEY_NOTICES] = notices
    error = st.session_state.get(_KEY_SAVE_ERROR)
    if error:
        st.warning(_ui.escape_markdown(f"Not saved: {error}"))


# ---------------------------------------------------------------------------------------
# Opening: once per session, before any page runs.


def begin(page_key: str = "") -> None:
    """Give the session its workspace (restored from ``w`` when the link has one) and keep ``w``
    in the URL; show the notices of this page. Call before the page runs, on every full run."""
    saved_store, startup_notes = _opened()
    if KEY_ID not in st.session_state:
        for note in startup_notes:
            _notify(note)
        _open_session(saved_store)
    with_expiry_check(saved_store)
    wid = st.session_state[KEY_ID]
    if st.query_params.get(PARAM) != wid:
        st.query_params[PARAM] = wid
    _show_notices(page_key)


def with_expiry_check(saved_store: WorkspaceStore) -> None:
    """Delete expired workspaces once a day (the first run after a day has passed does it)."""
    try:
        saved_store.expire_if_due()
    except StoreError as error:
        log.warning("workspace expiry failed: %s", error)


def _open_session(saved_store: WorkspaceStore) -> None:
    requested = st.query_params.get(PARAM)
    link_settings = [p for p in SETTING_PARAMS if p in st.query_params]
    st.session_state[KEY_ID] = core_store.new_workspace_id()
    if requested is None:
        return
    stored = None
    problem = None
    if not core_store.valid_workspace_id(requested):
        problem = "this link's workspace id is not valid"
    else:
        try:
            stored = saved_store.load(requested)
        except StoreError as error:
            problem = str(error)
        if stored is None and problem is None:
            problem = (f"no saved workspace matches this link (unused workspaces are deleted after "
                       f"{_days(saved_store)}, the Delete button removes one at once, and a link only opens on "
                       "the server that saved it)")
    if stored is not None:
        try:
            table, values = _decode_stored(stored)
            _apply(table, values, keep_link_settings=bool(link_settings))
        except DataError as error:
            problem = f"the saved workspace could not be restored ({error})"
        except Exception as error:  # whatever a saved workspace holds, the app must open
            log.exception("workspace %s could not be restored", requested)
            problem = f"the saved workspace could not be restored ({type(error).__name__})"
        else:
            st.session_state[KEY_ID] = requested
            _remember_saved(stored)
            return
    message = f"A new workspace was started: {problem}."
    if link_settings:
        # The link's threshold and costs were chosen on data this session does not have: say
        # so, rather than apply them to whatever is loaded now.
        shown = ", ".join(f"{p}={st.query_params.get(p)}" for p in link_settings)
        for param in link_settings:
            del st.query_params[param]
        message += (f" The link's setting ({shown}) was made on other data, so it was not applied here. "
                    "Load that data, then set the threshold and costs again.")
    _notify(message)


def _days(saved_store: WorkspaceStore) -> str:
    days = saved_store.days
    return f"{days:g} day" + ("" if days == 1 else "s")


def _decode_stored(stored) -> tuple:
    table = decode_table(stored.table) if stored.table is not None else None
    values = {name: decode_part(part, f"saved {name}") for name, part in stored.parts.items()}
    return table, values


# ---------------------------------------------------------------------------------------
# Session objects <-> plain values.


def _plain_fields(obj, skip: tuple[str, ...] = ()) -> dict:
    """The dataclass's fields the workspace format can hold (others are left out, and logged)."""
    out = {}
    for f in dataclasses.fields(obj):
        if f.name in skip or not f.compare:  # compare=False marks a derived field (Setup.report)
            continue
        value = getattr(obj, f.name)
        try:
            encode_value(value, {})
        except TypeError as error:
            log.info("workspace: %s.%s not saved (%s)", type(obj).__name__, f.name, error)
            continue
        out[f.name] = value
    return out


def _known(cls, values: dict) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in values.items() if k in names}


def _dataset_value(dataset) -> dict:
    fields = _plain_fields(dataset, skip=("df", "demo"))
    demo = getattr(dataset, "demo", None)
    return {"fields": fields, "demo": getattr(demo, "key", None)}


def _setup_value(setup) -> dict:
    return {"fields": _plain_fields(setup)}


def _estimator_value(estimator) -> dict:
    learned = {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")}
    storable = {}
    for name, value in learned.items():
        try:
            encode_value(value, {})
        except TypeError:
            continue
        storable[name] = value
    return {"class": type(estimator).__name__, "params": estimator.get_params(), "learned": storable}


def _design_digest(prepared) -> str:
    """Identity of the prepared design matrix (its first rows, all columns): a restore checks it
    rebuilt the very same preprocessing before trusting the saved weights with it."""
    X = np.ascontiguousarray(prepared.X_train[:256])
    return hashlib.blake2b(repr(prepared.X_train.shape).encode() + X.tobytes(), digest_size=16).hexdigest()


def _model_value(trained) -> dict:
    return {"estimator": _estimator_value(trained.model), "fields": _plain_fields(trained, skip=("model", "prepared")),
            "design": _design_digest(trained.prepared)}


def _evaluation_value(evaluation) -> dict:
    return {"fields": _plain_fields(evaluation)}


def _storable(record: dict) -> dict:
    """``record`` without the entries the workspace format cannot hold (logged): one odd value
    must not stop the rest of the work from being saved."""
    kept = {}
    for key, value in record.items():
        try:
            encode_value({key: value}, {})
        except TypeError as error:
            log.info("workspace: scenario entry %r not saved (%s)", key, error)
            continue
        kept[key] = value
    return kept


def _scenarios_value(scenarios: list) -> list:
    items = []
    for scenario in scenarios:
        if hasattr(scenario, "to_dict"):
            items.append({"typed": type(scenario).__name__, "data": _storable(scenario.to_dict())})
        else:
            items.append({"typed": None, "data": _storable(dict(scenario))})
    return items


def _settings_value() -> dict:
    settings = {}
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(SETTINGS_PREFIX):
            value = st.session_state[key]
            try:
                encode_value(value)
            except TypeError:
                continue
            settings[key] = value
    return settings


def _restore_dataset(value: dict, table):
    from core.demos import DEMOS

    if table is None:
        raise DataError("the workspace has no table")
    fields = _known(_ui.Dataset, value["fields"])
    demo = DEMOS.get(value.get("demo")) if value.get("demo") is not None else None
    dataset = _ui.Dataset(df=table, demo=demo, **{k: v for k, v in fields.items() if k not in ("df", "demo")})
    if demo is not None and dataset.token == f"demo:{demo.key}":
        # The token keys caches shared by every session: if this app's demo table differs
        # from the saved one (a newer Cutoff), the saved table gets an identity of its own.
        current = _ui.load_demo_dataset(demo.key).df
        if not current.equals(table):
            dataset.token = "workspace:" + core_workspace.digest(encode_table(table))
    return dataset


def _report_for(dataset, setup):
    if setup.mode == _ui.MODE_TRAIN:
        return _ui.describe(dataset, setup.target, setup.positive_class, setup.feature_columns)
    return _ui.describe(dataset, setup.target, setup.positive_class, require_split=False)


def _restore_setup(value: dict, dataset):
    setup = _ui.Setup(**_known(_ui.Setup, value["fields"]))
    try:
        setup.report = _report_for(dataset, setup)
    except (DataError, KeyError) as error:
        raise DataError(f"its Data-page choices do not fit its table ({error})") from None
    return setup


def _restore_estimator(value: dict):
    from core.model import LogisticRegressionGD

    if value.get("class") != LogisticRegressionGD.__name__:
        raise DataError(f"unknown model type {value.get('class')!r}")
    valid = set(LogisticRegressionGD().get_params())
    estimator = LogisticRegressionGD(**{k: v for k, v in value["params"].items() if k in valid})
    for name, learned in value["learned"].items():
        if not (isinstance(name, str) and name.endswith("_") and name.isidentifier() and not name.startswith("_")):
            raise DataError(f"bad model attribute {name!r}")
        setattr(estimator, name, learned)
    coef = getattr(estimator, "coef_", None)
    intercept = getattr(estimator, "intercept_", None)
    if not (isinstance(coef, np.ndarray) and coef.ndim == 2 and coef.shape[0] == 1
            and isinstance(intercept, np.ndarray) and intercept.shape == (1,)):
        raise DataError("the model's coefficients are missing or malformed")
    return estimator


# The share of rows the Train page keeps aside as a test split in nested cross-validation,
# when a saved model does not say (its params record whether it was nested).
_NESTED_TEST_SHARE = 0.2


def _prepared_for(dataset, setup, params: dict):
    """The data preparation the model was trained on, rebuilt (seeded, so the same)."""
    if params.get("validation") == "cv":
        from core.features import prepare_folds

        report = _ui.describe(dataset, setup.target, setup.positive_class, setup.feature_columns)
        test_share = params.get("test_share", _NESTED_TEST_SHARE if params.get("nested") else None)
        return prepare_folds(dataset.df, report, k=int(params["folds"]), repeats=int(params.get("repeats", 1)),
                             seed=0, test_share=test_share).final
    return _ui.prepared_split(dataset, setup)


def _restore_model(value: dict, dataset, setup):
    estimator = _restore_estimator(value["estimator"])
    fields = _known(_ui.TrainedModel, value["fields"])
    prepared = _prepared_for(dataset, setup, fields.get("params") or {})
    if prepared.X_train.shape[1] != estimator.coef_.shape[1] or value.get("design") != _design_digest(prepared):
        raise DataError("its model's data preparation could not be rebuilt exactly from its table, so the saved "
                        "weights were not used")
    return _ui.TrainedModel(model=estimator, prepared=prepared, **fields)


def _restore_evaluation(value: dict):
    return _ui.Evaluation(**_known(_ui.Evaluation, value["fields"]))


def _restore_scenarios(items: list) -> list:
    scenarios = []
    for item in items:
        typed, data = item.get("typed"), item["data"]
        if typed:
            try:
                from core import scenario as core_scenario

                scenarios.append(getattr(core_scenario, typed).from_dict(data))
                continue
            except (ImportError, AttributeError):
                pass
        scenarios.append(data)
    return scenarios


def _build(table, values: dict) -> dict:
    """Every session object of a decoded workspace; raises DataError before anything is applied."""
    try:
        dataset = _restore_dataset(values["dataset"], table)
        setup = _restore_setup(values["setup"], dataset) if values.get("setup") is not None else None
        model = None
        if values.get("model") is not None:
            if setup is None:
                raise DataError("it has a model but no Data-page choices")
            model = _restore_model(values["model"], dataset, setup)
        evaluation = _restore_evaluation(values["evaluation"]) if values.get("evaluation") is not None else None
        scenarios = _restore_scenarios(values.get("scenarios") or [])
        settings = {k: v for k, v in (values.get("settings") or {}).items()
                    if isinstance(k, str) and k.startswith(SETTINGS_PREFIX)}
    except DataError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DataError(f"its contents are not what Cutoff writes ({type(error).__name__}: {error})") from None
    return {"dataset": dataset, "setup": setup, "model": model, "evaluation": evaluation, "scenarios": scenarios,
            "settings": settings}


def _apply(table, values: dict, *, keep_link_settings: bool = False) -> None:
    """Replace the session's work with a decoded workspace (all or nothing)."""
    built = _build(table, values)
    old = _ui.get_dataset()
    tokens = {t for t in (getattr(old, "token", None), built["dataset"].token) if t}
    for key in list(st.session_state.keys()):
        if not isinstance(key, str):
            continue
        # The Threshold page's inputs, and Data-page widgets keyed by either table, would
        # otherwise carry the previous work's choices over the restored ones.
        if key.startswith(SETTINGS_PREFIX) or (key.startswith("data.") and any(t in key for t in tokens)):
            with _suppress_widget_errors():
                del st.session_state[key]
    _ui.set_dataset(built["dataset"])
    _ui.set_setup(built["setup"])
    _ui.set_model(built["model"])
    _ui.set_evaluation(built["evaluation"])
    scenarios = _ui.get_scenarios()
    scenarios.clear()
    scenarios.extend(built["scenarios"])
    settings = dict(built["settings"])
    if keep_link_settings:
        # The link carries its own threshold and costs: let the Threshold page start from them
        # (it applies a link's values only to a session that has not set any).
        settings.pop(_CONTEXT_KEY, None)
    for key, value in settings.items():
        with _suppress_widget_errors():
            st.session_state[key] = value
    _ui.set_load_error(None)


class _suppress_widget_errors:
    """Some widget values cannot be set from code (buttons, uploaders); skip those."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        return kind is not None and issubclass(kind, (StreamlitAPIException, KeyError))


# ---------------------------------------------------------------------------------------
# Saving.


_BIG_PARTS = ("dataset", "model", "evaluation")


def _encoded_now(saved: dict, *, full: bool = False) -> tuple[dict[str, EncodedPart | None], tuple | None]:
    """The parts that differ from what was last saved (every part when ``full``), and the
    table as (digest, Parquet bytes or None when the store has them) when it changed.

    Records what would be saved under ``saved["_pending"]``; :func:`_save` keeps it on success.
    """
    changes: dict[str, EncodedPart | None] = {}
    pending = saved["_pending"] = {}
    dataset = _ui.get_dataset()
    objects = {"dataset": dataset, "model": _ui.get_model(), "evaluation": _ui.get_evaluation()}
    encoders = {"dataset": _dataset_value, "model": _model_value, "evaluation": _evaluation_value}
    for name, obj in objects.items():
        previous = None if full else saved.get(name)
        if previous is not None and previous[0] is obj:
            continue
        part = None if obj is None else encode_part(encoders[name](obj))
        if previous is None and part is None and not full:
            continue
        changes[name] = part
        pending[name] = (obj, part.digest if part else None)
    table_change = None
    if "dataset" in changes and dataset is not None:
        table_change = _table_for(dataset)
        if table_change[0] == saved.get("_table") and not full:
            table_change = None
    setup = _ui.get_setup()
    small = {"setup": None if setup is None else _setup_value(setup), "scenarios": _scenarios_value(_ui.get_scenarios()),
             "settings": _settings_value()}
    for name, value in small.items():
        part = None if value is None else encode_part(value)
        digest = None if part is None else part.digest
        previous = saved.get(name)
        if not full and (previous[1] if previous else None) == digest:
            continue
        changes[name] = part
        pending[name] = (None, digest)
    return changes, table_change


def _table_for(dataset) -> tuple[str, bytes | None]:
    token = getattr(dataset, "token", "")
    known = _TABLE_DIGESTS.get(token) if token else None
    if known is not None:
        try:
            if store().has_table(known):
                return known, None
        except StoreError:
            pass
    data = encode_table(dataset.df)
    table_digest = core_workspace.digest(data)
    if token:
        _TABLE_DIGESTS[token] = table_digest
    return table_digest, data


def _remember_saved(stored) -> None:
    """After a restore: what the store holds now, so the next autosave writes only changes."""
    saved = {}
    for name, obj in (("dataset", _ui.get_dataset()), ("model", _ui.get_model()), ("evaluation", _ui.get_evaluation())):
        if name in stored.parts and obj is not None:
            saved[name] = (obj, stored.parts[name].digest)
    # The small parts are compared with what this session would write, so they are saved
    # once more after a restore (a few hundred bytes).
    saved["_table"] = stored.table_digest
    saved["_revision"] = stored.revision
    st.session_state[_KEY_SAVED] = saved


def _write(saved: dict, changes: dict, table_change) -> None:
    kwargs = {}
    if table_change is not None:
        kwargs = {"table": table_change[1]} if table_change[1] is not None else {"table_digest": table_change[0]}
    saved["_revision"] = store().save(workspace_id(), changes, base_revision=saved.get("_revision"), **kwargs)
    saved.update(saved.pop("_pending", {}))
    if table_change is not None:
        saved["_table"] = table_change[0]


def _save(saved: dict, changes: dict, table_change) -> bool:
    """Write the changes; if another tab saved in between, write everything this session has
    (the last change wins, whole). False (and the reason kept for a notice) when it failed."""
    if workspace_id() is None or (not changes and table_change is None):
        saved.pop("_pending", None)
        return True
    try:
        try:
            _write(saved, changes, table_change)
        except RevisionConflict:
            changes, table_change = _encoded_now(saved, full=True)
            if table_change is not None and table_change[1] is None and not store().has_table(table_change[0]):
                table_change = (table_change[0], encode_table(_ui.get_dataset().df))
            saved["_revision"] = core_store.ANY_REVISION
            _write(saved, changes, table_change)
    except StoreError as error:
        saved.pop("_pending", None)
        st.session_state[_KEY_SAVE_ERROR] = str(error)
        return False
    st.session_state[_KEY_SAVE_ERROR] = None
    return True


def autosave() -> None:
    """Save whatever changed since this session last saved (call after the page ran)."""
    if workspace_id() is None:
        return
    saved = st.session_state.setdefault(_KEY_SAVED, {})
    try:
        changes, table_change = _encoded_now(saved)
    except (TypeError, ValueError) as error:  # a value the format cannot hold: say so, keep working
        saved.pop("_pending", None)
        st.session_state[_KEY_SAVE_ERROR] = f"this workspace holds something that cannot be saved ({error})."
        log.warning("workspace not saved: %s", error)
        return
    if not _save(saved, changes, table_change):
        with _suppress_script_control():
            st.toast(f"Not saved: {st.session_state[_KEY_SAVE_ERROR]}", icon="⚠️")


def save_settings() -> None:
    """Save the Threshold page's settings row, and the scenarios if one was just saved, from
    the slider's fragment (whose reruns do not run the entry script, so not :func:`autosave`).

    A slider move rewrites only the settings row: JSON of a dozen values (~0.2 ms) and one
    small UPSERT in WAL mode without fsync on a pooled connection, measured here at 0.2 ms
    median per save (p95 6–12 ms only while other processes kept both cores busy): inside
    the 5 ms budget of a slider move.
    """
    if workspace_id() is None:
        return
    saved = st.session_state.setdefault(_KEY_SAVED, {})
    changes, pending = {}, {}
    for name, value in (("settings", _settings_value()), ("scenarios", _scenarios_value(_ui.get_scenarios()))):
        try:
            part = encode_part(value)
        except (TypeError, ValueError) as error:
            log.warning("workspace %s not saved: %s", name, error)
            continue
        previous = saved.get(name)
        if previous is None or previous[1] != part.digest:
            changes[name], pending[name] = part, (None, part.digest)
    if not changes:
        return
    saved["_pending"] = pending
    if not _save(saved, changes, None):
        st.toast(f"Not saved: {st.session_state[_KEY_SAVE_ERROR]}", icon="⚠️")


class _suppress_script_control:
    """A toast after the page ran may meet the script being stopped or rerun: nothing to show then."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        return kind is not None and issubclass(kind, Exception)


# ---------------------------------------------------------------------------------------
# The file: download and open.


def _snapshot() -> dict:
    """The session's work as it is now (a download is built later, outside the script run)."""
    return {"dataset": _ui.get_dataset(), "setup": _ui.get_setup(), "model": _ui.get_model(),
            "evaluation": _ui.get_evaluation(), "scenarios": list(_ui.get_scenarios()), "settings": _settings_value()}


def workspace_file_bytes(snapshot: dict | None = None) -> bytes:
    """The session's work (or a :func:`_snapshot` of it) as a ``.cutoff`` file."""
    work = snapshot or _snapshot()
    dataset = work["dataset"]
    if dataset is None:
        raise DataError("There is no table loaded, so there is no workspace to download.")
    parts = {"dataset": encode_part(_dataset_value(dataset))}
    if work["setup"] is not None:
        parts["setup"] = encode_part(_setup_value(work["setup"]))
    if work["model"] is not None:
        parts["model"] = encode_part(_model_value(work["model"]))
    if work["evaluation"] is not None:
        parts["evaluation"] = encode_part(_evaluation_value(work["evaluation"]))
    parts["scenarios"] = encode_part(_scenarios_value(work["scenarios"]))
    parts["settings"] = encode_part(work["settings"])
    return core_workspace.write_workspace_file(encode_table(dataset.df), parts)


def open_workspace_file(data: bytes) -> None:
    """Restore a ``.cutoff`` file into a new workspace; DataError (nothing changed) when it cannot be."""
    limit = max(store().max_bytes, 1) + (8 << 20)
    opened = core_workspace.read_workspace_file(data, max_bytes=limit)
    if opened.table is None:
        raise DataError("The workspace file holds no table.")
    table = decode_table(opened.table)
    values = {name: decode_part(part, name) for name, part in opened.parts.items()}
    if "dataset" not in values:
        raise DataError("The workspace file has no dataset description (dataset.json).")
    try:
        _apply(table, values)
    except DataError as error:
        raise DataError(f"The workspace file could not be restored: {error}.") from None
    st.session_state[KEY_ID] = core_store.new_workspace_id()
    st.session_state[_KEY_SAVED] = {}
    st.query_params.clear()
    st.query_params[PARAM] = st.session_state[KEY_ID]


def _on_open_file() -> None:
    uploaded = st.session_state.get(_KEY_OPEN)
    if uploaded is None:
        return
    try:
        open_workspace_file(uploaded.getvalue())
    except DataError as error:
        _ui.set_load_error(f"“{uploaded.name}” was not opened. {error}")
        return
    except Exception as error:  # nothing in a file may take the app down
        log.exception("workspace file %r could not be opened", uploaded.name)
        _ui.set_load_error(f"“{uploaded.name}” was not opened: its contents could not be restored "
                           f"({type(error).__name__}). Only open files made with Download workspace.")
        return
    _notify(f"Opened “{uploaded.name}” as a new workspace: its table, choices, model, scenarios and "
            "threshold settings are back.", kind="success")


def storage_sentence(saved_store: WorkspaceStore | None = None) -> str:
    """Where work is kept, for how long, and who can open it — in one sentence."""
    saved_store = saved_store or store()
    if saved_store.in_memory:
        return ("Your work is kept in this server's memory only, until the server stops; anyone with this "
                "page's link (its w= part) can open it, data included, while it runs.")
    return (f"Your work is saved as you go on this server ({saved_store.path}) and deleted after "
            f"{_days(saved_store)} unused; anyone with this page's link (its w= part) can open it, data included.")


def data_page_section() -> None:
    """The Data page's workspace furniture: the storage sentence and ``Open a workspace file``."""
    st.caption(_ui.escape_markdown(storage_sentence()))
    st.file_uploader(
        "Open a workspace file",
        type=[core_workspace.FILE_SUFFIX.lstrip(".")],
        key=_KEY_OPEN,
        on_change=_on_open_file,
        help="A .cutoff file from Download workspace (Report page): restores its table, choices, model, "
             "scenarios and threshold settings as a new workspace.",
    )


def _on_delete() -> None:
    wid = workspace_id()
    try:
        if wid is not None:
            store().delete(wid)
    except StoreError as error:
        _notify(str(error))
        return
    keep = {k: v for k, v in st.session_state.items() if k == _KEY_NOTICES}
    for key in list(st.session_state.keys()):
        with _suppress_widget_errors():
            del st.session_state[key]
    st.query_params.clear()
    for key, value in keep.items():
        st.session_state[key] = value
    _notify("This workspace was deleted: its table, model, scenarios and settings are gone from this server. "
            "A new workspace has started with the demo data.", kind="success")


def report_page_buttons() -> None:
    """``Download workspace`` and ``Delete this workspace`` (Report page)."""
    dataset = _ui.get_dataset()
    left, right = st.columns(2)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (dataset.name if dataset else "").lower())
    stem = stem.strip("-")[:40] or "cutoff"
    with left:
        st.download_button(
            "Download workspace", data=lambda work=_snapshot(): workspace_file_bytes(work), file_name=f"{stem}{core_workspace.FILE_SUFFIX}",
            mime="application/zip", on_click="ignore", key="workspace.download", disabled=dataset is None,
            help="One .cutoff file with the table, choices, model, scenarios and settings. Open it on any "
                 "Cutoff with Open a workspace file (Data page).",
        )
    with right:
        st.button("Delete this workspace", key="workspace.delete", on_click=_on_delete,
                  help="Removes this workspace (table included) from the server at once; the page starts afresh.")


def sidebar_note() -> None:
    """One line under the sidebar's session summary: the work is saved and the link opens it."""
    saved_store = store()
    with st.sidebar:
        if st.session_state.get(_KEY_SAVE_ERROR):
            st.caption("Workspace: not saved (see the notice)")
        elif saved_store.in_memory:
            st.caption("Workspace: kept in memory; this link opens it, data included")
        else:
            st.caption("Workspace: saved; this link opens it, data included")

