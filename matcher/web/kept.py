"""A search's kept ranking against today's: the vendors that entered or left it, and the
score moves, each with the factor that moved it most."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Score changes smaller than the one decimal a score is shown with are no change.
SHOWN = 0.05


@dataclass(frozen=True, slots=True)
class Entry:
    """A vendor that entered or left the list: its rank and score in the list it is in."""

    vendor_id: str
    name: str
    rank: int
    score: float


@dataclass(frozen=True, slots=True)
class Move:
    """A vendor on both lists whose score or rank moved, and the factor that moved it most."""

    vendor_id: str
    name: str
    rank_then: int
    rank_now: int
    score_then: float
    score_now: float
    factor: str | None
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed for a kept ranking."""

    entered: tuple[Entry, ...]
    left: tuple[Entry, ...]
    moved: tuple[Move, ...]

    @property
    def nothing(self) -> bool:
        """Return whether the list reads the same today."""
        return not (self.entered or self.left or self.moved)


def changes_since(then: Mapping[str, Any], now: Mapping[str, Any]) -> Changes:
    """Compare two match answers for the same profile: kept, and on today's catalog."""
    before = {item["vendor"]["id"]: item for item in then["results"]}
    after = {item["vendor"]["id"]: item for item in now["results"]}
    entered = tuple(_entry(item) for key, item in after.items() if key not in before)
    left = tuple(_entry(item) for key, item in before.items() if key not in after)
    moved = []
    for key, item in after.items():
        old = before.get(key)
        if old is None:
            continue
        if abs(item["score"] - old["score"]) < SHOWN and item["rank"] == old["rank"]:
            continue
        moved.append(_move(old, item))
    return Changes(entered, left, tuple(moved))


def _entry(item: Mapping[str, Any]) -> Entry:
    vendor = item["vendor"]
    return Entry(vendor["id"], vendor["name"], item["rank"], item["score"])


def _move(old: Mapping[str, Any], new: Mapping[str, Any]) -> Move:
    points_then = {factor["name"]: factor for factor in old["factors"]}
    points_now = {factor["name"]: factor for factor in new["factors"]}
    deltas = {
        name: _points(points_now.get(name)) - _points(points_then.get(name))
        for name in {*points_then, *points_now}
    }
    # The factor whose points moved most; ties by name, so the same answer every time.
    factor = max(sorted(deltas), key=lambda name: abs(deltas[name]), default=None)
    moved = factor is not None and abs(deltas[factor]) >= SHOWN
    reason = ""
    if moved and factor is not None:
        reason = (points_now.get(factor) or points_then.get(factor) or {}).get("reason", "")
    return Move(
        vendor_id=new["vendor"]["id"],
        name=new["vendor"]["name"],
        rank_then=old["rank"],
        rank_now=new["rank"],
        score_then=old["score"],
        score_now=new["score"],
        factor=factor if moved else None,
        points=round(deltas[factor], 1) if moved and factor is not None else 0.0,
        reason=reason,
    )


def _points(factor: Mapping[str, Any] | None) -> float:
    return float(factor["points"]) if factor is not None else 0.0
