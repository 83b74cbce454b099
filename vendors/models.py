"""SQLAlchemy models of the vendor catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL gives containment queries (`@>`) that GIN indexes can serve.
JSONList = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back aware, in UTC (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to a naive timestamp read back from the database."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with a naming convention for constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Vendor(Base):
    """One vendor capability record, as the catalog was told it."""

    __tablename__ = "vendors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    tags: Mapped[list[str]] = mapped_column(JSONList)
    services: Mapped[list[str] | None] = mapped_column(JSONList)
    delivery_countries: Mapped[list[str] | None] = mapped_column(JSONList)
    hq_country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str] | None] = mapped_column(JSONList)
    rate_min: Mapped[float | None] = mapped_column(Float)
    rate_max: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    headcount: Mapped[int | None] = mapped_column(Integer)
    certifications: Mapped[list[str] | None] = mapped_column(JSONList)
    qualifications: Mapped[list[str] | None] = mapped_column(JSONList)
    industries: Mapped[list[str] | None] = mapped_column(JSONList)
    rating: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def to_record(self) -> dict[str, Any]:
        """Return the record's known fields, in contract order, as plain data."""
        record: dict[str, Any] = {}
        for field in RECORD_FIELDS:
            value = getattr(self, field)
            if value is not None:
                record[field] = value
        return record


class CatalogState(Base):
    """The catalog's revision: raised in the same transaction as every change to vendors, so
    every process can tell cheaply whether the catalog it holds in memory is current."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class Prospect(Base):
    """A prospect company of the sales team and the requirement profile saved for it."""

    __tablename__ = "prospects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    company: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ApiKey(Base):
    """An API key: its public id, the hash of its secret, its role."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    """A person who signs in to the web pages."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginSession(Base):
    """A web sign-in, kept on the server so that signing out ends it for every copy of its cookie.

    The cookie carries a random token; only its SHA-256 is stored, so the table opens no session.
    """

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEntry(Base):
    """One change to a vendor: who made it, when, in which request, and what changed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(64))
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


RECORD_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "tags",
    "services",
    "delivery_countries",
    "hq_country",
    "languages",
    "rate_min",
    "rate_max",
    "currency",
    "headcount",
    "certifications",
    "qualifications",
    "industries",
    "rating",
    "review_count",
    "description",
    "website",
)

LIST_FIELDS: frozenset[str] = frozenset(
    {
        "tags",
        "services",
        "delivery_countries",
        "languages",
        "certifications",
        "qualifications",
        "industries",
    }
)


class Search(Base):
    """A requirement profile kept by a web user: a draft, or a search with its shortlist.

    Its random id is the permalink; `form` keeps the fields as typed, so a draft that does not
    validate yet can be resumed, and `profile` the validated profile the results come from.
    """

    __tablename__ = "searches"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    form: Mapped[dict[str, Any]] = mapped_column(JSON)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shortlist: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The ranking it produced, as the match answer, on the catalog revision it was ranked on.
    ranking: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ranked_revision: Mapped[int | None] = mapped_column(Integer)
    ranked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Outcome(Base):
    """What became of a vendor on a search or a prospect: shortlisted, invited, awarded,
    declined, or delivered with a rating (1-5) and a note; who said so, and when."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("vendors.id", ondelete="CASCADE"), index=True
    )
    search_id: Mapped[str | None] = mapped_column(
        String(24), ForeignKey("searches.id", ondelete="SET NULL"), index=True
    )
    prospect_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("prospects.id", ondelete="SET NULL"), index=True
    )
    stage: Mapped[str] = mapped_column(String(12))
    rating: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """A catalog import run in the background: what it was asked to do and how it ended.

    While it runs, its progress lives in the job queue's store (shared by every worker); the row
    holds what lasts: the request, the final state and the import report.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    stored_as: Mapped[str] = mapped_column(String(255))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(64))
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
