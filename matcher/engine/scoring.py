"""What a factor returns, and the array helpers factors share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.engine.index import Columns

# The score of a vendor whose data for a factor is unknown: neither a strength nor a weakness.
NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor over the whole catalog: every vendor's score 0-1, whether its data was known,
    whether it satisfies the factor as a hard constraint, whether it falls short of anything
    asked for (a gap, never a strength), and the reason for any one vendor."""

    score: np.ndarray
    known: np.ndarray
    passes: np.ndarray
    explain: Callable[[int], str]
    # Asked of the few vendors shown, so it costs nothing for the rest of the catalog.
    short: Callable[[int], bool]


def failing(known: np.ndarray, passes: np.ndarray) -> Callable[[int], bool]:
    """Return the usual test of falling short: known data that fails the factor."""
    return lambda row: bool(known[row] and not passes[row])


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every vendor scored for one requirement, with what each hard constraint excludes."""

    factors: Mapping[str, Factor]
    weights: Mapping[str, float]
    total: np.ndarray
    fails: Mapping[str, np.ndarray]
    banned: np.ndarray
    allowed: np.ndarray


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well each vendor covers a list of wanted codes: per code, on average, at worst."""

    per_code: tuple[np.ndarray, ...]
    average: np.ndarray
    weakest: np.ndarray

    def strengths(self, row: int) -> list[float]:
        """Return one vendor's strength for each wanted code."""
        return [float(values[row]) for values in self.per_code]

    def names_met(self, row: int, names: tuple[str, ...], at: float = 0.75) -> list[str]:
        """Return the wanted names this vendor meets at a strength of at least `at`."""
        return [name for name, value in zip(names, self.strengths(row), strict=True) if value >= at]

    def names_missed(self, row: int, names: tuple[str, ...], at: float = 0.75) -> list[str]:
        """Return the wanted names this vendor does not meet."""
        return [name for name, value in zip(names, self.strengths(row), strict=True) if value < at]


def combine(per_code: list[np.ndarray], size: int) -> Coverage:
    """Return the coverage of per-code strength arrays (no codes: nothing covered)."""
    if not per_code:
        empty = np.zeros(size)
        return Coverage((), empty, empty)
    average = per_code[0].copy()
    weakest = per_code[0].copy()
    for values in per_code[1:]:
        average += values
        np.minimum(weakest, values, out=weakest)
    average /= len(per_code)
    return Coverage(tuple(per_code), average, weakest)


def coverage(
    columns: Columns, codes: tuple[str, ...], related: dict[str, tuple[str, ...]]
) -> Coverage:
    """Return each vendor's strength for each code: held 1, a related code held 0.5."""
    per_code = []
    for code in codes:
        values = columns.has(code)
        for other in related.get(code, ()):
            np.maximum(values, 0.5 * columns.has(other), out=values)
        per_code.append(values)
    return combine(per_code, columns.matrix.shape[0])


def listing(items: list[str], limit: int = 4) -> str:
    """Join a few names for a sentence: 'a, b and 2 more'."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"
