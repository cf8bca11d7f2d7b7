"""The last value made from some objects, recognised by identity.

The deck plan and its set slides are each used by two or three artefacts of a build; the
process that builds them makes each once. Identity, not equality: comparing or hashing a
whole course or deck would cost a good part of making it again, and they are immutable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class Last(Generic[V]):
    """Holds one value with the objects it was made from (which it keeps alive)."""

    def __init__(self) -> None:
        self._keys: tuple[object, ...] = ()
        self._value: V | None = None

    def get(self, *keys: object) -> V | None:
        """The value made from exactly these objects, if it is the last one made."""
        same = len(keys) == len(self._keys) and all(
            a is b for a, b in zip(keys, self._keys, strict=True)
        )
        return self._value if same else None

    def make(self, make: Callable[[], V], *keys: object) -> V:
        """The value for ``keys``: the last one if it was made from them, else ``make()``,
        which is then kept instead."""
        value = self.get(*keys)
        if value is None:
            value = make()
            self._keys, self._value = keys, value
        return value
