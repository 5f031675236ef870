"""`govplans serve` and `demo`: the search UI."""
from __future__ import annotations

import click

from archive.config import DataDir
from govplans.options import bind_or_fail, data_option, open_archive, registry_loader, sites_file_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the Host names the UI answers default to it (GOVPLANS_TRUSTED_HOSTS).")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port (one Python process uses one core).")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Requests computed at once per process (the others queue).")
@click.option("--timeout", "channel_timeout", type=click.IntRange(1, 3600), default=20, show_default=True,
              help="Seconds a connection may stay silent, mid-request or idle, before it is closed.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="One line per request on stderr.")
@click.option("--debug", is_flag=True, help="Werkzeug's development server with its debugger: never in production.")
@sites_file_option
@data_option
def serve(host, port, processes, threads, channel_timeout, access_log, debug, sites_file, data_path) -> None:
    """Serve the search UI (waitress; read timeouts, request size limits, worker processes). /coverage
    counts the site registry's entries: crawler/sites/ or --sites-file."""
    from search_ui import create_app
    from search_ui.serving import Limits, serve as serve_app

    listener = None if debug else bind_or_fail(host, port)
    data = DataDir.resolve(data_path).ensure()
    root = str(data.root)
    with open_archive(data):   # migrate once here, not in every forked server at once
        pass
    click.echo(f"govplans UI on http://{host}:{port}/ ({processes} process{'es' if processes > 1 else ''}"
               f"{', debug' if debug else ''}); Ctrl-C stops", err=True)
    registry = registry_loader(sites_file)          # a registry edited meanwhile shows within a minute
    try:
        registry()                                  # parsed once here, before the server processes fork
    except Exception as error:                      # noqa: BLE001 - the UI serves without it; /coverage says so
        click.echo(f"site registry not read: {error}", err=True)
    serve_app(lambda: create_app({"DATA_DIR": root, "SERVED_HOST": host, "REGISTRY": registry}), host, port,
              processes, Limits(threads=threads, channel_timeout=channel_timeout), access_log=access_log,
              debug=debug, listener=listener)


@click.command()
@click.option("--port", type=int, default=8000, show_default=True, help="Port of the UI.")
@click.option("--farm-port", type=int, default=None,
              help="Port of the simulated portals (default: the one this data directory's demo used, else 8800).")
@click.option("--sites", type=click.IntRange(1, 500), default=12, show_default=True, help="How many simulated portals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the simulated world.")
@click.option("--no-serve", is_flag=True, help="Stop after crawling and indexing.")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's and the servers' own logs too.")
@click.option("--stop-with-parent", is_flag=True,
              help="Stop when the process that started the demo ends (make demo: make does not pass SIGTERM on).")
@data_option
def demo(port, farm_port, sites, seed, no_serve, verbose, stop_with_parent, data_path) -> None:
    """Start the farm, crawl it, index, and serve the UI; Ctrl-C (or SIGTERM) stops all of it."""
    from govplans.demo import DemoError, run_demo

    try:
        run_demo(DataDir.resolve(data_path), ui_port=port, farm_port=farm_port, sites=sites, seed=seed,
                 serve=not no_serve, verbose=verbose, with_parent=stop_with_parent)
    except DemoError as error:
        raise click.ClickException(str(error)) from None


COMMANDS = (serve, demo)
