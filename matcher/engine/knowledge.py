"""The matching knowledge (taxonomy, geography, currencies, reading data), read from data files."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pycountry

from matcher.engine.language import Language, languages_from
from matcher.engine.lexicon import Lexicon, build_lexicons

_SPACES = re.compile(r"\s+")


def normalise_term(text: str) -> str:
    """Return text case-folded with runs of white space collapsed, for matching."""
    return _SPACES.sub(" ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing the taxonomy knows: a service, category, certification, ..."""

    code: str
    name: str
    kind: str | None = None
    category: str | None = None
    complexity: int | None = None
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Entries and every name and alias that stands for one of them."""

    entries: Mapping[str, Entry]
    terms: tuple[str, ...]
    term_codes: tuple[str, ...]
    by_term: Mapping[str, str]
    # Fuzzy look-ups already made (resolve._best), by term and cutoff: the vocabulary never
    # changes, and clients ask for the same few hundred skills again and again.
    memo: dict[tuple[str, float], tuple[str, float] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def exact(self, text: str) -> str | None:
        """Return the code whose name or alias is exactly this text (any case), or None."""
        return self.by_term.get(normalise_term(text))


@dataclass(frozen=True, slots=True)
class Region:
    """A named group of countries, e.g. Eastern Europe."""

    code: str
    name: str
    countries: frozenset[str]


@dataclass(frozen=True, slots=True)
class Geography:
    """Regions, nearshore neighbours and time zones by ISO alpha-2 country."""

    regions: Mapping[str, Region]
    region_terms: Mapping[str, str]
    nearshore: Mapping[str, frozenset[str]]
    utc_offsets: Mapping[str, tuple[float, float]]

    def region(self, text: str) -> Region | None:
        """Return the region a name or alias stands for, or None."""
        code = self.region_terms.get(normalise_term(text))
        return None if code is None else self.regions[code]


# Compared and hashed by identity: one object per reading of the data files.
@dataclass(frozen=True, slots=True, eq=False)
class Knowledge:
    """Everything the engine knows besides the catalog."""

    services: Vocabulary
    categories: Vocabulary
    certifications: Vocabulary
    qualifications: Vocabulary
    industries: Vocabulary
    geography: Geography
    per_usd: Mapping[str, float]
    rates_as_of: str
    cues: Mapping[str, tuple[str, ...]]
    country_names: Mapping[str, str]
    language_names: Mapping[str, str]
    languages: Mapping[str, Language]
    lexicons: Mapping[str, Lexicon]

    def country_name(self, code: str) -> str:
        """Return a country's English name, or its code when unknown."""
        return self.country_names.get(code, code)

    def language_name(self, code: str) -> str:
        """Return a language's English name, or its code when unknown."""
        return self.language_names.get(code, code)


def _read_text(name: str) -> str:
    return resources.files("matcher").joinpath(f"data/{name}").read_text("utf-8")


def _read(name: str) -> Any:
    return json.loads(_read_text(name))


def _vocabulary(items: list[dict[str, Any]]) -> Vocabulary:
    entries: dict[str, Entry] = {}
    terms: list[str] = []
    codes: list[str] = []
    for item in items:
        entry = Entry(
            code=item["code"],
            name=item["name"],
            kind=item.get("kind"),
            category=item.get("category"),
            complexity=item.get("complexity"),
            related=tuple(item.get("related", ())),
        )
        entries[entry.code] = entry
        # The code itself ("email_chat_support") is a term too: catalogs may use codes.
        names = [item["name"], *item["aliases"], item["code"]]
        for term in dict.fromkeys(normalise_term(t) for t in names):
            if term in terms:
                continue
            terms.append(term)
            codes.append(entry.code)
    return Vocabulary(entries, tuple(terms), tuple(codes), dict(zip(terms, codes, strict=True)))


def _geography(data: dict[str, Any]) -> Geography:
    regions = {
        item["code"]: Region(item["code"], item["name"], frozenset(item["countries"]))
        for item in data["regions"]
    }
    terms = {
        normalise_term(term): item["code"]
        for item in data["regions"]
        for term in [item["name"], *item.get("aliases", ())]
    }
    nearshore = {client: frozenset(near) for client, near in data["nearshore"].items()}
    offsets = {
        country: (float(low), float(high)) for country, (low, high) in data["utc_offsets"].items()
    }
    return Geography(regions, terms, nearshore, offsets)


def load_knowledge() -> Knowledge:
    """Read the data files shipped in `matcher/data/`."""
    services = _read("services.json")
    rates = _read("currency_rates.json")
    industries = _read("industries.json")["industries"]
    languages = languages_from(_read("languages.json")["languages"])
    return Knowledge(
        services=_vocabulary(services["services"]),
        categories=_vocabulary(services["categories"]),
        certifications=_vocabulary(_read("certifications.json")["certifications"]),
        qualifications=_vocabulary(_read("qualifications.json")["qualifications"]),
        industries=_vocabulary(industries),
        geography=_geography(_read("geography.json")),
        per_usd={code: float(rate) for code, rate in rates["per_usd"].items()},
        rates_as_of=rates["as_of"],
        cues={kind: tuple(words) for kind, words in _read("engagement_cues.json").items()},
        languages=languages,
        lexicons=build_lexicons(
            languages,
            services["services"],
            services["categories"],
            industries,
            _read("paraphrases.json"),
            _read("buyers.json"),
            _read("judging.json")["umbrellas"],
        ),
        country_names={
            country.alpha_2: getattr(country, "common_name", country.name)
            for country in pycountry.countries
        },
        language_names={
            getattr(language, "alpha_2", language.alpha_3): language.name
            for language in pycountry.languages
        },
    )
