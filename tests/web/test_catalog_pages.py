"""The catalog pages: browse and search, one vendor's page, and the two-step import."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from matcher import db
from tests.api.test_jobs_api import run_queued_jobs
from tests.factories import vendor, vendors, write_csv, write_json
from tests.web.conftest import form_token, post_form
from vendors import catalog
from vendors.audit import list_entries
from vendors.models import Job, Vendor
from vendors.schema import load_record

Browser = Callable[[str], FlaskClient]
_CONFIRM = re.compile(r'action="/vendors/import/([^/"]+)/confirm"')


@pytest.fixture(autouse=True)
def private_instance(app: Flask, tmp_path: Path) -> Path:
    """Keep this test's uploads in a folder of its own, not in the repository's instance/."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.config["UPLOAD_FOLDER"])


def add_vendors(app: Flask, *records: dict[str, Any]) -> None:
    """Put vendors straight into the catalog."""
    with app.app_context():
        for record in records:
            catalog.create_vendor(db.session(), load_record(record))
        db.session().commit()


def catalog_size(app: Flask) -> int:
    """Count the vendors in the catalog."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Vendor)) or 0


def text(response: TestResponse) -> str:
    """Return a page's HTML."""
    return response.get_data(as_text=True)


def names_listed(page: str) -> list[str]:
    """Return the vendor names in the listing's table, in order."""
    return re.findall(r'<th scope="row"><a href="/vendors/[^"]+">([^<]+)</a>', page)


def upload(client: FlaskClient, path: Path, on_error: str = "fail") -> TestResponse:
    """Upload a catalog file through the import form."""
    token = form_token(text(client.get("/vendors/import")))
    with path.open("rb") as handle:
        return client.post(
            "/vendors/import",
            data={"file": (handle, path.name), "on_error": on_error, "csrf_token": token},
            content_type="multipart/form-data",
        )


def confirm_token(page: str) -> str:
    """Return the token that the report's "Confirm import" form posts to."""
    found = _CONFIRM.search(page)
    assert found, "the report offers no confirmation"
    return found.group(1)


def confirm(client: FlaskClient, token: str) -> TestResponse:
    """Post the confirmation of a checked upload."""
    return post_form(client, f"/vendors/import/{token}/confirm", {}, page="/vendors/import")


def test_filters_narrow_the_list_and_keep_their_values(app: Flask, signed_in: Browser) -> None:
    add_vendors(
        app,
        vendor("cebu-care", name="Cebu Care", delivery_countries=["PH"], tags=["BPO"]),
        vendor("pune-research", name="Pune Research", delivery_countries=["IN"], tags=["KPO"]),
        vendor("manila-desk", name="Manila Desk", delivery_countries=["PH"], tags=["KPO"]),
    )
    client = signed_in("viewer")

    page = text(client.get("/vendors?country=Philippines&tag=kpo&q=desk"))

    assert names_listed(page) == ["Manila Desk"]
    assert 'name="country" type="search" value="Philippines"' in page
    assert 'name="q" type="search" value="desk"' in page
    assert '<option value="KPO" selected>' in page
    assert 'href="/vendors/manila-desk"' in page
    assert '<span class="badge kpo">KPO</span>' in page


def test_the_listing_pages_and_its_links_keep_the_filters(app: Flask, signed_in: Browser) -> None:
    add_vendors(app, *vendors(5))
    client = signed_in("viewer")

    first = text(client.get("/vendors?per_page=2&service=support"))
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link is not None
    second = text(client.get(link.group(1).replace("&amp;", "&")))

    assert len(names_listed(first)) == len(names_listed(second)) == 2
    assert set(names_listed(first)).isdisjoint(names_listed(second))
    assert "page 2 of 3" in second
    assert "service=support" in link.group(1)
    assert 'rel="prev"' in second


def test_the_page_size_is_capped_like_the_api(app: Flask, signed_in: Browser) -> None:
    app.config["MAX_PAGE_SIZE"] = 3
    add_vendors(app, *vendors(5))

    page = text(signed_in("viewer").get("/vendors?per_page=400"))

    assert len(names_listed(page)) == 3


def test_the_listing_sorts_by_the_api_s_keys(app: Flask, signed_in: Browser) -> None:
    add_vendors(
        app,
        vendor("a-low", name="Alpha Low", rating=2.0),
        vendor("b-high", name="Bravo High", rating=4.9),
        vendor("c-mid", name="Charlie Mid", rating=3.5),
    )
    client = signed_in("viewer")

    by_rating = text(client.get("/vendors?sort=-rating"))
    by_name = text(client.get("/vendors?sort=-name"))

    assert names_listed(by_rating) == ["Bravo High", "Charlie Mid", "Alpha Low"]
    assert names_listed(by_name) == ["Charlie Mid", "Bravo High", "Alpha Low"]
    assert 'aria-sort="descending"' in by_name


def test_a_bad_filter_is_shown_next_to_its_field(app: Flask, signed_in: Browser) -> None:
    add_vendors(app, vendor("cebu-care"))

    response = signed_in("viewer").get("/vendors?country=Atlantis&q=care")
    page = text(response)

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Unknown country &#39;Atlantis&#39;" in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="country-help country-error"' in page
    assert 'id="country-error"' in page
    assert 'value="Atlantis"' in page  # kept, to be corrected
    assert names_listed(page) == []


def test_an_empty_result_says_what_to_do(app: Flask, signed_in: Browser) -> None:
    add_vendors(app, vendor("cebu-care"))

    page = text(signed_in("viewer").get("/vendors?q=quantum"))

    assert "No vendor matches these filters" in page
    assert 'href="/vendors"' in page


def test_the_vendor_page_shows_the_record_and_escapes_its_text(
    app: Flask, signed_in: Browser
) -> None:
    record = vendor(
        "cebu-care",
        name="Cebu Care",
        description="Support from Cebu.\n<script>alert('x')</script>",
        website="https://cebu.example",
        languages=["en", "fil"],
    )
    add_vendors(app, record)

    page = text(signed_in("viewer").get("/vendors/cebu-care"))

    assert "<h1>Cebu Care</h1>" in page
    assert "Philippines (PH)" in page
    assert "English (en), Filipino (fil)" in page
    assert "9–14 USD/h" in page
    assert "4.4 of 5 from 38 reviews" in page
    assert "ISO 27001" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert '<a href="https://cebu.example" rel="noopener noreferrer nofollow">' in page
    assert "Recent changes" not in page  # the trail is for admins


@pytest.mark.parametrize(
    ("website", "link"),
    [
        ("www.cebu.example", "https://www.cebu.example"),
        ("http://cebu.example/about", "http://cebu.example/about"),
        ("javascript:alert(1)", None),
        ("mailto:sales@cebu.example", None),
        ("ask our sales team", None),
    ],
)
def test_only_a_web_address_becomes_a_link(
    app: Flask, signed_in: Browser, website: str, link: str | None
) -> None:
    add_vendors(app, vendor("cebu-care"))
    with app.app_context():
        # Stored as it is: the catalog refuses such addresses now, but rows from before stay.
        db.session().execute(update(Vendor).where(Vendor.id == "cebu-care").values(website=website))
        db.session().commit()

    page = text(signed_in("viewer").get("/vendors/cebu-care"))

    assert website in page
    links = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer nofollow">', page)
    assert links == ([link] if link else [])


def test_an_admin_sees_the_vendor_s_recent_changes(app: Flask, signed_in: Browser) -> None:
    add_vendors(app, vendor("cebu-care"))

    page = text(signed_in("admin").get("/vendors/cebu-care"))

    assert "Recent changes" in page
    assert re.search(r"<td>system</td>\s*<td>create</td>", page)


def test_an_unknown_vendor_is_the_not_found_page(signed_in: Browser) -> None:
    response = signed_in("viewer").get("/vendors/no-such-vendor")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not found" in text(response)


def test_a_viewer_cannot_open_the_import(signed_in: Browser) -> None:
    response = signed_in("viewer").get("/vendors/import")

    assert response.status_code == 403
    assert "may not open this page" in text(response)


def test_the_menu_offers_the_catalog_to_all_and_the_import_to_admins(
    signed_in: Browser,
) -> None:
    viewer = text(signed_in("viewer").get("/"))
    admin = text(signed_in("admin").get("/"))

    assert 'href="/vendors"' in viewer
    assert 'href="/vendors/import"' not in viewer
    assert 'href="/vendors/import"' in admin


def test_an_upload_without_a_file_asks_for_one(signed_in: Browser) -> None:
    client = signed_in("admin")

    response = post_form(client, "/vendors/import", {"on_error": "fail"})

    assert response.status_code == 422
    assert "Choose a catalog file to upload." in text(response)


def test_the_upload_form_is_accessible_and_posts_a_file(signed_in: Browser) -> None:
    page = text(signed_in("admin").get("/vendors/import"))

    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".csv,.json,.jsonl,.xlsx"' in page
    assert '<label for="file">' in page
    assert 'name="csrf_token"' in page


def test_a_checked_upload_reports_rows_and_duplicates_and_writes_nothing(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    add_vendors(app, vendor("acme-bpo", name="Acme Contact Centre"))
    records = [
        vendor("cebu-care", name="Cebu Care"),
        vendor("bad-rate", name="Bad Rate Partners", rate_min="cheap"),
        vendor("acme-ph", name="Acme Contact Center Ltd"),
    ]
    client = signed_in("admin")

    response = upload(client, write_csv(tmp_path / "catalog.csv", records), on_error="skip")
    page = text(response)

    assert response.status_code == 200
    assert "Nothing has been written yet" in page
    assert re.search(r"<dt>Created</dt><dd>2</dd>", page)
    assert re.search(r"<dt>Rejected</dt><dd[^>]*>1</dd>", page)
    row = re.search(r"<tr>\s*<td[^>]*>2</td>(.*?)</tr>", page, re.S)
    assert row is not None
    assert "<code>bad-rate</code>" in row.group(1)
    assert "<code>rate_min</code>" in row.group(1)
    assert "Not a valid number." in row.group(1)
    assert "Likely duplicates" in page
    assert "<td><code>acme-bpo</code>, <code>acme-ph</code></td>" in page
    assert confirm_token(page)
    assert catalog_size(app) == 1


def test_confirming_applies_the_upload_and_records_the_user(
    app: Flask, signed_in: Browser, tmp_path: Path, private_instance: Path
) -> None:
    records = [vendor("cebu-care"), vendor("bad-rate", rate_min="cheap"), vendor("pune-kpo")]
    client = signed_in("admin")
    token = confirm_token(
        text(upload(client, write_csv(tmp_path / "c.csv", records), on_error="skip"))
    )

    response = confirm(client, token)
    page = text(response)

    assert response.status_code == 200
    assert "Import done" in page
    assert re.search(r"<dt>Created</dt><dd>2</dd>", page)
    assert 'href="/vendors"' in page
    assert catalog_size(app) == 2
    with app.app_context():
        entries, _ = list_entries(db.session(), vendor_id=None, page=1, per_page=10)
    assert {entry.actor for entry in entries} == {"user:admin@example.test"}
    assert "user:admin@example.test" in text(client.get("/vendors/cebu-care"))
    assert list(private_instance.iterdir()) == []  # the stored file is gone


def test_an_upload_that_cannot_be_applied_offers_no_confirmation(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    records = [vendor("cebu-care"), vendor("bad-rate", rate_min="cheap")]

    page = text(upload(signed_in("admin"), write_json(tmp_path / "c.json", records)))

    assert "Nothing can be imported from this file as it is" in page
    assert _CONFIRM.search(page) is None
    assert catalog_size(app) == 0


def test_a_second_confirmation_of_the_same_upload_is_not_found(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    client = signed_in("admin")
    token = confirm_token(text(upload(client, write_csv(tmp_path / "c.csv", vendors(2)))))

    assert confirm(client, token).status_code == 200
    again = confirm(client, token)

    assert again.status_code == 404
    assert "Not found" in text(again)
    assert catalog_size(app) == 2


@pytest.mark.parametrize("token", ["A" * 32, "nope", "..%2e..%2eetc", "A" * 31 + "!"])
def test_confirming_an_unknown_or_malformed_token_is_not_found(
    signed_in: Browser, token: str
) -> None:
    response = confirm(signed_in("admin"), token)

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_non_admin_cannot_confirm_an_upload(signed_in: Browser, tmp_path: Path) -> None:
    admin = signed_in("admin")
    token = confirm_token(text(upload(admin, write_csv(tmp_path / "c.csv", vendors(1)))))
    procurement = signed_in("procurement")

    response = post_form(procurement, f"/vendors/import/{token}/confirm", {}, page="/vendors")

    assert response.status_code == 403
    assert confirm(admin, token).status_code == 200  # the upload is still there for the admin


def test_a_busy_catalog_refuses_the_confirmation_and_keeps_the_upload(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    client = signed_in("admin")
    token = confirm_token(text(upload(client, write_csv(tmp_path / "c.csv", vendors(2)))))
    holder = app.extensions["sessionmaker"]()
    catalog.claim_catalog(holder)  # another import holds the catalog
    try:
        busy = confirm(client, token)
    finally:
        holder.rollback()
        holder.close()

    assert busy.status_code == 409
    assert "Another import is being applied" in text(busy)
    assert confirm(client, token).status_code == 200
    assert catalog_size(app) == 2


def test_an_upload_over_the_import_limit_is_refused(
    app: Flask, signed_in: Browser, tmp_path: Path, private_instance: Path
) -> None:
    app.config["MAX_IMPORT_BYTES"] = 10_000

    response = upload(signed_in("admin"), write_csv(tmp_path / "big.csv", vendors(100)))

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert not private_instance.exists() or list(private_instance.iterdir()) == []


def test_an_upload_may_be_larger_than_a_form_post(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000

    response = upload(signed_in("admin"), write_csv(tmp_path / "big.csv", vendors(100)))

    assert response.status_code == 200
    assert re.search(r"<dt>Created</dt><dd>100</dd>", text(response))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("catalog.txt", b"id,name,tags\n", "Unsupported file type &#39;txt&#39;"),
        ("catalog.csv", b"id,name,tags\nx,\xff\xfe,BPO\n", "The file is not UTF-8 text"),
        ("catalog.csv", b"id,name,colour\n", "Unknown column &#39;colour&#39;"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained_on_the_upload_page(
    signed_in: Browser, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    response = upload(signed_in("admin"), path)
    page = text(response)

    assert response.status_code == 422
    assert message in page
    assert 'id="file-error"' in page
    assert 'aria-describedby="file-help file-error"' in page


def test_uploads_are_kept_under_random_names_and_forgotten_after_a_day(
    signed_in: Browser, tmp_path: Path, private_instance: Path
) -> None:
    client = signed_in("admin")
    upload(client, write_csv(tmp_path / "first.csv", vendors(1)))
    (kept,) = private_instance.iterdir()
    day_old = time.time() - 25 * 3600
    os.utime(kept, (day_old, day_old))

    upload(client, write_csv(tmp_path / "second.csv", vendors(1)))

    (stored,) = private_instance.iterdir()
    assert stored != kept
    assert "second" not in stored.name
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.fail\.csv", stored.name)


def test_a_large_upload_is_applied_by_a_job_whose_page_shows_progress_then_the_report(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    app.config["BACKGROUND_IMPORT_BYTES"] = 1  # every upload counts as large here
    client = signed_in("admin")
    records = [vendor("cebu-care"), vendor("pune-kpo", tags=["KPO"])]
    token = confirm_token(text(upload(client, write_csv(tmp_path / "c.csv", records))))

    response = confirm(client, token)
    waiting = text(client.get(response.headers["Location"]))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/vendors/import/jobs/")
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "Waiting for a job worker" in waiting
    assert catalog_size(app) == 0

    assert run_queued_jobs(app) == 1
    done = text(client.get(response.headers["Location"]))

    assert "Import done" in done
    assert re.search(r"<dt>Created</dt><dd>2</dd>", done)
    assert 'http-equiv="refresh"' not in done
    assert catalog_size(app) == 2


def test_a_failed_import_job_says_so_and_runs_again_from_its_page(
    app: Flask, signed_in: Browser, tmp_path: Path
) -> None:
    app.config["BACKGROUND_IMPORT_BYTES"] = 1
    client = signed_in("admin")
    token = confirm_token(text(upload(client, write_csv(tmp_path / "c.csv", [vendor("a-b")]))))
    job_page = confirm(client, token).headers["Location"]
    with app.app_context():
        job = db.session().get(Job, job_page.rsplit("/", 1)[1])
        assert job is not None
        job.state, job.error = "failed", "The import stopped before it finished."
        db.session().commit()

    failed = text(client.get(job_page))
    again = post_form(client, f"{job_page}/retry", {}, page=job_page)

    assert "Import failed" in failed
    assert "The import stopped before it finished." in failed
    assert again.headers["Location"] == job_page
    run_queued_jobs(app)
    assert "Import done" in text(client.get(job_page))
    assert catalog_size(app) == 1
