"""Playwright driving Debian's Chromium headless (Playwright's own browser download is not used)."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.priorities.factories import PASSWORD

CHROMIUM = os.environ.get("NABOLAGET_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last: once Playwright has started, the rest of
    the session runs beside its event loop (see ``browser``)."""
    browser_tests = [item for item in items if "tests/browser" in str(item.fspath)]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


@pytest.fixture(scope="session")
def browser():
    """Chromium through Playwright's sync API. That API runs an event loop in the test
    thread, and Django refuses ORM calls where a loop runs (SynchronousOnlyOperation);
    the browser tests' ORM calls are still synchronous and safe, so they, and only they
    (they run last), run with DJANGO_ALLOW_ASYNC_UNSAFE."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, demo_live, settings):
    """A fresh page in Bokmål against the live server holding the demo municipality, whose
    address is the site's for links in e-mails (NABOLAGET_SITE_URL)."""
    settings.NABOLAGET_SITE_URL = live_server.url
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(browser, live_server, demo_live, settings):
    """A function giving a fresh page against the live server in the language asked for
    (the site's language cookie set, the browser's locale to match), at ``viewport``
    (DESKTOP, or PHONE with ``phone=True``: touch, mobile). Each page's JavaScript errors
    are kept in ``page.errors``; any left at the end fail the test."""
    settings.NABOLAGET_SITE_URL = live_server.url
    contexts, pages = [], []

    def open_page(language: str = "nb", viewport: dict | None = None, *, phone: bool = False):
        context = browser.new_context(
            locale=f"{language}-NO",
            viewport=viewport or (PHONE if phone else DESKTOP),
            **({"has_touch": True, "is_mobile": True} if phone else {}),
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        page.errors = []
        page.on("pageerror", lambda error, errors=page.errors: errors.append(str(error)))
        pages.append(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    errors = [error for page in pages for error in page.errors]
    assert not errors, f"JavaScript errors on the page: {errors}"


def tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (a JavaScript expression
    on ``el``), as a keyboard user moves through the page."""
    check = f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(check):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def log_in_by_keyboard(page, email: str) -> None:
    """Log in with the keyboard alone: Tab to each field, type, Enter."""
    page.goto(page.base_url + "/accounts/login/")
    tab_to(page, "el.name === 'login'")
    page.keyboard.type(email)
    tab_to(page, "el.name === 'password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture(scope="session")
def axe():
    return Axe()


def assert_accessible(axe, page):
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, results.generate_report()
