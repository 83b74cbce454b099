"""How stable a place in the ranking is: does it hold under a ±20% change to any one weight?

Weights sum to 1, so weighing factor f by (1 + c) turns every vendor's total into
(total + 100·c·w_f·s_f) / (1 + c·w_f). The divisor is the same for every vendor, so the order
under the change is the order of total + 100·c·w_f·s_f: two vendors come at most 100·|c|·w_f
points closer, and a vendor further than that below the lowest shown total can never overtake a
shown one. Only the vendors within that band (usually a small part of the catalog) are
re-ranked, each change at once, as arrays.
"""

from __future__ import annotations

import numpy as np

from matcher.engine.factors import LABELS
from matcher.engine.model import Stability, WeightMove
from matcher.engine.scoring import Evaluation

CHANGES = (0.2, -0.2)


def _changes(evaluation: Evaluation) -> list[tuple[str, float]]:
    # Changing a weight of 0 changes nothing; with one factor in play, neither does any change.
    names = [name for name, weight in evaluation.weights.items() if weight > 0]
    if len(names) < 2:
        return []
    return [(name, change) for name in names for change in CHANGES]


def _reason(name: str, change: float, rank: int, inside: bool) -> str:
    label = LABELS.get(name, name.replace("_", " "))
    how = "more" if change > 0 else "less"
    verb = "drops to" if inside else "rises to"
    return f"{verb} #{rank} if {label.lower()} weighs {abs(change):.0%} {how}"


def stability(
    evaluation: Evaluation,
    tiebreak: np.ndarray,
    shown: np.ndarray,
    rows: np.ndarray,
    limit: int,
    top_lowest: float | None = None,
) -> list[Stability]:
    """Say for each of `rows` whether it stays in (or out of) the top `limit` of the `shown`
    vendors under every ±20% change to one weight, and which changes move it across.

    `top_lowest`, the lowest total of the current top `limit`, spares a pass over the catalog
    when the caller has it."""
    if len(rows) == 0:
        return []
    changes = _changes(evaluation)
    total = evaluation.total
    if not changes or int(np.count_nonzero(shown)) <= limit:
        # Every vendor shown is in the top `limit`, whatever the weights.
        return [Stability(stable=True, moves=()) for _ in rows]
    weights = np.array([evaluation.weights[name] for name, _ in changes])
    factor = np.array([change for _, change in changes])
    reach = float(np.max(100 * np.abs(factor) * weights))
    # The vendors that could be in the top `limit` under some change: those within the largest
    # closing of the lowest of the current top, and the rows asked about.
    if top_lowest is None:
        values = total[shown]
        top_lowest = float(np.partition(values, len(values) - limit)[len(values) - limit])
    # A row further below the top than any change closes is outside it under every change.
    far = total[rows] < top_lowest - reach - 1e-9
    if far.all():
        return [Stability(stable=False, moves=()) for _ in rows]
    asked = rows[~far]
    lowest = min(top_lowest, float(total[asked].min()))
    near = np.flatnonzero(shown & (total >= lowest - reach - 1e-9))
    contenders = np.union1d(near, asked)
    scores = np.stack([evaluation.factors[name].score[contenders] for name, _ in changes])
    base = total[contenders]
    # The totals under each change, but for the divisor common to all (it changes no order).
    moved = base[None, :] + 100 * (factor * weights)[:, None] * scores
    breaks = tiebreak[contenders]
    where = np.searchsorted(contenders, asked)
    now = _ranks(base[None, :], breaks, where)[0]
    after = _ranks(moved, breaks, where)
    judged = {}
    for column, (row, place) in enumerate(zip(asked.tolist(), now, strict=True)):
        inside = bool(place <= limit)
        moves = tuple(
            WeightMove(name, change, int(rank), _reason(name, change, int(rank), inside))
            for (name, change), rank in zip(changes, after[:, column], strict=True)
            if bool(rank <= limit) != inside
        )
        judged[row] = Stability(stable=inside and not moves, moves=moves)
    return [judged.get(row, Stability(stable=False, moves=())) for row in rows.tolist()]


def _ranks(totals: np.ndarray, breaks: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Return, per scenario (row of `totals`), the rank of each vendor at `where`: one more
    than the vendors scoring higher, or equal and earlier by id."""
    mine = totals[:, where][:, :, None]
    higher = totals[:, None, :] > mine + 1e-9
    tied = np.abs(totals[:, None, :] - mine) <= 1e-9
    earlier = breaks[None, None, :] < breaks[where][None, :, None]
    ranks: np.ndarray = (higher | (tied & earlier)).sum(axis=2) + 1
    return ranks
