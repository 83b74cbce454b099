"""API keys and web users: create, revoke, set a password."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from matcher import db
from matcher.schema_check import needs_schema
from vendors.access import (
    ROLES,
    UserExists,
    create_key,
    create_user,
    revoke_key,
    set_password,
)

keys_cli = AppGroup("keys", help="Create and revoke API keys.")
users_cli = AppGroup("users", help="Create web users and set their passwords.")
ROLE = click.Choice(ROLES)
MIN_PASSWORD = 8


@keys_cli.command("create")
@click.option("--role", type=ROLE, required=True, help="What the key may do.")
@click.option("--name", help="Who or what the key is for.")
@needs_schema
def keys_create(role: str, name: str | None) -> None:
    """Create an API key; it is printed once, alone on the last line."""
    key, secret = create_key(db.session(), role, name)
    db.session().commit()
    click.echo(f"Created {role} key {key.key_id}" + (f" for {name}" if name else "") + ":")
    click.echo(secret)


@keys_cli.command("revoke")
@click.argument("key_id")
@needs_schema
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id (the part after vmk_)."""
    if not revoke_key(db.session(), key_id):
        raise click.ClickException(f"no key has the id {key_id!r}")
    db.session().commit()
    click.echo(f"Revoked key {key_id}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE, required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@needs_schema
def users_create(email: str, role: str, password: str) -> None:
    """Create a web user."""
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    try:
        user = create_user(db.session(), email, role, password)
    except UserExists as error:
        raise click.ClickException(str(error)) from None
    db.session().commit()
    click.echo(f"Created {role} user {user.email}.")


@users_cli.command("password")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@needs_schema
def users_password(email: str, password: str) -> None:
    """Set a web user's password; their open sessions end."""
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    if set_password(db.session(), email, password) is None:
        raise click.ClickException(f"no user has the email {email.strip().lower()!r}")
    db.session().commit()
    click.echo(f"Password changed for {email.strip().lower()}.")
