"""Factors about the work: engagement model, skills, certifications, qualifications, industry."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process

from matcher.engine.index import CatalogIndex, Columns
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.reading import Reading
from matcher.engine.resolve import Resolved, ratio
from matcher.engine.scoring import NEUTRAL, Coverage, Factor, combine, coverage, failing, listing

MET = 0.75
# Free-text skills match a vendor's own service wording at this similarity (0-1) or better.
TEXT_MATCH = 0.8
CONTAINED = 0.9
REQUIRED_SHARE = 0.8


def engagement_model(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score vendors by whether they are tagged for the kind of work asked for."""
    wanted = reading.engagement.value
    if wanted == "any":
        return None
    match = index.is_bpo if wanted == "BPO" else index.is_kpo
    # A BPO-only shop doing judgment work is a worse miss than a KPO shop doing volume work.
    score = np.where(match, 1.0, 0.25 if wanted == "BPO" else 0.1)

    def explain(row: int) -> str:
        tags = " and ".join(index.vendors[row].tags)
        if match[row]:
            return f"does {wanted} work (tagged {tags})"
        return f"tagged {tags} only, and the work is {wanted}"

    return Factor(
        score, np.ones(index.size, dtype=bool), match, explain, lambda row: not match[row]
    )


def skills(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score how many of the required (and preferred) skills a vendor's services cover."""
    required, preferred = reading.required, reading.preferred
    if not required and not preferred:
        return None
    must = _skill_coverage(required, index, knowledge)
    nice = _skill_coverage(preferred, index, knowledge)
    if required and preferred:
        raw = REQUIRED_SHARE * must.average + (1 - REQUIRED_SHARE) * nice.average
    else:
        raw = must.average if required else nice.average
    known = index.service_texts.known
    score = np.where(known, raw, NEUTRAL)
    passes = known & (must.weakest >= MET) if required else known.copy()
    wanted = tuple(item.text for item in required)
    extra = tuple(item.text for item in preferred)

    def explain(row: int) -> str:
        if not known[row]:
            return "services not listed"
        met, missed = must.names_met(row, wanted), must.names_missed(row, wanted)
        parts = []
        if wanted:
            parts.append(f"covers {len(met)} of {len(wanted)} required skills")
        if met:
            parts.append(f"offers {listing(met)}")
        if missed:
            parts.append(f"lacks {listing(missed)}")
        if extra:
            parts.append(f"{len(nice.names_met(row, extra))} of {len(extra)} preferred")
        return "; ".join(parts)

    def short(row: int) -> bool:
        missing = not passes[row] or (bool(preferred) and nice.weakest[row] < MET)
        return bool(known[row] and missing)

    return Factor(score, known, passes, explain, short)


def _skill_coverage(
    items: tuple[Resolved, ...], index: CatalogIndex, knowledge: Knowledge
) -> Coverage:
    return combine([_skill_strength(item, index, knowledge) for item in items], index.size)


def _skill_strength(item: Resolved, index: CatalogIndex, knowledge: Knowledge) -> np.ndarray:
    if item.level == "service" and item.code is not None:
        # Another service of the same category is related work: half a match.
        category = knowledge.services.entries[item.code].category
        related = 0.5 * index.categories.has(category) if category else 0.0
        strength: np.ndarray = np.maximum(index.services.has(item.code), related)
        return strength
    if item.level == "category" and item.code is not None:
        return index.categories.has(item.code)
    return _text_strength(normalise_term(item.text), index.service_texts)


def _text_strength(text: str, texts: Columns) -> np.ndarray:
    # Fuzzy matching runs against the distinct service wordings of the catalog, not per vendor.
    if not texts.codes:
        return np.zeros(texts.matrix.shape[0])
    alike = ratio(
        process.cdist([text], texts.codes, scorer=fuzz.token_sort_ratio, processor=None)[0]
    )
    # A vendor wording that contains the skill's words ("social media" in "social media
    # support") is a match too, a little weaker than the same words.
    within = CONTAINED * ratio(
        process.cdist([text], texts.codes, scorer=fuzz.token_set_ratio, processor=None)[0]
    )
    similar = np.maximum(alike, within)
    return texts.row_max(np.where(similar >= TEXT_MATCH, similar, 0.0))


def certifications(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the share of required certifications a vendor holds."""
    return _held(
        reading.certifications, index.certifications, knowledge.certifications, "certifications"
    )


def qualifications(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the share of required staff qualifications a vendor's staff hold."""
    return _held(
        reading.qualifications, index.qualifications, knowledge.qualifications, "qualifications"
    )


def industry(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score whether a vendor serves the client's industry (or a related one)."""
    wanted = () if reading.industry is None else (reading.industry,)
    return _held(wanted, index.industries, knowledge.industries, "industries", verbs=SERVES)


HOLDS = ("has", "related to", "lacks")
SERVES = ("serves", "serves the related", "does not serve")


def _held(
    wanted: tuple[tuple[str, str], ...],
    columns: Columns,
    vocabulary: Vocabulary,
    noun: str,
    verbs: tuple[str, str, str] = HOLDS,
) -> Factor | None:
    if not wanted:
        return None
    codes = tuple(code for _, code in wanted)
    names = tuple(_name(vocabulary, text, code) for text, code in wanted)
    related = {
        code: vocabulary.entries[code].related for code in codes if code in vocabulary.entries
    }
    held = coverage(columns, codes, related)
    known = columns.known
    score = np.where(known, held.average, NEUTRAL)
    passes = known & (held.weakest >= 1.0)

    def explain(row: int) -> str:
        if not known[row]:
            return f"{noun} not listed"
        strengths = dict(zip(names, held.strengths(row), strict=True))
        parts = []
        for label, chosen in zip(
            verbs,
            (
                [name for name, value in strengths.items() if value >= 1],
                [name for name, value in strengths.items() if 0 < value < 1],
                [name for name, value in strengths.items() if value == 0],
            ),
            strict=True,
        ):
            if chosen:
                parts.append(f"{label} {listing(chosen)}")
        return "; ".join(parts)

    return Factor(score, known, passes, explain, failing(known, passes))


def _name(vocabulary: Vocabulary, text: str, code: str) -> str:
    entry = vocabulary.entries.get(code)
    return entry.name if entry is not None else text
