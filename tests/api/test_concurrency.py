"""Concurrent edits of one vendor: optimistic locking lets one through and refuses the rest."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import vendor


def test_concurrent_edits_based_on_one_version_let_exactly_one_through(
    app: Flask, client: FlaskClient
) -> None:
    client.post("/api/v1/vendors", json=vendor("hot", headcount=1))
    key = client.environ_base["HTTP_X_API_KEY"]
    statuses: list[int] = []
    start = threading.Barrier(8)

    def edit(headcount: int) -> None:
        worker = app.test_client()
        start.wait()
        response = worker.patch(
            "/api/v1/vendors/hot",
            json={"headcount": headcount},
            headers={"X-API-Key": key, "If-Match": '"1"'},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(100 + n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    final = client.get("/api/v1/vendors/hot").json
    assert final is not None
    assert sorted(statuses).count(200) == 1
    assert set(statuses) <= {200, 409, 503}
    assert final["version"] == 2
    assert final["headcount"] in range(100, 108)
