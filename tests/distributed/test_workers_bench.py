"""bench.workers pairs each row with the one-worker row of the same concurrency, run by run, and pins
each worker to cores of its own as a machine of its own (--cores-per-worker)."""
import os
import subprocess
import sys

from bench.workers import ROOT, machine_env, one_worker, paired, pinned, sites_by_worker, worker_cores


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


def test_pinned_workers_get_cores_of_their_own_while_there_are_enough():
    assert worker_cores(0, 1, [0, 1]) == [0] and worker_cores(1, 1, [0, 1]) == [1]
    assert worker_cores(2, 1, [0, 1]) == [0]                  # a third worker shares, wrapping round
    assert worker_cores(1, 2, [0, 1, 2, 3]) == [2, 3]
    assert worker_cores(0, 2, [4, 6]) == [4, 6]               # the machine's cores, not 0..n


def test_a_pinned_command_and_what_it_starts_run_on_those_cores_only():
    core = min(os.sched_getaffinity(0))
    child = "import os, subprocess, sys; print(subprocess.run([sys.executable, '-c', " \
            "'import os; print(sorted(os.sched_getaffinity(0)))'], capture_output=True, text=True).stdout)"
    out = subprocess.run(pinned([sys.executable, "-c", child], [core]), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([core])
    assert pinned(["true"], None) == ["true"]


def test_each_pinned_worker_is_a_machine_with_a_writer_of_its_own(tmp_path):
    ask = "from crawler.distributed.machine_writer import address_for; print(address_for('postgresql://db'))"
    addresses = {subprocess.run([sys.executable, "-c", ask], env=machine_env(dict(os.environ), n, tmp_path), cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip() for n in range(2)}
    assert len(addresses) == 2
    assert all(address.startswith(str(tmp_path)) for address in addresses)


def test_the_sites_each_worker_took_are_counted_by_crawl_process():
    summaries = [{"process": 11, "pages": 5}, {"process": 12, "pages": 9}, {"process": 11, "pages": 1}]
    assert sites_by_worker(summaries) == [2, 1]
