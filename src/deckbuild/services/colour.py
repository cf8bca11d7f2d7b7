"""Colour arithmetic (WCAG 2 contrast), shared by theme validation and the highlighter."""

from __future__ import annotations


def relative_luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, background: str, ratio: float) -> str:
    """Move ``colour`` toward black or white until it reaches ``ratio`` against background."""
    if contrast(colour, background) >= ratio:
        return colour
    target = 0 if relative_luminance(background) > 0.18 else 255
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(1, 21):
        t = step / 20
        mixed = "#" + "".join(f"{round(c + (target - c) * t):02X}" for c in rgb)
        if contrast(mixed, background) >= ratio:
            return mixed
    return "#000000" if target == 0 else "#FFFFFF"
