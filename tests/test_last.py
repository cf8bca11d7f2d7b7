"""services.last: a value is reused only for the very objects it was made from."""

from __future__ import annotations

from deckbuild.services.last import Last


def test_the_last_value_is_reused_for_the_same_objects_only() -> None:
    last: Last[list[int]] = Last()
    a, b, equal_to_a = [1], [2], [1]
    made: list[str] = []

    def make(name: str) -> list[int]:
        made.append(name)
        return [len(made)]

    first = last.make(lambda: make("a"), a, b)
    assert last.make(lambda: make("again"), a, b) is first
    assert last.get(equal_to_a, b) is None  # equal is not the same
    last.make(lambda: make("other"), equal_to_a, b)
    assert last.get(a, b) is None  # only the last is kept
    assert made == ["a", "other"]
