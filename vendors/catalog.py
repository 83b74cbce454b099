"""Read and change the vendor catalog, one record at a time or as filtered pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import QueryableAttribute, Session

from vendors import audit
from vendors.audit import SYSTEM, Actor
from vendors.models import RECORD_FIELDS, CatalogState, Vendor
from vendors.schema import ID_PATTERN, Record, load_record

SORT_KEYS = {
    "id": (Vendor.id,),
    "name": (Vendor.name, Vendor.id),
    "rating": (Vendor.rating, Vendor.id),
    "updated": (Vendor.updated_at, Vendor.id),
}


class VendorNotFound(LookupError):
    """No vendor has this id."""

    def __init__(self, vendor_id: str):
        super().__init__(vendor_id)
        self.vendor_id = vendor_id


class VendorExists(ValueError):
    """A vendor with this id is already in the catalog."""

    def __init__(self, vendor_id: str):
        super().__init__(vendor_id)
        self.vendor_id = vendor_id


class CatalogBusy(RuntimeError):
    """Another import holds the catalog."""


class StaleVersion(ValueError):
    """The change was based on an older version of the record than the stored one."""

    def __init__(self, vendor_id: str, expected: int, actual: int):
        super().__init__(
            f"Vendor {vendor_id!r} is at version {actual}, not {expected}: "
            "reload it and apply the change again."
        )


@dataclass(frozen=True, slots=True)
class VendorFilter:
    """What a catalog listing is narrowed to; None means any."""

    tag: str | None = None
    country: str | None = None
    service: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of vendors and the size of the whole listing."""

    items: list[Vendor]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return how many pages the listing has."""
        return -(-self.total // self.per_page)


def catalog_revision(session: Session) -> int:
    """Return the catalog's revision: it changes whenever any vendor does."""
    return session.scalar(select(CatalogState.revision).where(CatalogState.id == 1)) or 0


def bump_revision(session: Session) -> None:
    """Raise the revision in the current transaction, so it commits with the change."""
    bumped = session.execute(
        update(CatalogState).where(CatalogState.id == 1).values(revision=CatalogState.revision + 1)
    )
    if not bumped.rowcount:  # type: ignore[attr-defined]
        session.add(CatalogState(id=1, revision=1))
    session.flush()


def claim_catalog(session: Session) -> None:
    """Take the catalog's write lock for this transaction, or raise CatalogBusy at once.

    An import holds it until it commits or rolls back, so a second import is refused rather
    than queued behind the first or interleaved with it.
    """
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                select(CatalogState.revision)
                .where(CatalogState.id == 1)
                .with_for_update(nowait=True)
            )
            return
        connection = session.connection()
        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            # A write takes SQLite's one write lock; refused at once if another holds it.
            session.execute(
                update(CatalogState)
                .where(CatalogState.id == 1)
                .values(revision=CatalogState.revision)
            )
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited or 0)}")
    except OperationalError as error:
        session.rollback()
        raise CatalogBusy("another import is being applied to the catalog") from error


def get_vendor(session: Session, vendor_id: str) -> Vendor:
    """Return the vendor with this id or raise VendorNotFound."""
    # An id no record can have is not looked up (PostgreSQL refuses NUL in a query).
    vendor = session.get(Vendor, vendor_id) if ID_PATTERN.match(vendor_id) else None
    if vendor is None:
        raise VendorNotFound(vendor_id)
    return vendor


def create_vendor(session: Session, record: Record, *, actor: Actor = SYSTEM) -> Vendor:
    """Add a new vendor from a validated record."""
    if session.get(Vendor, record["id"]) is not None:
        raise VendorExists(record["id"])
    vendor = Vendor(**record)
    session.add(vendor)
    bump_revision(session)
    audit.record(session, actor, [(record["id"], "create", audit.diff(None, record))])
    return vendor


def replace_vendor(
    session: Session,
    record: Record,
    *,
    expected_version: int | None = None,
    must_exist: bool = False,
    actor: Actor = SYSTEM,
) -> tuple[Vendor, bool]:
    """Replace a vendor's record whole, creating it if new; return it and whether it is new."""
    vendor = session.get(Vendor, record["id"])
    if vendor is None:
        if must_exist:
            raise VendorNotFound(record["id"])
        return create_vendor(session, record, actor=actor), True
    _check_version(vendor, expected_version)
    _assign(session, vendor, record, actor)
    return vendor, False


def update_vendor(
    session: Session,
    vendor_id: str,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> Vendor:
    """Apply a partial change (None clears a field) and validate the record as a whole."""
    vendor = get_vendor(session, vendor_id)
    _check_version(vendor, expected_version)
    merged = {**vendor.to_record(), **changes, "id": vendor_id}
    record = load_record({name: value for name, value in merged.items() if value is not None})
    _assign(session, vendor, record, actor)
    return vendor


def delete_vendor(
    session: Session, vendor_id: str, *, expected_version: int | None, actor: Actor = SYSTEM
) -> None:
    """Remove a vendor from the catalog."""
    vendor = get_vendor(session, vendor_id)
    _check_version(vendor, expected_version)
    before = vendor.to_record()
    session.delete(vendor)
    bump_revision(session)
    audit.record(session, actor, [(vendor_id, "delete", audit.diff(before, None))])


def _assign(session: Session, vendor: Vendor, record: Record, actor: Actor) -> None:
    before = vendor.to_record()
    for name in RECORD_FIELDS:
        setattr(vendor, name, record[name])
    if session.is_modified(vendor):
        bump_revision(session)
        audit.record(session, actor, [(vendor.id, "update", audit.diff(before, record))])
    session.flush()


def _check_version(vendor: Vendor, expected: int | None) -> None:
    if expected is not None and expected != vendor.version:
        raise StaleVersion(vendor.id, expected, vendor.version)


def vendors_by_id(session: Session, ids: Iterable[str]) -> dict[str, Vendor]:
    """Return the records of some vendors, by id (the ids not in the catalog left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    return {
        vendor.id: vendor for vendor in session.scalars(select(Vendor).where(Vendor.id.in_(wanted)))
    }


def find_vendor(session: Session, text: str, *, choices: int) -> tuple[Vendor | None, list[Vendor]]:
    """Return the vendor a user named (by id, or by name in any case), or up to `choices` + 1
    whose names start so, to choose from."""
    cleaned = text.strip()[:200]
    exact = session.get(Vendor, cleaned) or session.scalar(
        select(Vendor).where(func.lower(Vendor.name) == cleaned.lower()).limit(1)
    )
    if exact is not None:
        return exact, []
    pattern = "%" + cleaned.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    candidates = session.scalars(
        select(Vendor)
        .where(func.lower(Vendor.name).like(pattern + "%", escape="\\"))
        .order_by(Vendor.name)
        .limit(choices + 1)
    ).all()
    if len(candidates) == 1:
        return candidates[0], []
    return None, list(candidates)


def list_vendors(
    session: Session, where: VendorFilter, *, page: int, per_page: int, sort: str = "id"
) -> Page:
    """Return one page of the vendors that pass the filter."""
    conditions = _conditions(session, where)
    total = session.scalar(select(func.count()).select_from(Vendor).where(*conditions)) or 0
    descending = sort.startswith("-")
    # Unknown values (no rating yet) sort last either way, on every database.
    order = [
        (column.desc() if descending else column.asc()).nulls_last()
        for column in SORT_KEYS[sort.lstrip("-")]
    ]
    query = (
        select(Vendor)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(session.scalars(query)), total, page, per_page)


def iter_records(session: Session, *, batch_size: int = 1000) -> Iterator[Record]:
    """Yield every vendor record in id order, a batch at a time."""
    columns = [Vendor.__table__.c[name] for name in RECORD_FIELDS]
    result = session.execute(
        select(*columns).order_by(Vendor.id).execution_options(yield_per=batch_size)
    )
    for row in result:
        yield {
            name: value for name, value in zip(RECORD_FIELDS, row, strict=True) if value is not None
        }


def _conditions(session: Session, where: VendorFilter) -> list[ColumnElement[bool]]:
    dialect = session.get_bind().dialect.name
    conditions: list[ColumnElement[bool]] = []
    if where.tag:
        conditions.append(_list_contains(Vendor.tags, where.tag, dialect))
    if where.country:
        conditions.append(_list_contains(Vendor.delivery_countries, where.country, dialect))
    if where.service:
        conditions.append(_contains_text(cast(Vendor.services, String), where.service))
    if where.text:
        conditions.append(
            or_(
                *(
                    _contains_text(column, where.text)
                    for column in (
                        Vendor.name,
                        Vendor.description,
                        cast(Vendor.services, String),
                        cast(Vendor.industries, String),
                    )
                )
            )
        )
    return conditions


def _contains_text(
    column: QueryableAttribute[Any] | ColumnElement[Any], text: str
) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _list_contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        result: ColumnElement[bool] = type_coerce(column, JSONB).contains([value])
        return result
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == value))
