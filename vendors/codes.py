"""Normalise country, language and currency codes with pycountry.

The catalog stores countries as ISO 3166 alpha-2, languages as ISO 639-1 (or ISO 639-3 for
languages that have no two-letter code, such as Filipino) and currencies as ISO 4217.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources

import pycountry


class UnknownCode(ValueError):
    """A country, language or currency that no standard list knows."""


_SPACES = re.compile(r"\s+")


@cache
def _alias_data() -> dict[str, dict[str, str]]:
    text = resources.files("vendors").joinpath("data/code_aliases.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


@cache
def _aliases() -> dict[str, dict[str, str]]:
    data = _alias_data()
    return {
        kind: {_key(name): code for name, code in data[kind].items()}
        for kind in ("countries", "languages")
    }


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


@lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """Return the ISO 3166 alpha-2 code of a country given by code or English name."""
    text = _SPACES.sub(" ", value).strip()
    found = None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
    elif len(text) == 3:
        found = pycountry.countries.get(alpha_3=text.upper())
    if found is None:
        alias = _aliases()["countries"].get(_key(text))
        if alias is not None:
            return alias
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = None
    if found is None:
        raise UnknownCode(f"unknown country {value!r}: use an ISO 3166 code or English name")
    return str(found.alpha_2)


@cache
def country_spellings() -> tuple[str, ...]:
    """Return every spelling `country_code` knows, as the standard writes it: codes and names."""
    attributes = ("alpha_2", "alpha_3", "numeric", "name", "official_name", "common_name")
    found = {
        str(value)
        for country in pycountry.countries
        for attribute in attributes
        if (value := getattr(country, attribute, None))
    }
    return tuple(sorted(found | set(_alias_data()["countries"])))


@lru_cache(maxsize=4096)
def language_code(value: str) -> str:
    """Return the ISO 639-1 code of a language given by code or English name."""
    text = _SPACES.sub(" ", value).strip()
    found = None
    if len(text) == 2:
        found = pycountry.languages.get(alpha_2=text.lower())
    elif len(text) == 3:
        found = pycountry.languages.get(alpha_3=text.lower()) or pycountry.languages.get(
            bibliographic=text.lower()
        )
    if found is None:
        alias = _aliases()["languages"].get(_key(text))
        if alias is not None:
            return alias
        try:
            found = pycountry.languages.lookup(text)
        except LookupError:
            found = None
    if found is None:
        raise UnknownCode(f"unknown language {value!r}: use an ISO 639 code or English name")
    return str(getattr(found, "alpha_2", None) or found.alpha_3)


@lru_cache(maxsize=512)
def currency_code(value: str) -> str:
    """Return the ISO 4217 code, validated, in upper case."""
    text = value.strip().upper()
    if len(text) != 3 or pycountry.currencies.get(alpha_3=text) is None:
        raise UnknownCode(f"unknown currency {value!r}: use an ISO 4217 code such as USD")
    return text
