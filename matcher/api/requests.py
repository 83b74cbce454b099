"""Read what a request sent: its JSON body, its query string, its version precondition."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import Schema

from matcher.api.errors import BadRequest


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or raise 415 / 400 / 422 saying what is wrong."""
    if not request.is_json:
        raise BadRequest(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        data = json.loads(request.get_data(cache=True))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(400, f"The body is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise BadRequest(422, "The body must be a JSON object.", {"_schema": ["Not an object."]})
    return data


def query(schema: Schema) -> dict[str, Any]:
    """Return the query string loaded by a schema (422 on unknown or bad parameters)."""
    result: dict[str, Any] = schema.load(request.args.to_dict())
    return result


def expected_version(body_version: int | None) -> int | None:
    """Return the version a change is based on, from If-Match or the body."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise BadRequest(400, 'If-Match must be the vendor\'s ETag, e.g. "3".')
    return int(tag)
