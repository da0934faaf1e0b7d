"""Shared Streamlit helpers: typed access to the session's state, and the sidebar.

Not a page (``st.navigation`` does not list it). Every page reads and writes the user's
work through these accessors only, so the keys live in one place and a change upstream
(new data, new model) clears what was derived from the old one.

Flow of state: ``Dataset`` (Data page) -> ``Setup`` (Data page) -> ``TrainedModel``
(Train page, *Train a model* mode) -> ``Evaluation`` (the labels and scores the Threshold
page sweeps) -> scenarios (Report page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

MODE_TRAIN = "Train a model"
MODE_SCORES = "Use my scores"
MODES = (MODE_TRAIN, MODE_SCORES)

_KEY_DATASET = "cutoff.dataset"
_KEY_SETUP = "cutoff.setup"
_KEY_MODEL = "cutoff.model"
_KEY_EVALUATION = "cutoff.evaluation"
_KEY_SCENARIOS = "cutoff.scenarios"


@dataclass
class Dataset:
    """A loaded table: an upload or a demo."""

    name: str  # file name or demo title, shown to the user as text
    df: pd.DataFrame
    source: str  # "upload" or "demo"
    demo: Any = None  # core.demos.Demo when source == "demo"
    warnings: list[str] = field(default_factory=list)


@dataclass
class Setup:
    """What the user chose on the Data page."""

    mode: str  # MODE_TRAIN or MODE_SCORES
    target: str
    positive_class: Any
    feature_columns: list[str] = field(default_factory=list)
    score_column: str | None = None
    report: Any = None  # core.data contract report


@dataclass
class TrainedModel:
    """A fitted model with its data split and scores."""

    model: Any  # core.model.LogisticRegressionGD
    prepared: Any  # core.features prepared split (design matrices, names, preprocessor)
    params: dict
    history: pd.DataFrame
    val_scores: np.ndarray
    test_scores: np.ndarray
    mse_history: pd.DataFrame | None = None


@dataclass
class Evaluation:
    """The labels (0/1) and scores the Threshold page evaluates."""

    y: np.ndarray
    scores: np.ndarray
    is_probability: bool
    label: str  # plain words, e.g. "validation split (1,234 rows)" or "all 5,000 rows"


def _get(key: str):
    return st.session_state.get(key)


def get_dataset() -> Dataset | None:
    return _get(_KEY_DATASET)


def set_dataset(dataset: Dataset) -> None:
    """Store a new table and forget everything derived from the previous one."""
    st.session_state[_KEY_DATASET] = dataset
    for key in (_KEY_SETUP, _KEY_MODEL, _KEY_EVALUATION, _KEY_SCENARIOS):
        st.session_state.pop(key, None)


def get_setup() -> Setup | None:
    return _get(_KEY_SETUP)


def set_setup(setup: Setup | None) -> None:
    """Store the Data page's choices; a changed choice invalidates model and scores."""
    if setup != _get(_KEY_SETUP):
        for key in (_KEY_MODEL, _KEY_EVALUATION):
            st.session_state.pop(key, None)
    st.session_state[_KEY_SETUP] = setup


def get_model() -> TrainedModel | None:
    return _get(_KEY_MODEL)


def set_model(model: TrainedModel | None) -> None:
    st.session_state[_KEY_MODEL] = model


def get_evaluation() -> Evaluation | None:
    return _get(_KEY_EVALUATION)


def set_evaluation(evaluation: Evaluation | None) -> None:
    st.session_state[_KEY_EVALUATION] = evaluation


def get_scenarios() -> list[dict]:
    return st.session_state.setdefault(_KEY_SCENARIOS, [])


def render_sidebar() -> None:
    """What is loaded right now, in plain words, on every page."""
    with st.sidebar:
        dataset = get_dataset()
        setup = get_setup()
        evaluation = get_evaluation()
        st.caption("Session")
        st.text(f"Data: {dataset.name if dataset else 'none yet'}")
        if setup is not None:
            st.text(f"Mode: {setup.mode}")
            st.text(f"Target: {setup.target} (positive = {setup.positive_class})")
        if get_model() is not None:
            st.text("Model: trained")
        if evaluation is not None:
            st.text(f"Evaluating: {evaluation.label}")
