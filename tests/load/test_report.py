"""The load report: percentiles, error rates and goals per kind of request."""

from tests.load.run import server_times, summarise


def test_goals_are_judged_per_kind_and_on_the_error_rate():
    timings = [("map", float(ms), True) for ms in range(1, 101)]  # p95 = 95.05 ms
    timings += [("create", 250.0, True)] * 99 + [("create", 5000.0, False)]
    timings += [("planner-counts", 900.0, True)]

    result = summarise(timings)

    assert result["kinds"]["map"]["p95_ms"] < 200
    assert result["kinds"]["create"]["errors"] == 1
    assert result["kinds"]["support"]["requests"] == 0
    assert result["errors"] == 1 and result["requests"] == 201
    assert result["goals"] == {"error_rate": False, "map_p95": True, "create_p95": True}
    assert not result["goals_met"]


def test_no_requests_of_a_kind_is_not_a_goal_met():
    result = summarise([("map", 10.0, True)] * 2000)

    assert result["goals"]["error_rate"] and result["goals"]["map_p95"]
    assert not result["goals"]["create_p95"]


def test_the_servers_own_times_are_read_from_its_access_log():
    log = [
        "GET /api/v1/priorities/map/ 200 12000",
        "GET /api/v1/priorities/map/ 200 30000",
        "POST /api/v1/priorities/ 201 45000",
        "POST /api/v1/priorities/17/support/ 201 9000",
        "GET /api/v1/priorities/ 200 20000",
        "GET /api/v1/areas/3/stats/ 200 8000",
        "GET /api/v1/categories/ 200 1000",  # the server's readiness probe: no kind
        "not a line of the format",
    ]

    served = server_times(log)
    result = summarise([("map", 50.0, True)], served)

    assert [kind for kind, _ms in served] == [
        "map",
        "map",
        "create",
        "support",
        "planner-list",
        "planner-counts",
    ]
    assert result["kinds"]["map"]["server_p50_ms"] == 12.0  # nearest rank
    assert result["kinds"]["create"]["server_p95_ms"] == 45.0
    assert result["kinds"]["map"]["p50_ms"] == 50.0
