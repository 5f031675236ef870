"""Rendering where a site needs it: a registry entry with `render: browser` has its list pages
rendered in headless Chromium through scrapy-playwright (detail pages and files stay plain HTTP).

The browser is the system Chromium (scripts/install-browser.sh installs Debian's; GOVPLANS_CHROMIUM
names another), never a download of Playwright's own. The crawl switches the download handler only
when one of its sites renders, so plain crawls keep Scrapy's own HTTP stack."""
from __future__ import annotations

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# The flags tests/browser starts Chromium with, less the window ones.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=zh-CN"]
RENDERED_HEADER = "X-Govplans-Rendered"


def renders(site: dict | None) -> bool:
    return bool(site) and site.get("render") == "browser"


def render_meta(site: dict | None) -> dict:
    """What a list request of this site carries so that scrapy-playwright renders it."""
    if not renders(site):
        return {}
    # networkidle: the list script's fetches have come back and written the items
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}


def browser_settings(settings) -> dict:
    """The settings a crawl with rendered sites adds (settings: the crawl's, for the farm's DNS)."""
    flags = list(FLAGS)
    if settings.getbool("GOVPLANS_RESOLVE_TEST_HOSTS"):
        flags.append("--host-resolver-rules=MAP *.test 127.0.0.1")     # the farm's virtual hosts
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": settings.get("GOVPLANS_CHROMIUM"), "headless": True,
                                      "args": flags},
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("GOVPLANS_RENDER_PAGES", 2),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getint("DOWNLOAD_TIMEOUT", 30) * 1000,
    }


def render_page(url: str, chromium: str, test_hosts: bool, user_agent: str, timeout: float = 30) -> tuple[str | None, str]:
    """One page rendered in headless Chromium (for `sites discover`): (its DOM, what happened)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None, "playwright is not installed"
    flags = FLAGS + (["--host-resolver-rules=MAP *.test 127.0.0.1"] if test_hosts else [])
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=flags)
            try:
                page = browser.new_page(user_agent=user_agent)
                answer = page.goto(url, wait_until="networkidle", timeout=timeout * 1000)
                return page.content(), f"rendered in Chromium (HTTP {answer.status if answer else '?'})"
            finally:
                browser.close()
    except Error as error:
        return None, f"Chromium: {str(error).splitlines()[0]}"
