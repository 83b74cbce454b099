"""Build vendors/data/demo_catalog.json, the catalog a new user of the service sees first.

The records come from the synthetic generator; the hand touches a real catalog has come from here:
readable slug ids, country codes mixed with English names, formal legal forms, enough vendors for
the walkthrough queries, and exactly two near-duplicate pairs for the import report to show.
Run it as `.venv/bin/python bench/build_demo_catalog.py`; the output is the same on every run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from random import Random
from typing import Any

from vendors.duplicates import find_duplicates
from vendors.synthetic import generate_records

Record = dict[str, Any]

SEED = 2024
OUTPUT = Path(__file__).resolve().parents[1] / "vendors" / "data" / "demo_catalog.json"
# Vendors per hub: roughly the market's shape, with every hub present.
QUOTAS = {"PH": 44, "IN": 54, "EE": 36, "LATAM": 40, "ZA": 15, "NAFR": 12, "SEA": 12, "US": 36}
QUOTAS |= {"UK": 22, "DACH": 13, "IE": 7, "CA": 7}
# Forms as registries write them; the generator uses the bare forms the duplicate check strips.
FORMAL = {
    "SA de CV": "S.A. de C.V.",
    "SAS": "S.A.S.",
    "Sdn Bhd": "Sdn. Bhd.",
    "Corp.": "Corporation",
}
CUSTOMER_CARE = {"Customer support", "Customer service", "Customer care", "Inbound call centre"}
CUSTOMER_CARE |= {"Call center", "Call centre", "Inbound call center", "Email and chat support"}
# Ids drop a generic last word ("Karoo Ledger Services" -> karoo-ledger) where the rest still reads.
US_SPELLING = {"Centre": "Center", "Modelling": "Modeling", "Digitisation": "Digitization"}
GENERIC_ENDINGS = (" Services", " Solutions", " Partners", " Group")
VAGUE_WITHOUT_ENDING = {"shared", "process", "business", "support", "people", "knowledge", "lpo"}


def main() -> None:
    """Write the demo catalog."""
    words = json.loads(
        resources.files("vendors").joinpath("data/synthetic_words.json").read_text("utf-8")
    )
    hub_of = {country: hub for hub, data in words["hubs"].items() for country in data["countries"]}
    pool = list(generate_records(6000, seed=SEED))
    chosen = _choose(pool, hub_of)
    rng = Random(SEED)
    taken: set[str] = set()
    for record in chosen:
        _touch_up(record, words, rng, taken)
    _add_near_duplicates(chosen, words)
    found = find_duplicates([(record["id"], record["name"]) for record in chosen])
    if len(found) != 2:
        raise SystemExit(f"expected exactly two near-duplicate pairs, found {found}")
    text = json.dumps(chosen, indent=2, ensure_ascii=False)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    hubs = Counter(hub_of[_code(record["delivery_countries"][0], words)] for record in chosen)
    tags = Counter("+".join(record["tags"]) for record in chosen)
    print(f"Wrote {len(chosen)} vendors to {OUTPUT}: {dict(hubs)}, {dict(tags)}")


def _choose(pool: list[Record], hub_of: dict[str, str]) -> list[Record]:
    # Walkthrough vendors first (nearshore Spanish-speaking support, CFA research desks), then
    # fill each hub's quota in generator order.
    wanted = {"latam-care": 10, "IN-cfa": 4, "EE-cfa": 4, "US-cfa": 3, "UK-cfa": 3}
    counts: Counter[str] = Counter()
    chosen: list[Record] = []
    for walkthrough in (True, False):
        for record in pool:
            hub = hub_of[record["delivery_countries"][0]]
            if counts[hub] >= QUOTAS[hub] or any(record is other for other in chosen):
                continue
            need = _walkthrough(record, hub)
            if walkthrough and (need is None or counts[need] >= wanted[need]):
                continue
            counts[hub] += 1
            counts[need or ""] += 1
            chosen.append(record)
    return sorted(chosen, key=lambda record: record["id"])


def _walkthrough(record: Record, hub: str) -> str | None:
    languages = set(record.get("languages", ()))
    if hub == "LATAM" and "BPO" in record["tags"] and {"en", "es"} <= languages:
        return "latam-care" if CUSTOMER_CARE.intersection(record["services"]) else None
    if "CFA" in record.get("qualifications", ()) and hub in ("IN", "EE", "US", "UK"):
        return f"{hub}-cfa"
    return None


def _touch_up(record: Record, words: dict[str, Any], rng: Random, taken: set[str]) -> None:
    home = words["countries"][record["delivery_countries"][0]]
    base, legal = _split_legal(record["name"], home["legal"])
    if legal in FORMAL and rng.random() < 0.7:
        record["name"] = f"{base} {FORMAL[legal]}"
    record["id"] = _unique_slug(base, taken)
    if rng.random() < 0.4:
        record["delivery_countries"] = [
            _country_name(code, words) for code in record["delivery_countries"]
        ]
        record["hq_country"] = _country_name(record["hq_country"], words)
    if home["name"] in ("Germany", "Austria", "Switzerland") and rng.random() < 0.4:
        german = words["german"]
        record["services"] = [
            german[item][0] if item in german else item for item in record["services"]
        ]
    if "languages" in record and rng.random() < 0.25:
        names = words["language_names"]
        record["languages"] = [names.get(code, code) for code in record["languages"]]


def _split_legal(name: str, forms: list[str]) -> tuple[str, str]:
    for form in sorted(forms, key=len, reverse=True):
        if name.endswith(" " + form):
            return name[: -len(form) - 1], form
    return name, ""


def _unique_slug(base: str, taken: set[str]) -> str:
    full = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")
    short = full.rsplit("-", 1)[0] if base.endswith(GENERIC_ENDINGS) else full
    readable = short.count("-") >= 1 and short.rsplit("-", 1)[1] not in VAGUE_WITHOUT_ENDING
    slug = short if readable and short not in taken else full
    taken.add(slug)
    return slug


def _country_name(code: str, words: dict[str, Any]) -> str:
    known = words["countries"].get(code)
    return str(known["name"]) if known else code


def _code(country: str, words: dict[str, Any]) -> str:
    names: dict[str, str] = {data["name"]: code for code, data in words["countries"].items()}
    return names.get(country, country)


def _add_near_duplicates(chosen: list[Record], words: dict[str, Any]) -> None:
    # Real catalogs hold one firm twice: once with US spelling, once under its full legal form.
    hub_of = {country: hub for hub, data in words["hubs"].items() for country in data["countries"]}

    def home(record: Record) -> str:
        return _code(record["delivery_countries"][0], words)

    british = next(
        record
        for record in chosen
        if hub_of[home(record)] in ("UK", "IE", "ZA")
        and US_SPELLING.keys() & record["name"].split()
    )
    research = next(
        record
        for record in chosen
        if home(record) == "IN" and "CFA" in record.get("qualifications", ())
    )
    for original, american in ((british, True), (research, False)):
        forms = words["countries"][home(original)]["legal"]
        base, legal = _split_legal(original["name"], forms)
        if american:
            twin_base = " ".join(US_SPELLING.get(word, word) for word in base.split())
            twin_legal = next(form for form in forms if form != legal)
        else:
            twin_base, twin_legal = (
                base,
                "Private Limited" if legal != "Private Limited" else "Pvt Ltd",
            )
        name = f"{twin_base} {twin_legal}"
        twin = dict(original, name=name, id=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
        twin["services"] = original["services"][:-1] or original["services"]
        twin.pop("rating", None)
        twin["review_count"] = original.get("review_count", 0) // 3
        twin["description"] = original["description"].replace(base, twin_base)
        chosen.insert((chosen.index(original) + len(chosen) // 2) % len(chosen), twin)


if __name__ == "__main__":
    main()
