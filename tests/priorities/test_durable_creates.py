"""CRASH TEST: a priority answered 201 survives PostgreSQL being killed (issue 12, item 4).

A throwaway PostgreSQL cluster is made by ``scripts/ensure-db.sh`` itself (so with the
settings ``make run`` and ``make test`` use), in a temporary folder on a port of its own,
and given a copy of the test database (the demo municipality, and residents with API
tokens). A real server (``manage.py runserver``) and a real worker (e-mails written to
files) run against it as the web role. 150 creates are sent from 8 threads; once 60 have
been answered 201, the cluster is stopped with ``pg_ctl stop -m immediate`` (no
checkpoint, no flush; its SIGQUIT sent straight to the postmaster) and started again;
then 50 more are sent.

Afterwards every 201 has its row with the reference it showed, no reference was given
twice, and every receipt e-mail names a priority that exists. The main cluster is not
touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from rest_framework.authtoken.models import Token

from nabolaget.backups import EXTENSION_ENTRIES, pg_program
from tests.priorities.factories import BODO_CENTRE, PRIORITY_FEATURE, UserFactory
from tests.priorities.test_jobs_crash import empty_job_queue

RESIDENTS = 20
BEFORE, AFTER = 150, 50  # creates sent before and during the crash, and after the restart
CRASH_AFTER = 60  # answered 201s before the cluster is killed
REFERENCE = re.compile(r"NB-\d{4}-\d{6}")
ROOT = Path(settings.BASE_DIR)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's programs refuse to run as root: as root, they run as postgres."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """A PostgreSQL cluster made by scripts/ensure-db.sh in a folder of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = free_port()
        self.major = int(sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1])
        self.environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "NABOLAGET_PGDATA": str(self.data),
            "NABOLAGET_PGPORT": str(self.port),
            "NABOLAGET_PGLOG": str(folder / "postgresql.log"),
        }

    def ensure(self) -> None:
        subprocess.run(
            ["bash", str(ROOT / "scripts/ensure-db.sh")],
            env=self.environment,
            check=True,
            capture_output=True,
        )

    def stop_immediately(self) -> None:
        """``pg_ctl stop -m immediate``: SIGQUIT to the postmaster, no checkpoint, nothing
        flushed. Sent here directly, so that it comes within milliseconds of the last answer
        (pg_ctl through runuser takes a tenth of a second to start)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
        wait_for(lambda: not alive(pid), 60, "PostgreSQL to stop")

    def pg_ctl(self, *args: str) -> None:
        command = [pg_program("pg_ctl", self.major), "-D", str(self.data), *args]
        subprocess.run(as_postgres(command), check=True, capture_output=True)

    def url(self, role: str) -> str:
        return f"postgis://{role}@127.0.0.1:{self.port}/nabolaget"

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="nabolaget", dbname="nabolaget", autocommit=True
        )


def copy_test_database(cluster: Cluster, dump: Path) -> None:
    """The test database (committed demo data and residents) into the cluster's own."""
    source = connections["owner"].settings_dict
    pg_dump = pg_program("pg_dump", cluster.major)
    pg_restore = pg_program("pg_restore", cluster.major)
    subprocess.run(
        [pg_dump, "-h", source["HOST"], "-p", str(source["PORT"]), "-U", source["USER"]]
        + ["--format=custom", "--no-owner", "--no-privileges", "-f", str(dump), source["NAME"]],
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [pg_restore, "--list", str(dump)], check=True, capture_output=True, text=True
    ).stdout
    contents = dump.with_suffix(".list")
    contents.write_text(
        "".join(
            line
            for line in listing.splitlines(keepends=True)
            if not any(part in line for part in EXTENSION_ENTRIES)
        )
    )
    subprocess.run(
        [pg_restore, "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "nabolaget_owner"]
        + ["--no-owner", "--no-privileges", "--exit-on-error", "--use-list", str(contents)]
        + ["-d", "nabolaget", str(dump)],
        check=True,
        capture_output=True,
    )


def site_environment(cluster: Cluster, mail_dir: Path) -> dict[str, str]:
    return {
        **cluster.environment,
        "DATABASE_URL": cluster.url("nabolaget"),
        "DATABASE_OWNER_URL": cluster.url("nabolaget_owner"),
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_EMAIL_BACKEND": "tests.support.mail.SlowFileBackend",
        "NABOLAGET_TEST_MAIL_DIR": str(mail_dir),
        "NABOLAGET_RATE_PRIORITY_USER": "100000/hour",
        "NABOLAGET_RATE_PRIORITY_ADDRESS": "100000/hour",
        "PROCRASTINATE_LOG_LEVEL": "WARNING",
    }


def start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=environment,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own server on loopback
            return True
    except (urllib.error.URLError, OSError):
        return False


def create(base: str, token: str, number: int) -> tuple[int, dict | None]:
    """POST one priority; (status, body of a 201), status 0 when no answer came."""
    feature = json.loads(json.dumps(PRIORITY_FEATURE))
    lon, lat = BODO_CENTRE
    feature["geometry"]["coordinates"] = [lon + (number % 20) * 1e-4, lat + (number // 20) * 1e-4]
    feature["properties"]["title"] = f"Farlig kryss nummer {number}"
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/api/v1/priorities/",
        data=json.dumps(feature).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError):
        return 0, None


def receipt_references(mail_dir: Path) -> list[str]:
    """The reference number in every receipt e-mail the worker wrote."""
    found = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            match = REFERENCE.search(chunk)
            if match:
                found.append(match.group())
    return found


@pytest.fixture
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="nabolaget-crash-", dir="/var/tmp"))
    folder.chmod(0o755)  # the postgres user makes its data folder inside
    made = Cluster(folder)
    yield made
    if (made.data / "postmaster.pid").exists():
        made.pg_ctl("stop", "-m", "immediate")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_every_answered_create_survives_an_immediate_stop_of_postgresql(
    demo_live, cluster, tmp_path
):
    # Jobs earlier transactional tests left in the queue (procrastinate's tables outlive
    # the flush) would be copied too, and the worker would have to get through them first.
    empty_job_queue()
    tokens = [Token.objects.create(user=UserFactory()).key for _ in range(RESIDENTS)]
    cluster.ensure()
    copy_test_database(cluster, tmp_path / "test.dump")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    environment = site_environment(cluster, mail_dir)
    # The tests' own cache is in memory: the site's is a table (rate limits).
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=environment, check=True
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "site.log"
    server = start(
        ["runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"], environment, log
    )
    worker = start(["procrastinate", "worker"], environment, log)
    try:
        wait_for(lambda: answers(f"{base}/api/v1/"), 60, "the server")
        results: list[tuple[int, dict | None]] = []
        lock = threading.Lock()
        crashed = threading.Event()

        def send(number: int) -> None:
            result = create(base, tokens[number % RESIDENTS], number)
            with lock:
                results.append(result)
                created = sum(1 for status, _ in results if status == 201)
                if created >= CRASH_AFTER and not crashed.is_set():
                    crashed.set()
                    # In the middle of the burst: the other threads' requests are in flight.
                    cluster.stop_immediately()

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(send, range(BEFORE)))
        assert crashed.is_set(), (
            f"{Counter(status for status, _ in results)}\n{log.read_text()[-3000:]}"
        )
        failed_during_crash = sum(1 for status, _ in results if status != 201)
        cluster.pg_ctl("start", "-w", "-t", "60", "-l", str(cluster.folder / "postgresql.log"))
        # The worker lost its database: a supervisor restarts it (systemd Restart=always).
        worker.kill()
        worker.wait(timeout=30)
        worker = start(["procrastinate", "worker"], environment, log)
        with ThreadPoolExecutor(8) as pool:
            after = list(
                pool.map(
                    lambda n: create(base, tokens[n % RESIDENTS], n), range(BEFORE, BEFORE + AFTER)
                )
            )
        assert [status for status, _ in after] == [201] * AFTER
        results += after

        # The worker sends the receipts still queued.
        with cluster.connect() as db:
            wait_for(
                lambda: (
                    not db.execute(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
                    ).fetchone()[0]
                ),
                60,
                "the receipts to be sent",
            )
            stored = dict(db.execute("SELECT reference, id FROM priorities_priority").fetchall())
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)

    created = [body for status, body in results if status == 201]
    shown = [(body["properties"]["reference"], body["id"]) for body in created]
    assert failed_during_crash > 0, "the crash was not in the middle of the burst"
    lost = [(reference, pk) for reference, pk in shown if stored.get(reference) != pk]
    assert lost == [], f"answered 201, then lost or given to another: {lost}"
    references = [reference for reference, _ in shown]
    assert len(set(references)) == len(references), "a reference number was given twice"
    mailed = receipt_references(mail_dir)
    assert mailed, "no receipt was sent"
    assert [reference for reference in mailed if reference not in stored] == []
