"""Background uploads over HTTP: 202 with a job, its progress and report, retry when failed."""

from __future__ import annotations

import io
import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from matcher import db
from matcher.import_queue import queue
from tests.conftest import make_key
from tests.factories import vendor
from vendors.import_jobs import FAILED
from vendors.models import Job


def upload(
    client: FlaskClient, records: list[dict[str, object]], query: str = "background=true"
) -> TestResponse:
    data = {"file": (io.BytesIO(json.dumps(records).encode()), "catalog.json")}
    return client.post(f"/api/v1/vendors/import?{query}", data=data)


def run_queued_jobs(app: Flask) -> int:
    """Run what is on the queue, in this process, as a worker would; return how many ran."""
    ran = 0
    with app.app_context():
        huey = queue().huey
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
    return ran


def test_a_background_upload_answers_202_and_the_job_ends_with_the_report(
    app: Flask, client: FlaskClient
) -> None:
    response = upload(client, [vendor("acme-bpo"), vendor("beta-kpo", tags=["KPO"])])
    accepted = response.get_json()

    assert response.status_code == 202
    assert accepted["job"]["state"] == "queued"
    assert response.headers["Location"] == accepted["job"]["url"]
    assert client.get(accepted["job"]["url"]).get_json()["state"] == "queued"
    assert client.get("/api/v1/vendors").get_json()["total"] == 0

    assert run_queued_jobs(app) == 1
    job = client.get(accepted["job"]["url"]).get_json()

    assert job["state"] == "done"
    assert job["rows_done"] == job["rows_total"] == 2
    assert job["report"]["created"] == 2
    assert job["report"]["applied"] is True
    assert client.get("/api/v1/vendors").get_json()["total"] == 2


def test_a_background_import_with_bad_rows_is_done_with_the_rows_reported_and_nothing_written(
    app: Flask, client: FlaskClient
) -> None:
    url = upload(client, [vendor("good-one"), vendor("bad-one", rate_min="cheap")]).get_json()
    run_queued_jobs(app)

    job = client.get(url["job"]["url"]).get_json()

    assert job["state"] == "done"
    assert job["report"]["applied"] is False
    assert job["report"]["errors"][0]["row"] == 2
    assert client.get("/api/v1/vendors").get_json()["total"] == 0


def test_only_a_failed_job_runs_again_and_unknown_jobs_are_404(
    app: Flask, client: FlaskClient
) -> None:
    url = upload(client, [vendor("acme-bpo")]).get_json()["job"]["url"]
    job_id = url.rsplit("/", 1)[1]

    queued_retry = client.post(f"{url}/retry")
    with app.app_context():
        db.session().execute(update(Job).where(Job.id == job_id).values(state=FAILED))
        db.session().commit()
    retried = client.post(f"{url}/retry")

    assert queued_retry.status_code == 409
    assert retried.status_code == 202
    assert retried.get_json()["state"] == "queued"
    # The first delivery is still queued too: whichever runs first imports, the other sees the
    # job done and does nothing.
    assert run_queued_jobs(app) == 2
    assert client.get(url).get_json()["state"] == "done"
    assert client.get("/api/v1/vendors").get_json()["total"] == 1
    assert client.get("/api/v1/jobs/no-such-job").status_code == 404


def test_jobs_are_for_admins(app: Flask, client: FlaskClient, anonymous: FlaskClient) -> None:
    url = upload(client, [vendor("acme-bpo")]).get_json()["job"]["url"]

    assert anonymous.get(url, headers={"X-API-Key": make_key(app, "sales")}).status_code == 403
    assert anonymous.get(url).status_code == 401
