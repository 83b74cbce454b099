"""Factors about the work: engagement model, skills, certifications, qualifications, industry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from matcher.engine.index import CatalogIndex, Columns
from matcher.engine.judging import Judging, Umbrella
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.reading import Reading
from matcher.engine.resolve import Resolved, ratio
from matcher.engine.scoring import NEUTRAL, Factor, combine, coverage, failing, listing

MET = 0.75
# Another service of the skill's category is related work.
RELATED = 0.5
# A part of an end-to-end service the vendor lists (medical billing in end-to-end RCM).
PART_OF_WHOLE = 0.9
# Covering any core service of an umbrella counts this much; the rest grows with the share.
BREADTH_FLOOR = 0.5
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
    """Score how many of the required (and preferred) skills a vendor's services cover; an
    umbrella term (LPO, F&A, RCM...) by how broadly they cover its core services."""
    required, preferred = reading.required, reading.preferred
    if not required and not preferred:
        return None
    judging = index.judging
    asked = [_skill(item, index, knowledge, judging) for item in required]
    must = combine([skill.strength for skill in asked], index.size)
    nice = combine(
        [_skill(item, index, knowledge, judging).strength for item in preferred], index.size
    )
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
        offered: list[str] = []
        broad: list[str] = []
        partly: list[str] = []
        lacking: list[str] = []
        for item, skill, strength in zip(required, asked, must.strengths(row), strict=True):
            note = skill.note(row)
            if strength >= MET and not note:
                offered.append(item.text)
            elif strength >= MET and skill.breadth:
                broad.append(f"{item.text}: {note}")  # "RCM: covers 4 of 6 parts of ..."
            elif strength >= MET:
                offered.append(f"{item.text} ({note})")  # "(as part of its ...)"
            elif note:
                partly.append(f"{item.text} in part: {note}")
            else:
                lacking.append(item.text)
        parts = []
        if wanted:
            met = len(offered) + len(broad)
            parts.append(f"covers {met} of {len(wanted)} required skills")
        if offered:
            parts.append(f"offers {listing(offered)}")
        parts += broad + partly
        if lacking:
            parts.append(f"lacks {listing(lacking)}")
        if extra:
            parts.append(f"{len(nice.names_met(row, extra))} of {len(extra)} preferred")
        return "; ".join(parts)

    def short(row: int) -> bool:
        missing = not passes[row] or (bool(preferred) and nice.weakest[row] < MET)
        return bool(known[row] and missing)

    return Factor(score, known, passes, explain, short)


@dataclass(frozen=True, slots=True)
class Skill:
    """Every vendor's strength for one skill asked for, and what to say about its breadth."""

    strength: np.ndarray
    # What to add to the skill's name for one vendor ("" for nothing): the parts of an
    # umbrella it covers, or the end-to-end service it is part of.
    note: Callable[[int], str]
    breadth: bool = False


def _skill(item: Resolved, index: CatalogIndex, knowledge: Knowledge, judging: Judging) -> Skill:
    umbrella = judging.umbrella(item)
    if umbrella is not None:
        return _breadth(umbrella, index, knowledge, judging)
    if item.level == "service" and item.code is not None:
        code = item.code
        # Another service of the same category is related work: half a match.
        category = knowledge.services.entries[code].category
        related = RELATED * index.categories.has(category) if category else 0.0
        listed = index.services.has(code)
        wholes = [(whole, index.services.has(whole.code)) for whole in judging.wholes(code)]
        strength: np.ndarray = np.maximum(listed, related)
        for _, has in wholes:
            np.maximum(strength, PART_OF_WHOLE * has, out=strength)

        def note(row: int) -> str:
            if listed[row] > 0:
                return ""
            within = [_umbrella_name(knowledge, whole) for whole, has in wholes if has[row] > 0]
            return f"as part of its {listing(within)}" if within else ""

        return Skill(strength, note)
    if item.level == "category" and item.code is not None:
        return Skill(index.categories.has(item.code), lambda row: "")
    return Skill(_text_strength(normalise_term(item.text), index.service_texts), lambda row: "")


def _breadth(
    umbrella: Umbrella, index: CatalogIndex, knowledge: Knowledge, judging: Judging
) -> Skill:
    """Score an umbrella: listed itself 1; else half for covering any of its core services and
    the rest by the share covered; related work in its category half, as for any service."""
    services = index.services
    if umbrella.level == "service":
        listed = services.has(umbrella.code)
        category = knowledge.services.entries[umbrella.code].category
    else:
        listed = np.zeros(index.size)
        listing_columns = index.listed_categories
        for column in listing_columns.codes:
            named, _, term = column.partition("|")
            if judging.names_umbrella(umbrella, named, term):
                np.maximum(listed, listing_columns.has(column), out=listed)
        category = umbrella.code
    parts = [_part(code, index, judging) for code in umbrella.core]
    covered = np.sum(parts, axis=0) if parts else np.zeros(index.size)
    share = covered / max(len(parts), 1)
    breadth = BREADTH_FLOOR * np.minimum(covered, 1.0) + (1 - BREADTH_FLOOR) * share
    related = RELATED * index.categories.has(category) if category else np.zeros(index.size)
    strength = np.maximum(np.maximum(listed, related), breadth)
    names = [_part_name(knowledge, code) for code in umbrella.core]
    title = _umbrella_name(knowledge, umbrella)

    def note(row: int) -> str:
        if listed[row] >= MET:
            return ""
        have = [name for name, part in zip(names, parts, strict=True) if part[row] > 0]
        if not have:
            return ""
        return f"covers {len(have)} of {len(names)} parts of {title}: {listing(have)}"

    return Skill(strength, note, breadth=True)


def _part(code: str, index: CatalogIndex, judging: Judging) -> np.ndarray:
    # A core service is covered when listed, or as part of an end-to-end service listed.
    strength = index.services.has(code)
    for whole in judging.wholes(code):
        np.maximum(strength, PART_OF_WHOLE * index.services.has(whole.code), out=strength)
    return strength


def _umbrella_name(knowledge: Knowledge, umbrella: Umbrella) -> str:
    if umbrella.name:
        return umbrella.name
    words = knowledge.services if umbrella.level == "service" else knowledge.categories
    return words.entries[umbrella.code].name


def _part_name(knowledge: Knowledge, code: str) -> str:
    # "Medical billing" reads "medical billing" in a sentence; "ESG research" stays as it is.
    name = knowledge.services.entries[code].name
    return name[0].lower() + name[1:] if name[1:2].islower() else name


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
