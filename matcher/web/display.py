"""How the pages show a vendor's facts: country and language names, rates, websites, changes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from matcher import matching
from matcher.web import bp


def country_name(code: str) -> str:
    """Return a country's English name from its ISO 3166 code (the code if unknown)."""
    return matching.knowledge().country_name(code)


def language_name(code: str) -> str:
    """Return a language's English name from its ISO 639 code (the code if unknown)."""
    return matching.knowledge().language_name(code)


def amount(value: float) -> str:
    """Return a rate for reading: 9 or 12.50."""
    return f"{value:,.2f}".removesuffix(".00")


@bp.app_template_global()
def rate_range(low: float | None, high: float | None, currency: str) -> str | None:
    """Return a vendor's hourly rate band in words, or None when it is unknown."""
    if low is not None and high is not None:
        band = amount(low) if low == high else f"{amount(low)}–{amount(high)}"
    elif low is not None:
        band = f"from {amount(low)}"
    elif high is not None:
        band = f"up to {amount(high)}"
    else:
        return None
    return f"{band} {currency}/h"


def website_link(text: str) -> str | None:
    """Return the address a website field may link to: http(s) only, never a script."""
    if "://" not in text and (":" in text or "." not in text.split("/")[0]):
        return None  # not a bare host name such as www.example.com: perhaps "mailto:"
    address = text if "://" in text else f"https://{text}"
    parts = urlsplit(address)
    plain = parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", text)
    return address if plain else None


def shown(value: Any) -> str:
    """Return an audited value briefly: lists joined, long text cut."""
    if value is None:
        return "(none)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


HELPERS = {
    "country_name": country_name,
    "language_name": language_name,
    "amount": amount,
    "rate_range": rate_range,
    "website_link": website_link,
    "shown": shown,
}
