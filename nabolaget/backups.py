"""Backup and restore: the database (pg_dump, custom format) and the uploaded files.

A backup is a folder ``backups/<timestamp>/`` with

- ``database.dump``: ``pg_dump --format=custom`` of the whole database (PostGIS, history,
  job queue and all);
- ``media.tar.gz``: MEDIA_ROOT (submission attachments, exports);
- ``manifest.json``: the SHA-256 of both, and of every uploaded file, with the server's
  PostgreSQL version.

``backup_restore`` checks the manifest before it touches anything, restores into a fresh
database (it refuses a non-empty one unless told to replace it), unpacks the files and
checks every file against its checksum. The PostgreSQL client programs are taken from
the server's major version (/usr/lib/postgresql/<major>/bin) so that the dump format
matches the server. Both run as the owner role (the ``owner`` alias), which owns the tables
and may create the database; PostGIS comes from the template the database is made from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


# Lines of ``pg_restore --list`` that belong to the extensions, not to the application.
EXTENSION_ENTRIES = (
    " EXTENSION - ",
    " COMMENT - EXTENSION ",
    " TABLE DATA public spatial_ref_sys ",
)


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


@dataclass
class RestoreReport:
    database: str
    files: int = 0
    tables: int = 0
    problems: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by path relative to it."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _server_major(alias: str = "default") -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_program(name: str, major: int) -> str:
    """The client program of the server's major version, else the one on PATH."""
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} (PostgreSQL {major}) is not installed.")
    return found


def _connection_options(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore options and environment for the configured server."""
    db = settings.DATABASES[alias]
    options = []
    if db.get("HOST"):
        options += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        options += ["--port", str(db["PORT"])]
    if db.get("USER"):
        options += ["--username", str(db["USER"])]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return options, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    # The command is a PostgreSQL client program with arguments from settings, never a shell.
    result = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup_create(target: Path, *, alias: str = "owner") -> Path:
    """Dump the database and pack MEDIA_ROOT into a new folder under ``target``; return it."""
    major = _server_major(alias)
    folder = Path(target) / timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True)
    options, environment = _connection_options(alias)
    _run(
        [
            pg_program("pg_dump", major),
            *options,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(folder / DUMP),
            settings.DATABASES[alias]["NAME"],
        ],
        environment,
    )
    media_root = Path(settings.MEDIA_ROOT)
    files = media_checksums(media_root)
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        for relative in files:
            archive.add(media_root / relative, arcname=relative)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "postgresql_major": major,
        "database": {"file": DUMP, "sha256": sha256_of(folder / DUMP)},
        "media": {"file": MEDIA, "sha256": sha256_of(folder / MEDIA), "files": files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return folder


def _read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    for part in ("database", "media"):
        stored = Path(folder) / manifest[part]["file"]
        if not stored.exists() or sha256_of(stored) != manifest[part]["sha256"]:
            raise BackupError(f"{stored} is missing or does not match its checksum.")
    return manifest


def _connect(alias: str, dbname: str) -> psycopg.Connection:
    """A connection to another database on the configured server (``postgres`` for
    creating and dropping databases)."""
    db = settings.DATABASES[alias]
    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


def _user_tables(connection: psycopg.Connection) -> int:
    return connection.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
        "'information_schema', 'tiger', 'tiger_data', 'topology') AND tablename <> 'spatial_ref_sys'"
    ).fetchone()[0]


def _prepare_database(name: str, *, replace: bool, alias: str) -> None:
    """Create ``name`` empty; an existing database with tables only if ``replace``."""
    from psycopg import sql

    with _connect(alias, "postgres") as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with _connect(alias, name) as target:
                tables = _user_tables(target)
            if tables and not replace:
                raise BackupError(
                    f"The database {name} is not empty ({tables} tables). Restore into a new "
                    "database, or pass --replace to drop it and restore in its place."
                )
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _prepare_media(root: Path, *, replace: bool) -> None:
    if root.exists() and any(root.iterdir()):
        if not replace:
            raise BackupError(
                f"The media folder {root} is not empty. Restore into an empty folder, "
                "or pass --replace to replace its contents."
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)


def backup_restore(
    folder: Path,
    *,
    database: str | None = None,
    media_root: Path | None = None,
    replace: bool = False,
    alias: str = "owner",
) -> RestoreReport:
    """Restore a backup into ``database`` (default: the configured one) and ``media_root``
    (default: MEDIA_ROOT), then check every file against the manifest."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    name = database or settings.DATABASES[alias]["NAME"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    major = _server_major(alias)
    if major < manifest["postgresql_major"]:
        raise BackupError(
            f"The backup comes from PostgreSQL {manifest['postgresql_major']}; "
            f"this server runs {major}. Restore on the same or a newer major version."
        )
    _prepare_database(name, replace=replace, alias=alias)
    _prepare_media(media_root, replace=replace)
    options, environment = _connection_options(alias)
    # The extensions (PostGIS) are there already, from the template the database was made
    # from; creating or commenting on them needs a superuser, which the owner role is not.
    # So is PostGIS's own table of spatial references (Nabolaget adds none of its own).
    listing = subprocess.run(  # noqa: S603 - a PostgreSQL client program, no shell
        [pg_program("pg_restore", major), "--list", str(folder / DUMP)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    contents = folder.parent / f".{folder.name}.restore-list"
    contents.write_text(
        "".join(
            line
            for line in listing.splitlines(keepends=True)
            if not any(part in line for part in EXTENSION_ENTRIES)
        )
    )
    try:
        _run(
            [
                pg_program("pg_restore", major),
                *options,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--use-list",
                str(contents),
                "--dbname",
                name,
                str(folder / DUMP),
            ],
            environment,
        )
    finally:
        contents.unlink()
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    report = RestoreReport(database=name)
    restored = media_checksums(media_root)
    for relative, checksum in manifest["media"]["files"].items():
        if restored.get(relative) != checksum:
            report.problems.append(f"{relative}: missing or different after the restore")
    report.files = len(restored)
    with _connect(alias, name) as target:
        report.tables = _user_tables(target)
    return report
