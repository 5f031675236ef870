"""`govplans serve` and `demo`: the search UI."""
from __future__ import annotations

import click

from archive.config import DataDir
from govplans.options import data_option, open_archive, registry_loader, sites_file_option


@click.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8000)
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port (one Python process uses one core).")
@sites_file_option
@data_option
def serve(host, port, processes, sites_file, data_path) -> None:
    """Serve the search UI (/coverage counts the site registry's entries: crawler/sites/ or --sites-file)."""
    from search_ui import create_app
    from search_ui.serving import serve as serve_app

    data = DataDir.resolve(data_path).ensure()
    root = str(data.root)
    with open_archive(data):   # migrate once here, not in every forked server at once
        pass
    click.echo(f"govplans UI on http://{host}:{port}/ ({processes} process{'es' if processes > 1 else ''})", err=True)
    registry = registry_loader(sites_file)          # a registry edited meanwhile shows within a minute
    try:
        registry()                                  # parsed once here, before the server processes fork
    except Exception as error:                      # noqa: BLE001 - the UI serves without it; /coverage says so
        click.echo(f"site registry not read: {error}", err=True)
    serve_app(lambda: create_app({"DATA_DIR": root, "REGISTRY": registry}), host, port, processes)


@click.command()
@click.option("--port", type=int, default=8000, help="Port of the UI.")
@click.option("--farm-port", type=int, default=8800, help="Port of the simulated portals.")
@click.option("--sites", type=int, default=12, help="How many simulated portals.")
@click.option("--no-serve", is_flag=True, help="Stop after crawling and indexing.")
@data_option
def demo(port, farm_port, sites, no_serve, data_path) -> None:
    """Start the farm, crawl it, index, and serve the UI."""
    from govplans.demo import run_demo

    run_demo(DataDir.resolve(data_path), ui_port=port, farm_port=farm_port, sites=sites, serve=not no_serve)


COMMANDS = (serve, demo)
