"""What a factor returns, and the array helpers factors share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.engine.index import Columns

# The score of a vendor whose data for a factor is unknown: neither a strength nor a weakness.
NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor over the whole catalog: every vendor's score 0-1, whether its data was known,
    whether it satisfies the factor as a hard constraint, and the reason for any one vendor."""

    score: np.ndarray
    known: np.ndarray
    passes: np.ndarray
    explain: Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well each vendor covers a list of wanted codes: per code and on average."""

    strengths: np.ndarray  # vendors x wanted codes, 0-1
    average: np.ndarray

    def names_met(self, row: int, names: tuple[str, ...], at: float = 0.75) -> list[str]:
        """Return the wanted names this vendor meets at a strength of at least `at`."""
        return [name for name, value in zip(names, self.strengths[row], strict=True) if value >= at]

    def names_missed(self, row: int, names: tuple[str, ...], at: float = 0.75) -> list[str]:
        """Return the wanted names this vendor does not meet."""
        return [name for name, value in zip(names, self.strengths[row], strict=True) if value < at]


def coverage(
    columns: Columns, codes: tuple[str, ...], related: dict[str, tuple[str, ...]]
) -> Coverage:
    """Return each vendor's strength for each code: held 1, a related code held 0.5."""
    size = columns.matrix.shape[0]
    strengths = np.zeros((size, len(codes)))
    for position, code in enumerate(codes):
        strengths[:, position] = columns.has(code)
        for other in related.get(code, ()):
            strengths[:, position] = np.maximum(strengths[:, position], 0.5 * columns.has(other))
    average = strengths.mean(axis=1) if codes else np.zeros(size)
    return Coverage(strengths, average)


def listing(items: list[str], limit: int = 4) -> str:
    """Join a few names for a sentence: 'a, b and 2 more'."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"
