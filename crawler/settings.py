"""Scrapy settings for govplans; every custom setting carries a one-line comment."""
from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "govplans"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: these portals are public services run on small budgets.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 30
# Scrapy starts this many asyncio tasks for every response's output (its default, 100, cost a third
# of a bare crawl's CPU); a page yields one item and a few requests, so 16 never makes one wait.
CONCURRENT_ITEMS = 16
# Scrapy reads a callback's source and parses it (inspect + ast) to warn of a generator returning a
# value, again whenever its cache lost the bound method (3-4% of a crawl process's CPU samples).
# Ours never do: tests/crawler/test_settings.py checks them once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Larger responses are dropped and counted as `too_large` (government PDFs rarely pass 20 MB).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
# Seconds a site is left alone before the first retry after a 5xx or timeout; doubles per attempt.
GOVPLANS_RETRY_BACKOFF = 1.0
# Longest pause the backoff grows to.
GOVPLANS_RETRY_BACKOFF_MAX = 60.0
# Longest Retry-After (429/503) honoured; a longer one is cut to this.
GOVPLANS_RETRY_AFTER_MAX = 300.0
# Fewer retries than RETRY_TIMES for these error kinds (crawler/failures.py): they seldom pass in seconds.
GOVPLANS_RETRY_TIMES_BY_KIND = {"dns": 1, "connection_refused": 1, "connection_lost": 2, "timeout": 2}
# A site's remaining requests this run are dropped after this many challenge or WAF answers (more than its good ones).
GOVPLANS_BLOCKED_GIVE_UP = 3
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's HTTP server that runs Python sent to it (one per crawler): nothing of ours uses it.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Contact URL named in the User-Agent so a webmaster can reach the operator ($GOVPLANS_CONTACT_URL wins).
GOVPLANS_CONTACT_URL = "https://github.com/govplans/govplans"
# The User-Agent, with {contact} replaced by GOVPLANS_CONTACT_URL (crawler.run.crawl_settings).
GOVPLANS_USER_AGENT = "govplans/0.1 (+{contact}; archive of published government plans)"
USER_AGENT = GOVPLANS_USER_AGENT.format(contact=GOVPLANS_CONTACT_URL)

# Incremental walk: a column is done after this many already-known items in a row.
GOVPLANS_STOP_AFTER_SEEN = 15
# Full sweep (`govplans crawl --full`): every list page, every known page asked again, removals found.
GOVPLANS_FULL_SWEEP = False
# Set by `govplans crawl --resume`: when the interrupted job started (ISO, UTC); pages fetched since are skipped.
GOVPLANS_RESUME_SINCE = None
# Generic spider: link texts that look like a plan or notice (a site entry's `keywords` replaces them).
GOVPLANS_GENERIC_KEYWORDS = ["方案", "要点", "计划", "规划", "通知", "通报", "公告", "意见", "办法", "细则",
                             "规定", "决定", "总结", "报告", "纲要", "措施", "安排", "预案", "指南", "批复",
                             "公示", "制度", "条例", "目录"]
# Generic spider: a page with at least this many dated links is a list page.
GOVPLANS_GENERIC_MIN_LIST_LINKS = 4

# Headless Chromium for registry entries with `render: browser` (their list pages); the system's, never a download.
GOVPLANS_CHROMIUM = "/usr/bin/chromium"
# Browser pages open at once per crawl when sites render (each is a Chromium tab: memory).
GOVPLANS_RENDER_PAGES = 2

# Map *.test host names to 127.0.0.1: only for the simulated portals of sitefarm.
GOVPLANS_RESOLVE_TEST_HOSTS = False
# The resolver that knows those names; Scrapy >= 2.14 reads it as TWISTED_DNS_RESOLVER (DNS_RESOLVER warns there).
if hasattr(_scrapy_defaults, "TWISTED_DNS_RESOLVER"):
    TWISTED_DNS_RESOLVER = "crawler.resolver.TestHostsResolver"
else:
    DNS_RESOLVER = "crawler.resolver.TestHostsResolver"

# Database the crawl stores documents in (sqlite:///… or postgresql+psycopg://…); one handle per crawl.
GOVPLANS_DATABASE_URL = None
# Directory the WARC files are written to.
GOVPLANS_WARC_DIR = None
# A worker's crawl: the socket of the machine's archive writer (crawler/distributed/machine_writer.py), else its own.
GOVPLANS_WRITER_ADDRESS = None
# Responses up to this size are written to the WARC in the reactor's thread, larger ones in a pool thread.
GOVPLANS_WARC_INLINE_BYTES = 256 * 1024

DOWNLOADER_MIDDLEWARES = {
    # Retries that pause the site: backoff on 5xx/timeouts, Retry-After on 429/503 (replaces Scrapy's).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Challenges and WAF pages: counted per site, never retried nor parsed; a site that keeps blocking is left.
    "crawler.middlewares.blocking.BlockingMiddleware": 560,
    # Closest to the downloader, so it records every response as served, before decompression or retries.
    "crawler.middlewares.warc.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {
    # Each page to the archive writer process (crawler/writer.py), which extracts it (its bytes -> its
    # document fields, an attachment's -> its text) and stores it in batches: the capture row, then
    # the document ingested, withdrawn or sighted, or the file tied to its document. The same in this
    # process, page by page: crawler.pipelines.extraction.ExtractionPipeline (300) and
    # crawler.pipelines.store.StorePipeline (400).
    "crawler.pipelines.writer.ArchiveWriterPipeline": 400,
}
EXTENSIONS = {
    # One crawl_runs row per site: counts, progress every second, withdrawals at the end, site health.
    "crawler.extensions.crawl_runs.CrawlRunsExtension": 500,
    # A progress bar per site (the demo's), when GOVPLANS_PROGRESS is set.
    "crawler.extensions.progress.ProgressExtension": 510,
}
# Site id -> [documents held, documents expected]: turns on the progress bars (govplans demo).
GOVPLANS_PROGRESS = None

# The settings that replace the polite defaults when every site is a local simulated portal.
FARM_OVERRIDES = {
    "GOVPLANS_RESOLVE_TEST_HOSTS": True,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "DOWNLOAD_DELAY": 0,
    "GOVPLANS_RETRY_BACKOFF": 0.2,
    "GOVPLANS_RETRY_BACKOFF_MAX": 2.0,
    "GOVPLANS_RETRY_AFTER_MAX": 5.0,
    "DOWNLOAD_TIMEOUT": 10,
}
