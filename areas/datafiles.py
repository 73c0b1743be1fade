"""Geodata files from outside, opened safely: what the importer core reads everything through.

A file is GeoJSON, a GeoPackage or a Shapefile (or one of them in a zip) by its content,
never by its name, and GDAL opens it with that one driver only (``core.gdal``). Before
GDAL sees it:

- a zip's members are counted and their sizes and compression ratios checked against the
  settings (``NABOLAGET_IMPORT_MAX_BYTES``, ``NABOLAGET_ZIP_MAX_RATIO``,
  ``NABOLAGET_ZIP_MAX_MEMBERS``), and the dataset is unpacked by Python into a private
  folder (GDAL gets no ``/vsizip/`` path, nor any other ``/vsi…/`` one);
- a GeoPackage is read with Python's sqlite3 (read-only, immutable): no views, no virtual
  tables but the R-tree index, no generated columns, coordinate systems written as WKT;
  GDAL then opens it read-only, so its triggers (fired only by writes) never run;
- a GeoJSON file must be JSON whose ``crs`` members, if any, name an EPSG code (a link
  would be fetched);
- a Shapefile's ``.prj`` must be WKT.

Anything else is an :class:`UnsafeFileError`; a file over a limit a
:class:`FileTooLargeError`; a file that is broken (a zip whose sizes lie, no dataset or
several) a :class:`DataFileError`. Each carries a message in English for the command and
the admin, and :meth:`DataFileError.user_message` in the request's language: the people
who upload a file are told why in their own language, never in the command's English.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.gis.gdal import DataSource, GDALException
from django.utils.translation import gettext as _

from core.gdal import open_vector

GEOJSON = "GeoJSON"
GEOPACKAGE = "GPKG"
SHAPEFILE = "ESRI Shapefile"
FORMAT_NAMES = {GEOJSON: "GeoJSON", GEOPACKAGE: "GeoPackage", SHAPEFILE: "Shapefile"}
# The members of a zip that may hold a dataset (the driver still comes from the content).
DATA_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
# GeoPackage 1.0 wrote 'GP10', 1.1 'GP11', 1.2 and later 'GPKG' (SQLite application_id).
GEOPACKAGE_IDS = (b"GPKG", b"GP10", b"GP11")
SQLITE_HEADER = b"SQLite format 3\x00"
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06")
# Members smaller than this unpack to too little to matter whatever their ratio (a .cpg
# holding "UTF-8", a .prj): the ratio limit is for what could fill the disk or the CPU.
RATIO_FLOOR_BYTES = 1_000_000
_WKT = re.compile(rb"\s*[A-Z][A-Z0-9_]*\s*\[")
_CRS_NAME = re.compile(
    r"(EPSG:+\d+|urn:ogc:def:crs:EPSG:[0-9.]*:\d+|urn:ogc:def:crs:OGC:1\.3:CRS84)", re.IGNORECASE
)
_CHUNK = 1 << 20


class DataFileError(Exception):
    """A file that cannot be read. The message (English) names the problem for the command
    and the admin; ``user``, translated where it is raised (in the request's language),
    says it to the person who uploaded the file."""

    def __init__(self, message: str, *, user: str | None = None):
        super().__init__(message)
        self.user = user

    def user_message(self) -> str:
        if self.user is not None:
            return self.user
        return _("The file cannot be read as a map (GeoJSON, GeoPackage or Shapefile).")


class UnsafeFileError(DataFileError):
    """Not GeoJSON, GeoPackage or Shapefile by its content, or it refers to other sources."""

    def user_message(self) -> str:
        return _(
            "The file is not GeoJSON, a GeoPackage or a zipped Shapefile, or it refers to "
            "other files, databases or addresses. It was not read."
        )


class FileTooLargeError(DataFileError):
    """A file, or what a zip holds, over a limit in the settings."""

    def __init__(self, message: str, *, limit: str, value: int):
        super().__init__(message)
        self.limit = limit
        self.value = value

    def user_message(self) -> str:
        if self.limit == "ratio":
            return _(
                "The zip file is packed more tightly than a map file can be (over %(n)s "
                "times); it was not unpacked."
            ) % {"n": self.value}
        if self.limit == "members":
            return _("The zip file holds too many files (at most %(n)s).") % {"n": self.value}
        return _("The file is too large unpacked (at most %(mb)s MB).") % {
            "mb": max(self.value // 1_000_000, 1)
        }


@dataclass(frozen=True)
class Limits:
    """How much a file may hold: bytes (unzipped, in total), compression ratio, zip members."""

    max_bytes: int
    max_ratio: int
    max_members: int

    @classmethod
    def from_settings(cls, *, max_bytes: int | None = None) -> Limits:
        """The limits in the settings; ``max_bytes`` lowers the byte limit (case uploads)."""
        limit = settings.NABOLAGET_IMPORT_MAX_BYTES
        return cls(
            max_bytes=min(limit, max_bytes) if max_bytes else limit,
            max_ratio=settings.NABOLAGET_ZIP_MAX_RATIO,
            max_members=settings.NABOLAGET_ZIP_MAX_MEMBERS,
        )


@dataclass(frozen=True)
class OpenedFile:
    """A dataset GDAL opened: its format (the driver), the datasource, and the file GDAL read."""

    format: str
    datasource: DataSource
    path: Path
    # A GeoJSON file's parsed document (read once, by the content check), else None.
    document: dict | None = None


@contextmanager
def opened(
    path: Path, *, limits: Limits, check_document: Callable[[dict], None] | None = None
) -> Iterator[OpenedFile]:
    """Open a GeoJSON, GeoPackage or Shapefile, or one of them in a zip, after the checks
    above; the unpacked or staged copy is removed afterwards.

    ``check_document`` is given a GeoJSON file's parsed document before GDAL reads it (a
    caller's stricter rules, on the one parse of the file); it raises to refuse it."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"There is no file at {path}.")
    with tempfile.TemporaryDirectory(prefix="nabolaget-data-") as folder:
        staged, format_ = _stage(path, Path(folder), limits)
        document = _parse_geojson(staged, path.name) if format_ == GEOJSON else None
        if document is not None and check_document is not None:
            check_document(document)  # the caller's more specific messages come first
        _check_content(staged, format_, path.name, document)
        siblings = [p.name for p in Path(folder).iterdir() if p != staged]
        options = ["LIST_ALL_TABLES=NO"] if format_ == GEOPACKAGE else []
        try:
            datasource = open_vector(
                staged, driver=format_, siblings=siblings, open_options=options
            )
        except GDALException as exc:
            raise DataFileError(
                f"Could not read {path.name}: it looks like {format_}, but GDAL cannot read it "
                f"({exc}).",
                user=_("The file looks like %(format)s, but it cannot be read.")
                % {"format": FORMAT_NAMES[format_]},
            ) from exc
        yield OpenedFile(format=format_, datasource=datasource, path=staged, document=document)


def identify(head: bytes) -> str | None:
    """The format a file's first bytes say it is: a driver name, "zip", or None."""
    if head.startswith(SQLITE_HEADER):
        return GEOPACKAGE if head[68:72] in GEOPACKAGE_IDS else None
    if head.startswith(SHAPEFILE_MAGIC):
        return SHAPEFILE
    if head.startswith(ZIP_HEADERS):
        return "zip"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return GEOJSON if text.startswith(b"{") else None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(100)


def _refuse_format(name: str) -> UnsafeFileError:
    return UnsafeFileError(
        f"{name} is not GeoJSON, a GeoPackage or a Shapefile (read from its content, not its "
        "name); nothing else is read."
    )


def _stage(path: Path, folder: Path, limits: Limits) -> tuple[Path, str]:
    """The dataset as a file in ``folder`` named for its format, and the format."""
    format_ = identify(_head(path))
    if format_ is None:
        raise _refuse_format(path.name)
    if format_ == "zip":
        return _unzip(path, folder, limits)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileTooLargeError(
            f"{path.name} has {size} bytes; at most {limits.max_bytes} are read.",
            limit="bytes",
            value=limits.max_bytes,
        )
    target = folder / _name(format_)
    target.symlink_to(path.resolve())
    if format_ == SHAPEFILE:
        for sidecar in SHAPEFILE_SIDECARS:
            found = _sibling(path, sidecar)
            if found is not None:
                (folder / f"dataset{sidecar}").symlink_to(found.resolve())
    return target, format_


def _name(format_: str) -> str:
    return {GEOJSON: "dataset.geojson", GEOPACKAGE: "dataset.gpkg", SHAPEFILE: "dataset.shp"}[
        format_
    ]


def _sibling(path: Path, suffix: str) -> Path | None:
    for candidate in path.parent.iterdir():
        if candidate.stem == path.stem and candidate.suffix.lower() == suffix:
            return candidate if candidate.is_file() else None
    return None


def _unzip(path: Path, folder: Path, limits: Limits) -> tuple[Path, str]:
    """Check a zip against the limits before unpacking anything, then unpack its one dataset
    (and a Shapefile's sidecars) with Python, which stops at each member's stated size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            _check_zip_limits(path, members, limits)
            datasets = [m for m in members if m.filename.lower().endswith(DATA_SUFFIXES)]
            if not datasets:
                raise DataFileError(
                    f"{path.name} holds no GeoJSON, Shapefile or GeoPackage file "
                    f"(looked for {', '.join(DATA_SUFFIXES)}).",
                    user=_(
                        "The zip file holds no GeoJSON, GeoPackage or Shapefile (looked for "
                        "%(suffixes)s)."
                    )
                    % {"suffixes": ", ".join(DATA_SUFFIXES)},
                )
            if len(datasets) > 1:
                names = ", ".join(sorted(m.filename for m in datasets))
                raise DataFileError(
                    f"{path.name} holds several datasets ({names}); "
                    "unzip it and import one of them.",
                    user=_("The zip file holds several maps (%(names)s); upload one of them.")
                    % {"names": names},
                )
            (member,) = datasets
            with archive.open(member) as handle:
                format_ = identify(handle.read(100))
            if format_ not in (GEOJSON, GEOPACKAGE, SHAPEFILE):
                raise _refuse_format(f"{member.filename} in {path.name}")
            target = folder / _name(format_)
            _extract(archive, member, target)
            if format_ == SHAPEFILE:
                stem = member.filename[: -len(".shp")]
                by_name = {m.filename.lower(): m for m in members}
                for sidecar in SHAPEFILE_SIDECARS:
                    found = by_name.get(f"{stem}{sidecar}".lower())
                    if found is not None:
                        _extract(archive, found, folder / f"dataset{sidecar}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise DataFileError(
            f"Could not read {path.name}: it is not a valid zip file.",
            user=_("The zip file is damaged or not a zip file; nothing was unpacked."),
        ) from exc
    return target, format_


def _check_zip_limits(path: Path, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise FileTooLargeError(
            f"{path.name} holds {len(members)} files; at most {limits.max_members}.",
            limit="members",
            value=limits.max_members,
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_bytes:
        raise FileTooLargeError(
            f"{path.name} unpacks to {total} bytes; at most {limits.max_bytes} are read.",
            limit="bytes",
            value=limits.max_bytes,
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFileError(f"{member.filename} in {path.name} is encrypted.")
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise FileTooLargeError(
                f"{member.filename} in {path.name} is compressed "
                f"{member.file_size // max(member.compress_size, 1)} times; at most "
                f"{limits.max_ratio}.",
                limit="ratio",
                value=limits.max_ratio,
            )


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    # zipfile reads no more than the member's stated size (and then checks its CRC), so a
    # member that lies about its size ends as BadZipFile, not as a full disk.
    with archive.open(member) as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink, _CHUNK)


def _check_content(path: Path, format_: str, name: str, document: dict | None) -> None:
    """Refuse content that could make GDAL reach further (``document``: a GeoJSON file's)."""
    if format_ == GEOJSON:
        _check_geojson(document)
    elif format_ == GEOPACKAGE:
        _check_geopackage(path, name)
    elif format_ == SHAPEFILE:
        prj = path.with_suffix(".prj")
        if prj.exists() and not _WKT.match(prj.read_bytes()[:200]):
            raise UnsafeFileError("The Shapefile's .prj is not a coordinate system in WKT.")


def _check_geopackage(path: Path, name: str) -> None:
    """Refuse a GeoPackage whose schema could make a read run SQL or reach another source.

    Views (they could call GDAL's SQL functions), virtual tables other than the R-tree
    spatial index (GDAL's VirtualOGR opens any datasource it names), generated columns
    (computed when read), and coordinate systems that are not WKT (a name GDAL would
    resolve). Triggers stay: GDAL opens the file read-only, and triggers fire only on
    writes. Rows in gpkg_extensions are declarations; GDAL loads no code for them.
    ``ATTACH`` and ``load_extension`` are statements, never part of a schema.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise UnsafeFileError(f"{name} is not a readable GeoPackage ({exc}).") from exc
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        rows = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        for kind, entry, sql in rows:
            text = (sql or "").strip()
            if kind == "view":
                raise UnsafeFileError(f"The GeoPackage has a view ({entry}); views are not read.")
            if kind == "table" and text.upper().startswith("CREATE VIRTUAL TABLE"):
                if not re.search(r"\bUSING\s+rtree\s*\(", text, re.IGNORECASE):
                    raise UnsafeFileError(
                        f"The GeoPackage has a virtual table ({entry}) other than a spatial index."
                    )
                continue
            if kind == "table":
                quoted = entry.replace('"', '""')
                hidden = connection.execute(f'PRAGMA table_xinfo("{quoted}")').fetchall()
                if any(column[6] in (2, 3) for column in hidden):
                    raise UnsafeFileError(f"The GeoPackage's table {entry} has computed columns.")
        definitions = connection.execute("SELECT definition FROM gpkg_spatial_ref_sys").fetchall()
    except sqlite3.Error as exc:
        raise UnsafeFileError(f"{name} is not a readable GeoPackage ({exc}).") from exc
    finally:
        connection.close()
    for (definition,) in definitions:
        text = str(definition or "").encode()
        if text.strip() != b"undefined" and not _WKT.match(text):
            raise UnsafeFileError(
                "A coordinate system in the GeoPackage is not WKT: "
                f"{text[:60].decode(errors='replace')!r}."
            )


def _refuse_constant(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _parse_geojson(path: Path, name: str) -> dict:
    """A GeoJSON file's document: JSON (RFC 8259: no NaN or Infinity), an object."""
    try:
        data = json.loads(
            path.read_bytes().removeprefix(b"\xef\xbb\xbf"), parse_constant=_refuse_constant
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise DataFileError(
            f"Could not read {name}: it is not JSON ({exc}).",
            user=_("The file is not valid GeoJSON (JSON)."),
        ) from exc
    if not isinstance(data, dict):
        raise UnsafeFileError("The GeoJSON file is not a JSON object.")
    return data


def _check_geojson(data: dict) -> None:
    """Each ``crs`` member names an EPSG code (GDAL fetches a linked one)."""
    pending: list = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if "crs" in item and not _named_crs(item["crs"]):
                raise UnsafeFileError(
                    "The GeoJSON file's crs is not a name such as EPSG:25833 (a link or a "
                    "file is not followed)."
                )
            pending.extend(v for k, v in item.items() if k != "coordinates")
        elif isinstance(item, list) and item and isinstance(item[0], dict | list):
            pending.extend(item)


def _named_crs(crs) -> bool:
    if crs is None:
        return True
    if not (isinstance(crs, dict) and crs.get("type") == "name"):
        return False
    name = (
        (crs.get("properties") or {}).get("name")
        if isinstance(crs.get("properties"), dict)
        else None
    )
    return isinstance(name, str) and _CRS_NAME.fullmatch(name.strip()) is not None
