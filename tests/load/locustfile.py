"""What 200 residents and planners do at once, for ``make load`` (see tests/load/run.py).

Each simulated user is a resident or a planner acting through the API with a token.
Kinds of request (the names the report groups by):

- ``map``: the map of Bodø at a random zoom (8–17) around a random loaded priority;
- ``create``: pin a priority at a random loaded place (GeoJSON Feature);
- ``support``: support a random priority;
- ``planner-list``: a planner's list query (area, status, ordering by support);
- ``planner-counts``: counts per area of a type, or one area's statistics (aggregates
  over every priority in the municipality).

Of 200 users, 4 are planners by default (NABOLAGET_LOAD_PLANNERS_PER_50 = 1): a handful
of case officers at work while residents use the map.

Residents rotate through their own slice of the load accounts, so no account goes over
the per-account limits (they stay at the production defaults); the per-address limits
are raised by the server's settings (all simulated users share 127.0.0.1).
Every response time is written to NABOLAGET_LOAD_TIMINGS when the run ends, so the
report's percentiles are exact, not locust's rounded buckets.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

from tests.bench.priorities import viewport

PLAN = json.loads(Path(os.environ["NABOLAGET_LOAD_PLAN"]).read_text(encoding="utf-8"))
WAIT = (
    float(os.environ.get("NABOLAGET_LOAD_WAIT_MIN", "5")),
    float(os.environ.get("NABOLAGET_LOAD_WAIT_MAX", "15")),
)
SLICE = int(os.environ.get("NABOLAGET_LOAD_ACCOUNTS_PER_USER", "10"))
TIMINGS: list[tuple[str, float, bool]] = []
_resident_numbers = itertools.count()
_planner_numbers = itertools.count()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    TIMINGS.append((name, response_time, exception is None))


@events.quitting.add_listener
def _write(environment, **kwargs):
    path = os.environ.get("NABOLAGET_LOAD_TIMINGS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(TIMINGS, out)


class Visitor(HttpUser):
    """Looks at the map: the anonymous part of every user's behaviour."""

    abstract = True
    wait_time = between(*WAIT)

    def on_start(self):
        # People arrive at the site one by one, not all acting in the second they are
        # spawned: a first wait as long as any other keeps the rate at users / mean wait
        # (about 20 requests/s) from the start. Without it the ramp-up doubled the rate
        # while 200 users made their first request within 10 s.
        gevent.sleep(random.uniform(0, WAIT[1]))

    def headers(self) -> dict:
        return {"Accept-Language": random.choice(["nb", "nn", "en"])}

    @task(10)
    def map(self):
        lon, lat = random.choice(PLAN["places"])
        zoom = random.randint(8, 17)
        self.client.get(
            "/api/v1/priorities/map/",
            params={
                "municipality": PLAN["municipality"],
                "bbox": ",".join(f"{v:.6f}" for v in viewport(lon, lat, zoom)),
                "zoom": zoom,
            },
            headers=self.headers(),
            name="map",
        )


class Resident(Visitor):
    """Pins priorities and supports others, as one of its own accounts at a time."""

    weight = 50 - int(os.environ.get("NABOLAGET_LOAD_PLANNERS_PER_50", "1"))

    def on_start(self):
        super().on_start()
        number = next(_resident_numbers)
        tokens = PLAN["residents"]
        start = (number * SLICE) % len(tokens)
        self.accounts = itertools.cycle(tokens[start : start + SLICE] or tokens[:SLICE])

    def auth(self) -> dict:
        return {**self.headers(), "Authorization": f"Token {next(self.accounts)}"}

    @task(2)
    def create(self):
        lon, lat = random.choice(PLAN["places"])
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "category": random.choice(PLAN["categories"]),
                "title": "Trygg skolevei (last)",
                "text": "Mange barn går her om morgenen, og bilene holder høy fart.",
            },
        }
        self.client.post("/api/v1/priorities/", json=feature, headers=self.auth(), name="create")

    @task(2)
    def support(self):
        first, last = PLAN["priority_ids"]
        with self.client.post(
            f"/api/v1/priorities/{random.randint(first, last)}/support/",
            headers=self.auth(),
            name="support",
            catch_response=True,
        ) as response:
            # A random id can be one that was merged or hidden: that is the right answer,
            # not an error of the server.
            if response.status_code in (200, 201, 204, 404):
                response.success()


class Planner(Visitor):
    """Queries priorities by area, status and support, and counts per area."""

    weight = int(os.environ.get("NABOLAGET_LOAD_PLANNERS_PER_50", "1"))

    def on_start(self):
        super().on_start()
        self.token = PLAN["planners"][next(_planner_numbers) % len(PLAN["planners"])]

    def auth(self) -> dict:
        return {**self.headers(), "Authorization": f"Token {self.token}"}

    @task(4)
    def query(self):
        area = random.choice(PLAN["areas"])
        params = {
            "municipality": PLAN["municipality"],
            "area": area["id"],
            "ordering": "-support_count",
        }
        if random.random() < 0.5:
            params["status"] = random.choice(["received", "under_consideration", "decided"])
        self.client.get(
            "/api/v1/priorities/", params=params, headers=self.auth(), name="planner-list"
        )

    @task(2)
    def by_area(self):
        self.client.get(
            "/api/v1/priorities/by-area/",
            params={
                "municipality": PLAN["municipality"],
                "area_type": random.choice(PLAN["area_types"]),
            },
            headers=self.auth(),
            name="planner-counts",
        )

    @task(2)
    def area_stats(self):
        area = random.choice(PLAN["areas"])
        self.client.get(
            f"/api/v1/areas/{area['id']}/stats/", headers=self.auth(), name="planner-counts"
        )
