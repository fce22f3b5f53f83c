"""Cycle detection in the bill of materials: hand cases and a property against a DFS."""

import itertools

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from arsenalnet.ingest.acyclic import find_cycle


def has_cycle(edges: list[tuple[str, str]]) -> bool:
    """Reference: depth-first search with colours."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}

    def visit(n: str) -> bool:
        state[n] = 1
        for m in graph.get(n, []):
            if state.get(m) == 1 or (m not in state and visit(m)):
                return True
        state[n] = 2
        return False

    return any(n not in state and visit(n) for n in list(graph))


def test_hand_cases() -> None:
    assert find_cycle(pa.array(["a", "b"]), pa.array(["b", "a"])) == ["a", "b", "a"]
    # a cycle with a tail below it: the walk must not fall off the tail
    assert find_cycle(pa.array(["a", "a", "b", "c"]), pa.array(["c", "b", "a", "d"])) == ["a", "b", "a"]
    assert find_cycle(pa.array(["x", "y"]), pa.array(["y", "z"])) is None


@given(st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=15))
def test_finds_a_real_cycle_exactly_when_one_exists(edges: list[tuple[str, str]]) -> None:
    edges = [(a, b) for a, b in edges if a != b]
    cycle = find_cycle(
        pa.array([a for a, _ in edges], pa.string()), pa.array([b for _, b in edges], pa.string())
    )
    assert (cycle is not None) == has_cycle(edges)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all(pair in edges for pair in itertools.pairwise(cycle))
