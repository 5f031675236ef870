"""One archive writer per machine and database, shared by every worker's crawl process on the machine.

    worker 1's crawl process ──┐                      machine writer process
    worker 2's crawl process ──┼── Unix socket ──►    an ArchiveWriter (crawler/writer.py): its
    …                          ┘   (pages; answers)   extractors and store process, batches

With a writer of its own in each crawl process, a worker was three busy processes; two workers
on two cores ran six, and their two store processes, writing into the same PostgreSQL at once, waited on each
other's cluster locks (archive/store/clusters.py) and deadlocked (a second's wait each, then the
batch stored again page by page). One writer per machine stores the pages of all its workers in
one stream of batches: no lock waits between them, two processes fewer per extra worker.

- The service: `ensure_service(database_url)` (the worker calls it before it takes tasks) starts
  it unless it runs: `python -m crawler.distributed.machine_writer URL`, detached (a process
  group of its own, not a child of any worker: one worker's death or Ctrl-C leaves the others'
  writer alone; the session stays the worker's, so the kernel's autogroup scheduling weighs it
  with the workers, not as one more user). Under systemd, whose stop of a worker's unit kills
  every process the unit started, it runs as a unit of its own
  (deploy/systemd/govplans-writer.service: `--foreground --stay`), which the workers find running.
  Its address is a socket in a directory only this user can open, named after the database URL;
  a lock file held for its life makes it the only one. It leaves by itself once no worker has
  been connected for IDLE_SECONDS (a worker holds a connection for its life), and when its
  writer's stages die (its clients then see the connection close: every page they wait for is a
  storage problem, the crawl stops and its task retries, resuming, as when a crawl process's own
  writer dies).
- The client: `machine_writer(address)` is this crawl process's connection (made on first use,
  made again if the service went), with ArchiveWriter's `submit(item, run_id, answer)`: the
  pipeline (crawler/pipelines/writer.py) uses it when GOVPLANS_WRITER_ADDRESS is set. Each
  client keeps at most MAX_PENDING pages with the service, as ArchiveWriter does with its stages
  (back-pressure on its own crawl).
- Crashes: a crawl process killed with its worker leaves the pages it already sent to the
  service, which stores them (ingest is idempotent per URL) but answers no one: the task's
  redelivery resumes the crawl and does not fetch them again, so its crawl_runs row may count a
  few pages fewer than were stored.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Callable

from crawler.writer import PageSender

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0        # the service leaves when no crawl process was connected this long
START_SECONDS = 60.0      # the longest a worker waits for the service it started to answer
RESPAWN_SECONDS = 5.0     # a service not answering by then is started again (the first met one leaving)
MAX_PENDING = 256         # pages one client has with the service at once; more wait in the crawl


def _directory() -> Path:
    """A directory of this user's, on this machine (never the shared data directory: a socket there
    would be seen by the other machines)."""
    path = Path(tempfile.gettempdir()) / f"govplans-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    if path.is_symlink() or path.stat().st_uid != os.getuid():   # pickles come through the socket
        raise RuntimeError(f"{path} is not this user's own directory: the archive writer's socket cannot go there")
    os.chmod(path, 0o700)   # only this user may connect
    return path


def address_for(database_url: str) -> str:
    """The socket of the machine's writer for this database."""
    name = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return str(_directory() / f"writer-{name}.sock")


def _lock_path(address: str) -> Path:
    return Path(address).with_suffix(".lock")


def answers(address: str) -> bool:
    """Whether a service listens at address."""
    try:
        Client(address, family="AF_UNIX").close()
        return True
    except OSError:
        return False


def ensure_service(database_url: str, timeout: float = START_SECONDS) -> str:
    """The address of the machine's writer for this database, started (detached) unless it runs."""
    address = address_for(database_url)
    if answers(address):
        return address
    log_path = Path(address).with_suffix(".log")
    _spawn(database_url, log_path)
    deadline, respawn = time.monotonic() + timeout, time.monotonic() + RESPAWN_SECONDS
    while not answers(address):   # a service started by another worker at the same time will do as well
        if time.monotonic() > respawn:   # ours found the lock held by one that was leaving: again
            _spawn(database_url, log_path)
            respawn = time.monotonic() + RESPAWN_SECONDS
        if time.monotonic() > deadline:
            raise RuntimeError(f"the machine's archive writer did not start: see {Path(address).with_suffix('.log')}")
        time.sleep(0.05)
    return address


def _spawn(database_url: str, log_path: Path) -> None:
    """Start a service; it forks and its parent leaves at once: the service is no child of ours
    (no zombie to reap), in a process group of its own (the worker's Ctrl-C is not its)."""
    with log_path.open("ab") as log_file:
        subprocess.run([sys.executable, "-m", "crawler.distributed.machine_writer", database_url],
                       stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                       process_group=0, check=True)


class MachineWriterClient(PageSender):
    """A crawl process's connection to the machine's writer; `submit` and `answer` run in the reactor's thread."""

    def __init__(self, address: str, max_pending: int = MAX_PENDING):
        super().__init__(max_pending)
        self.address = address
        self._connection = Client(address, family="AF_UNIX")
        self.service_pid: int = self._connection.recv()   # the service says who it is first
        # sent by a thread: a full socket never blocks the reactor
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._write, name="machine-writer-pages", daemon=True).start()
        threading.Thread(target=self._read, name="machine-writer-answers", daemon=True).start()

    def _send(self, message) -> None:
        self._outbox.put(message)

    def _write(self) -> None:
        while (message := self._outbox.get()) is not None:
            try:
                self._connection.send(message)
            except (OSError, ValueError):
                return                                  # the service is gone: _read tells the crawl

    def _read(self) -> None:
        from twisted.internet import reactor

        while True:
            try:
                stored = self._connection.recv()
            except (EOFError, OSError):
                break
            reactor.callFromThread(self._answer, stored)
        reactor.callFromThread(self._died)

    def _died(self) -> None:
        self._fail_all(f"the machine's archive writer ({self.address}) went away")
        self._outbox.put(None)


_clients: dict[str, MachineWriterClient] = {}
_clients_lock = threading.Lock()
_held: list = []   # the worker's own connections: a service with a worker on the machine stays


def machine_writer(address: str) -> MachineWriterClient:
    """This process's connection to the writer at address (connected again if the service went)."""
    with _clients_lock:
        client = _clients.get(address)
        if client is None or client.dead:
            client = _clients[address] = MachineWriterClient(address)
        return client


def connect(database_url: str) -> str:
    """The address of the machine's writer for this database, connected from this process (the
    service started again if it went: it left, idle, or died)."""
    address = address_for(database_url)
    client = _clients.get(address)
    if client is None or client.dead:
        _with_service(database_url, lambda: machine_writer(address))
    return address


def _with_service(database_url: str, use: Callable, attempts: int = 3):
    """use() once the service answers; again with a new service if it was just leaving (idle)."""
    for attempt in range(attempts):
        ensure_service(database_url)
        try:
            return use()
        except (OSError, EOFError):
            if attempt == attempts - 1:
                raise


def service_pid(database_url: str) -> int | None:
    """The pid of the machine writer this process sends its pages to (None: not connected)."""
    client = _clients.get(address_for(database_url))
    return client.service_pid if client is not None else None


def hold(database_url: str) -> str:
    """Start the service (unless it runs) and keep a connection to it for this process's life, so
    that it waits for this worker's crawls however long the queue stays empty."""
    address = address_for(database_url)
    _held.append(_with_service(database_url, lambda: Client(address, family="AF_UNIX")))
    return address


class Service:
    """The machine writer's process: clients' pages into one ArchiveWriter, its answers back to each.
    Runs a Twisted reactor, in whose thread ArchiveWriter calls the answers."""

    def __init__(self, database_url: str, listener: Listener):
        from crawler.writer import ArchiveWriter

        self.writer = ArchiveWriter(database_url)   # forks its stages first, before our threads
        self.listener = listener
        self.clients = 0
        self.idle_since = time.monotonic()
        self._lock = threading.Lock()

    def accept(self) -> None:
        while True:
            try:
                connection = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.clients += 1
            threading.Thread(target=self._serve, args=(connection,), name="machine-writer-client", daemon=True).start()

    def _serve(self, connection) -> None:
        from twisted.internet import reactor

        outbox: queue.SimpleQueue = queue.SimpleQueue()
        try:
            connection.send(os.getpid())   # who we are, first (a probe, `answers`, leaves here)
            threading.Thread(target=_send_answers, args=(connection, outbox), name="machine-writer-replies",
                             daemon=True).start()
            while True:
                seq, item, run_id = connection.recv()
                reactor.callFromThread(self.writer.submit, item, run_id,
                                       lambda stored, seq=seq: outbox.put((seq, stored)))
        except (EOFError, OSError, ValueError):
            pass
        finally:
            outbox.put(None)
            with self._lock:
                self.clients -= 1
                self.idle_since = time.monotonic()

    def should_leave(self) -> bool:
        """No client for IDLE_SECONDS and nothing left to store, or the writer's stages died."""
        if any(not process.is_alive() for process in self.writer.processes):
            return True
        with self._lock:
            idle = self.clients == 0 and time.monotonic() - self.idle_since >= IDLE_SECONDS
        return idle and self.writer.pending == 0


def _send_answers(connection, outbox: queue.SimpleQueue) -> None:
    """A client's answers, as many at once as have come (one message per batch, not per page)."""
    while (first := outbox.get()) is not None:
        stored = [first]
        while True:
            try:
                more = outbox.get_nowait()
            except queue.Empty:
                break
            if more is None:
                outbox.put(None)
                break
            stored.append(more)
        try:
            connection.send(stored)
        except (OSError, ValueError):
            return
    connection.close()


def serve(database_url: str, stay: bool = False) -> None:
    """The service's main: the only one for this database on this machine (else it returns at once);
    stay: never leave when idle (a service of its own under systemd, deploy/systemd)."""
    from twisted.internet import reactor, task

    address = address_for(database_url)
    lock = open(_lock_path(address), "w")
    try:   # held for our life, released when we die; a staying service waits for its turn
        fcntl.flock(lock, fcntl.LOCK_EX | (0 if stay else fcntl.LOCK_NB))
    except BlockingIOError:
        return
    Path(address).unlink(missing_ok=True)   # a dead service's socket
    # the stages' modules, loaded before the writer forks them
    from crawler.pipelines import extraction, store  # noqa: F401
    from crawler.run import fewer_collections

    with fewer_collections():   # its stages, forked in here, keep it (as `govplans crawl`'s writer)
        _serve(database_url, address, stay, reactor, task)


def _serve(database_url: str, address: str, stay: bool, reactor, task) -> None:
    listener = Listener(address, family="AF_UNIX")
    service = Service(database_url, listener)
    threading.Thread(target=service.accept, name="machine-writer-accept", daemon=True).start()

    def check() -> None:
        if service.should_leave() and not (stay and all(p.is_alive() for p in service.writer.processes)):
            try:
                listener.close()   # no one new: a client that came meanwhile sees us go (its crawl retries)
            except OSError:
                pass   # its socket was removed (a cleaned temporary directory): closing it failed, leaving must not
            reactor.stop()

    task.LoopingCall(check).start(0.5, now=False)
    reactor.run(installSignalHandlers=False)
    failed = any(not process.is_alive() for process in service.writer.processes)
    service.writer.close()
    if failed:   # its stages died: a failure (systemd restarts it; else the next task starts one)
        log.error("the machine writer for %s stopped: its extractor or store died", address)
        sys.exit(1)
    log.info("the machine writer for %s left: no worker connected", address)


def main(argv: list[str] | None = None) -> None:
    import argparse

    from archive.config import DataDir

    parser = argparse.ArgumentParser(prog="python -m crawler.distributed.machine_writer",
                                     description="The machine's archive writer for the workers' crawls.")
    parser.add_argument("database_url", nargs="?", help="default: $GOVPLANS_DATABASE_URL (or the data directory's)")
    parser.add_argument("--foreground", action="store_true", help="do not detach (under systemd)")
    parser.add_argument("--stay", action="store_true", help="do not leave when no worker is connected")
    args = parser.parse_args(argv)
    url = args.database_url or DataDir.resolve(None).database_url
    if args.foreground or os.fork() == 0:   # detached: the parent (a worker's `ensure_service`) returns at once
        logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
        serve(url, stay=args.stay)


if __name__ == "__main__":
    main()
