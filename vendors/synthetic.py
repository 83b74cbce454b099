"""Generate realistic, fully fictional vendor capability records for demos and benchmarks.

Each record comes from a hub profile (the Philippines, India, Eastern Europe, Latin America, onshore
US, ...) in `data/synthetic_words.json` that sets its countries, languages, rates and name flavour.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from random import Random
from typing import Any

Record = dict[str, Any]

# Chance that a vendor of one engagement group also sells the other: gives ~15% "both" overall.
_BOTH_SHARE = {"BPO": 0.14, "KPO": 0.17}
_SERVICE_COUNTS = (2, 3, 3, 4, 4, 4, 5, 5, 6)
_INDUSTRY_COUNTS = (1, 2, 2, 3, 3, 4)
_LONGEST_NAME = 36
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


_Weighted = tuple[tuple[str, ...], tuple[float, ...]]


def _weighted(weights: Mapping[str, float]) -> _Weighted:
    return tuple(weights), tuple(accumulate(weights.values()))


def _draw(rng: Random, table: _Weighted) -> str:
    # One random number and a bisect: much cheaper than Random.choices.
    options, cumulative = table
    return options[bisect(cumulative, rng.random() * cumulative[-1])]


@dataclass(frozen=True, slots=True)
class _Tables:
    """The word tables plus what is derived from them once per process."""

    words: dict[str, Any]
    hubs: _Weighted
    countries: dict[str, _Weighted]
    currencies: dict[str, _Weighted]
    kinds: dict[str, list[str]]
    family_of: dict[str, str]
    pools: dict[tuple[str, str], tuple[list[Any], list[Any]]]
    in_sentence: dict[str, str]


@cache
def _tables() -> _Tables:
    text = resources.files("vendors").joinpath("data/synthetic_words.json").read_text("utf-8")
    words: dict[str, Any] = json.loads(text)
    hubs: dict[str, Any] = words["hubs"]
    families: dict[str, Any] = words["families"]
    kinds: dict[str, list[str]] = {"BPO": [], "KPO": []}
    family_of: dict[str, str] = {}
    pools: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}
    for key, family in families.items():
        kinds[family["group"]].extend(family["kinds"])
        family_of.update(dict.fromkeys(family["kinds"], key))
        for hub_key, hub in hubs.items():
            certifications = [*words["base_certifications"], *family["certifications"]]
            certifications += [*hub["certifications"], ["GDPR", hub["gdpr"]]]
            qualifications = family["qualifications"]
            qualifications = [*qualifications["*"], *qualifications.get(hub_key, ())]
            pools[hub_key, key] = certifications, qualifications
    phrases = [item for family in families.values() for item in family["services"]]
    return _Tables(
        words=words,
        hubs=_weighted({key: hub["weight"] for key, hub in hubs.items()}),
        countries={key: _weighted(hub["countries"]) for key, hub in hubs.items()},
        currencies={key: _weighted(hub["currencies"]) for key, hub in hubs.items()},
        kinds=kinds,
        family_of=family_of,
        pools=pools,
        in_sentence={item: _in_sentence(item) for item in [*phrases, *words["industries"]]},
    )


def _in_sentence(text: str) -> str:
    head = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if head[1:].islower() else text


def _stride(rng: Random, size: int) -> int:
    # Near the golden section of the space, successive names differ in every part.
    step = int(size * 0.6180339887) + rng.randrange(1 + size // 50)
    while math.gcd(step, size) != 1:
        step += 1
    return step


class _Names:
    """Unique names for one country and engagement group, in a seeded, scattered order.

    Names are the points of two product spaces (place x kind, then place x core x kind) visited
    through an affine permutation, so uniqueness needs no memory of the names already given.
    """

    def __init__(self, rng: Random, places: list[str], cores: Sequence[str], kinds: list[str]):
        self.places = rng.sample(places, len(places))
        self.cores = rng.sample(cores, len(cores))
        self.kinds = rng.sample(kinds, len(kinds))
        sizes = (len(self.places) * len(self.kinds), len(self.places) * len(cores) * len(kinds))
        self.blocks = [(size, _stride(rng, size), rng.randrange(size)) for size in sizes]
        self.issued = 0

    def next(self, extras: Sequence[str]) -> tuple[str, str]:
        """Return the next unique name and the kind of business it names."""
        (short, short_step, short_shift), (size, step, shift) = self.blocks
        while True:
            index, self.issued = self.issued, self.issued + 1
            if index < short:
                place, kind = divmod((index * short_step + short_shift) % short, len(self.kinds))
                name = f"{self.places[place]} {self.kinds[kind]}"
                rounds = 0
            else:
                rounds, index = divmod(index - short, size)
                point, kind = divmod((index * step + shift) % size, len(self.kinds))
                core, place = divmod(point, len(self.places))
                name = f"{self.places[place]} {self.cores[core]} {self.kinds[kind]}"
            # The word tables keep names that differ in one word apart only up to this length.
            if len(name) > _LONGEST_NAME:
                continue
            while rounds:
                # Past the whole space: go round again with suffix words, never bare numbers.
                rounds, digit = divmod(rounds - 1, len(extras))
                name += " " + extras[digit]
            return name, self.kinds[kind]


def _money(value: float) -> float:
    """Round a rate the way price lists do: halves when small, two significant digits when big."""
    if value < 20:
        half = max(0.5, round(value * 2) / 2)
        return int(half) if half.is_integer() else half
    step = int(10 ** max(0, int(math.log10(value)) - 1))
    return round(value / step) * step


def _slug(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def _one(rng: Random, options: Sequence[Any]) -> Any:
    # Much cheaper than Random.choice, which matters at a million records.
    return options[int(rng.random() * len(options))]


def _chosen(rng: Random, table: Sequence[Sequence[Any]]) -> list[str]:
    return [str(name) for name, share in table if rng.random() < share]


def generate_records(count: int, *, seed: int = 0) -> Iterator[Record]:
    """Yield `count` fictional vendor records; the same seed always yields the same records."""
    tables = _tables()
    rng = Random(seed)
    namers: dict[tuple[str, str], _Names] = {}
    for index in range(count):
        hub = _draw(rng, tables.hubs)
        country = _draw(rng, tables.countries[hub])
        group = "KPO" if rng.random() < tables.words["hubs"][hub]["kpo_share"] else "BPO"
        namer = namers.get((country, group))
        if namer is None:
            places = tables.words["hubs"][hub]["places"][country]
            cores, kinds = tables.words["cores"], tables.kinds[group]
            namer = namers[country, group] = _Names(rng, places, cores, kinds)
        yield _vendor(
            rng, tables, hub, country, group, namer.next(tables.words["extras"]), f"v{index:07d}"
        )


@dataclass(frozen=True, slots=True)
class _Draft:
    """One vendor as drawn, before the catalog's gaps are cut into it."""

    base: str
    group: str
    both: bool
    country: str
    delivery: list[str]
    languages: list[str]
    services: list[str]
    currency: str
    rate_min: float
    rate_max: float
    certifications: list[str]
    qualifications: list[str]
    industries: list[str]
    headcount: int
    reviews: int
    description: str


def _vendor(
    rng: Random,
    tables: _Tables,
    hub_key: str,
    country: str,
    group: str,
    name: tuple[str, str],
    id_: str,
) -> Record:
    # The draws come in a fixed order, so the same seed always yields the same catalog.
    words = tables.words
    hub = words["hubs"][hub_key]
    base, kind = name
    family = words["families"][tables.family_of[kind]]
    other = words["families"][family["partner"]]
    both = rng.random() < _BOTH_SHARE[group]
    home = words["countries"][country]
    city: str = _one(rng, home["cities"])
    delivery, languages = _places(rng, tables, hub_key, country, city)
    offered, services = _services(rng, words, family, other, both, country)
    currency, rate_min, rate_max = _rates(rng, tables, hub_key, home, family, other, both)
    certification_pool, qualification_pool = tables.pools[hub_key, tables.family_of[kind]]
    certifications = _chosen(rng, certification_pool)
    qualifications = _chosen(rng, qualification_pool)
    if both and other["group"] == "KPO":
        qualifications += _chosen(rng, other["qualifications"]["*"])
    picked = min(_one(rng, _INDUSTRY_COUNTS), len(family["industries"]))
    industries = rng.sample(family["industries"], picked)
    if rng.random() < 0.25:
        industries.append(_one(rng, words["industries"]))
    industries = list(dict.fromkeys(industries))
    least, span, skew = (50, 400, 2.5) if group == "BPO" else (10, 200, 1.6)
    headcount = round(least * span ** (rng.random() ** skew))
    if headcount > 200:
        headcount = round(headcount, -1 if headcount < 2000 else -2)
    reviews = min(400, int(rng.expovariate(1 / 28)))
    fill = {
        "short": base,
        "specialty": family["specialty"],
        "city": city,
        "country": home["name"],
        "size": "boutique" if headcount < 50 else "mid-sized" if headcount < 500 else "large",
        "pitch": _one(rng, hub["pitch"]),
    }
    description = _description(rng, tables, fill, offered, industries, languages)
    draft = _Draft(
        base,
        group,
        both,
        country,
        delivery,
        languages,
        services,
        currency,
        rate_min,
        rate_max,
        certifications,
        qualifications,
        industries,
        headcount,
        reviews,
        description,
    )
    return _with_gaps(rng, id_, draft, hub, home)


def _places(
    rng: Random, tables: _Tables, hub_key: str, country: str, city: str
) -> tuple[list[str], list[str]]:
    """Draw the delivery countries (a second centre in the hub, now and then a partner's) and
    the languages spoken there."""
    words = tables.words
    hub, home = words["hubs"][hub_key], words["countries"][country]
    delivery = [country]
    if len(hub["countries"]) > 1 and rng.random() < 0.25:
        delivery.append(_draw(rng, tables.countries[hub_key]))
    if rng.random() < 0.12:
        delivery.append(_draw(rng, tables.countries[_one(rng, hub["partners"])]))
    delivery = list(dict.fromkeys(delivery))
    languages = [*home["languages"], *_chosen(rng, home["extra"])]
    spoken = words["city_languages"].get(city)
    if spoken and rng.random() < 0.5:
        languages.append(spoken)
    for elsewhere in delivery[1:]:
        languages.extend(words["countries"][elsewhere]["languages"])
    return delivery, list(dict.fromkeys(languages))


def _services(
    rng: Random,
    words: Mapping[str, Any],
    family: Mapping[str, Any],
    other: Mapping[str, Any],
    both: bool,
    country: str,
) -> tuple[list[str], list[str]]:
    """Draw the services offered (a few of the partner family's for BPO-and-KPO vendors), and
    how the vendor words them: a variant now and then, German in the DACH countries."""
    offered = rng.sample(family["services"], _one(rng, _SERVICE_COUNTS))
    if both:
        extra = 2 if len(offered) < 5 else 1
        offered = offered[: 6 - extra] + rng.sample(other["services"], extra)
    offered = list(dict.fromkeys(offered))
    variants, german = words["variants"], words["german"]
    services = [
        _one(rng, variants[item]) if item in variants and rng.random() < 0.15 else item
        for item in offered
    ]
    if country in ("DE", "AT", "CH") and rng.random() < 0.35:
        services = [_one(rng, german[item]) if item in german else item for item in services]
    return offered, services


def _rates(
    rng: Random,
    tables: _Tables,
    hub_key: str,
    home: Mapping[str, Any],
    family: Mapping[str, Any],
    other: Mapping[str, Any],
    both: bool,
) -> tuple[str, float, float]:
    """Draw the currency and the rate band: the hub's band, scaled to the currency and the
    family's price level."""
    words = tables.words
    hub = words["hubs"][hub_key]
    currency = _draw(rng, tables.currencies[hub_key])
    local = home.get("local")
    if local and rng.random() < local[1]:
        currency = local[0]
    low, high, band_currency = hub["band"]
    scale = words["fx"][currency] / words["fx"][band_currency] * (0.8 + 0.4 * rng.random())
    factors = sorted((family["rate"], other["rate"] if both else family["rate"]))
    rate_min = low + (high - low) * 0.6 * rng.random()
    rate_max = rate_min + (high - rate_min) * (0.3 + 0.7 * rng.random())
    return currency, rate_min * factors[0] * scale, rate_max * factors[1] * scale


def _description(
    rng: Random,
    tables: _Tables,
    fill: dict[str, str],
    offered: list[str],
    industries: list[str],
    languages: list[str],
) -> str:
    """Write the vendor's description from the templates: one sentence, often two."""
    words, phrase = tables.words, tables.in_sentence
    names = [words["language_names"].get(code, code) for code in languages]
    fill = {
        **fill,
        "service1": phrase[offered[0]],
        "service2": phrase[offered[1]],
        "industry1": phrase[industries[0]],
        "industry2": phrase[industries[1]] if len(industries) > 1 else "mid-market",
        "languages": ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0],
    }
    description: str = _one(rng, words["descriptions"]["first"]).format_map(fill)
    if rng.random() < 0.6:
        description += " " + _one(rng, words["descriptions"]["second"]).format_map(fill)
    return description


def _with_gaps(
    rng: Random, id_: str, draft: _Draft, hub: Mapping[str, Any], home: Mapping[str, Any]
) -> Record:
    """Return the record as a catalog would hold it: real catalogs are patchy, so fields are
    left out at roughly the rates seen in supplier directories."""
    legal = _one(rng, home["legal"]) if rng.random() < 0.45 else ""
    if len(draft.base) + len(legal) >= _LONGEST_NAME:
        legal = ""  # what a legal form leaves in a duplicate check counts towards the length
    record: Record = {"id": id_, "name": f"{draft.base} {legal}" if legal else draft.base}
    record["tags"] = ["BPO", "KPO"] if draft.both else [draft.group]
    record["services"] = draft.services
    record["delivery_countries"] = draft.delivery
    abroad = rng.random() < hub["hq_share"]
    record["hq_country"] = _one(rng, hub["hq_abroad"]) if abroad else draft.country
    if rng.random() >= 0.03:
        record["languages"] = draft.languages
    gaps = rng.random()  # below 0.10 no rates, then 2% with only the minimum, 2% only the maximum
    if gaps >= 0.14 or 0.10 <= gaps < 0.12:
        record["rate_min"] = _money(draft.rate_min)
    if gaps >= 0.12:
        record["rate_max"] = max(record.get("rate_min", 0), _money(draft.rate_max))
    currency = draft.currency
    if (gaps >= 0.10 or rng.random() < 0.3) and (currency != "USD" or rng.random() >= 0.05):
        record["currency"] = currency
    if rng.random() >= 0.08:
        record["headcount"] = draft.headcount
    if draft.certifications and rng.random() >= 0.05:
        record["certifications"] = list(dict.fromkeys(draft.certifications))
    if draft.qualifications:
        record["qualifications"] = list(dict.fromkeys(draft.qualifications))
    record["industries"] = draft.industries
    if rng.random() >= 0.10:
        if draft.reviews:
            record["rating"] = round(min(5.0, max(2.8, rng.gauss(4.25, 0.4))), 1)
        record["review_count"] = draft.reviews
    record["description"] = draft.description
    record["website"] = f"https://{_slug(draft.base)}.example"
    return record
