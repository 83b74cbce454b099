"""The engine's plain data: what a client requires, what a vendor offers, what a match says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENGAGEMENT_MODELS = ("BPO", "KPO", "any")
DELIVERY_MODELS = ("onshore", "nearshore", "offshore")


@dataclass(frozen=True, slots=True)
class Budget:
    """The most a client pays per person-hour, in a currency."""

    max_rate: float
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Requirement:
    """A client requirement profile, validated and with codes normalised by the caller.

    Countries and languages are ISO codes; `places` and `excluded_places` are the sets of
    countries that the requested countries and regions stand for.
    """

    title: str | None = None
    description: str | None = None
    complexity: int | None = None
    engagement_model: str | None = None
    skills: tuple[str, ...] = ()
    preferred_skills: tuple[str, ...] = ()
    client_country: str | None = None
    delivery: tuple[str, ...] = ()
    places: frozenset[str] | None = None
    excluded_places: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    budget: Budget | None = None
    team_size: int | None = None
    certifications: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    industry: str | None = None
    hard_constraints: frozenset[str] = frozenset()
    weights: tuple[tuple[str, float], ...] = ()
    limit: int = 10
    # Results resting on less of the weight's known data than this share (0-1) are not shown.
    min_confidence: float | None = None
    # Results scoring below this (0-100) are not shown.
    min_score: float | None = None
    # At most this many results whose best delivery country is the same.
    max_per_country: int | None = None
    # Corrections of the reading: services the words ask for that the engine missed (taken as
    # read from the description), and services it misread (never read from these words).
    add_services: tuple[str, ...] = ()
    ignore_services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VendorRow:
    """One vendor as the catalog holds it; None is unknown."""

    id: str
    name: str
    tags: tuple[str, ...]
    services: tuple[str, ...] = ()
    delivery_countries: tuple[str, ...] = ()
    hq_country: str | None = None
    languages: tuple[str, ...] = ()
    rate_min: float | None = None
    rate_max: float | None = None
    currency: str = "USD"
    headcount: int | None = None
    certifications: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    rating: float | None = None
    review_count: int | None = None
    # Verified outcomes: delivered work rated by the buyers who awarded it, and their mean.
    verified_count: int = 0
    verified_rating: float | None = None


# The fields a vendor row adds to the catalog record: what buyers recorded of its work.
OUTCOME_FIELDS = ("verified_count", "verified_rating")


@dataclass(frozen=True, slots=True)
class Engagement:
    """The kind of work: BPO, KPO or any, whether it was inferred, and why."""

    value: str
    inferred: bool
    reason: str


@dataclass(frozen=True, slots=True)
class FactorScore:
    """One factor's part of a vendor's score, with the facts behind it."""

    name: str
    weight: float
    score: float
    points: float
    reason: str
    known: bool = True


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A hard constraint a vendor fails, and by how much."""

    constraint: str
    reason: str


@dataclass(frozen=True, slots=True)
class Confidence:
    """How sure a score is: the share of the weight resting on known data, the factors whose
    data is unknown, and the lowest and highest the score could be once they were known."""

    known_weight: float
    unknown: tuple[str, ...]
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class WeightMove:
    """A ±20% change to one weight that moves a vendor across the top `limit`, and its rank then."""

    weight: str
    change: float
    rank: int
    reason: str


@dataclass(frozen=True, slots=True)
class Stability:
    """Whether a vendor stays in the top `limit` under every ±20% change to one weight."""

    stable: bool
    moves: tuple[WeightMove, ...]


@dataclass(frozen=True, slots=True)
class RecordChange:
    """One change to a vendor's record, re-scored against the catalog: the field, what is
    added to it or the most (least) its number may be, and the rank and score it then has."""

    field: str
    rank: int
    score: float
    reason: str
    add: str | None = None
    at_most: float | None = None
    at_least: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class RankedVendor:
    """One vendor's place in a ranking and the explanation of its score."""

    rank: int | None
    score: float
    vendor_id: str
    name: str
    tags: tuple[str, ...]
    factors: tuple[FactorScore, ...]
    reasons: tuple[str, ...]
    gaps: tuple[str, ...]
    excluded_by: tuple[Exclusion, ...] = ()
    confidence: Confidence | None = None
    stability: Stability | None = None
    # For one vendor's fit outside the top `limit`: the single changes that bring it in.
    would_take: tuple[RecordChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A vendor the top `limit` would hold but for `max_per_country`: its rank and score
    without the cap, and the delivery country that was already full."""

    vendor_id: str
    name: str
    tags: tuple[str, ...]
    rank: int
    score: float
    country: str
    reason: str


@dataclass(frozen=True, slots=True)
class Relaxation:
    """A hard constraint to loosen, how, and how many more vendors that lets in.

    `change` holds the profile fields that apply it, as (field, new value) pairs.
    """

    constraint: str
    suggestion: str
    adds: int
    change: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ReadService:
    """One service the engine read, in the words and at the place it was written."""

    service: str
    code: str
    text: str
    field: str
    start: int
    end: int
    how: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Unread:
    """Words the engine could not place: a skill it does not know, a clause naming nothing."""

    text: str
    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReadIndustry:
    """The client's industry: as given, or read from the words in which the buyer says who
    it is."""

    value: str
    inferred: bool
    text: str


@dataclass(frozen=True, slots=True)
class BriefReading:
    """What the engine read of the profile's words, for the answer to show."""

    services: tuple[ReadService, ...] = ()
    unrecognised: tuple[Unread, ...] = ()
    industry: ReadIndustry | None = None


@dataclass(frozen=True, slots=True)
class Ranking:
    """The answer to a match: ranked vendors and what was left out and why."""

    engagement: Engagement
    results: tuple[RankedVendor, ...]
    considered: int
    excluded: int
    excluded_by: tuple[tuple[str, int], ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    notes: tuple[str, ...] = field(default=())
    reading: BriefReading = field(default_factory=BriefReading)
    # Allowed vendors left out for resting on too little known data (`min_confidence`).
    below_confidence: int = 0
    # Allowed vendors left out for scoring below `min_score`.
    below_min_score: int = 0
    # Vendors `max_per_country` kept off the list, best first.
    passed_over: tuple[PassedOver, ...] = ()
    # Shown vendors that stay in the top `limit` under every ±20% change to one weight.
    stable: int = 0
