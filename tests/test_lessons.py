"""Lesson files: every fault gets one LessonError naming the field; save/load round-trips."""

import json
import re

import numpy as np
import pytest

from engine import PRESETS, Layer, LessonError, load_lesson, load_preset
from engine.lesson import lesson_from_dict, lesson_from_json
from engine.presets import preset_text


def base() -> dict:
    return json.loads(preset_text("statquest-b3"))


@pytest.mark.parametrize("name", PRESETS)
def test_save_then_load_gives_the_same_lesson(name, tmp_path):
    lesson = load_preset(name)
    path = tmp_path / "lesson.json"
    lesson.save(path)
    again = load_lesson(path)
    assert again.to_dict() == lesson.to_dict()
    np.testing.assert_array_equal(again.network.params, lesson.network.params)
    assert again.network.param_names == lesson.network.param_names


def test_preset_key_shape_is_the_documented_one():
    d = base()
    assert d["weights"] == [[[3.34], [-3.53]], [[-1.22, -2.30]]]
    assert d["biases"] == [[-1.43, 0.57], [0.0]]
    assert d["trainable"] == ["b3"]


def mutate(path, value):
    d = base()
    target = d
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


@pytest.mark.parametrize("path,value,words", [
    (("layers",), KeyError, "layers: missing"),
    (("weights",), [[[3.34]], [[-1.22, -2.30]]], "weights[0]"),
    (("weights", 1, 0, 1), float("nan"), "weights[1][0][1]: must be a finite number"),
    (("weights", 1, 0, 1), "abc", "weights[1][0][1]: expected a number"),
    (("layers", 0, "activation"), "swish", 'unknown activation "swish"'),
    (("learning_rate",), -0.1, "learning_rate: must be greater than 0"),
    (("data", "inputs"), [], "the data set is empty"),
    (("data", "targets"), [[0.0], [1.0]], "3 inputs but 2 targets"),
    (("loss",), "hinge", 'unknown loss "hinge"'),
    (("trainable",), ["b9"], "no parameter called b9"),
    (("layers", 0, "neurons"), 10_000, "layers[0].neurons: must be from 1 to 256"),
    (("format",), "other", "format"),
])
def test_bad_lessons_name_the_fault(path, value, words):
    with pytest.raises(LessonError) as err:
        lesson_from_dict(mutate(path, value))
    assert words in str(err.value)


@pytest.mark.parametrize("text,words", [
    ("", "empty"), ("{", "not valid JSON"), ("[1, 2]", "JSON object"),
    ('{"format": "backprop-lab.lesson", "version": 1, "title": "t", "inputs": 1, '
     '"layers": [{"neurons": 1, "activation": "identity", "bias": false}], '
     '"weights": [[[Infinity]]], "biases": [[]], "loss": "ssr", '
     '"data": {"inputs": [[1]], "targets": [[1]]}, "learning_rate": 0.1}',
     "weights[0][0][0]: must be a finite number"),
])
def test_bad_files(text, words):
    with pytest.raises(LessonError, match=words.replace("[", r"\[").replace("]", r"\]")):
        lesson_from_json(text)


def test_missing_file_is_a_lesson_error(tmp_path):
    with pytest.raises(LessonError, match="cannot read"):
        load_lesson(tmp_path / "nope.json")


def test_csv_data_loads_with_or_without_a_header(tmp_path):
    from engine.builder import load_csv

    path = tmp_path / "d.csv"
    path.write_text("size,rooms,price\n-0.32,-0.66,-0.54\n0.1,0.2,0.3\n")
    data = load_csv(path)
    assert data.inputs.tolist() == [[-0.32, -0.66], [0.1, 0.2]]
    assert data.targets.tolist() == [[-0.54], [0.3]]
    assert data.input_names == ("size", "rooms") and data.output_names == ("price",)
    path.write_text("1,2\n3,4\n")
    data = load_csv(path)
    assert data.inputs.tolist() == [[1.0], [3.0]] and data.targets.tolist() == [[2.0], [4.0]]
    assert data.input_names is None and not data.classes


def test_csv_class_labels_become_one_hot_classes_named_by_their_labels(tmp_path):
    from engine.builder import build_lesson, load_csv

    path = tmp_path / "iris.csv"
    path.write_text("petal,sepal,species\n0.04,0.42,setosa\n1.0,0.54,virginica\n"
                    "0.5,0.37,versicolor\n0.1,0.4,setosa\n")
    data = load_csv(path)
    assert data.classes and data.output_names == ("setosa", "virginica", "versicolor")
    assert data.targets.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]
    # Built on a squared-error lesson, the output becomes a softmax over the classes.
    built = build_lesson(load_preset("house-price"), [Layer(2, "tanh")], Layer(1, "identity"),
                         "ssr", "sequential", 1, data)
    assert built.loss == "ce" and built.network.layers[-1] == Layer(3, "softmax")
    assert built.network.names.inputs == ("petal", "sepal")
    assert built.network.names.post[-1] == ("p_setosa", "p_virginica", "p_versicolor")
    # Without a header, the labels still make classes.
    path.write_text("1,2,cat\n3,4,dog\n")
    data = load_csv(path)
    assert data.output_names == ("cat", "dog") and data.input_names is None


@pytest.mark.parametrize("text,words", [
    ("x,y,kind\n1,2,a\n3,4,a\n", "column 3 ('kind'): every sample is 'a'"),
    ("x,x,y\n1,2,3\n", "header: each column needs its own name"),
    ("x,y\n1,2,3\n", "the header names 2 columns, the samples have 3"),
])
def test_bad_class_columns_and_headers_are_refused(text, words):
    from engine.builder import parse_csv

    with pytest.raises(LessonError, match=re.escape(words)):
        parse_csv(text)


@pytest.mark.parametrize("text,words", [
    ("", "no samples"), ("a,b\n", "no samples"), ("1,2\n3\n", "sample 2 has 1 columns"),
    ("1,2\n3,x\n", "sample 2, column 2: 'x' is not a finite number"),
    ("1,nan\n", "not a finite number"), ("5\n", "at least one input"),
])
def test_malformed_csv_is_refused_with_a_message(text, words):
    from engine.builder import parse_csv

    with pytest.raises(LessonError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_csv(text)


def test_built_network_saves_and_reopens(tmp_path):
    from engine import Layer
    from engine.builder import build_lesson

    base = load_preset("house-price")
    built = build_lesson(base, [Layer(3, "tanh"), Layer(2, "relu", False)],
                         Layer(1, "identity"), "mse", "layered", seed=5)
    assert built.network.sizes == [3, 2, 1]
    assert built.network.biases[1] is None
    again_same_seed = build_lesson(base, [Layer(3, "tanh"), Layer(2, "relu", False)],
                                   Layer(1, "identity"), "mse", "layered", seed=5)
    np.testing.assert_array_equal(built.network.params, again_same_seed.network.params)
    path = tmp_path / "built.json"
    built.save(path)
    assert load_lesson(path).to_dict() == built.to_dict()


def test_limits_are_what_the_app_handles():
    """The old limits let in 64 inputs, 8x256 tanh and 100,000 samples (477,441
    parameters): 10 s to load, 77 s for trace --steps 3, 5 minutes and 8.9 GB to open.
    Such a lesson is refused in one line naming the field, before its data are read."""
    from engine.lesson import MAX_PARAMETERS, MAX_SAMPLES, MAX_WORK, check_size
    big = json.loads(preset_text("statquest-all"))
    big["inputs"] = 64
    big["layers"] = [{"neurons": 256, "activation": "tanh"}] * 8 + [{"neurons": 1}]
    with pytest.raises(LessonError, match=r"^layers: 477,441 parameters; at most 70,000"):
        lesson_from_json(json.dumps(big))
    check_size(66_561, 1_500)  # 1-256-256-1 on 1,500 samples: allowed
    with pytest.raises(LessonError, match=r"^data: 1,600 samples for 66,561 parameters"):
        check_size(66_561, 1_600)
    assert MAX_PARAMETERS * 1 <= MAX_WORK and MAX_SAMPLES * 4_353 <= MAX_WORK


def test_statquest_all_notes_tell_the_loss_that_first_grows_as_the_engine_computes_it():
    """A teacher pressing Space twice saw the SSR grow (1.90, 4.21, 7.41): the notes say
    so and why, with numbers that must stay those the engine computes."""
    import re

    from engine import load_preset

    text = load_preset("statquest-all").description
    said = re.findall(r"−?\d+\.\d+", text)
    for rate, shown, words in ((0.1, 6, "SSR grows from"), (0.05, 3, "try 0.05")):
        lesson = load_preset("statquest-all")
        lesson.learning_rate = rate
        trainer = lesson.trainer()
        trainer.run(shown, respect_stop_rule=False)
        losses = [f"{x:.2f}" for x in trainer.history.loss[:shown]]
        after = said[said.index(losses[0], len(re.findall(r"−?\d+\.\d+",
                                                          text[:text.index(words)]))):]
        assert after[:shown] == losses, (rate, losses, after[:shown])
        if rate == 0.1:
            w3 = trainer.history.params[:4, trainer.network.param_names.index("w3")]
            assert "w3: " + ", ".join(f"{v:.2f}".replace("-", "−") for v in w3) in text


def test_a_wrong_field_in_a_file_is_named_with_the_file(tmp_path):
    """As a file that is not JSON is: a tester opened a lesson with a wrong weight matrix
    and read "weights[0]: expected a list of 2 rows", no file named."""
    data = json.loads(preset_text("statquest-b3"))
    data["weights"][0] = [1, 2, 3]
    path = tmp_path / "week3.json"
    path.write_text(json.dumps(data))
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    assert str(refused.value).startswith("week3.json: weights[0]: "), str(refused.value)
