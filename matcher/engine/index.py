"""The catalog as arrays: one row per vendor, built once per catalog revision."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
from scipy import sparse

from matcher.engine.brief import read_text
from matcher.engine.judging import Judging, load_judging
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.model import VendorRow
from matcher.engine.resolve import resolve_code, resolve_skill

T = TypeVar("T")
# How sure a service read inside longer vendor wording is, against the same name given alone.
VENDOR_WORDING = 0.95


@dataclass(frozen=True, slots=True)
class Columns:
    """Which vendor has which code: a sparse vendors x codes matrix of strengths 0-1."""

    matrix: sparse.csr_matrix
    codes: tuple[str, ...]
    column: Mapping[str, int]
    known: np.ndarray
    # The same matrix by columns: one code's vendors are then a slice, not a scan.
    by_code: sparse.csc_matrix

    def has(self, code: str) -> np.ndarray:
        """Return each vendor's strength for one code (0 where it lacks it)."""
        result = np.zeros(self.matrix.shape[0])
        position = self.column.get(code)
        if position is not None:
            start, end = self.by_code.indptr[position], self.by_code.indptr[position + 1]
            result[self.by_code.indices[start:end]] = self.by_code.data[start:end]
        return result

    def row_max(self, per_code: np.ndarray) -> np.ndarray:
        """Return, per vendor, the largest of a value given per code over the codes it has."""
        result = np.zeros(self.matrix.shape[0])
        starts = self.matrix.indptr[:-1]
        filled = self.known & (self.matrix.indptr[1:] > starts)
        if self.matrix.nnz:
            values = per_code[self.matrix.indices] * self.matrix.data
            result[filled] = np.maximum.reduceat(values, starts[filled])
        return result

    def of(self, row: int) -> dict[str, float]:
        """Return one vendor's codes and strengths."""
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        return {
            self.codes[column]: float(value)
            for column, value in zip(
                self.matrix.indices[start:end], self.matrix.data[start:end], strict=True
            )
        }


class _ColumnsBuilder:
    def __init__(self, size: int):
        self.size = size
        self.rows: list[int] = []
        self.columns: list[int] = []
        self.values: list[float] = []
        self.column: dict[str, int] = {}

    def add(self, row: int, code: str, value: float = 1.0) -> None:
        self.rows.append(row)
        self.columns.append(self.column.setdefault(code, len(self.column)))
        self.values.append(value)

    def build(self) -> Columns:
        rows, columns = np.array(self.rows, dtype=np.int64), np.array(self.columns, dtype=np.int64)
        values = np.array(self.values, dtype=np.float64)
        # Known: the vendor listed at least one thing.
        known = np.zeros(self.size, dtype=bool)
        known[rows] = True
        # A vendor listing one thing twice keeps the stronger link, not the sum of both.
        order = np.lexsort((values, columns, rows))
        rows, columns, values = rows[order], columns[order], values[order]
        last = np.ones(len(rows), dtype=bool)
        last[:-1] = (rows[1:] != rows[:-1]) | (columns[1:] != columns[:-1])
        matrix = sparse.csr_matrix(
            (values[last], (rows[last], columns[last])), shape=(self.size, len(self.column))
        )
        return Columns(matrix, tuple(self.column), dict(self.column), known, matrix.tocsc())


@dataclass(frozen=True, slots=True)
class CatalogIndex:
    """Every vendor's data as arrays; None-valued data is NaN or an empty row."""

    vendors: tuple[VendorRow, ...]
    positions: Mapping[str, int]
    tiebreak: np.ndarray
    is_bpo: np.ndarray
    is_kpo: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    headcount: np.ndarray
    rating: np.ndarray
    reviews: np.ndarray
    rated: np.ndarray
    # Delivered outcomes rated by the buyers, and their mean (NaN where there are none).
    verified: np.ndarray
    verified_rating: np.ndarray
    rate_known: np.ndarray
    rate_spread: np.ndarray
    countries: Columns
    languages: Columns
    services: Columns
    categories: Columns
    # Categories a vendor lists as such ("LPO"), not through one of their services: codes are
    # "category|term", the vendor's wording kept so a narrower bundle named within a category
    # ("IP services", filed under legal) is told from the category itself.
    listed_categories: Columns
    service_texts: Columns
    certifications: Columns
    qualifications: Columns
    industries: Columns
    # How a sourcing lead judges (off-the-clock work, umbrella terms): read with the catalog,
    # once per revision, so no request reads the file.
    judging: Judging
    revision: int | None = None

    @property
    def size(self) -> int:
        """Return how many vendors the index holds."""
        return len(self.vendors)

    def position(self, vendor_id: str) -> int | None:
        """Return the row of a vendor id, or None."""
        return self.positions.get(vendor_id)


def build_index(
    vendors: Sequence[VendorRow],
    knowledge: Knowledge,
    *,
    revision: int | None = None,
    judging: Judging | None = None,
) -> CatalogIndex:
    """Turn vendor rows into the arrays the factors compute on (with `judging` given, the
    judging file is not read again)."""
    size = len(vendors)
    columns = {
        name: _ColumnsBuilder(size)
        for name in (
            "countries",
            "languages",
            "services",
            "categories",
            "listed_categories",
            "service_texts",
            "certifications",
            "qualifications",
            "industries",
        )
    }
    service_of = _memo(lambda text: _service_link(knowledge, text))
    codes_of = {
        name: _memo(partial(_code_link, vocabulary))
        for name, vocabulary in (
            ("certifications", knowledge.certifications),
            ("qualifications", knowledge.qualifications),
            ("industries", knowledge.industries),
        )
    }
    # Per vendor: BPO, KPO, rate low and high in USD, headcount, rating; NaN for unknown.
    numbers = (
        np.array(
            [
                _add_vendor(row, vendor, knowledge, columns, service_of, codes_of)
                for row, vendor in enumerate(vendors)
            ],
            dtype=np.float64,
        )
        .reshape(size, 6)
        .T
    )
    reviews = np.array([float(vendor.review_count or 0) for vendor in vendors])
    ids = np.array([vendor.id for vendor in vendors], dtype=object)
    tiebreak = np.empty(size, dtype=np.int64)
    tiebreak[np.argsort(ids, kind="stable")] = np.arange(size)
    built = {name: builder.build() for name, builder in columns.items()}
    return CatalogIndex(
        vendors=tuple(vendors),
        positions={vendor.id: row for row, vendor in enumerate(vendors)},
        tiebreak=tiebreak,
        is_bpo=numbers[0] == 1,
        is_kpo=numbers[1] == 1,
        rate_low=numbers[2],
        rate_high=numbers[3],
        headcount=numbers[4],
        rating=numbers[5],
        reviews=reviews,
        rated=~np.isnan(numbers[5]) & (reviews > 0),
        verified=np.array([float(vendor.verified_count) for vendor in vendors]),
        verified_rating=np.array([_number(vendor.verified_rating) for vendor in vendors]),
        rate_known=~np.isnan(numbers[2]),
        rate_spread=np.where(numbers[3] > numbers[2], numbers[3] - numbers[2], 1.0),
        judging=judging or load_judging(),
        revision=revision,
        **built,
    )


def _add_vendor(
    row: int,
    vendor: VendorRow,
    knowledge: Knowledge,
    columns: dict[str, _ColumnsBuilder],
    service_of: Callable[[str], tuple[str, str | None, str | None, float]],
    codes_of: Mapping[str, Callable[[str], str | None]],
) -> tuple[float, ...]:
    for country in vendor.delivery_countries:
        columns["countries"].add(row, country)
    for language in vendor.languages:
        columns["languages"].add(row, language)
    for text in vendor.services:
        term, service, category, strength = service_of(text)
        columns["service_texts"].add(row, term)
        if service is not None:
            columns["services"].add(row, service, strength)
        if category is not None:
            columns["categories"].add(row, category, strength)
            if service is None:
                columns["listed_categories"].add(row, f"{category}|{term}", strength)
    for name, link in codes_of.items():
        for text in getattr(vendor, name):
            code = link(text)
            columns[name].add(row, code if code is not None else "text:" + normalise_term(text))
    return (
        float("BPO" in vendor.tags),
        float("KPO" in vendor.tags),
        *_rate_band(vendor, knowledge.per_usd),
        _number(vendor.headcount),
        _number(vendor.rating),
    )


def _rate_band(vendor: VendorRow, per_usd: Mapping[str, float]) -> tuple[float, float]:
    rate = per_usd.get(vendor.currency)
    low = _number(vendor.rate_min if vendor.rate_min is not None else vendor.rate_max)
    high = _number(vendor.rate_max if vendor.rate_max is not None else vendor.rate_min)
    if rate is None or rate <= 0:
        return np.nan, np.nan
    return low / rate, high / rate


def _number(value: float | int | None) -> float:
    return np.nan if value is None else float(value)


def _service_link(knowledge: Knowledge, text: str) -> tuple[str, str | None, str | None, float]:
    """Return a vendor's service text normalised, its service and category, and how sure."""
    term = normalise_term(text)
    resolved = resolve_skill(knowledge, text)
    if resolved.level == "service" and resolved.code is not None:
        category = knowledge.services.entries[resolved.code].category
        return term, resolved.code, category, resolved.similarity
    if resolved.level == "category":
        return term, None, resolved.code, resolved.similarity
    # Wording that is more than a name ("equity research (US and LatAm coverage)") is read as
    # a brief is; the first name it holds is the service.
    named = [
        found
        for found in read_text(knowledge.lexicons, text).found
        if found.how in ("exact", "alias", "lemma", "category")
    ]
    if named:
        first = named[0]
        if first.level == "service":
            category = knowledge.services.entries[first.code].category
            return term, first.code, category, first.confidence * VENDOR_WORDING
        return term, None, first.code, first.confidence * VENDOR_WORDING
    return term, None, None, 0.0


def _code_link(vocabulary: Vocabulary, text: str) -> str | None:
    exact = vocabulary.exact(text)
    return exact if exact is not None else resolve_code(vocabulary, text)


def _memo(function: Callable[[str], T]) -> Callable[[str], T]:
    # Catalogs repeat the same few hundred service names; each is resolved once per build.
    seen: dict[str, T] = {}

    def cached(text: str) -> T:
        if text not in seen:
            seen[text] = function(text)
        return seen[text]

    return cached
