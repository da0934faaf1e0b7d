"""core.demos keeps built demo tables on disk: equal to a fresh build, rebuilt when unusable,
never under the project folder, and skipped (not fatal) when the folder cannot be written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from core import demos
from core.features import build_preprocessor


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty demo cache folder, and the per-process cache emptied before and after."""
    folder = tmp_path / "demos"
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", str(folder))
    demos._cached.cache_clear()
    yield folder
    demos._cached.cache_clear()


def test_breast_cancer_feature_names_are_scikit_learns():
    assert demos.DEMOS["breast_cancer"].features == tuple(load_breast_cancer().feature_names.tolist())


@pytest.mark.parametrize("key", list(demos.DEMOS))
def test_a_stored_table_is_the_built_table(cache, key, monkeypatch):
    built = demos.load_demo(key)
    files = list(cache.glob(f"{key}-*.parquet"))
    assert len(files) == 1 and not list(cache.glob(".*partial"))
    demos._cached.cache_clear()

    def no_build(_key):
        raise AssertionError("the stored table should have been read, not rebuilt")

    monkeypatch.setattr(demos, "build_demo", no_build)
    loaded = demos.load_demo(key)
    pd.testing.assert_frame_equal(loaded, built, check_exact=True)
    assert loaded.attrs == {"warnings": []}
    assert [str(t) for t in loaded.dtypes] == [str(t) for t in built.dtypes]


def test_an_unreadable_file_is_rebuilt_and_replaced(cache):
    first = demos.load_demo("breast_cancer")
    (path,) = cache.glob("breast_cancer-*.parquet")
    path.write_bytes(b"PAR1 not really")
    demos._cached.cache_clear()
    pd.testing.assert_frame_equal(demos.load_demo("breast_cancer"), first)
    demos._cached.cache_clear()
    pd.testing.assert_frame_equal(demos._read_built(path, demos.DEMOS["breast_cancer"]), first)


def test_a_table_missing_the_demo_columns_is_not_used(cache):
    demos.load_demo("breast_cancer")
    (path,) = cache.glob("breast_cancer-*.parquet")
    from core.workspace import encode_table

    path.write_bytes(encode_table(pd.DataFrame({"diagnosis": ["benign"]})))
    assert demos._read_built(path, demos.DEMOS["breast_cancer"]) is None


def test_the_file_name_changes_with_the_code_it_was_built_by(cache, monkeypatch):
    demos.load_demo("breast_cancer")
    demos._cached.cache_clear()
    monkeypatch.setattr(demos, "_build_digest", lambda: "0123456789abcdef")
    demos.load_demo("breast_cancer")
    assert len(list(cache.glob("breast_cancer-*.parquet"))) == 2


def test_a_folder_that_cannot_be_written_only_skips_the_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", str(blocker / "demos"))
    demos._cached.cache_clear()
    try:
        df = demos.load_demo("breast_cancer")
    finally:
        demos._cached.cache_clear()
    assert len(df) == 569 and blocker.read_text() == "not a folder"


def test_where_the_cache_lives(tmp_path):
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": "off"}) is None
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": " OFF "}) is None
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": str(tmp_path)}) == tmp_path
    assert demos.demo_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "cutoff" / "demos"
    assert demos.demo_cache_dir({}) == Path.home() / ".cache" / "cutoff" / "demos"
    # never under the project folder, however it is named
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": str(demos.PROJECT_ROOT / "cache")}) is None
    assert demos.demo_cache_dir({"XDG_CACHE_HOME": str(demos.PROJECT_ROOT)}) is None


def test_reference_scores_are_scikit_learns_out_of_fold_probabilities():
    """Fitting on one BLAS thread changes the speed, not the scores."""
    demo = demos.DEMOS["loan_default"]
    df = demo.build()
    features = df[list(demo.features)]
    y = (df[demo.target] == demo.positive_class).to_numpy().astype(int)
    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c].dtype)]
    X = build_preprocessor(numeric, [c for c in features.columns if c not in numeric]).fit_transform(features)
    expected = cross_val_predict(LogisticRegression(C=1.0, max_iter=1_000), X, y,
                                 cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
                                 method="predict_proba")[:, 1]
    np.testing.assert_allclose(demos.reference_scores(features, y), expected, atol=5e-5 + 1e-9)


def _prepare(env: dict[str, str]):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "core.demos"], cwd=demos.PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_python_m_core_demos_stores_every_demo_once_and_the_server_then_reads_them(cache, monkeypatch):
    import os

    env = {**os.environ, "CUTOFF_DEMO_CACHE": str(cache)}
    first = _prepare(env)
    assert first.returncode == 0, first.stderr
    assert "Built and stored 3 demo table(s)" in first.stdout and str(cache) in first.stdout
    files = sorted(cache.glob("*.parquet"))
    assert [f.name.split("-")[0] for f in files] == sorted(demos.DEMOS)
    stamps = [f.stat().st_mtime_ns for f in files]

    again = _prepare(env)  # a second `make run`: nothing rebuilt
    assert again.returncode == 0 and "already stored" in again.stdout
    assert [f.stat().st_mtime_ns for f in sorted(cache.glob("*.parquet"))] == stamps

    def no_build(_key):
        raise AssertionError("a prepared table should be read, not rebuilt")

    monkeypatch.setattr(demos, "build_demo", no_build)  # what a server started afterwards does
    for key in demos.DEMOS:
        assert demos.load_demo(key)[demos.DEMOS[key].score_column].between(0, 1).all()


def test_prepare_rebuilds_only_the_missing_or_unusable_table(cache, monkeypatch):
    demos.prepare_demo_cache()
    (broken,) = cache.glob("card_fraud-*.parquet")
    broken.write_bytes(b"PAR1 not really")
    built = []
    real = demos.build_demo
    monkeypatch.setattr(demos, "build_demo", lambda key: built.append(key) or real(key))
    folder, now, failed = demos.prepare_demo_cache()
    assert (folder, now, failed, built) == (cache, ["card_fraud"], [], ["card_fraud"])
    assert demos._read_built(broken, demos.DEMOS["card_fraud"]) is not None


def test_prepare_says_when_the_folder_cannot_be_written_or_the_cache_is_off(tmp_path):
    import os

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    failed = _prepare({**os.environ, "CUTOFF_DEMO_CACHE": str(blocker / "demos")})
    assert failed.returncode == 1 and "Could not store" in failed.stdout and "CUTOFF_DEMO_CACHE" in failed.stdout
    off = _prepare({**os.environ, "CUTOFF_DEMO_CACHE": "off"})
    assert off.returncode == 0 and "not kept on disk" in off.stdout and not failed.stderr


def test_make_run_prepares_the_demo_tables_before_it_starts_the_server():
    recipe = (demos.PROJECT_ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in recipe.splitlines()[1:] if not line.strip().startswith("@#")]
    assert commands[0] == "-$(PY) -m core.demos" and commands[1].startswith("$(PY) -m pages._server ")
