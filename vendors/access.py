"""Who may use the service: API keys and web users with roles; secrets kept only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from vendors.models import ApiKey, CatalogState, LoginSession, User, utcnow

ROLES = ("admin", "procurement", "sales", "viewer")
KEY_PREFIX = "vmk"
# scrypt settings for passwords: slow to guess, quick enough to log in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# Checked when no user has the email, so an unknown email costs the same one scrypt run as a
# known one; no password matches it.
NO_USER_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${'00' * 16}${'00' * 64}"


class UnknownRole(ValueError):
    """A role the service does not have."""


class UserExists(ValueError):
    """A user with this email exists."""


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UnknownRole(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, role: str, name: str | None = None) -> tuple[ApiKey, str]:
    """Create an API key; return it and the full key, which is shown this once only."""
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    key = ApiKey(key_id=key_id, secret_hash=_digest(secret), role=_check_role(role), name=name)
    session.add(key)
    session.flush()
    return key, f"{KEY_PREFIX}_{key_id}_{secret}"


@dataclass(frozen=True)
class KeyCheck:
    """A live API key's public id and role, and the catalog's revision read with it."""

    key_id: str
    role: str
    catalog_revision: int


# One round trip for both things every API request needs: who is asking, and whether this
# process's catalog index is current. Built once; SQLAlchemy reuses its compiled form.
_KEY_AND_REVISION = select(
    ApiKey.key_id,
    ApiKey.secret_hash,
    ApiKey.role,
    ApiKey.revoked,
    select(CatalogState.revision).where(CatalogState.id == 1).scalar_subquery().label("revision"),
).where(ApiKey.key_id == bindparam("key_id"))


def find_key(session: Session, presented: str) -> KeyCheck | None:
    """Return the live key a presented key string stands for, or None."""
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not key_id or not secret or len(presented) > 200:
        return None
    # On the session's connection: plain columns need none of the ORM's work.
    row = session.connection().execute(_KEY_AND_REVISION, {"key_id": key_id}).one_or_none()
    if row is None or row.revoked:
        return None
    # Compared in constant time, so response times say nothing about the stored hash.
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return KeyCheck(row.key_id, row.role, row.revision or 0)


def revoke_key(session: Session, key_id: str) -> bool:
    """Revoke a key by its public id; say whether there was one."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if key is None:
        return False
    key.revoked = True
    session.flush()
    return True


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of a password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    """Say whether a password matches its stored hash, in constant time."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


def create_user(session: Session, email: str, role: str, password: str) -> User:
    """Add a web user."""
    address = email.strip().lower()
    if session.scalar(select(User).where(User.email == address)) is not None:
        raise UserExists(f"a user {address!r} exists")
    user = User(email=address, role=_check_role(role), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, email: str, password: str) -> User | None:
    """Give a user a new password, which ends their sessions; None if there is no such user."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is not None:
        user.password_hash = hash_password(password)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        session.flush()
    return user


def authenticate_user(session: Session, email: str, password: str) -> User | None:
    """Return the user with this email and password, or None; the work is the same either way."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    matches = check_password(user.password_hash if user else NO_USER_HASH, password)
    return user if user is not None and matches else None


def start_session(session: Session, user: User, lifetime: timedelta) -> str:
    """Record a new sign-in of a user; return its token, which only the cookie keeps."""
    now = utcnow()
    # Sign-ins are few: clearing the expired ones here keeps the table to the live ones.
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def session_user(session: Session, token: str) -> User | None:
    """Return the user of a live sign-in, or None when it ended or expired."""
    live = (LoginSession.token_hash == _digest(token)) & (LoginSession.expires_at > utcnow())
    return session.scalar(select(User).join(LoginSession).where(live))


def end_session(session: Session, token: str) -> None:
    """End a sign-in: its token opens nothing from now on."""
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))
    session.flush()
