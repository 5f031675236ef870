"""Search pages are computed a few at a time per process, the waiting ones in arrival order."""
from __future__ import annotations

import threading
import time

import pytest

from search_ui.load import Turns


def _crowd(turns: Turns, n: int) -> tuple[list[int], int]:
    """n threads asking for a turn one after the other, holders keeping it until all have
    asked: the order they got it in, and the most that ever held one at once."""
    order: list[int] = []
    holding = [0, 0]   # now, most
    guard = threading.Lock()
    release_first = threading.Event()

    def one(k: int) -> None:
        with turns:
            with guard:
                order.append(k)
                holding[0] += 1
                holding[1] = max(holding[1], holding[0])
            release_first.wait(5)
            time.sleep(0.002)
            with guard:
                holding[0] -= 1

    threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
        time.sleep(0.01)   # arrive one after the other
    release_first.set()
    for t in threads:
        t.join(10)
    return order, holding[1]


def test_one_at_a_time_in_arrival_order():
    order, most = _crowd(Turns(1), 8)
    assert order == list(range(8)) and most == 1


@pytest.mark.parametrize("limit, expected", [(3, 3), (0, 8)])
def test_a_limit_of_n_or_none(limit, expected):
    _, most = _crowd(Turns(limit), 8)
    assert most <= expected and (limit == 0 or most == limit)


def test_a_failing_holder_passes_its_turn_on():
    turns = Turns(1)
    with pytest.raises(RuntimeError):
        with turns:
            raise RuntimeError("search failed")
    done = threading.Event()
    threading.Thread(target=lambda: turns.__enter__() and done.set()).start()
    assert done.wait(2)


def test_search_pages_take_turns(client, app, monkeypatch):
    from search_ui.views import search as search_module

    turns = app.extensions["govplans"].search_turns
    seen = []
    real = search_module.search_page
    monkeypatch.setattr(search_module, "search_page", lambda req: seen.append(turns._running) or real(req))
    app.config["SEARCH_CACHE_SIZE"] = 0
    assert client.get("/search?q=方案").status_code == 200
    assert client.get("/search.json?q=方案").status_code == 200
    assert seen == [1, 1] and turns._running == 0
