"""When a site blocks us: the classes of blocking, the verdict on one run, and how long a blocked
site is left alone before its next scheduled run.

The crawl counts, per site, the *signals* it met (crawler/blocking.py tells them from a response):
`challenge` (a JS cookie challenge: 412 瑞数-style, 521 加速乐-style, or a 200 page whose only
content is such a script), `waf` (a WAF's block page: 安全狗, 云锁, 创宇盾, 阿里云盾, WZWS …), `stub`
(a list page of a few hundred bytes with no items) and `js_list` (a list page whose items a script
fetches), besides the network failures it already counts as error kinds (timeout, dns,
connection_refused, connection_lost). `run_block` turns them into the run's class:

- a run that reached nothing (no list item, no page) is blocked by the strongest signal it met,
  in the order of CLASSES (a challenge explains the rest; a DNS failure explains a timeout);
- a run that did get something is blocked only when challenge and WAF answers were at least
  PARTIAL_MIN and at least as many as its pages (a WAF that lets the lists through but not the
  documents).

A blocked run is not a quiet run: its site is flagged with the class (archive/operations/health.py),
/status and the coverage ledger say so, and the scheduler waits `pause(class, streak)` before its
next run (archive/operations/schedules.py). No challenge is ever solved.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class BlockClass:
    name: str
    label: str              # as /status and the ledger show it
    pause: timedelta        # least time before the next scheduled run after one blocked run
    max_pause: timedelta    # the pause doubles with each blocked run in a row, up to this
    why: str                # the reason for the pause, for the README and the status page's legend


DAY = timedelta(days=1)
# strongest first: the order in which a starved run's signals explain it
CLASSES = (
    BlockClass("challenge", "JS 验证（Cookie 挑战）", 7 * DAY, 30 * DAY,
               "a deliberate defence: it does not lift tomorrow, and every challenged request looks like an attack"),
    BlockClass("waf", "WAF 拦截页", 7 * DAY, 30 * DAY, "as a challenge: a block page is a decision, not an outage"),
    BlockClass("dns", "域名解析失败", 3 * DAY, 30 * DAY, "the portal moved or was retired: the registry needs a new URL"),
    BlockClass("refused", "拒绝连接", DAY, 14 * DAY, "an outage or a fence for foreign addresses; daily, then less often"),
    BlockClass("reset", "连接被重置", DAY, 14 * DAY, "as refused: often a fence that resets unwanted addresses"),
    BlockClass("timeout", "连接超时", DAY, 7 * DAY, "mostly transient; each attempt costs a long wait"),
    BlockClass("js_list", "列表由脚本加载", 7 * DAY, 30 * DAY,
               "not transient: the site needs `render: browser` or an API entry, recrawling changes nothing"),
    BlockClass("stub", "列表页为空壳", 7 * DAY, 30 * DAY, "as js_list: the column moved or its pages are stubs"),
)
BY_NAME = {c.name: c for c in CLASSES}
# error kinds (crawler/failures.py) that are network-level blocking signals
ERROR_CLASSES = {"dns": "dns", "connection_refused": "refused", "connection_lost": "reset", "timeout": "timeout"}
ANSWER_CLASSES = ("challenge", "waf")       # an answer that refuses us: partial blocking counts these
PARTIAL_MIN = 3


@dataclass(frozen=True)
class Block:
    name: str
    detail: dict            # counts of every signal, and the first evidence of the chosen one

    @property
    def label(self) -> str:
        return label(self.name)


def label(name: str | None) -> str | None:
    """The class's label ("JS 验证（Cookie 挑战）"); an unknown name as itself, None as None."""
    if name is None:
        return None
    found = BY_NAME.get(name)
    return found.label if found else name


def signal_counts(signals: dict[str, int], errors: dict[str, int]) -> dict[str, int]:
    """Every blocking signal of a run by class: the answers and list pages the crawl classified,
    and the network failures among its error kinds."""
    counts = {name: n for name, n in signals.items() if name in BY_NAME and n}
    for kind, name in ERROR_CLASSES.items():
        if errors.get(kind):
            counts[name] = counts.get(name, 0) + errors[kind]
    return counts


def run_block(signals: dict[str, int], errors: dict[str, int], listed: int | None, pages: int,
              evidence: dict[str, dict] | None = None) -> Block | None:
    """The class of a run from what it met (module docstring); None when it was not blocked.

    signals: class -> answers or list pages of that class; errors: crawl_runs.errors;
    listed: detail URLs its lists showed; pages: detail responses it got; evidence: class -> the
    first such answer ({"status", "vendor", "url" …})."""
    counts = signal_counts(signals, errors)
    if not counts:
        return None
    starved = not listed and not pages
    candidates = [c.name for c in CLASSES if c.name in counts]
    if not starved:
        refused = sum(counts.get(name, 0) for name in ANSWER_CLASSES)
        if refused < PARTIAL_MIN or refused < pages:
            return None
        candidates = [name for name in candidates if name in ANSWER_CLASSES]
    chosen = candidates[0]
    detail = {"signals": dict(sorted(counts.items())), "partial": not starved}
    detail.update((evidence or {}).get(chosen) or {})
    return Block(chosen, detail)


def pause(name: str | None, streak: int) -> timedelta:
    """How long a site is left alone after `streak` blocked runs in a row ending with class `name`."""
    found = BY_NAME.get(name or "")
    if found is None or streak < 1:
        return timedelta(0)
    return min(found.max_pause, found.pause * 2 ** (streak - 1))
