"""``make load``: 200 simulated users against a real server on loopback, with a report.

1. ``nabolaget_load`` is made ready (tests/load/prepare.py): 1,000,000 priorities in
   Bodø, reused when already loaded, and the accounts the simulated users act as.
2. gunicorn serves the site from it on 127.0.0.1 only, with DEBUG off (production
   settings, except that HTTPS redirects are off on loopback). The per-account rate
   limits stay at their defaults; the per-address limits are raised through their
   documented settings (NABOLAGET_RATE_*_ADDRESS), because every simulated user comes
   from 127.0.0.1, as many people behind one municipal NAT would.
3. After a warm-up (600 map requests and 120 area statistics, 12 at a time, so that every
   worker thread and its database connection has served each kind), locust runs headless
   for a bounded time (60 s by default); each simulated user waits 5–15 s between requests
   (a person reading the map), and as long before its first, so 200 users ask about 20
   requests/s from the start rather than 200 first requests within the 10 s of ramp-up.
4. The report: requests, error rate and p50/p95/p99 per kind of request (map, create,
   support, planner-list, planner-counts), and whether the goals are met: error rate
   under 0.1 %, creating a priority p95 under 300 ms, map requests p95 under 200 ms.

Options: ``--users``, ``--spawn-rate``, ``--duration``, ``--rows``, ``--workers``,
``--threads``, ``--port``; ``python -m tests.load.run --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tests.bench.run import WEB_ROLE, percentile, progress
from tests.load import prepare

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-results"
KINDS = ("map", "create", "support", "planner-list", "planner-counts")
GOALS_P95_MS = {"map": 200.0, "create": 300.0}
GOAL_ERROR_RATE = 0.001
# Raised per-address limits for the load server (see the module docstring).
ADDRESS_RATE = "1000000/hour"
ACCESS_LOG = ROOT / "bench-results" / "load-access.log"


def database_url(database: dict) -> str:
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    host = database.get("HOST") or "127.0.0.1"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgis://{at}{host}{port}/{database['NAME']}"


def server_environment(database: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            # The server connects as the web role, as the site does; the loader as the owner.
            "DATABASE_URL": database_url({**database, **WEB_ROLE}),
            "DATABASE_OWNER_URL": database_url(database),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "NABOLAGET_RATE_PRIORITY_ADDRESS": ADDRESS_RATE,
            "NABOLAGET_RATE_SUPPORT_ADDRESS": ADDRESS_RATE,
            "NABOLAGET_RATE_REPORT_ADDRESS": ADDRESS_RATE,
        }
    )
    env.pop("NABOLAGET_TEST_DB", None)
    return env


def start_server(args: argparse.Namespace, env: dict) -> subprocess.Popen:
    bind = f"127.0.0.1:{args.port}"
    progress(f"Starting gunicorn on {bind} ({args.workers} workers × {args.threads} threads)")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "nabolaget.wsgi",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            # Each request's path and duration as the server saw it (µs): the report sets
            # them beside the load generator's, which include its own waiting.
            "--access-logfile",
            str(ACCESS_LOG),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting.")
        try:
            with urllib.request.urlopen(f"http://{bind}/api/v1/categories/", timeout=5):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s.")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def warm_up(args: argparse.Namespace, plan: Path) -> None:
    """The requests the simulated users make, before the clock starts, from as many
    clients at once as the server has threads, so that every thread has served each kind:
    each gunicorn worker loads its code and translations on its first requests, and each
    thread's PostgreSQL connection warms its own caches (PostGIS's coordinate
    transformations among them) on its first queries. The clock measures a server that has
    been running, not one that has just started."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.bench.priorities import viewport

    data = json.loads(plan.read_text(encoding="utf-8"))
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(7)
    paths = []
    for n in range(args.warm_up):
        lon, lat = rng.choice(data["places"])
        zoom = 8 + n % 10
        box = ",".join(f"{v:.6f}" for v in viewport(lon, lat, zoom))
        paths.append(
            f"/api/v1/priorities/map/?municipality={data['municipality']}&zoom={zoom}&bbox={box}"
        )
        if n % 5 == 0:
            paths.append(f"/api/v1/areas/{rng.choice(data['areas'])['id']}/stats/")

    def get(path: str) -> None:
        try:
            with urllib.request.urlopen(base + path, timeout=60):  # noqa: S310
                pass
        except OSError as exc:
            progress(f"warm-up: {path}: {exc}")

    progress(f"Warm-up: {len(paths)} requests, {args.workers * args.threads} at a time")
    with ThreadPoolExecutor(args.workers * args.threads) as pool:
        list(pool.map(get, paths))


def run_locust(args: argparse.Namespace, plan: Path, timings: Path) -> int:
    env = dict(os.environ)
    env.update(
        {
            # The locustfile imports the bench's viewport from the project's tests package.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "NABOLAGET_LOAD_PLAN": str(plan),
            "NABOLAGET_LOAD_TIMINGS": str(timings),
            "NABOLAGET_LOAD_WAIT_MIN": str(args.wait_min),
            "NABOLAGET_LOAD_WAIT_MAX": str(args.wait_max),
            "NABOLAGET_LOAD_PLANNERS_PER_50": str(args.planners_per_50),
        }
    )
    progress(f"locust: {args.users} users for {args.duration} s")
    return subprocess.call(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.duration}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env=env,
    )


def request_kind(method: str, path: str) -> str | None:
    """The report's kind of a request the server logged (see the locustfile's names)."""
    if method == "GET" and path == "/api/v1/priorities/map/":
        return "map"
    if method == "POST" and path == "/api/v1/priorities/":
        return "create"
    if method == "POST" and path.endswith("/support/"):
        return "support"
    if method == "GET" and path == "/api/v1/priorities/":
        return "planner-list"
    if method == "GET" and (path == "/api/v1/priorities/by-area/" or path.endswith("/stats/")):
        return "planner-counts"
    return None


def server_times(lines: Sequence[str]) -> list[tuple[str, float]]:
    """(kind, ms) of each request in gunicorn's access log ("method path status µs")."""
    times = []
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and (kind := request_kind(parts[0], parts[1])):
            times.append((kind, int(parts[3]) / 1000))
    return times


def summarise(
    timings: Sequence[tuple[str, float, bool]], served: Sequence[tuple[str, float]] = ()
) -> dict:
    """Requests, errors, error rate and p50/p95/p99 (ms) per kind, and the goals; with the
    server's own p50/p95 per kind when its access log is given."""
    kinds: dict = {}
    for kind in KINDS:
        times = [t for name, t, _ok in timings if name == kind]
        errors = sum(1 for name, _t, ok in timings if name == kind and not ok)
        on_server = [t for name, t in served if name == kind]
        kinds[kind] = {
            "requests": len(times),
            "errors": errors,
            "error_rate": errors / len(times) if times else 0.0,
            "p50_ms": percentile(times, 50) if times else None,
            "p95_ms": percentile(times, 95) if times else None,
            "p99_ms": percentile(times, 99) if times else None,
            "server_p50_ms": percentile(on_server, 50) if on_server else None,
            "server_p95_ms": percentile(on_server, 95) if on_server else None,
        }
    total = len(timings)
    errors = sum(1 for _n, _t, ok in timings if not ok)
    goals = {"error_rate": total > 0 and errors / total < GOAL_ERROR_RATE}
    for kind, limit in GOALS_P95_MS.items():
        p95 = kinds[kind]["p95_ms"]
        goals[f"{kind}_p95"] = p95 is not None and p95 < limit
    return {
        "kinds": kinds,
        "requests": total,
        "errors": errors,
        "error_rate": errors / total if total else 0.0,
        "goals": goals,
        "goals_met": all(goals.values()),
    }


def format_report(result: dict, args: argparse.Namespace) -> str:
    lines = [
        f"make load: {args.users} users, {args.duration} s, {result['priorities_total']:,} "
        f"priorities, gunicorn {args.workers}×{args.threads} on 127.0.0.1",
        "",
        f"{'kind':<15}{'requests':>10}{'errors':>8}{'error %':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'server p50':>12}{'server p95':>12}",
    ]

    def number(value):
        return f"{value:9.1f}" if value is not None else f"{'–':>9}"

    for kind, row in result["kinds"].items():
        lines.append(
            f"{kind:<15}{row['requests']:>10}{row['errors']:>8}{row['error_rate'] * 100:>8.2f}%"
            f"{number(row['p50_ms'])}{number(row['p95_ms'])}{number(row['p99_ms'])}"
            f"{number(row['server_p50_ms']):>12}{number(row['server_p95_ms']):>12}"
        )
    lines.append(
        f"{'all':<15}{result['requests']:>10}{result['errors']:>8}"
        f"{result['error_rate'] * 100:>8.2f}%"
    )
    lines.append(
        f"\n{result['requests_per_s']:.1f} requests/s; the machine's 1-minute load average was "
        f"{result['load_average_before']:.1f} before the run and "
        f"{result['load_average_after']:.1f} after it (2 cores: above 2, other work competed)"
    )
    lines.append(
        "p50–p99: as the simulated users timed them (locust); server: from the request "
        "reaching gunicorn's worker to its answer (access log)"
    )
    lines.append("")
    labels = {
        "error_rate": "error rate under 0.1 %",
        "map_p95": "map requests p95 under 200 ms",
        "create_p95": "creating a priority p95 under 300 ms",
    }
    for goal, met in result["goals"].items():
        lines.append(f"goal: {labels[goal]}: {'met' if met else 'NOT met'}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users (200)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per s (20)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (60)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="priorities (1000000)")
    parser.add_argument("--residents", type=int, default=2000, help="resident accounts (2000)")
    parser.add_argument("--planners", type=int, default=20, help="planner accounts (20)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (8765)")
    parser.add_argument("--wait-min", type=float, default=5, help="think time from (5 s)")
    parser.add_argument("--wait-max", type=float, default=15, help="think time up to (15 s)")
    parser.add_argument(
        "--planners-per-50", type=int, default=1, help="planners among each 50 users (1)"
    )
    parser.add_argument(
        "--warm-up", type=int, default=600, help="map requests before the clock starts (600)"
    )
    parser.add_argument("--prepare-only", action="store_true", help="load the database, stop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    OUTPUT.mkdir(exist_ok=True)
    plan, timings = OUTPUT / "load-plan.json", OUTPUT / "load-timings.json"
    database = prepare.prepare(args.rows, args.residents, args.planners, plan)
    if args.prepare_only:
        return 0
    from django.db import connections

    connections.close_all()
    timings.unlink(missing_ok=True)
    server = start_server(args, server_environment(database))
    load_before = os.getloadavg()[0]
    try:
        warm_up(args, plan)
        os.truncate(ACCESS_LOG, 0)  # the warm-up's requests are not measured
        started = time.monotonic()
        run_locust(args, plan, timings)
        seconds = time.monotonic() - started
    finally:
        stop_server(server)
    if not timings.exists():
        raise SystemExit("locust wrote no timings.")
    result = summarise(
        json.loads(timings.read_text(encoding="utf-8")),
        server_times(ACCESS_LOG.read_text(encoding="utf-8").splitlines()),
    )
    result["priorities_total"] = json.loads(plan.read_text(encoding="utf-8"))["priorities_total"]
    result["requests_per_s"] = result["requests"] / seconds
    # Other work on the machine skews the figures: the report says how busy it was.
    result["load_average_before"] = load_before
    result["load_average_after"] = os.getloadavg()[0]
    (OUTPUT / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_report(result, args))
    return 0 if result["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
