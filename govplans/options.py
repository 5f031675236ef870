"""What the commands share: the options every topic uses, opening the archive (closed on every path),
and reading the site registry."""
from __future__ import annotations

from contextlib import contextmanager
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


def bind_or_fail(host: str, port: int):
    """The UI's listening socket, or a clear error when the port is taken (before any other work)."""
    from search_ui.serving import listen

    try:
        return listen(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error} "
                                   f"(another server there? choose one with --port)") from None
