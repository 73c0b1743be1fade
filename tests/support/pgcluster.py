"""A throwaway PostgreSQL cluster for tests that restart the database: initdb in a
temporary folder, on a free port of 127.0.0.1, run as the ``postgres`` system user when
the tests run as root (as scripts/ensure-db.sh does). The test's own cluster is never
touched; a copy of the test database is restored into this one."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A private cluster: ``start``, ``restart``, ``stop``; ``url`` of its database."""

    def __init__(self, major: int, user: str):
        self.bin = Path(f"/usr/lib/postgresql/{major}/bin")
        self.user = user
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        # Under /var/tmp: pytest's own temporary folders are not reachable by postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="nabolaget-pg-test-", dir="/var/tmp"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgresql.log"
        self.data.mkdir()
        self.log.touch()
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        self.data.chmod(0o700)
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
            )

    def _pg(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def _ctl(self, *args: str) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *args)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again, as a server restart does."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def connect(self, dbname: str = "postgres", user: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=user, dbname=dbname, autocommit=True
        )

    def copy_database(self, source: dict, name: str) -> str:
        """Restore a copy of the database ``source`` (Django's settings dict) here, owned
        by ``self.user``; returns its URL."""
        with self.connect() as admin:
            admin.execute(f'CREATE ROLE "{self.user}" LOGIN SUPERUSER')
            admin.execute(f'CREATE DATABASE "{name}" OWNER "{self.user}"')
        dump = subprocess.run(
            [
                str(self.bin / "pg_dump"),
                "--format=custom",
                "--host",
                str(source["HOST"]),
                "--port",
                str(source["PORT"]),
                "--username",
                str(source["USER"]),
                str(source["NAME"]),
            ],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [
                str(self.bin / "pg_restore"),
                "--no-owner",
                # The grants name the owner and web roles of the test cluster, not made here.
                "--no-privileges",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--username",
                self.user,
                "--dbname",
                name,
            ],
            input=dump,
            check=True,
            capture_output=True,
        )
        return f"postgis://{self.user}@127.0.0.1:{self.port}/{name}"
