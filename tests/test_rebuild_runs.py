"""Rebuilding the network hides the runs kept to compare (they are of the old network's
parameters): the status message says so and that Undo brings them back."""

import pytest

from engine import Layer


@pytest.mark.parametrize("kept, words", [(2, "the 2 kept runs were of the old network: "
                                              "ctrl+z brings them back"),
                                         (1, "the kept run was of the old network: "
                                             "ctrl+z brings it back")])
def test_a_rebuild_says_the_kept_runs_went_with_the_old_network(session, qtbot, kept, words):
    s = session("statquest-b3")
    for _ in range(kept):
        s.step()
        assert s.keep_run()
    said = []
    s.message.connect(said.append)
    assert s.build_network([Layer(3, "softplus")], Layer(1, "identity"), "ssr",
                           "layered", 0)
    assert s.kept_runs == []
    assert words in said[-1].lower(), said[-1]
    s.undo_stack.undo()
    assert len(s.kept_runs) == kept


def test_a_rebuild_with_no_runs_kept_says_only_that_undo_undoes_it(session, qtbot):
    s = session("statquest-b3")
    said = []
    s.message.connect(said.append)
    assert s.build_network([Layer(3, "softplus")], Layer(1, "identity"), "ssr",
                           "layered", 0)
    assert "kept run" not in said[-1] and "Ctrl+Z undoes it" in said[-1]
