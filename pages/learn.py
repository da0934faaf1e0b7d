"""Learn: the lesson behind the model, computed live on the numbers on screen."""

import numpy as np
import pandas as pd
import streamlit as st

from core import lesson
from core.demos import DEMOS
from core.errors import DataError
from core.training_charts import line_chart, loss_curves_chart
from pages import _ui


# Where the Train page's Epoch slider stands: {"key": setup key, "epoch": int} (pages/train.py sets it).
_SCRUBBED_EPOCH_KEY = "train.scrubbed_epoch"


@st.cache_data(max_entries=16, show_spinner=False)
def _descent(setup_key: str, feature: str, learning_rate: float, epochs: int, _data) -> dict:
    """Gradient descent on the one-weight model, log-loss and MSE; keyed on what defines ``_data``."""
    return {loss: lesson.descent_path(_data, learning_rate=learning_rate, epochs=epochs, loss=loss) for loss in ("log", "mse")}


def _descent_point():
    """(learning rate, epoch, setup key) of the trained model at the Train page's Epoch slider, on these data."""
    trained, dataset, setup = _ui.get_model(), _ui.get_dataset(), _ui.get_setup()
    scrubbed = st.session_state.get(_SCRUBBED_EPOCH_KEY)
    if trained is None or dataset is None or setup is None or not scrubbed:
        return None
    if setup.mode != _ui.MODE_TRAIN or scrubbed["key"] != _ui.setup_key(dataset, setup):
        return None
    if trained.params.get("validation") == "cv":  # no Epoch slider for a cross-validated model
        return None
    return float(trained.params["learning_rate"]), int(scrubbed["epoch"]), scrubbed["key"]


def _lesson_data():
    """(prepared split, words naming it): the session's data when it can be used, else the first demo."""
    dataset, setup = _ui.get_dataset(), _ui.get_setup()
    if dataset is not None:
        try:
            if setup is None or setup.mode != _ui.MODE_TRAIN:
                setup = _ui.default_setup(dataset)
            return _ui.prepared_split(dataset, setup), f"your data ({dataset.name}), training rows"
        except DataError:
            pass
    demo = _ui.load_demo_dataset(next(iter(DEMOS)))
    return _ui.prepared_split(demo, _ui.default_setup(demo)), f"the demo {demo.name}, training rows"


st.title("Learn")
st.markdown(
    "How the model learns, shown with real numbers. Everything on this page is computed as you move the "
    "controls: nothing here is a picture."
)

# 1. One prediction, one penalty -----------------------------------------------------------
st.header("1. One prediction, one penalty")
st.markdown(
    "The model gives each row a probability ŷ that it is positive. Log-loss charges **−log(ŷ)** when the "
    "truth is 1 and **−log(1 − ŷ)** when the truth is 0: small when the model was confident and right, "
    "huge when it was confident and wrong."
)
left, right = st.columns([1, 2])
with left:
    truth = st.radio(
        "True answer (y)", [1, 0], format_func=lambda v: f"{v} ({'positive' if v else 'negative'})", horizontal=True
    )
    y_hat = st.slider("Predicted probability ŷ", min_value=0.01, max_value=0.99, value=0.90, step=0.01)
    point_loss = lesson.example_loss(truth, y_hat)
    st.metric("Loss for this example", f"{point_loss:.3f}")
    formula = f"−log({y_hat:.2f})" if truth == 1 else f"−log(1 − {y_hat:.2f})"
    verdict = "right and confident: a small penalty" if point_loss < 0.2 else (
        "unsure: a moderate penalty" if point_loss < 1.0 else "confidently wrong: a big penalty"
    )
    st.caption(f"{formula} = {point_loss:.3f}. The model was {verdict}.")
with right:
    st.altair_chart(
        loss_curves_chart(lesson.per_example_loss_curves(), {"y_hat": y_hat, "y": truth, "loss": point_loss}),
        width="stretch",
    )

# 2. The worked example ----------------------------------------------------------------------
st.header("2. The cost is the average penalty")
example = lesson.worked_example()
left, right = st.columns(2)
with left:
    st.markdown("Three predictions and their penalties:")
    st.dataframe(
        example,
        hide_index=True,
        column_config={
            "y_hat": st.column_config.NumberColumn("ŷ", format="%.2f"),
            "loss": st.column_config.NumberColumn("loss", format="%.3f"),
        },
    )
    st.metric("Mean log-loss (the cost)", f"{example['loss'].mean():.3f}")
    st.caption("The cost is the average: (0.105 + 0.223 + 0.511) / 3 = 0.280. Training means making this number small.")
with right:
    st.markdown("Your turn: change y (0 or 1) or ŷ (0 to 1), or add rows.")
    edited = st.data_editor(
        example[["y", "y_hat"]],
        num_rows="dynamic",
        hide_index=True,
        key="learn.editor",
        column_config={
            "y": st.column_config.NumberColumn("y", min_value=0, max_value=1, step=1),
            "y_hat": st.column_config.NumberColumn("y_hat", min_value=0.0, max_value=1.0, step=0.01, format="%.2f"),
        },
    )
    try:
        scored = lesson.score_predictions(edited)
    except DataError as error:
        st.error(_ui.escape_markdown(error))
    else:
        st.dataframe(scored, hide_index=True, column_config={"loss": st.column_config.NumberColumn(format="%.3f")})
        st.metric("Mean log-loss of your table", f"{scored['loss'].mean():.3f}")
        st.caption(
            "A probability of exactly 0 or 1 is clipped to 1e-15 away from the edge, "
            "so a certain mistake costs about 34.5."
        )

# 3. The cost along one weight ---------------------------------------------------------------
st.header("3. Why log-loss and not squared error")
try:
    prepared, source = _lesson_data()
except DataError as error:
    st.error(_ui.escape_markdown(error))
    st.stop()
names = list(prepared.feature_names)
default_feature = lesson.most_informative_feature(prepared.X_train, prepared.y_train, names)
st.markdown(
    "Take a model with a single weight *w* on one feature x (its logit is w·x plus a fixed offset for the base "
    "rate) and compute both possible costs for every *w*. The data are "
    f"{_ui.escape_markdown(source)}."
)
c1, c2, c3 = st.columns(3)
feature = c1.selectbox(
    "Feature", names, index=names.index(default_feature), help="Preselected: the feature most related to the target."
)
span = c2.slider("Weight range (±)", min_value=1.0, max_value=50.0, value=10.0, step=1.0)
weight = c3.slider("Current weight w", min_value=-span, max_value=span, value=0.0, step=span / 100)
data = lesson.feature_slice(prepared.X_train, prepared.y_train, names, feature)
weights = np.linspace(-span, span, 201)
costs = lesson.cost_along_weight(data, weights)
mse_convex, log_convex = lesson.is_convex(costs["mse"]), lesson.is_convex(costs["log_loss"])
descent = _descent_point()
dots = {"log_loss": None, "mse": None}
if descent is not None:
    rate, at_epoch, data_key = descent
    paths = _descent(data_key, feature, rate, at_epoch, data)
    label = f"gradient descent after {at_epoch:,} epochs"
    for name, loss in (("log_loss", "log"), ("mse", "mse")):
        where = paths[loss].iloc[-1]
        dots[name] = {label: (where["weight"], where["cost"])}
left, right = st.columns(2)
with left:
    st.markdown("**Squared error of the probability (MSE-with-sigmoid)**")
    st.altair_chart(
        line_chart(
            costs, "weight", "mse", x_title="weight w", y_title="mean (ŷ − y)²", marks={"current w": weight},
            dots=dots["mse"],
        ),
        width="stretch",
    )
    st.caption(
        ("Not convex: " if not mse_convex else "Convex on this range, but ")
        + "the curve flattens into plateaus where the sigmoid saturates. There the slope is almost zero, so "
        "gradient descent barely moves, even when the model is badly wrong."
    )
with right:
    st.markdown("**Log-loss**")
    st.altair_chart(
        line_chart(
            costs, "weight", "log_loss", x_title="weight w", y_title="mean log-loss", marks={"current w": weight},
            dots=dots["log_loss"],
        ),
        width="stretch",
    )
    st.caption(
        ("Convex: " if log_convex else "")
        + "one valley with no plateaus. Far from the bottom the slope stays steep, so every step downhill leads to "
        "the single best weight."
    )

if descent is not None:
    log_end, mse_end = paths["log"].iloc[-1], paths["mse"].iloc[-1]
    st.caption(
        f"The black dots: gradient descent on this one weight, from w = 0 at the Train page's learning rate "
        f"({rate:g}), after {at_epoch:,} epochs (the Train page's Epoch slider). On log-loss it has reached "
        f"w = {log_end['weight']:.3f} (cost {log_end['cost']:.4f}); on squared error w = {mse_end['weight']:.3f} "
        f"(cost {mse_end['cost']:.4f}). Drag the Epoch slider on the Train page and come back to see where it was."
    )
else:
    st.caption("Train a model on the Train page to see here where gradient descent was at any epoch.")

# 4. The gradient ------------------------------------------------------------------------------
st.header("4. The gradient: which way is downhill")
step = lesson.gradient_step(data, weight, learning_rate=1.0)
st.markdown(
    "For log-loss, the slope of the cost with respect to w is the average of **(ŷ − y)·x** over the rows: "
    "each row pushes the weight by how wrong its prediction was, times its feature value. The first rows at "
    f"w = {weight:.2f}:"
)
st.dataframe(
    step.table,
    hide_index=True,
    column_config={
        "x": st.column_config.NumberColumn("x", format="%.3f"),
        "y_hat": st.column_config.NumberColumn("ŷ", format="%.3f"),
        "error": st.column_config.NumberColumn("ŷ − y", format="%.3f"),
        "error_times_x": st.column_config.NumberColumn("(ŷ − y)·x", format="%.3f"),
    },
)
g1, g2, g3 = st.columns(3)
g1.metric("Gradient: average (ŷ − y)·x", f"{step.gradient:.4f}", help=f"Averaged over all {step.n:,} rows.")
g2.metric(
    "Slope of the cost curve, measured", f"{step.slope_check:.4f}", help="A tiny step either side of w on the log-loss curve."
)
g3.metric(
    "Cost after one step (learning rate 1)",
    f"{step.next_loss:.4f}",
    delta=f"{step.next_loss - step.loss:+.4f}",
    delta_color="inverse",
)
direction = "down" if step.gradient > 0 else "up"
st.caption(
    f"The formula and the measured slope agree. A positive gradient means the cost rises with w, so the step goes "
    f"the other way: w moves {direction} from {step.weight:.3f} to {step.next_weight:.3f} "
    f"(w − learning rate × gradient), and the cost goes from {step.loss:.4f} to {step.next_loss:.4f}."
)

# 5. Accuracy ---------------------------------------------------------------------------------
st.header("5. Why not train on accuracy?")
accuracy = lesson.accuracy_along_weight(data, weights)
changes = int(np.count_nonzero(np.diff(accuracy["accuracy"].to_numpy())))
st.altair_chart(
    line_chart(
        accuracy, "weight", "accuracy", x_title="weight w", y_title="accuracy at ŷ ≥ 0.5", step=True,
        marks={"current w": weight},
    ),
    width="stretch",
)
st.caption(
    f"Accuracy is a staircase: across these {len(weights)} weights it changes only {changes} times, and between "
    "jumps its slope is exactly zero, so gradient descent gets no signal about which way to go. Log-loss moves "
    "smoothly with every weight. Accuracy is still the right kind of thing to *report*, together with precision, "
    "recall and cost at the chosen threshold, because it describes the decisions people will act on."
)

# 6. Logits ---------------------------------------------------------------------------------
st.header("6. Why production code computes the loss from logits")
st.markdown(
    "The model's raw output is a logit z; the probability is ŷ = 1 / (1 + e^(−z)). Rounding ŷ to a computer "
    "number first and then taking logs breaks for confident predictions: ŷ becomes exactly 1.0 (or 0.0), "
    "log(0) is −infinity, and 0 × log(0) is *not a number*. The same loss written from z directly, "
    "softplus(z) − y·z, stays exact."
)
stability = lesson.logits_stability()


def _show(value: float) -> str:
    if np.isnan(value):
        return "nan (not a number)"
    if np.isinf(value):
        return "inf (infinite)"
    return f"{value:.6g}"


st.dataframe(
    pd.DataFrame(
        {
            "logit z": stability["z"].map(lambda v: f"{v:g}"),
            "ŷ as a float": stability["p"].map(lambda v: f"{v:.17g}"),
            "loss if y=1, from ŷ": stability["naive_y1"].map(_show),
            "loss if y=1, from z": stability["stable_y1"].map(_show),
            "loss if y=0, from ŷ": stability["naive_y0"].map(_show),
            "loss if y=0, from z": stability["stable_y0"].map(_show),
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    "At z = 40 the model is right to be confident when y = 1, yet the probability route gives nan; when "
    "y = 0 it is badly wrong and the true loss is 40, not infinity. Cutoff's model trains on the logit form."
)
