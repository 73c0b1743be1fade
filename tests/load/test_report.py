"""The load report: percentiles, error rates and goals per kind of request."""

from tests.load.run import summarise


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
