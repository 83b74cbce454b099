"""Read what a request sent: its JSON body, its query string, its version precondition."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import Schema

from matcher.edge.errors import HttpError
from vendors.readers import RepeatedKey, unique_keys

MAX_VERSION_DIGITS = 9


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or raise 415 / 400 / 422 saying what is wrong."""
    if not request.is_json:
        raise HttpError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        data = json.loads(request.get_data(cache=True), object_pairs_hook=unique_keys)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HttpError(400, f"The body is not valid JSON: {error}.") from None
    except RepeatedKey as error:
        # Parsers disagree on which of the two values counts, so neither is guessed at.
        raise HttpError(400, f"The body is ambiguous JSON: {error}.") from None
    except (RecursionError, ValueError):
        raise HttpError(400, "The body is nested too deeply or has a number too long.") from None
    if not isinstance(data, dict):
        raise HttpError(422, "The body must be a JSON object.", {"_schema": ["Not an object."]})
    return data


def query(schema: Schema) -> dict[str, Any]:
    """Return the query string loaded by a schema (422 on unknown or bad parameters)."""
    result: dict[str, Any] = schema.load(request.args.to_dict())
    return result


def if_match() -> int | None:
    """Return the version that If-Match requires, or None when there is no such header."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit() and len(tag) <= MAX_VERSION_DIGITS):
        raise HttpError(400, 'If-Match must be the vendor\'s ETag, e.g. "3".')
    return int(tag)


def must_exist() -> bool:
    """Say whether If-Match requires the resource to exist already (any If-Match does)."""
    return "If-Match" in request.headers
