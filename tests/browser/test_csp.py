"""Every page runs under the Content Security Policy without a single violation.

The policy allows no inline script or style at all, so a `<script>` block, an `onclick`
or a `style="…"` attribute in a template (or injected by a library) shows up here as a
`securitypolicyviolation` event, and the test names the page and what was blocked.
"""

import pytest
from django.test import Client

from accounts.models import Role
from areas.models import Area
from councils.models import Council
from nabolaget.demo import load_demo_councils
from tests.areas.factories import council_secretary
from tests.cases.factories import ConsultationFactory, make_case
from tests.priorities.factories import make_priority, staff

# Collects every violation from the first script on, before the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || ""}:${event.lineNumber}) ${event.sample || ""}`
  );
});
"""


def _public_paths() -> list[str]:
    load_demo_councils()
    bodo_kommune = Area.objects.get(type__slug="kommune", code="1804")
    school = Area.objects.filter(type__slug="skolekrets").order_by("code").first()
    council = Council.objects.order_by("pk").first()
    case = make_case()
    consultation = ConsultationFactory(case=case, councils=[council])
    priority = make_priority()
    return [
        "/",
        "/kommune/1804/",
        bodo_kommune.get_absolute_url(),
        school.get_absolute_url(),
        f"/areas/{school.pk}/priorities/",
        f"/areas/{school.pk}/answered/",
        priority.get_absolute_url(),
        "/councils/",
        council.get_absolute_url(),
        case.get_absolute_url(),
        consultation.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        # Not /api/v1/ itself: production serves it as JSON only; DRF's browsable API
        # (DEBUG only) has inline styles of its own.
        "/api/v1/docs/",
    ]


def _violations(page, path: str, ready: str | None = None) -> list[str]:
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    if page.locator("#map").count():
        page.wait_for_selector("#map.leaflet-container")
    if ready:
        page.wait_for_selector(ready)
    page.wait_for_timeout(100)  # violation events are dispatched asynchronously
    return page.evaluate("window.__cspViolations")


def _log_in(browser_context, live_server_url, user):
    """The session of a user logged in on the server side, as a cookie in the browser."""
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
    )


@pytest.fixture
def csp_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def test_public_pages_have_a_strict_policy_and_no_violations(csp_page):
    response = csp_page.goto(csp_page.base_url + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    found = {}
    for path in _public_paths():
        ready = ".swagger-ui .info" if path == "/api/v1/docs/" else None
        violations = _violations(csp_page, path, ready)
        if violations:
            found[path] = violations
    assert not found, f"CSP violations: {found}"


def test_staff_and_resident_pages_with_maps_and_drawing_have_no_violations(csp_page, live_server):
    """The map pages people work in: pin a priority, the planner's workspace, and the
    council's form with leaflet.draw (its toolbar and tooltips are drawn while drawing)."""
    load_demo_councils()
    council = Council.objects.order_by("pk").first()
    secretary = council_secretary(council)
    planner = staff(Role.PLANNER)
    context = csp_page.context

    _log_in(context, live_server.url, planner)
    found = {}
    for path in ["/priorities/new/", "/planner/", "/me/"]:
        violations = _violations(csp_page, path)
        if violations:
            found[path] = violations

    _log_in(context, live_server.url, secretary)
    path = f"/councils/{council.pk}/file/"
    violations = _violations(csp_page, path)
    csp_page.locator(".leaflet-draw-draw-polygon").click()
    box = csp_page.locator("#map").bounding_box()
    for dx, dy in [(0.4, 0.4), (0.6, 0.4), (0.5, 0.6), (0.4, 0.4)]:
        csp_page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    csp_page.wait_for_timeout(100)
    violations += csp_page.evaluate("window.__cspViolations")
    if violations:
        found[path] = violations
    assert csp_page.locator(".leaflet-overlay-pane path").count() >= 1, "the polygon is drawn"
    assert not found, f"CSP violations: {found}"
