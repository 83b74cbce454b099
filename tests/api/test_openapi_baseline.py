"""The API description only grows: everything today's document says, the served one says too.

`data/openapi_baseline.json` is the document as it was when it was first generated from the
code; however the description comes to be built, clients generated from it keep working.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

BASELINE = json.loads((Path(__file__).parent / "data" / "openapi_baseline.json").read_text())
METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Return the document the service serves now."""
    from matcher import create_app

    folder = tmp_path_factory.mktemp("document")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'd.db'}"})
    client: FlaskClient = app.test_client()
    document: dict[str, Any] = client.get("/api/v1/openapi.json").json  # type: ignore[assignment]
    app.extensions["engine"].dispose()
    return document


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method): item[method]
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    }


def parameters(document: dict[str, Any], path: str, operation: dict[str, Any]) -> set[str]:
    """Return the operation's parameters as `in:name`, those of its path included."""
    given = [*document["paths"][path].get("parameters", ()), *operation.get("parameters", ())]
    return {f"{item['in']}:{item['name']}" for item in given}


def test_every_path_and_method_is_still_described(served: dict[str, Any]) -> None:
    assert set(operations(BASELINE)) <= set(operations(served))


def test_every_operation_keeps_its_parameters_body_and_answers(served: dict[str, Any]) -> None:
    now = operations(served)
    for key, before in operations(BASELINE).items():
        after = now[key]
        path = key[0]
        assert parameters(BASELINE, path, before) <= parameters(served, path, after), key
        if "requestBody" in before:
            assert "requestBody" in after, key
            assert set(before["requestBody"]["content"]) <= set(after["requestBody"]["content"])
        assert set(before["responses"]) <= set(after["responses"]), key


def test_every_component_schema_keeps_its_properties(served: dict[str, Any]) -> None:
    components = served["components"]["schemas"]
    for name, before in BASELINE["components"]["schemas"].items():
        assert name in components, name
        after = components[name]
        assert set(before.get("properties", {})) <= set(after.get("properties", {})), name
