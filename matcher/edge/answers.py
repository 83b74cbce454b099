"""Response schemas of matching: the contract's match and fit answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from matcher.engine.model import (
    BriefReading,
    Confidence,
    Engagement,
    FactorScore,
    RankedVendor,
    Ranking,
    RecordChange,
    Stability,
)


class EngagementOut(Schema):
    """The kind of work, whether it was inferred, and why."""

    value = fields.String(required=True, metadata={"enum": ["BPO", "KPO", "any"]})
    inferred = fields.Boolean(required=True)
    reason = fields.String(required=True)


class VendorSummary(Schema):
    """Who the vendor is."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)


class FactorOut(Schema):
    """One factor's part of the score: weight x score x 100 = points."""

    name = fields.String(required=True)
    weight = fields.Float(required=True)
    score = fields.Float(required=True)
    points = fields.Float(required=True)
    reason = fields.String(required=True)
    known = fields.Boolean(
        required=True,
        metadata={
            "description": "false: the vendor's data for this factor is unknown; scored neutral"
        },
    )


class ConfidenceOut(Schema):
    """How sure a score is, and the lowest and highest it could be once unknown data is known."""

    known_weight = fields.Float(
        required=True, metadata={"description": "share (0-1) of the weight resting on known data"}
    )
    # `unknown` names a Schema setting, so the field is declared under another attribute.
    unknown_factors = fields.List(
        fields.String(),
        required=True,
        data_key="unknown",
        metadata={"description": "factors whose data is unknown"},
    )
    low = fields.Float(required=True, metadata={"description": "the score with unknowns at 0"})
    high = fields.Float(required=True, metadata={"description": "the score with unknowns at 1"})


class WeightMoveOut(Schema):
    """A ±20% change to one weight that moves the vendor across the top `limit`."""

    weight = fields.String(required=True, metadata={"description": "the factor whose weight moves"})
    change = fields.Float(required=True, metadata={"description": "+0.2 or -0.2 of that weight"})
    rank = fields.Integer(required=True, metadata={"description": "the vendor's rank after it"})
    reason = fields.String(
        required=True, metadata={"example": "drops to #7 if budget weighs 20% more"}
    )


class StabilityOut(Schema):
    """Whether the vendor stays in the top `limit` under every ±20% change to one weight."""

    stable = fields.Boolean(required=True)
    moves = fields.List(fields.Nested(WeightMoveOut), required=True)


class ResultOut(Schema):
    """One ranked vendor and the explanation of its score."""

    rank = fields.Integer(required=True, allow_none=True)
    score = fields.Float(required=True)
    vendor = fields.Nested(VendorSummary, required=True)
    factors = fields.List(fields.Nested(FactorOut), required=True)
    reasons = fields.List(fields.String(), required=True)
    gaps = fields.List(fields.String(), required=True)
    confidence = fields.Nested(ConfidenceOut, required=True)
    stability = fields.Nested(
        StabilityOut,
        required=True,
        allow_none=True,
        metadata={"description": "null for a vendor the hard constraints exclude"},
    )


class ExcludedOut(Schema):
    """How many vendors the hard constraints left out, per constraint."""

    count = fields.Integer(required=True)
    by_constraint = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class RelaxationOut(Schema):
    """A hard constraint to loosen, how, and how many vendors it adds."""

    constraint = fields.String(required=True)
    suggestion = fields.String(required=True)
    adds = fields.Integer(required=True)


FIELDS = ["skills", "preferred_skills", "description"]
HOW = ["exact", "alias", "lemma", "paraphrase", "fuzzy", "category"]


class ReadServiceOut(Schema):
    """A service the engine read, in the words and at the place it was written."""

    service = fields.String(required=True, metadata={"description": "the taxonomy's name"})
    code = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "the words as written"})
    field = fields.String(required=True, metadata={"enum": FIELDS})
    start = fields.Integer(
        required=True,
        metadata={"description": "character offset into the field's text (a skill: the item)"},
    )
    end = fields.Integer(required=True)
    how = fields.String(required=True, metadata={"enum": HOW})
    confidence = fields.Float(required=True, metadata={"minimum": 0, "maximum": 1})


class UnreadOut(Schema):
    """Words the engine could not place: a skill it does not know, a clause naming nothing."""

    text = fields.String(required=True)
    field = fields.String(required=True, metadata={"enum": FIELDS})
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)


class ReadIndustryOut(Schema):
    """The client's industry: as given, or read from the words in which the buyer says who
    it is."""

    value = fields.String(required=True)
    inferred = fields.Boolean(required=True)
    text = fields.String(required=True)


class ReadingOut(Schema):
    """What the engine read of the profile's words."""

    services = fields.List(fields.Nested(ReadServiceOut), required=True)
    unrecognised = fields.List(fields.Nested(UnreadOut), required=True)
    industry = fields.Nested(ReadIndustryOut, required=True, allow_none=True)


class PassedOverOut(Schema):
    """A vendor the top `limit` would hold but for `max_per_country`."""

    vendor = fields.Nested(VendorSummary, required=True)
    rank = fields.Integer(required=True, metadata={"description": "its rank without the cap"})
    score = fields.Float(required=True)
    country = fields.String(required=True, metadata={"description": "its best delivery country"})
    reason = fields.String(required=True)


class MatchOut(Schema):
    """The ranked vendors for a requirement."""

    engagement_model = fields.Nested(EngagementOut, required=True)
    results = fields.List(fields.Nested(ResultOut), required=True)
    considered = fields.Integer(required=True)
    excluded = fields.Nested(ExcludedOut, required=True)
    relaxations = fields.List(fields.Nested(RelaxationOut), required=True)
    notes = fields.List(
        fields.String(), metadata={"description": "what the engine could not read or judge"}
    )
    reading = fields.Nested(ReadingOut, required=True)
    below_confidence = fields.Integer(
        required=True,
        metadata={"description": "vendors left out for resting on too little known data"},
    )
    below_min_score = fields.Integer(
        required=True, metadata={"description": "vendors left out for scoring below min_score"}
    )
    passed_over = fields.List(
        fields.Nested(PassedOverOut),
        required=True,
        metadata={"description": "vendors max_per_country kept off the list, best first"},
    )
    stable = fields.Integer(
        required=True,
        metadata={
            "description": "results that stay in the top `limit` under every ±20% change to "
            "one weight"
        },
    )


class ExclusionOut(Schema):
    """A hard constraint the vendor fails, and by how much."""

    constraint = fields.String(required=True)
    reason = fields.String(required=True)


class RecordChangeOut(Schema):
    """One change to the vendor's record: the field, and what is added or the number to meet."""

    field = fields.String(required=True)
    add = fields.String(metadata={"description": "the item added to a list field"})
    at_most = fields.Float(metadata={"description": "the most a rate may be"})
    at_least = fields.Integer(metadata={"description": "the least a headcount may be"})
    currency = fields.String(metadata={"description": "of a rate: the vendor's own"})


class WouldTakeOut(Schema):
    """A single change to the vendor's record that brings it into the top `limit`."""

    change = fields.Nested(RecordChangeOut, required=True)
    rank = fields.Integer(required=True)
    score = fields.Float(required=True)
    reason = fields.String(required=True)


class FitOut(ResultOut):
    """One vendor's fit: its result, and the hard constraints it fails."""

    engagement_model = fields.Nested(EngagementOut, required=True)
    would_take = fields.List(
        fields.Nested(WouldTakeOut),
        required=True,
        metadata={
            "description": "the single record changes that bring the vendor into the top "
            "`limit`, each re-scored against the catalog, best first; empty when it is there"
        },
    )
    excluded_by = fields.List(fields.Nested(ExclusionOut), required=True)
    reading = fields.Nested(ReadingOut, required=True)


def result_data(result: RankedVendor) -> dict[str, Any]:
    """Return a ranked vendor in the contract's shape."""
    return {
        "rank": result.rank,
        "score": result.score,
        "vendor": {"id": result.vendor_id, "name": result.name, "tags": list(result.tags)},
        "factors": [_factor(factor) for factor in result.factors],
        "reasons": list(result.reasons),
        "gaps": list(result.gaps),
        "confidence": _confidence(result.confidence),
        "stability": _stability(result.stability),
    }


def _stability(stability: Stability | None) -> dict[str, Any] | None:
    if stability is None:
        return None
    return {
        "stable": stability.stable,
        "moves": [
            {"weight": move.weight, "change": move.change, "rank": move.rank, "reason": move.reason}
            for move in stability.moves
        ],
    }


def _confidence(confidence: Confidence | None) -> dict[str, Any] | None:
    if confidence is None:
        return None
    return {
        "known_weight": confidence.known_weight,
        "unknown": list(confidence.unknown),
        "low": confidence.low,
        "high": confidence.high,
    }


def _factor(factor: FactorScore) -> dict[str, Any]:
    fields_out = ("name", "weight", "score", "points", "reason", "known")
    return {name: getattr(factor, name) for name in fields_out}


def match_data(ranking: Ranking) -> dict[str, Any]:
    """Return a ranking in the contract's shape, as plain JSON values.

    Built directly rather than through MatchOut.dump: on a large catalog the schema's per-field
    work cost a third of a match request. MatchOut still documents the shape, and the tests hold
    every answer to the OpenAPI document.
    """
    return {
        "engagement_model": _engagement(ranking.engagement),
        "results": [result_data(result) for result in ranking.results],
        "considered": ranking.considered,
        "excluded": {"count": ranking.excluded, "by_constraint": dict(ranking.excluded_by)},
        "relaxations": [
            {"constraint": item.constraint, "suggestion": item.suggestion, "adds": item.adds}
            for item in ranking.relaxations
        ],
        "notes": list(ranking.notes),
        "reading": reading_data(ranking.reading),
        "below_confidence": ranking.below_confidence,
        "below_min_score": ranking.below_min_score,
        "passed_over": [
            {
                "vendor": {"id": item.vendor_id, "name": item.name, "tags": list(item.tags)},
                "rank": item.rank,
                "score": item.score,
                "country": item.country,
                "reason": item.reason,
            }
            for item in ranking.passed_over
        ],
        "stable": ranking.stable,
    }


def fit_data(result: RankedVendor, engagement: Engagement, reading: BriefReading) -> dict[str, Any]:
    """Return one vendor's fit in the contract's shape."""
    return {
        **result_data(result),
        "engagement_model": _engagement(engagement),
        "reading": reading_data(reading),
        "excluded_by": [
            {"constraint": item.constraint, "reason": item.reason} for item in result.excluded_by
        ],
        "would_take": [_would_take(item) for item in result.would_take],
    }


def _would_take(item: RecordChange) -> dict[str, Any]:
    change: dict[str, Any] = {"field": item.field}
    for name in ("add", "at_most", "at_least", "currency"):
        value = getattr(item, name)
        if value is not None:
            change[name] = value
    return {"change": change, "rank": item.rank, "score": item.score, "reason": item.reason}


def _engagement(engagement: Engagement) -> dict[str, Any]:
    return {"value": engagement.value, "inferred": engagement.inferred, "reason": engagement.reason}


def reading_data(reading: BriefReading) -> dict[str, Any]:
    """Return what the engine read of a profile, in the contract's shape."""
    industry = reading.industry
    return {
        "services": [
            {
                "service": item.service,
                "code": item.code,
                "text": item.text,
                "field": item.field,
                "start": item.start,
                "end": item.end,
                "how": item.how,
                "confidence": item.confidence,
            }
            for item in reading.services
        ],
        "unrecognised": [
            {"text": item.text, "field": item.field, "start": item.start, "end": item.end}
            for item in reading.unrecognised
        ],
        "industry": None
        if industry is None
        else {"value": industry.value, "inferred": industry.inferred, "text": industry.text},
    }
