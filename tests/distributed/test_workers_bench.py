"""bench.workers pairs each row with the one-worker row of the same concurrency, run by run."""
from bench.workers import one_worker, paired


def result(workers: int, concurrency: int, pages_per_second: float) -> dict:
    return {"workers": workers, "concurrency": concurrency, "pages_per_second": pages_per_second}


def test_rows_pair_with_one_worker_at_their_own_concurrency():
    runs = [{"crawl": {"pages_per_second": 100.0},
             "1 worker ×16": result(1, 16, 50.0), "2 workers ×16": result(2, 16, 90.0),
             "1 worker ×32": result(1, 32, 80.0), "2 workers ×32": result(2, 32, 96.0)},
            {"crawl": {"pages_per_second": 50.0},
             "1 worker ×16": result(1, 16, 25.0), "2 workers ×16": result(2, 16, 40.0),
             "1 worker ×32": result(1, 32, 40.0), "2 workers ×32": result(2, 32, 56.0)}]
    assert one_worker(runs, "2 workers ×32") == "1 worker ×32"
    assert one_worker(runs, "2 workers ×16") == "1 worker ×16"
    assert paired(runs, "2 workers ×32", one_worker(runs, "2 workers ×32")) == 1.3    # 1.2 and 1.4
    assert paired(runs, "1 worker ×32", "crawl") == 0.8                                # 0.8 and 0.8
    assert paired(runs, "2 workers ×16", "crawl") == 0.85                              # 0.9 and 0.8


def test_a_single_concurrency_keeps_the_plain_names():
    runs = [{"crawl": {"pages_per_second": 10.0}, "1 worker": result(1, 32, 9.0), "2 workers": result(2, 32, 12.0)}]
    assert one_worker(runs, "2 workers") == "1 worker"
    assert paired(runs, "2 workers", one_worker(runs, "2 workers")) == round(12.0 / 9.0, 3)
