"""Contract fuzzing: schemathesis holds every operation to the OpenAPI document the service serves.

Each operation gets the document's examples, the coverage phase (boundary values) and random
fuzzing, in positive and negative modes, with an admin key. Every case, valid or not, must get no
server error and a documented status, content type, headers and body; the key must not be
ignored. A schema-valid request must be accepted. A schema-invalid one is not held to being
refused: the service trims and collapses text and drops blank and repeated list items before it
measures them, which JSON Schema cannot say, so a too-long text of spaces or a list of 300 copies
of one item is rightly accepted.

The document names some vocabularies as formats (`country`, `language`, `place`): they are too
large to list, so the fuzzer is taught them here from the same standards the service reads. A few
rules span fields or the stored record (a rate band, a profile that needs skills or a
description); the document states them in prose, and a 422 that cites only them is a right answer.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import hypothesis
import pycountry
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import update

from matcher import create_app, db
from matcher.api.openapi import build_spec
from matcher.engine.knowledge import load_knowledge
from tests.api.test_jobs_api import run_queued_jobs
from tests.conftest import make_key
from tests.factories import vendor
from vendors import codes, schema
from vendors.import_jobs import FAILED
from vendors.models import Job

# Random cases per operation, on top of the examples and the coverage phase; the same cases every
# run, so that a failure is the code's and not the draw's. Raise it to search further.
MAX_EXAMPLES = int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "30"))
LABELS = sorted(
    result.ok().label
    for result in schemathesis.openapi.from_dict(build_spec()).get_all_operations()
    if isinstance(result, Ok)
)
# The rules the document states in prose (field, start of the service's message).
PROSE_RULES = (
    ("rate_max", "Must be at least rate_min"),
    ("id", "Must match"),
    ("skills", "Give the skills needed"),
    ("client_country", "Needed to tell onshore"),
    ("hard_constraints", ""),
    ("weights", "At least one factor needs a weight above 0"),
)


def _spellings(records: Any, attributes: tuple[str, ...], aliases: str) -> list[str]:
    found = {
        str(value)
        for record in records
        for attribute in attributes
        if (value := getattr(record, attribute, None))
    }
    return sorted(found | set(codes._aliases()[aliases]))


def _any_case(spellings: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(spellings).flatmap(
        lambda text: st.sampled_from([text, text.upper(), text.lower()])
    )


COUNTRIES = _spellings(
    pycountry.countries,
    ("alpha_2", "alpha_3", "numeric", "name", "official_name", "common_name"),
    "countries",
)
LANGUAGES = _spellings(
    pycountry.languages, ("alpha_2", "alpha_3", "bibliographic", "name"), "languages"
)
REGIONS = sorted(
    {region.name for region in load_knowledge().geography.regions.values()}
    | set(load_knowledge().geography.region_terms)
)
schemathesis.openapi.format("country", _any_case(COUNTRIES))
schemathesis.openapi.format("language", _any_case(LANGUAGES))
schemathesis.openapi.format("place", _any_case(COUNTRIES + REGIONS))


@pytest.fixture
def app(database: str, tmp_path: Path) -> Iterator[Flask]:
    """Return the service with rate limits far above the fuzzer's few hundred requests.

    The fuzzer also sends each case with a made-up key, and failed sign-ins count towards the
    address's limit: at the default limit a later case would get 429 where 401 is due.
    """
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database,
            "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "RATE_LIMIT_PER_ADDRESS": "100000 per minute",
            "RATE_LIMIT_PER_KEY": "100000 per minute",
        }
    )
    yield application
    application.extensions["engine"].dispose()


def _seed(app: Flask, key: str) -> list[str]:
    """Give the operations on one vendor or prospect something to find: the document's examples.

    Return the ids of three real jobs (one done, one failed, one queued) for the job operations.
    """
    client = app.test_client()
    headers = {"X-API-Key": key}
    jobs = []
    for _ in range(3):
        upload = {"file": (io.BytesIO(json.dumps([vendor("job-made")]).encode()), "c.json")}
        answer = client.post("/api/v1/vendors/import?background=true", data=upload, headers=headers)
        assert answer.status_code == 202, answer.json
        jobs.append(answer.json["job"]["id"])  # type: ignore[index]
        if len(jobs) == 1:
            run_queued_jobs(app)
    with app.app_context():
        db.session().execute(update(Job).where(Job.id == jobs[1]).values(state=FAILED))
        db.session().commit()
    for vendor_id in ("acme-bpo", "kpo-research"):
        response = client.post("/api/v1/vendors", json=vendor(vendor_id), headers=headers)
        assert response.status_code == 201, response.json
    response = client.post(
        "/api/v1/prospects",
        json={"name": "Acme Retail", "profile": {"skills": ["customer support"]}},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json is not None
    assert response.json["id"] == 1  # the document's example
    return jobs


def _messages(errors: Any, field: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(errors, Mapping):
        for name, inner in errors.items():
            yield from _messages(inner, str(name))
    elif isinstance(errors, list):
        for inner in errors:
            yield from _messages(inner, field)
    else:
        yield field, str(errors)


def _stated_in_prose(case: Case[Any], response: Response) -> bool:
    """Say whether a 422 cites only rules the document states in prose, not in its schemas."""
    if response.status_code != 422:
        return False
    body = response.json()
    if case.operation.label == "POST /api/v1/vendors/import":
        # The file's content is the catalog: rows it rejects are reported, as documented.
        return "rejected" in body or set(body["errors"]) == {"file"}
    found = list(_messages(body["errors"]))
    return bool(found) and all(
        any(field == name and message.startswith(start) for name, start in PROSE_RULES)
        for field, message in found
    )


@pytest.mark.parametrize("label", LABELS)
def test_the_operation_keeps_to_the_document(app: Flask, label: str) -> None:
    key = make_key(app, "admin")
    jobs = _seed(app, key)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The key is the admin's, sent with every case; schemathesis is not to make one up.
    schema.config.generation.update(with_security_parameters=False)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label

    turns = itertools.count()

    def check(case: Case[Any]) -> None:
        headers = {"X-API-Key": key}
        turn = next(turns)
        if "job_id" in (case.path_parameters or {}) and turn % 2 == 0:
            # Made-up ids find no job: every other case asks about a real one instead.
            case.path_parameters["job_id"] = jobs[turn // 2 % len(jobs)]
        response = case.call(headers=headers)
        negative = case.meta is not None and case.meta.generation.mode.is_negative
        # See the module's docstring for why these two are judged here or not at all.
        excluded: list[CheckFunction] = [
            positive_data_acceptance,
            *([negative_data_rejection] if negative else []),
        ]
        case.validate_response(response, headers=headers, excluded_checks=excluded)
        if not negative and not _stated_in_prose(case, Response.from_any(response)):
            case.validate_response(response, headers=headers, checks=[positive_data_acceptance])

    test = build_operation_test(
        config=schema.config,
        operation=operation,
        test_func=check,
        given_kwargs={},
        feedback=FeedbackSources(),
        explicit_settings=hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        ),
    )
    test()


def test_the_document_spells_blank_as_the_service_does() -> None:
    spaces = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    control = {char for char in spaces if re.fullmatch(f"[{schema.CONTROL_CHARACTERS}]", char)}
    listed = {char for char in spaces if re.fullmatch(f"[{schema.SPACES}]", char)}

    assert listed == spaces - control


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        # A prospect id past the id column's range was a server error on both databases.
        ("GET", "/api/v1/prospects/93444603563903565824/matches", 404),
        ("DELETE", "/api/v1/prospects/2147483648", 404),
        # PostgreSQL refuses NUL, so filtering the trail by such an id was a server error.
        ("GET", "/api/v1/audit?vendor_id=a%00b", 422),
        # A URL id that no vendor may have was stored as given, where no URL could reach it.
        ("PUT", "/api/v1/vendors/%C3%A2%F0%94%8A%BC", 422),
        # The reserved ids reached the routes of one vendor.
        ("DELETE", "/api/v1/vendors/export", 405),
        ("GET", "/api/v1/vendors/import", 405),
    ],
)
def test_what_the_fuzzing_found_stays_fixed(app: Flask, method: str, url: str, status: int) -> None:
    # A plain client: some of these URLs are outside the document on purpose.
    client = app.test_client()
    body = {"name": "Acme", "tags": ["BPO"]} if method == "PUT" else None
    headers = {"X-API-Key": make_key(app, "admin")}

    assert client.open(url, method=method, json=body, headers=headers).status_code == status


def test_the_reserved_routes_allow_only_their_own_methods(client: FlaskClient) -> None:
    assert set(client.options("/api/v1/vendors/export").headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }


def test_an_if_match_of_version_0_is_stale_not_ignored(client: FlaskClient) -> None:
    client.post("/api/v1/vendors", json=vendor("acme-bpo"))

    response = client.put(
        "/api/v1/vendors/acme-bpo", json=vendor("acme-bpo"), headers={"If-Match": '"0"'}
    )

    assert response.status_code == 409
