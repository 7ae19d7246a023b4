"""Headless Chromium (Debian's package) driven by Playwright, recording every request."""

from contextlib import contextmanager
from pathlib import Path

from tests.conftest import require_tool

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@contextmanager
def browser_page(base_url: str, *, http_cache: bool = False):
    """A fresh page; ``page.requests`` lists every URL it asked for.

    Requests that leave ``base_url`` are recorded and aborted, so a page that
    would need the internet fails here instead of hanging. That takes
    Playwright's request routing, which turns Chromium's HTTP cache off; with
    ``http_cache=True`` nothing is routed (requests are only recorded), so the
    page caches and revalidates as a user's browser does.
    """
    executable = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            requests: list[str] = []

            def route(route):
                url = route.request.url
                requests.append(url)
                if url.startswith(base_url + "/") or url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    route.abort()

            if http_cache:
                context.on("request", lambda request: requests.append(request.url))
            else:
                context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.requests = requests
            yield page
        finally:
            browser.close()


def outside(requests: list[str], base_url: str) -> list[str]:
    return [
        u for u in requests if not (u.startswith(base_url + "/") or u.startswith(LOCAL_SCHEMES))
    ]
