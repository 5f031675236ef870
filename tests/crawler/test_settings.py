"""The crawl settings: polite by default, also against the farm; the contact URL from the config."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from archive.config import DataDir
from crawler.failures import exception_kind
from crawler.middlewares.retry import retry_after_seconds
from crawler.run import crawl_settings


@pytest.mark.parametrize("farm", [False, True])
def test_politeness_settings_hold_for_real_sites_and_the_farm(tmp_path, farm):
    settings = crawl_settings(DataDir(tmp_path), farm=farm)
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert settings.getint("CONCURRENT_REQUESTS_PER_IP") == 0     # farm sites share 127.0.0.1: per host
    assert settings.getint("DOWNLOAD_MAXSIZE") > 0 and settings.getint("RETRY_TIMES") >= 2
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert "crawler.middlewares.retry.BackoffRetryMiddleware" in middlewares


def test_user_agent_carries_the_configured_contact_url(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVPLANS_CONTACT_URL", "mailto:ops@example.org")
    agent = crawl_settings(DataDir(tmp_path), farm=False).get("USER_AGENT")
    assert agent.startswith("govplans/") and "mailto:ops@example.org" in agent


def test_stop_after_seen_comes_from_the_environment(tmp_path, monkeypatch):
    assert crawl_settings(DataDir(tmp_path), farm=False).getint("GOVPLANS_STOP_AFTER_SEEN") == 15
    monkeypatch.setenv("GOVPLANS_STOP_AFTER_SEEN", "40")
    assert crawl_settings(DataDir(tmp_path), farm=False).getint("GOVPLANS_STOP_AFTER_SEEN") == 40


def test_real_sites_do_not_resolve_test_hosts(tmp_path):
    assert not crawl_settings(DataDir(tmp_path), farm=False).getbool("GOVPLANS_RESOLVE_TEST_HOSTS")
    assert crawl_settings(DataDir(tmp_path), farm=True).getbool("GOVPLANS_RESOLVE_TEST_HOSTS")


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2025, 6, 30, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Mon, 30 Jun 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 30 Jun 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_failure_kinds():
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest

    assert exception_kind(DownloadCancelledError("Expected to receive 52428800 bytes which is larger than "
                                                 "download max size (33554432)")) == "too_large"
    assert exception_kind(DownloadTimeoutError("took longer than 10 seconds")) == "timeout"
    assert exception_kind(IgnoreRequest("Forbidden by robots.txt")) == "robots"
    assert exception_kind(IgnoreRequest("max redirections reached")) == "redirect_loop"


def test_a_download_cancelled_without_a_message_is_too_large():
    from scrapy.exceptions import DownloadCancelledError

    assert exception_kind(DownloadCancelledError()) == "too_large"


@pytest.mark.parametrize("farm", [False, True])
def test_no_console_runs_code_sent_to_the_crawl(tmp_path, farm):
    settings = crawl_settings(DataDir(tmp_path), farm=farm)
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")   # Scrapy's exec-over-HTTP extension


def test_a_response_starts_few_output_tasks(tmp_path):
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks per response; its default of 100 cost a third of a crawl's CPU
    assert 1 <= crawl_settings(DataDir(tmp_path), farm=False).getint("CONCURRENT_ITEMS") <= 16


def test_no_spider_callback_returns_a_value_so_scrapy_need_not_check_each_response(tmp_path):
    import inspect

    from scrapy.utils.misc import is_generator_with_return_value

    from crawler.spiders import SPIDERS

    assert not crawl_settings(DataDir(tmp_path), farm=True).getbool("WARN_ON_GENERATOR_RETURN_VALUE")
    checked = 0
    for spider in SPIDERS.values():
        for name, method in inspect.getmembers(spider, inspect.isgeneratorfunction):
            assert not is_generator_with_return_value(method), f"{spider.__name__}.{name} returns a value"
            checked += 1
    assert checked >= len(SPIDERS) * 3   # parse_list, parse_detail, parse_attachment at least
