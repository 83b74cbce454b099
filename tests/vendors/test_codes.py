"""Country, language and currency codes are normalised by pycountry."""

import pytest

from vendors.codes import UnknownCode, country_code, currency_code, language_code


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("PH", "PH"),
        ("ph", "PH"),
        ("PHL", "PH"),
        ("Philippines", "PH"),
        ("  india ", "IN"),
        ("United States", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Turkey", "TR"),
        ("Deutschland", "DE"),
        ("South Africa", "ZA"),
    ],
)
def test_countries_are_stored_as_alpha_2(given: str, code: str) -> None:
    assert country_code(given) == code


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("eng", "en"),
        ("English", "en"),
        ("spanish", "es"),
        ("ger", "de"),
        ("Tagalog", "tl"),
        ("Mandarin", "zh"),
        ("Greek", "el"),
        ("Filipino", "fil"),
    ],
)
def test_languages_are_stored_as_iso_639_1_or_639_3_when_there_is_none(
    given: str, code: str
) -> None:
    assert language_code(given) == code


@pytest.mark.parametrize("given", ["Narnia", "XX", "Europe", ""])
def test_an_unknown_country_is_refused_with_its_name(given: str) -> None:
    with pytest.raises(UnknownCode, match="unknown country"):
        country_code(given)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(UnknownCode, match="unknown language 'Klingonese'"):
        language_code("Klingonese")


def test_currencies_are_validated_against_iso_4217() -> None:
    assert currency_code("eur") == "EUR"
    with pytest.raises(UnknownCode, match="unknown currency"):
        currency_code("ABC")
