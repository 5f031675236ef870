"""What the commands share: the options every topic uses, opening the archive (closed on every path),
and reading the site registry."""
from __future__ import annotations

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


def registry_sites(sites_file: str | None, site_ids=()) -> list[dict]:
    """The registry's sites (all, or those named); a bad file or an unknown id is a clear error."""
    from crawler.registry import RegistryError, load_sites, select_sites

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
