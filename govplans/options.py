"""What the commands share: the options every topic uses, opening the archive (closed on every path),
and reading the site registry."""
from __future__ import annotations

import os
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from archive.config import DataDir

data_option = click.option("--data", "data_path", type=click.Path(file_okay=False), default=None,
                           help="Data directory (default $GOVPLANS_DATA or ./data).")
sites_file_option = click.option("--sites-file", type=click.Path(exists=True, dir_okay=False), default=None,
                                 help="A registry YAML file (default: every file in crawler/sites/).")
broker_option = click.option("--broker", default=None,
                             help="Broker URL (default $GOVPLANS_BROKER_URL or redis://127.0.0.1:6379/0).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@contextmanager
def open_archive(data: DataDir) -> Iterator:
    """The archive of a data directory, closed however the command ends."""
    from archive.store import Archive

    archive = Archive(data.database_url)
    try:
        yield archive
    finally:
        archive.close()


WORLD_FILE = "demo-world.json"     # the world a demo crawled into a data directory (govplans/demo.py)
REGISTRY_FILE = "farm-sites.yaml"  # that world's site registry


def has_archive(data: DataDir) -> bool:
    """Whether the data directory has an archive to read (a database URL configured counts as one)."""
    return bool(os.environ.get("GOVPLANS_DATABASE_URL")) or (data.root / "archive.sqlite").is_file()


def existing_archive(data_path: str | None) -> DataDir:
    """The data directory of a command that only reads: a clear error when it holds no archive,
    rather than an empty one created there."""
    data = DataDir.resolve(data_path)
    if not has_archive(data):
        raise click.ClickException(f"no archive in {data.root}: crawl one first (`make demo`, `govplans crawl`) "
                                   f"or give --data DIR (or GOVPLANS_DATA)")
    return data


def demo_registry(data: DataDir) -> Path | None:
    """The farm registry of a data directory a demo crawled (govplans/demo.py writes both files)."""
    found = data.root / REGISTRY_FILE
    return found if found.is_file() and (data.root / WORLD_FILE).is_file() else None


def registry_sites(sites_file: str | None, site_ids=(), data: DataDir | None = None) -> list[dict]:
    """The registry's sites (all, or those named); a bad file or an unknown id is a clear error.
    Without --sites-file, a data directory that holds a demo uses the demo's farm registry."""
    from crawler.registry import RegistryError, load_sites, select_sites

    if sites_file is None and data is not None and (found := demo_registry(data)) is not None:
        click.echo(f"(the demo's sites: {found}; --sites-file for another registry)", err=True)
        sites_file = str(found)
    try:
        return select_sites(load_sites(sites_file), list(site_ids))
    except (RegistryError, OSError) as error:
        raise click.ClickException(str(error))


def registry_loader(sites_file: str | None):
    """The UI's REGISTRY: a loader of the registry's entries that reads the files again only when
    one of them changed (a national registry takes a second or more to parse)."""
    from crawler.registry import REGISTRY_DIR, load_sites

    cached: dict = {}

    def stamp() -> tuple:
        files = [Path(sites_file)] if sites_file else sorted(REGISTRY_DIR.iterdir())
        return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())

    def load() -> list[dict]:
        now = stamp()
        if cached.get("stamp") != now:
            cached["entries"], cached["stamp"] = load_sites(sites_file), now
        return cached["entries"]
    return load


def width(text: str) -> int:
    """Columns a terminal gives the text: 2 for wide and full-width characters (East Asian Width W, F)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    """The text padded with spaces to `columns` terminal columns (Chinese counts double)."""
    return text + " " * max(0, columns - width(text))


def bind_or_fail(host: str, port: int):
    """The UI's listening socket, or a clear error when the port is taken (before any other work)."""
    from search_ui.serving import listen

    try:
        return listen(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error} "
                                   f"(another server there? choose one with --port)") from None
