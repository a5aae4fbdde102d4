"""Property tests: on random networks, backprop agrees with finite differences, every
breakdown sums to its gradient, and extreme inputs never warn."""

from concurrent.futures import Future

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from engine import Layer, Network, backprop, chain_rule_breakdown
from engine.activations import ACTIVATIONS
from engine.backprop import Backprop, loss_and_gradient
from engine.gradcheck import finite_difference_gradient
from engine.losses import LOSSES

# relu's kink makes finite differences meaningless right at 0; it is tested elsewhere.
SMOOTH = ["identity", "sigmoid", "softplus", "tanh"]


SQUARED = ["ssr", "half_sse", "mse"]


@st.composite
def problems(draw, activations=SMOOTH, samples=None):
    """A random network and data set. The output is a regression (any activation, a
    squared error), a softmax with a squared error (the Jacobian's own way), a softmax
    with cross-entropy or a sigmoid with binary cross-entropy (the p - y shortcut)."""
    inputs = draw(st.integers(1, 3))
    depth = draw(st.integers(1, 3))
    layers = [Layer(draw(st.integers(1, 3)), draw(st.sampled_from(activations)),
                    draw(st.booleans())) for _ in range(depth)]
    output = draw(st.sampled_from(["regression", "softmax", "ce", "bce"]))
    if output in ("softmax", "ce"):
        layers[-1] = Layer(draw(st.integers(2, 4)), "softmax", layers[-1].bias)
    elif output == "bce":
        layers[-1] = Layer(layers[-1].neurons, "sigmoid", layers[-1].bias)
    naming = draw(st.sampled_from(["sequential", "layered"]))
    net = Network(inputs, layers, naming)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net.set_params(rng.uniform(-2, 2, len(net.params)))
    n = draw(samples if samples is not None else st.integers(1, 4))
    x = rng.uniform(-2, 2, (n, inputs))
    k = layers[-1].neurons
    if output == "ce":  # probability rows: one-hot classes or soft labels
        y = np.eye(k)[rng.integers(0, k, n)] if draw(st.booleans()) \
            else rng.dirichlet(np.ones(k), n)
        loss = draw(st.sampled_from(["ce", "ce_mean"]))
    elif output == "bce":
        y = rng.uniform(0, 1, (n, k))
        loss = draw(st.sampled_from(["bce", "bce_mean"]))
    else:
        y = rng.uniform(-1, 1, (n, k))
        loss = draw(st.sampled_from(SQUARED))
    return net, x, y, LOSSES[loss]


def differences_can_tell(net, x, loss) -> bool:
    """False where finite differences cannot check a cross-entropy: it is computed from
    p, so with p within 1e-6 of 0 or 1 the loss carries log(1 - p)'s rounding, and
    differences over h = 1e-5 read that as slope (p - y, which backprop uses, stays
    exact there). Hypothesis found such saturated networks now and then."""
    if loss.output_activation is None:
        return True
    p = net.predict(x)
    return bool(np.all((p > 1e-6) & (p < 1 - 1e-6)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backprop_matches_finite_differences(problem):
    net, x, y, loss = problem
    assume(differences_can_tell(net, x, loss))
    _, grad = loss_and_gradient(net, x, y, loss)
    fd = finite_difference_gradient(net, x, y, loss, h=1e-5)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)
    # As a big network's are: each nudge carried on from its neuron, not whole passes.
    from engine import landscape
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(landscape, "SWEEP_VALUES", 0)
        carried = finite_difference_gradient(net, x, y, loss, h=1e-5)
    np.testing.assert_allclose(grad, carried, rtol=1e-5, atol=1e-6)


class _HelperTakesAll:
    """A helper lane that runs at once, taking every task before the caller asks."""

    def submit(self, work, *args):
        job: Future = Future()
        job.set_running_or_notify_cancel()
        job.set_result(work(*args))
        return job


class _HelperNeverStarts:
    """A helper lane that gets no core: the caller takes every task, then cancels it."""

    def submit(self, work, *args):
        return Future()


class _Always:
    """A LaneChoice that always says `lanes`."""

    def __init__(self, lanes):
        self.lanes = lambda: lanes

    def took(self, lanes, share):
        pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(samples=st.integers(129, 400)), st.sampled_from([2, 3, 16]))
def test_backprop_in_chunks_matches_finite_differences(problem, most_tasks):
    # Big data sets go through backprop in chunks of samples, in one lane or two that
    # share the tasks (runs of chunks) as they get to them; make the chunks at most 64
    # samples so that a few hundred samples give several, and tasks of one or more
    # chunks. Two lanes as the LaneChoice says, one lane on two cores, and two always,
    # with the helper lane running at the same time, first or never.
    net, x, y, loss = problem
    calls = {}  # how each way of running the tasks came out: loss, gradient, kept pass
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backprop, "CACHE_VALUES", 64)
        patch.setattr(backprop, "MOST_TASKS", most_tasks)
        for cores, choice, helper in ((1, None, None), (2, None, None), (2, _Always(1), None),
                                      (2, _Always(2), None), (2, _Always(2), _HelperTakesAll()),
                                      (2, _Always(2), _HelperNeverStarts())):
            patch.setattr(backprop.os, "cpu_count", lambda cores=cores: cores)
            if helper is not None:
                patch.setattr(backprop, "_helper", lambda helper=helper: helper)
            chunked = Backprop(net, x, y)
            chunks = -(-len(x) // 64)
            assert chunked.chunk == -(-len(x) // chunks) <= 64  # all of a size
            assert len(chunked.tasks) == min(chunks, most_tasks)
            assert [k for task in chunked.tasks for k in task] == list(range(chunks))
            assert len(chunked.lanes) == cores
            if choice is not None:
                chunked.lane_choices = {False: choice, True: choice}
            for _ in range(3):  # the lanes race each other afresh at every call
                value, grad = chunked(loss, keep=True)
                kept = chunked.kept()
                calls.setdefault((cores, choice, helper), []).append(
                    (value, grad.copy(), [*kept.forward.pre, *kept.forward.post,
                                          *kept.deltas]))
                plain_value, plain_grad = chunked(loss)  # chosen for apart from keeping
                assert plain_value == value
                np.testing.assert_array_equal(plain_grad, grad)
            helped = chunked.tasks_helped
            if isinstance(helper, _HelperTakesAll):
                assert helped == chunked.tasks_run
            if isinstance(helper, _HelperNeverStarts) or cores == 1:
                assert helped == 0
    # Each task sums its own gradient and the tasks are added in order: the very same
    # numbers whichever lane ran which task, and with one lane.
    (value, grad, kept), *others = [c for runs in calls.values() for c in runs]
    for other_value, other_grad, other_kept in others:
        assert other_value == value
        np.testing.assert_array_equal(other_grad, grad)
        for a, b in zip(other_kept, kept, strict=True):
            np.testing.assert_array_equal(a, b)
    # In one piece (the maths, checked by finite differences above) the same numbers:
    # what a broken chunk, task or lane merge would change.
    whole_value, whole = loss_and_gradient(net, x, y, loss)
    np.testing.assert_allclose(grad, whole, rtol=1e-10, atol=1e-12)
    assert value == pytest.approx(whole_value, rel=1e-12)
    fresh = net.forward(x)
    for a, b in zip(kept, [*fresh.pre, *fresh.post], strict=False):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # Finite differences of hundreds of summed terms lose digits (more so where a
    # sigmoid saturates and 1 - p keeps few): a looser check, against the maths itself.
    if differences_can_tell(net, x, loss):
        fd = finite_difference_gradient(net, x, y, loss, h=1e-5)
        np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-5)


def test_lane_choice_follows_the_second_lanes_share():
    """Calls as a machine would make them: the second lane takes half the tasks (an
    idle core), then none (the core taken by other work), then half again. Expected by
    hand: two lanes until the median share of the second lane's last three calls is
    under a quarter (backprop.FAIR_SHARE); then one lane, with two lanes tried for
    three calls at the end of every 32 (backprop.RETRY_EVERY), kept if they do their
    share."""
    choice = backprop.LaneChoice()

    def calls(count, share):
        used = []
        for _ in range(count):
            lanes = choice.lanes()
            used.append(lanes)
            choice.took(lanes, share if lanes == 2 else 0.0)
        return used
    assert calls(40, 0.5) == [2] * 40  # quiet: never a slower call to find out
    assert calls(1, 0.0) == [2]  # a call without a core: the median is still 0.5
    assert calls(1, 0.0) == [2]  # a second: the median of 0.5, 0, 0 is 0 ...
    assert calls(31, 0.0) == [1] * 28 + [2] * 3  # ... one lane; a trial at 29-31: no core
    assert calls(32, 0.5) == [1] * 29 + [2] * 3  # the next trial (61-63) finds one ...
    assert calls(5, 0.5) == [2] * 5  # ... and two lanes are kept


def test_a_second_lane_that_gets_no_core_is_left_alone():
    """A Backprop whose helper lane never starts (no idle core): after three calls that
    it took none of, the calls run in one lane, the helper not asked at all."""
    net = Network(1, [Layer(64, "tanh"), Layer(1, "identity")])
    net.randomize(0)
    x = np.linspace(-2, 2, 4096)[:, None]
    submitted = []

    class Counting(_HelperNeverStarts):
        def submit(self, work, *args):
            submitted.append(work)
            return super().submit(work, *args)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backprop.os, "cpu_count", lambda: 2)
        patch.setattr(backprop, "_helper", lambda: Counting())
        two = Backprop(net, x, np.sin(x))
        assert len(two.lanes) == 2
        for _ in range(10):
            two(LOSSES["mse"])
    assert len(submitted) == 3 and two.tasks_helped == 0


def test_two_lanes_running_at_once_give_one_lanes_numbers(monkeypatch):
    """Chunks big enough for both lanes to be at work at the same time (a race between
    them, over shared buffers say, would show), against the same data in one lane."""
    net = Network(1, [Layer(64, "tanh"), Layer(64, "tanh"), Layer(1, "identity")])
    net.randomize(0)
    x = np.linspace(-2, 2, 4096)[:, None]
    y = np.sin(2 * x)
    monkeypatch.setattr(backprop.os, "cpu_count", lambda: 1)
    one_value, one_grad = Backprop(net, x, y)(LOSSES["mse"])
    monkeypatch.setattr(backprop.os, "cpu_count", lambda: 2)
    two = Backprop(net, x, y)
    assert len(two.lanes) == 2
    two.lane_choices = {False: _Always(2), True: _Always(2)}
    first, second = two.lanes
    for mine, theirs in zip([*first.inputs, *first.pre, *first.local, *first.back],
                            [*second.inputs, *second.pre, *second.local, *second.back],
                            strict=True):
        assert not np.shares_memory(mine, theirs)
    for _ in range(30):
        value, grad = two(LOSSES["mse"])
        assert value == one_value
        np.testing.assert_array_equal(grad, one_grad)


@settings(max_examples=60, deadline=None)
@given(problems(activations=[*SMOOTH, "relu"]))
def test_breakdown_sums_to_gradient(problem):
    net, x, y, loss = problem
    _, grad = loss_and_gradient(net, x, y, loss)
    grad = grad.copy()
    for name in net.param_names:
        b = chain_rule_breakdown(net, x, y, loss, name)
        assert b.slope == pytest.approx(grad[net.index[name]], abs=1e-12, rel=1e-12)
        # every path is the chain from the loss down to the parameter itself
        for path in b.paths:
            assert path.factors[0].numerator == loss.symbol
            assert path.factors[-1].denominator == name


def test_breakdown_lists_each_path_of_a_deeper_network():
    net = Network(1, [Layer(2, "tanh"), Layer(3, "sigmoid"), Layer(2, "identity")])
    net.randomize(3)
    x, y = np.array([[0.3], [-0.7]]), np.array([[0.1, 0.2], [0.3, -0.4]])
    b = chain_rule_breakdown(net, x, y, LOSSES["ssr"], "w1")
    assert len(b.paths) == 3 * 2  # through each of 3 neurons to each of 2 outputs
    _, grad = loss_and_gradient(net, x, y, LOSSES["ssr"])
    assert b.slope == pytest.approx(grad[net.index["w1"]], rel=1e-12)


def test_breakdown_of_a_wide_network_sums_the_later_layers():
    # 64 × 8 = 512 paths from w1 to the outputs: too many to list, so they are summed.
    net = Network(1, [Layer(4, "tanh"), Layer(64, "tanh"), Layer(8, "identity")])
    net.randomize(1)
    x = np.linspace(-1, 1, 5)[:, None]
    y = np.random.default_rng(0).uniform(-1, 1, (5, 8))
    b = chain_rule_breakdown(net, x, y, LOSSES["mse"], "w1")
    _, grad = loss_and_gradient(net, x, y, LOSSES["mse"])
    assert len(b.paths) == 1
    assert b.slope == pytest.approx(grad[net.index["w1"]], rel=1e-10)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_are_stable_at_extremes(name):
    act = ACTIVATIONS[name]
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = act.function(x)
        d = act.derivative(x, y)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(d))


def test_softplus_and_sigmoid_limits():
    sp, sg = ACTIVATIONS["softplus"], ACTIVATIONS["sigmoid"]
    assert sp.function(np.array([800.0]))[0] == 800.0
    assert sp.function(np.array([-800.0]))[0] == pytest.approx(0.0, abs=1e-300)
    assert sg.function(np.array([800.0, -800.0])).tolist() == [1.0, 0.0]


def test_naming_stays_unambiguous_past_nine_neurons():
    net = Network(2, [Layer(11, "tanh"), Layer(1, "identity")], "layered")
    names = net.param_names
    assert len(set(names)) == len(names)
    assert "w1_10_1" in names and "b1_11" in names and "w2_1_11" in names


def test_divergence_keeps_last_finite_state():
    from engine import load_preset

    lesson = load_preset("statquest-all")
    lesson.learning_rate = 50.0
    t = lesson.trainer()
    # nothing may even warn on the way
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        reason = t.run(500, respect_stop_rule=False)
    assert reason.value == "diverged"
    assert np.all(np.isfinite(t.network.params))
    assert np.isfinite(t.loss)
    np.testing.assert_array_equal(t.network.params, t.history.params[-1])


def test_history_memory_is_bounded_and_keeps_the_newest_state():
    from engine import load_preset

    lesson = load_preset("statquest-all")
    t = lesson.trainer()
    t.history.max_rows = 1000
    t.run(5000, respect_stop_rule=False)
    hist = t.history
    assert len(hist) <= 1000
    assert t.steps_done == 5000 == hist.steps[-1]
    assert hist.steps[0] == 0 and np.all(np.diff(hist.steps) > 0)
    np.testing.assert_array_equal(hist.params[-1], t.network.params)
    # a thinned history still replays exactly: the same run without thinning agrees
    full = lesson.trainer()
    full.run(5000, respect_stop_rule=False)
    for row in (0, len(hist) // 2, len(hist) - 1):
        k = hist.steps[row]
        np.testing.assert_array_equal(hist.params[row], full.history.params[k])


def _allocated(hist) -> int:
    return sum(getattr(hist, attr).nbytes for attr in hist.COLUMNS)


def test_a_wide_networks_history_stays_within_its_memory_budget():
    """66,561 parameters (1-256-256-1): a row is 1.6 MB, so the history keeps ~125 rows,
    not 100,000 (it grew to 2.7 GB in 26 s of Run), and never allocates past the budget."""
    from engine.training import History

    n = 66_561
    hist = History(n)
    assert hist.max_rows * hist.bytes_per_row <= History.BUDGET_BYTES
    assert History.MIN_ROWS <= hist.max_rows < 200
    row = np.arange(n, dtype=float)
    for step in range(3 * hist.max_rows):
        hist.append(float(step), row + step, row, row)
        assert _allocated(hist) <= History.BUDGET_BYTES + hist.bytes_per_row
    assert len(hist) <= hist.max_rows
    assert hist.steps[0] == 0 and hist.steps[-1] == hist.last_step == 3 * hist.max_rows - 1
    np.testing.assert_array_equal(hist.params[-1], row + hist.last_step)
    # Adam's two state columns per parameter: wider rows, fewer of them, same budget
    rows_before = hist.max_rows
    hist.make_state_room(2 * n)
    assert hist.max_rows < rows_before and len(hist) <= hist.max_rows
    assert hist.max_rows * hist.bytes_per_row <= History.BUDGET_BYTES
    assert hist.steps[-1] == hist.last_step == 3 * rows_before - 1


def test_a_small_networks_history_keeps_its_many_rows():
    from engine.training import History

    assert History(7).max_rows == History.MAX_ROWS  # statquest-all: a million steps sampled
    assert History(10**7).max_rows == History.MIN_ROWS  # never too few to undo or rewind


def test_rewind_returns_the_exact_earlier_state():
    from engine import load_preset

    t = load_preset("statquest-all").trainer()
    t.run(3, respect_stop_rule=False)
    after3 = t.network.params.copy()
    t.run(4, respect_stop_rule=False)
    t.rewind(3)
    assert t.steps_done == 3
    np.testing.assert_array_equal(t.network.params, after3)


@settings(max_examples=80, deadline=None)
@given(problems(activations=[*SMOOTH, "relu"]), st.data())
def test_losses_with_a_few_parameters_changed_are_whole_passes_of_the_network(problem,
                                                                               data):
    """The landscape's and the gradient check's losses carry each change on from the
    neurons it touches: they are the losses of the whole network with those values (a
    plain forward pass of a copy), for one or two parameters, of one layer or two, in
    batches of points or all at once."""
    from engine import landscape

    net, x, y, loss = problem
    before = net.params.copy()
    names = data.draw(st.lists(st.sampled_from(net.param_names), min_size=1, max_size=2,
                               unique=True))
    where = [net.index[name] for name in names]
    rng = np.random.default_rng(0)
    values = net.params[where] + rng.normal(0, 0.5, (7, len(names)))
    values[3] = values[2]  # two points alike: the same loss
    expected = []
    for row in values:
        probe = net.copy()
        probe.params[where] = row
        expected.append(probe.loss(x, y, loss))
    # 1: a point a batch; a sweep budget of 0: two layers' parameters a row at a time
    # (as on a big network), not in whole passes
    for chunk, budget in ((landscape.CHUNK_VALUES, landscape.SWEEP_VALUES), (1, 0)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(landscape, "CHUNK_VALUES", chunk)
            patch.setattr(landscape, "SWEEP_VALUES", budget)
            got = landscape.nearby_losses(net, x, y, loss, names, values)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(net.params, before)  # the network is left as it was


def test_loss_along_and_grid_hold_the_other_parameters():
    from engine import load_preset
    from engine.landscape import loss_along, loss_grid

    lesson = load_preset("statquest-b3")
    t = lesson.trainer()
    net, x, y, lf = t.network, t.inputs, t.targets, t.loss_function
    along = loss_along(net, x, y, lf, "b3", np.array([0.0, 1.0]))
    assert along[0] == pytest.approx(t.loss)
    # SSR(b3) = Σ (Observed − (P0 + b3))²: a parabola, so one unit of b3 adds
    # slope·1 + n·1² with n = 3 samples.
    assert along[1] - along[0] == pytest.approx(t.grads[net.index["b3"]] + 3.0)
    grid = loss_grid(net, x, y, lf, "w3", "b3", np.array([-1.22, 0.0]), np.array([0.0, 1.0]))
    assert grid.shape == (2, 2)
    assert grid[0, 0] == pytest.approx(t.loss) and grid[1, 0] == pytest.approx(along[1])


@settings(max_examples=40, deadline=None)
@given(problems())
def test_node_gradients_give_the_weight_gradients(problem):
    from engine.breakdown import node_gradients

    net, x, y, loss = problem
    fwd = net.forward(x)
    deltas = node_gradients(net, fwd, y, loss)
    _, grad = loss_and_gradient(net, x, y, loss)
    for ref in net.refs:  # dL/dw = Σ_samples delta · input, dL/db = Σ delta
        d = deltas[ref.layer][:, ref.neuron]
        source = 1.0 if ref.is_bias else fwd.layer_input(ref.layer)[:, ref.input]
        assert np.sum(d * source) == pytest.approx(grad[ref.index], rel=1e-9, abs=1e-12)


def test_sigmoid_keeps_full_precision_on_the_small_side():
    """0.5 (1 + tanh(x/2)) lost the small side: sigmoid(-40) was 0, so a sure wrong
    answer cost a binary cross-entropy of 100 (the log floor) instead of 40, and the
    loss moved in steps that finite differences read as a wrong slope."""
    import math

    from engine.activations import ACTIVATIONS

    xs = np.array([-700.0, -40.0, -29.4, -5.0, 0.0, 5.0, 29.4, 40.0])
    by_hand = [math.exp(x) / (1 + math.exp(x)) if x < 0 else 1 / (1 + math.exp(-x))
               for x in xs]
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].function(xs), by_hand, rtol=1e-14)
    out = xs.copy()  # in place, as the training loop applies it
    ACTIVATIONS["sigmoid"].function(out, out=out)
    np.testing.assert_allclose(out, by_hand, rtol=1e-14)
    p = ACTIVATIONS["sigmoid"].function(np.array([[-40.0]]))
    assert LOSSES["bce"].value(p, np.array([[1.0]])) == pytest.approx(40.0, rel=1e-12)


def test_a_wide_breakdowns_paths_are_the_factors_products_and_the_rest_their_sum():
    """Paths share their neurons' factors (a wide network's Step formed 64 paths of 6,000
    samples): the numbers are np.prod's, bit for bit. The paths after the first k sum
    to what the backward pass gives less the first k (the panel's "the rest add up
    to"): the same as forming each of them and adding up, to rounding."""
    rng = np.random.default_rng(5)
    net = Network(1, [Layer(6, "tanh"), Layer(6, "tanh"), Layer(1, "identity")])
    net.set_params(rng.normal(size=len(net.params)))
    x = rng.normal(size=(50, 1))
    b = chain_rule_breakdown(net, x, np.sin(x), LOSSES["mse"], net.param_names[0])
    assert len(b.paths) == 6
    for path in b.paths:
        stacked = np.prod(np.stack([np.asarray(f.values) for f in path.factors]), axis=0)
        np.testing.assert_array_equal(path.products, stacked)
    size = sum(float(np.abs(p.products).sum()) for p in b.paths)
    for k in range(len(b.paths) + 1):
        by_hand = sum(float(p.products.sum()) for p in b.paths[k:])
        assert b.sum_of_paths_after(k) == pytest.approx(by_hand, rel=1e-12, abs=1e-14 * size)
    _, grad = loss_and_gradient(net, x, np.sin(x), LOSSES["mse"])
    assert b.slope == pytest.approx(grad[0], rel=1e-10)


def per_sample_differences(net, x, y, loss, name, h=1e-5):
    """Each sample's share of dLoss/dparameter by central differences: c times the
    change of that sample's loss elements (c, the loss's scale, from the whole batch)."""
    i = net.index[name]
    scale = loss.scale(*y.shape)
    keep = net.params[i]
    shares = []
    for value in (keep + h, keep - h):
        net.params[i] = value
        shares.append(loss.elements(net.predict(x), y).sum(axis=1))
    net.params[i] = keep
    return scale * (shares[0] - shares[1]) / (2 * h)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(samples=st.integers(1, 6)))
def test_every_paths_sum_is_the_backward_pass_and_each_samples_share(problem):
    """What the panel gives for the paths it does not spell out is exact: every path's
    sum per sample (through_all, by the backward pass) is the paths formed one by one
    and added up, and each sample's share of the slope by finite differences; so the
    sum of the paths after any k is those paths' own sum."""
    net, x, y, loss = problem
    assume(differences_can_tell(net, x, loss))
    for name in net.param_names:
        b = chain_rule_breakdown(net, x, y, loss, name)
        # Rounding is relative to the paths' own sizes: paths that nearly cancel leave a
        # small sum with an absolute error of their size (hypothesis found 2.7e-9 from
        # paths of 6e-5, off by 3.5e-16).
        size = float(sum(np.abs(p.products) for p in b.paths).max(initial=0.0)) + 1e-300 \
            if b.paths else float(np.abs(b.per_sample).max(initial=0.0)) + 1e-300
        # (and the backward pass sums terms the paths never show, which cancel inside
        # softmax's Jacobian: a slope of 6.7e-7 from paths of 9.6e-7 came out 3.5e-10
        # apart, relatively; two ways of adding the same numbers, not a wrong number)
        # (and a saturated sigmoid's s (1 − s), ~1e-9, takes the rounding of 1 − s with s
        # near 1, ~1e-16 whatever its own size: hypothesis found slopes of 1e-9 that two
        # ways of forming them put 1e-17 apart. A floor far under any real slip.)
        floor = 1e-15 * len(x)
        np.testing.assert_allclose(b.through_all, b.per_sample, rtol=1e-9,
                                   atol=max(1e-12 * size, floor))
        np.testing.assert_allclose(b.through_all, per_sample_differences(net, x, y, loss,
                                                                         name),
                                   rtol=1e-4, atol=1e-5)  # as the other central differences here
        for k in range(len(b.paths) + 1):
            by_hand = sum(float(p.products.sum()) for p in b.paths[k:])
            assert b.sum_of_paths_after(k) == pytest.approx(
                by_hand, rel=1e-9, abs=max(1e-12 * len(x) * size, floor))


def assert_same_breakdown(cached, fresh):
    """Two breakdowns of one slope: the same paths, factors, formulas and numbers."""
    assert len(cached.paths) == len(fresh.paths)
    for a, b in zip(cached.paths, fresh.paths, strict=True):
        assert [(f.symbol, f.formula) for f in a.factors] == \
            [(f.symbol, f.formula) for f in b.factors]
        for f, g in zip(a.factors, b.factors, strict=True):
            np.testing.assert_allclose(f.values, g.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cached.through_all, fresh.through_all, rtol=1e-11, atol=1e-12)
    assert [(f.symbol, f.formula) for f in cached.shortcuts] == \
        [(f.symbol, f.formula) for f in fresh.shortcuts]
    for f, g in zip(cached.shortcuts, fresh.shortcuts, strict=True):
        np.testing.assert_allclose(f.values, g.values, rtol=1e-12, atol=1e-12)
    assert cached.slope == pytest.approx(fresh.slope, rel=1e-11, abs=1e-12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(samples=st.integers(1, 400)))
def test_the_breakdown_from_the_trainers_passes_is_the_breakdown_from_scratch(problem):
    """The window's breakdown reads the forward pass and deltas training kept (in chunks,
    on two threads: 64-sample chunks here so a few hundred samples take both ways)
    instead of computing its own: the same numbers as net.forward's and the reference
    backward pass's, and the same breakdown; after a Step, an edit, and a restore that
    reached its values without computing them."""
    from engine.breakdown import node_gradients
    from engine.training import Trainer

    net, x, y, loss = problem
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backprop, "CACHE_VALUES", 64)
        patch.setattr(backprop.os, "cpu_count", lambda: 2)
        t = Trainer(net, x, y, loss.name, 0.01)

    def check():
        kept, fresh = t.kept_pass(), net.forward(x)
        np.testing.assert_array_equal(kept.forward.inputs, x)
        for a, b in zip([*kept.forward.pre, *kept.forward.post], [*fresh.pre, *fresh.post],
                        strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        with np.errstate(all="ignore"):  # a saturated sigmoid's dBCE/dp is infinite
            for a, b in zip(kept.deltas, node_gradients(net, fresh, y, loss), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
            for name in net.param_names:
                assert_same_breakdown(
                    chain_rule_breakdown(net, x, y, loss, name, kept.forward, kept.deltas),
                    chain_rule_breakdown(net, x, y, loss, name))

    check()
    t.step()
    t.step()
    check()
    t.set_param(net.param_names[-1], 0.5)
    check()
    tail = t.rewind(0)
    check()
    t.restore(tail)  # the values of step 2 again, set without a backprop call
    check()


def test_a_breakdown_held_over_steps_keeps_the_numbers_of_its_own_step():
    """Training writes its kept passes into the same arrays step after step, and paths
    are formed when read: a breakdown read only after two more steps still shows its
    own step's numbers (the arrays it reads are left to it, new ones made for the
    steps), while nobody holding them, the arrays are reused (no 12 MB a Step)."""
    from engine.training import Trainer

    rng = np.random.default_rng(3)
    net = Network(1, [Layer(6, "tanh"), Layer(6, "tanh"), Layer(1, "identity")])
    net.set_params(rng.normal(size=len(net.params)))
    x = rng.uniform(-1, 1, (300, 1))
    t = Trainer(net, x, np.sin(3 * x), "mse", 0.1)
    kept = t.kept_pass()
    held = chain_rule_breakdown(net, x, np.sin(3 * x), LOSSES["mse"], "w1", kept.forward,
                                kept.deltas)
    then = chain_rule_breakdown(net.copy(), x, np.sin(3 * x), LOSSES["mse"], "w1")
    del kept
    t.step()
    t.step()
    assert_same_breakdown(held, then)  # its paths formed only now
    del held
    arrays = [id(a) for a in t._backprop._kept]
    t.step()
    t.kept_pass()  # read and let go, as the panel does
    t.step()
    assert [id(a) for a in t._backprop._kept] == arrays


def test_a_breakdown_forms_only_the_paths_read():
    """A panel that spells out 8 of 256 paths forms those 8 (a wide network's Step formed
    all 256 for 6,000 samples each); the rest's sum needs none of them."""
    net = Network(1, [Layer(16, "tanh"), Layer(16, "tanh"), Layer(1, "identity")])
    net.randomize(2)
    x = np.linspace(-1, 1, 30)[:, None]
    formed = []
    b = chain_rule_breakdown(net, x, np.sin(x), LOSSES["mse"], "w1")
    original = b.paths._form
    b.paths._form = lambda k: formed.append(k) or original(k)
    assert len(b.paths) == 16
    shown = b.paths[:8]
    rest = b.sum_of_paths_after(8)
    assert formed == list(range(8))
    assert all(a is b for a, b in zip(b.paths[:8], shown, strict=True))  # formed once
    by_hand = sum(float(p.products.sum()) for p in b.paths[8:])
    assert rest == pytest.approx(by_hand, rel=1e-12)
    assert b.paths[-1] is b.paths[15]
    with pytest.raises(IndexError):
        b.paths[16]


def test_where_full_rows_are_few_the_loss_of_every_step_is_kept_and_rewinds_exactly():
    """A wide network keeps ~130 full rows; the loss plot reads a trail of every step's
    loss (up to 100,000), which Undo, Step back and Redo cut and put back exactly."""
    from engine.training import History

    hist = History(3, max_rows=40)
    row = np.zeros(3)
    for step in range(500):
        hist.append(float(step) / 7, row + step, row, row)
    assert len(hist) <= 40
    steps, loss = hist.loss_trail
    np.testing.assert_array_equal(steps, np.arange(500))
    np.testing.assert_array_equal(loss, np.arange(500) / 7)
    before = [a.copy() for a in (*hist.loss_trail, hist.steps, hist.params)]
    tail = hist.cut(hist.row_of_step(300) + 1)  # a rewind to the row holding step 300
    assert hist.loss_trail[0][-1] == hist.last_step <= 300
    hist.append(-1.0, row, row, row)  # a step taken from there, then undone
    hist.truncate(len(hist) - 1)
    hist.extend(tail)  # Redo
    for old, new in zip(before, (*hist.loss_trail, hist.steps, hist.params), strict=True):
        np.testing.assert_array_equal(old, new)
    hist.replace_last(5.0, row, row, row)  # an edit: the newest loss again, not a new step
    assert hist.loss_trail[1][-1] == 5.0 and len(hist.loss_trail[0]) == 500


@settings(max_examples=30, deadline=None)
@given(st.lists(st.booleans(), min_size=13, max_size=13), st.integers(0, 14))
def test_the_first_trainable_names_are_the_head_of_the_trainable_list(frozen, count):
    """The step history's few columns read the first trainable names without listing all
    (66,561 of them took ~4 ms every Run frame): the same names, in the same order."""
    from engine import load_preset

    t = load_preset("xor").trainer()  # 13 parameters
    names = t.network.param_names
    t.set_trainable([n for n, off in zip(names, frozen, strict=True) if not off])
    by_hand = [n for n, off in zip(names, frozen, strict=True) if not off][:count]
    assert t.first_trainable(count) == by_hand


# --- what an autosave may keep of a history: the rows before its edits ------------------
HISTORY_OPS = st.lists(st.one_of(
    st.tuples(st.just("append"), st.integers(1, 8)),
    st.tuples(st.just("replace_last"), st.just(0)),
    st.tuples(st.just("truncate"), st.integers(1, 12)),
    st.tuples(st.just("cut"), st.integers(1, 12)),
    st.tuples(st.just("cut_extend"), st.integers(1, 12)),
    st.tuples(st.just("widen"), st.integers(1, 3)),
    st.tuples(st.just("mark"), st.just(0))), max_size=30)


@settings(max_examples=500, deadline=None)
@given(HISTORY_OPS, st.integers(4, 12))
@example([("append", 5), ("mark", 0), ("truncate", 2), ("append", 2)], 12)  # a rewind
@example([("append", 5), ("mark", 0), ("cut", 2), ("append", 2)], 12)
@example([("append", 5), ("mark", 0), ("replace_last", 0)], 12)  # an edit
@example([("append", 5), ("mark", 0), ("append", 9), ("truncate", 3), ("append", 4)], 6)
def test_rows_before_edited_from_are_as_they_were_when_copied(ops, max_rows):
    """The autosave writes again only the rows from `edited_from` on: every row a copy
    taken at a mark holds, before that step, must still be the same in the history (or
    gone by thinning), whatever appends, rewrites, rewinds, undos and thinning came."""
    from engine.training import History

    hist = History(2, max_rows=max_rows)
    hist.append(0.0, [0.0, 0.0], [0.0, 0.0], [0.0, 0.0])
    counter = iter(range(1, 10**6))

    def row():
        v = float(next(counter))  # every row written differs from every other
        return v, [v, -v], [2 * v, v], [v, 3 * v]

    def snapshot():
        return hist.edits, {int(s): (hist.loss[k], hist.params[k].tobytes(),
                                     hist.grads[k].tobytes(), hist.step_sizes[k].tobytes())
                            for k, s in enumerate(hist.steps)}

    mark, copied = snapshot()
    for op, n in ops:
        if op == "append":
            for _ in range(n):
                hist.append(*row())
        elif op == "replace_last":
            hist.replace_last(*row())
        elif op == "truncate":
            hist.truncate(n)
        elif op == "cut":
            hist.cut(n)
        elif op == "cut_extend":  # a rewind undone: the same rows back
            hist.extend(hist.cut(n))
        elif op == "widen":
            hist.make_state_room(2 * n)
        else:
            mark, copied = snapshot()
        edited = hist.edited_from(mark)
        for k, step in enumerate(hist.steps):
            step = int(step)
            if step in copied and (edited is None or step < edited):
                assert copied[step] == (hist.loss[k], hist.params[k].tobytes(),
                                        hist.grads[k].tobytes(),
                                        hist.step_sizes[k].tobytes()), (op, step, edited)
