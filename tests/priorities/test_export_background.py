"""Large exports are made by the background worker and offered for download when ready."""

import csv
import io

import pytest

from accounts.models import Role
from priorities.models import Export
from tests.conftest import run_jobs
from tests.priorities.factories import MISVAER, make_priority, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_large_export_runs_in_the_background(client, demo_live, monkeypatch, settings, tmp_path):
    monkeypatch.setattr("priorities.exports.BACKGROUND_ROWS", 1)
    settings.MEDIA_ROOT = tmp_path
    make_priority(title="Første")
    make_priority(title="Andre", at=MISVAER, text='=HYPERLINK("http://evil.example/","Klikk")')
    client.force_login(staff(Role.PLANNER))

    response = client.get("/planner/export/", {"format": "csv"})

    job = Export.objects.get()
    assert response.status_code == 302 and response.url == f"/planner/exports/{job.pk}/"
    status = client.get(response.url, headers={"accept": "application/json"}).json()
    assert status["state"] == "queued"

    run_jobs()

    status = client.get(response.url, headers={"accept": "application/json"}).json()
    assert status == {"state": "done", "progress": 100, "rows": 2}
    page = client.get(response.url).content.decode()
    assert "?download=1" in page
    download = client.get(response.url, {"download": "1"})
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Første" in text and "Andre" in text
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    # A formula in the text is written as text in the background's file too.
    (andre,) = [row for row in rows if row["title"] == "Andre"]
    assert andre["text"] == "'" + '=HYPERLINK("http://evil.example/","Klikk")'


def test_someone_elses_export_is_not_found(client, demo_live):
    owner = staff(Role.PLANNER)
    from areas.models import Municipality

    job = Export.objects.create(
        user=owner, municipality=Municipality.objects.get(code="1804"), format="csv"
    )
    client.force_login(staff(Role.PLANNER))

    assert client.get(f"/planner/exports/{job.pk}/").status_code == 404
