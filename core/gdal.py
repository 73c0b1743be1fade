"""GDAL for files that come from outside: three drivers, no network, nothing it finds by itself.

GDAL follows what a file says: a VRT names another datasource (``PG:``, ``CSV:``, a
``/vsicurl/`` URL) and GDAL opens it; a GeoJSON ``crs`` link is fetched; a SQLite
virtual table opens whatever it names. Nabolaget reads only GeoJSON, GeoPackage and
Shapefile, so :func:`configure` (run once, from ``NabolagetConfig.ready``) leaves GDAL
with those three drivers and no network, and :func:`open_vector` opens a file with the
one driver its content was identified as (``areas.datafiles`` does the identifying).

GDAL is reached through Django's ctypes handle on the library (``lgdal``): Django's
``DataSource`` has no allowlist of drivers, ``GDALOpenEx`` has.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Sequence
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as capi

# The drivers that may ever open a file in this process. ogr2ogr (the GeoPackage export)
# runs as its own process and is not affected.
DRIVERS = ("GeoJSON", "GPKG", "ESRI Shapefile")

_GDAL_OF_READONLY = 0x00
_GDAL_OF_VECTOR = 0x04
_GDAL_OF_VERBOSE_ERROR = 0x40

# Each option is honoured by GDAL 3.6 (Debian 12); they are set in-process with
# CPLSetConfigOption, so subprocesses such as ogr2ogr keep their defaults.
CONFIG_OPTIONS = {
    # Every curl-based file system (/vsicurl/, /vsis3/, /vsigs/, /vsiaz/, /vsioss/,
    # /vsiswift/, /vsiwebhdfs/) opens only this one file name, which no URL can be.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/nabolaget-opens-no-urls",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".nabolaget-opens-no-urls",
    # Were a request still made (the fetch callback below answers all of them): fail fast.
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    # Drivers are never looked for in a file's own directory listing: open_vector names
    # the sibling files (a Shapefile's .dbf, .shx, .prj, .cpg) itself.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # /vsistdin/ would read the server's standard input.
    "CPL_ALLOW_VSISTDIN": "NO",
    # The VRT driver is gone (below); were it back, it would run no Python pixel functions.
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    # GDAL registers its VirtualOGR module (a SQLite virtual table that opens any datasource
    # it names) in every SQLite connection of the process unless this is NO.
    "OGR_SQLITE_STATIC_VIRTUAL_OGR": "NO",
    # No SQLite extensions are loaded into GeoPackage connections (the default, made explicit).
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
    # No driver plugins from GDAL_DRIVER_PATH (python3-gdal's or anyone's).
    "GDAL_DRIVER_PATH": "disable",
}

_lock = threading.Lock()
_configured = False


class _HTTPResult(ctypes.Structure):
    """CPLHTTPResult (cpl_http.h)."""

    _fields_ = [
        ("nStatus", ctypes.c_int),
        ("pszContentType", ctypes.c_void_p),
        ("pszErrBuf", ctypes.c_void_p),
        ("nDataLen", ctypes.c_int),
        ("nDataAlloc", ctypes.c_int),
        ("pabyData", ctypes.c_void_p),
        ("papszHeaders", ctypes.c_void_p),
        ("nMimePartCount", ctypes.c_int),
        ("pasMimePart", ctypes.c_void_p),
    ]


_FETCH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_void_p,
    ctypes.c_char_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_void_p,
)


@_FETCH_CALLBACK
def _refuse_fetch(url, options, progress, progress_arg, write, write_arg, user_data):
    """GDAL's every CPLHTTPFetch (a GeoJSON crs link, a WFS, OSR's importFromUrl) lands here
    instead of in libcurl, and fails. The result is allocated with GDAL's allocator, which
    CPLHTTPDestroyResult frees."""
    result = lgdal.CPLCalloc(1, ctypes.sizeof(_HTTPResult))
    view = _HTTPResult.from_address(result)
    view.nStatus = 1  # CURLE_UNSUPPORTED_PROTOCOL
    view.pszErrBuf = lgdal.CPLStrdup(b"Nabolaget: GDAL has no network access")
    return result


def configure() -> None:
    """Set GDAL up for untrusted files, once per process (idempotent)."""
    global _configured
    with _lock:
        if _configured:
            return
        lgdal.CPLSetConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lgdal.CPLCalloc.restype = ctypes.c_void_p
        lgdal.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
        lgdal.CPLStrdup.restype = ctypes.c_void_p
        lgdal.CPLStrdup.argtypes = [ctypes.c_char_p]
        for name, value in CONFIG_OPTIONS.items():
            lgdal.CPLSetConfigOption(name.encode(), value.encode())
        lgdal.CPLHTTPSetFetchCallback.argtypes = [_FETCH_CALLBACK, ctypes.c_void_p]
        lgdal.CPLHTTPSetFetchCallback(_refuse_fetch, None)
        # PROJ fetches no grids from its CDN.
        lgdal.OSRSetPROJEnableNetwork.argtypes = [ctypes.c_int]
        lgdal.OSRSetPROJEnableNetwork(0)
        _keep_only_allowed_drivers()
        _configured = True


def _keep_only_allowed_drivers() -> None:
    """Register GDAL's drivers and deregister all but DRIVERS; GDAL_SKIP names them too, so
    that a later GDALAllRegister (by any library in the process) does not bring them back."""
    lgdal.GDALAllRegister()
    lgdal.GDALGetDriver.restype = ctypes.c_void_p
    lgdal.GDALGetDriver.argtypes = [ctypes.c_int]
    lgdal.GDALGetDriverShortName.restype = ctypes.c_char_p
    lgdal.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    lgdal.GDALDeregisterDriver.argtypes = [ctypes.c_void_p]
    lgdal.GDALDestroyDriver.argtypes = [ctypes.c_void_p]
    drivers = [lgdal.GDALGetDriver(i) for i in range(lgdal.GDALGetDriverCount())]
    others = []
    for driver in drivers:
        name = lgdal.GDALGetDriverShortName(driver).decode()
        if name not in DRIVERS:
            others.append(name)
            lgdal.GDALDeregisterDriver(driver)
            lgdal.GDALDestroyDriver(driver)
    # GDAL_SKIP splits on spaces and commas; the few names with a space in them ("UK .NTF")
    # stay deregistered above.
    skip = " ".join(name for name in others if " " not in name)
    lgdal.CPLSetConfigOption(b"GDAL_SKIP", skip.encode())


def registered_drivers() -> list[str]:
    """The short names of the drivers GDAL has now."""
    lgdal.GDALGetDriver.restype = ctypes.c_void_p
    lgdal.GDALGetDriverShortName.restype = ctypes.c_char_p
    return [
        lgdal.GDALGetDriverShortName(lgdal.GDALGetDriver(i)).decode()
        for i in range(lgdal.GDALGetDriverCount())
    ]


def _string_list(items: Sequence[str]):
    array = (ctypes.c_char_p * (len(items) + 1))()
    array[:-1] = [item.encode() for item in items]
    array[-1] = None
    return array


def open_vector(
    path: Path,
    *,
    driver: str,
    siblings: Sequence[str] = (),
    open_options: Sequence[str] = (),
) -> DataSource:
    """Open a file read-only with exactly one of DRIVERS, or raise GDALException.

    ``path`` must be a plain file the caller placed (no ``/vsi…/`` prefix, no connection
    string); ``siblings`` are the names of the other files GDAL may open next to it.
    """
    if driver not in DRIVERS:
        raise ValueError(f"{driver} is not one of the allowed drivers {DRIVERS}")
    target = str(path)
    if target.startswith("/vsi") or ":" in target:
        raise ValueError(f"{target} is not a plain file path")
    configure()
    try:
        handle = capi.open_ds(
            target.encode(),
            _GDAL_OF_READONLY | _GDAL_OF_VECTOR | _GDAL_OF_VERBOSE_ERROR,
            _string_list([driver]),
            _string_list(list(open_options)),
            _string_list([Path(path).name, *siblings]),
        )
    except GDALException as exc:
        raise GDALException(f"GDAL's {driver} driver cannot read the file") from exc
    return DataSource(handle, ds_driver=capi.get_dataset_driver(handle))
