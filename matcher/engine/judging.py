"""How a sourcing lead judges, read from `matcher/data/judging.json`: off-the-clock work,
round-the-clock cover and umbrella terms met by breadth."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from matcher.engine.knowledge import normalise_term
from matcher.engine.resolve import Resolved

if TYPE_CHECKING:
    # Only named in annotations: the catalog index reads this module, and reading needs it.
    from matcher.engine.reading import Reading


@dataclass(frozen=True, slots=True)
class OffTheClock:
    """A kind of work not done alongside the client's team: shift-based or batch work."""

    kind: str
    reason: str
    services: frozenset[str]
    categories: frozenset[str]
    cues: tuple[str, ...]

    def covers(self, item: Resolved) -> bool:
        """Say whether a service or category asked for is work of this kind."""
        if item.level == "service":
            return item.code in self.services
        return item.level == "category" and item.code in self.categories


@dataclass(frozen=True, slots=True)
class AroundTheClock:
    """A way of asking for cover at every hour, and what one time zone's working day scores."""

    reason: str
    one_zone: float
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Umbrella:
    """A term that stands for a bundle of services, met by covering its core broadly."""

    level: Literal["service", "category"]
    code: str
    core: tuple[str, ...]
    # Listing the umbrella service means doing each of its parts (end-to-end RCM bills claims).
    whole: bool = False
    # Its own name, for a narrower bundle within a category; otherwise the taxonomy's.
    name: str | None = None
    # The terms that name a narrower bundle within a category (normalised).
    terms: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Judging:
    """Everything `judging.json` says, looked up by the factors."""

    off_the_clock: tuple[OffTheClock, ...]
    around_the_clock: tuple[AroundTheClock, ...]
    umbrellas: tuple[Umbrella, ...]

    def umbrella(self, item: Resolved) -> Umbrella | None:
        """Return the bundle a service or category asked for stands for, or None."""
        if item.code is None or item.level == "unresolved":
            return None
        term = normalise_term(item.text)
        found = [u for u in self.umbrellas if u.level == item.level and u.code == item.code]
        named = [u for u in found if term in u.terms]
        plain = [u for u in found if not u.terms]
        chosen = named or plain
        return chosen[0] if chosen else None

    def wholes(self, service: str) -> tuple[Umbrella, ...]:
        """Return the end-to-end services of which a service is a part."""
        return tuple(
            u for u in self.umbrellas if u.whole and u.level == "service" and service in u.core
        )

    def narrower_terms(self, category: str) -> frozenset[str]:
        """Return the terms naming a narrower bundle within a category."""
        return frozenset(
            term
            for u in self.umbrellas
            if u.level == "category" and u.code == category
            for term in u.terms
        )

    def names_umbrella(self, umbrella: Umbrella, category: str, term: str) -> bool:
        """Say whether a vendor's wording, read as a category, names this umbrella itself."""
        if umbrella.level != "category" or category != umbrella.code:
            return False
        if umbrella.terms:
            return term in umbrella.terms
        return term not in self.narrower_terms(category)


@dataclass(frozen=True, slots=True)
class Clock:
    """Whether the client's working hours count for a requirement, and what the brief asked."""

    hours_count: bool
    # Why they do not count ("shift-based work", ...), empty when they do.
    reason: str = ""
    # The brief's words asking for round-the-clock cover, when it does.
    around_the_clock: str | None = None
    # For round-the-clock cover: the score of one time zone's working day.
    one_zone: float = 1.0


def load_judging() -> Judging:
    """Read `matcher/data/judging.json` (the catalog index holds it: read once per revision)."""
    data: dict[str, Any] = json.loads(
        resources.files("matcher").joinpath("data/judging.json").read_text("utf-8")
    )
    return Judging(
        off_the_clock=tuple(
            OffTheClock(
                kind=item["kind"],
                reason=item["reason"],
                services=frozenset(item["services"]),
                categories=frozenset(item["categories"]),
                cues=_cues(item["cues"]),
            )
            for item in data["off_the_clock"]
        ),
        around_the_clock=tuple(
            AroundTheClock(item["reason"], float(item["one_zone"]), _cues(item["cues"]))
            for item in data["around_the_clock"]
        ),
        umbrellas=tuple(_umbrella(item) for item in data["umbrellas"]),
    )


def clock(reading: Reading, judging: Judging) -> Clock:
    """Decide whether shared working hours count: not for round-the-clock cover, nor for work
    that is mostly shift-based or batch work (the services asked for, else the brief's words)."""
    text = _brief_text(reading)
    for cover in judging.around_the_clock:
        cue = first_cue(text, cover.cues)
        if cue is not None:
            return Clock(False, f'{cover.reason} ("{cue}")', cue, cover.one_zone)
    items = [item for item in reading.required or reading.preferred if item.code is not None]
    counts = [sum(kind.covers(item) for item in items) for kind in judging.off_the_clock]
    if 2 * sum(counts) > len(items) > 0:
        kind = max(zip(counts, judging.off_the_clock, strict=True), key=lambda pair: pair[0])[1]
        return Clock(False, kind.reason)
    # Words like "night shift" decide only when the services asked for are not mostly
    # collaborative work (an analyst's "overnight" model update still needs daily calls).
    if 2 * sum(counts) >= len(items):
        for kind in judging.off_the_clock:
            found = first_cue(text, kind.cues)
            if found is not None:
                return Clock(False, f'{kind.reason} ("{found}")')
    return Clock(True)


def first_cue(text: str, cues: Iterable[str]) -> str | None:
    """Return the cue that comes first in a normalised text, or None."""
    found = [
        (match.start(), cue)
        for cue in cues
        if cue in text
        and (match := re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", text)) is not None
    ]
    return min(found)[1] if found else None


def _brief_text(reading: Reading) -> str:
    requirement = reading.requirement
    words = (
        requirement.title,
        requirement.description,
        *requirement.skills,
        *requirement.preferred_skills,
    )
    return normalise_term(" ".join(word for word in words if word))


def _cues(by_language: Mapping[str, list[str]]) -> tuple[str, ...]:
    return tuple(
        # The file holds them case-folded, single-spaced (a test checks): read as they are.
        dict.fromkeys(cue for cues in by_language.values() for cue in cues)
    )


def _umbrella(item: dict[str, Any]) -> Umbrella:
    level: Literal["service", "category"] = "service" if "service" in item else "category"
    return Umbrella(
        level=level,
        code=item[level],
        core=tuple(item["core"]),
        whole=bool(item.get("whole", False)),
        name=item.get("name"),
        terms=frozenset(item.get("terms", ())),
    )
