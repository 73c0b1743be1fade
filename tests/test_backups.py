"""make backup / make restore: a restore into a fresh database finds every record and file."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from psycopg import sql

from accounts.models import Role
from councils import services as council_services
from councils.models import Submission
from nabolaget.backups import _connect, media_checksums, sha256_of
from priorities import services
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import CaseFactory
from tests.priorities.factories import (
    SubmissionFactory,
    SupportFactory,
    make_priority,
    staff,
)
from tests.support.pdfs import plain_pdf

# Backups and restores run as the owner role (nabolaget/backups.py).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "owner"])

TABLE_CHECKSUMS = """
    SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(md5(t::text), '''' ORDER BY
           md5(t::text)), '''')) FROM %I.%I t', tablename, schemaname, tablename)
      FROM pg_tables
     WHERE schemaname = 'public'
     ORDER BY tablename
"""


def checksums(cursor) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum over its rows."""
    cursor.execute(TABLE_CHECKSUMS)
    queries = [row[0] for row in cursor.fetchall()]
    result = {}
    for query in queries:
        cursor.execute(query)
        table, count, digest = cursor.fetchone()
        result[table] = (count, digest)
    return result


def make_records(media: Path) -> list[int]:
    """Input of every kind, with uploaded PDFs; returns the submissions' ids."""
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council)
    planner = staff(Role.PLANNER)
    case = CaseFactory(number="2026/1234", title="Trafikksikkerhetsplan")
    consultation = council_services.consultation_create(
        actor=planner,
        case=case,
        councils=[council],
        deadline=timezone.localdate() + datetime.timedelta(days=7),
        summary="Kommunen lager en ny plan for trafikksikkerhet.",
    )
    priority = make_priority()
    SupportFactory(priority=priority)
    submissions = []
    for number in range(3):
        upload = SimpleUploadedFile(
            f"protokoll-{number}.pdf",
            plain_pdf(f"Protokoll {number} " + "x" * 1000),
            content_type="application/pdf",
        )
        submissions.append(
            SubmissionFactory(
                author=secretary,
                council=council,
                title=f"Uttalelse nummer {number}",
                text="Ungdomsrådet mener skoleveiene må prioriteres.",
                meeting_date=timezone.localdate(),
                consultation=consultation,
                attachments=[upload],
            )
        )
    services.input_set_status(
        records=[priority, submissions[0]],
        status="decided",
        public_text="Vedtatt i bystyret.",
        actor=planner,
    )
    return [submission.pk for submission in submissions]


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    with _connect("owner", "postgres") as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_a_restore_into_a_fresh_database_has_every_record_and_file(
    demo_live, settings, tmp_path, restored_name
):
    settings.MEDIA_ROOT = tmp_path / "media"
    submission_ids = make_records(settings.MEDIA_ROOT)
    with connection.cursor() as cursor:
        before = checksums(cursor)
    files_before = media_checksums(settings.MEDIA_ROOT)
    assert len(files_before) == 3

    call_command("backup", target=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(folder), database=restored_name, media_root=str(restored_media))

    with _connect("default", restored_name) as restored, restored.cursor() as cursor:
        after = checksums(cursor)
        cursor.execute(
            "SELECT file, sha256 FROM councils_submissionattachment WHERE submission_id = ANY(%s)",
            [submission_ids],
        )
        attachments = cursor.fetchall()
    assert after == before
    assert before["councils_submission"][0] == 3
    assert media_checksums(restored_media) == files_before
    assert len(attachments) == 3
    for name, checksum in attachments:
        assert sha256_of(restored_media / name) == checksum


def test_a_restore_refuses_a_database_that_is_not_empty(
    demo_live, settings, tmp_path, restored_name
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_records(settings.MEDIA_ROOT)
    call_command("backup", target=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    call_command("restore", str(folder), database=restored_name, media_root=str(tmp_path / "a"))
    with _connect("default", restored_name) as restored:
        restored.execute("DELETE FROM priorities_support")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(folder), database=restored_name, media_root=str(tmp_path / "b"))
    with _connect("default", restored_name) as restored:
        assert restored.execute("SELECT count(*) FROM priorities_support").fetchone()[0] == 0

    call_command(
        "restore", str(folder), database=restored_name, media_root=str(tmp_path / "a"), replace=True
    )
    with _connect("default", restored_name) as restored:
        assert restored.execute("SELECT count(*) FROM priorities_support").fetchone()[0] == 1


def test_a_damaged_backup_is_refused_before_anything_is_touched(
    demo_live, settings, tmp_path, restored_name
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_records(settings.MEDIA_ROOT)
    call_command("backup", target=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(folder), database=restored_name)

    with _connect("owner", "postgres") as admin:
        assert not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [restored_name]
        ).fetchone()
    assert Submission.objects.count() == 3
