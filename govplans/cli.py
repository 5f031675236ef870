"""The `govplans` command: one click group; each command is a few lines over a library call.

This package only wires the others together (crawler, archive, sitefarm, search_ui), so that
`archive` itself never imports Scrapy or Flask. The commands live by topic in govplans/commands/.
"""
from __future__ import annotations

import os
import sys

import click

from govplans.commands import archive, coverage, crawl, evidence, farm, ocr, serve, sites, watch


class _Group(click.Group):
    """The command group; a storage problem (disk full, database locked …) ends any command with one
    clear line and exit status 1, not a traceback; a reader that closed the pipe ends it quietly."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.exceptions.ClickException:
            raise
        except BrokenPipeError:   # `govplans export | head`: the reader has all it wanted
            _quiet_stdout()
            sys.exit(0)
        except Exception as error:  # noqa: BLE001 - only storage problems are turned into messages
            from archive.store import storage_problem

            problem = storage_problem(error)
            if problem is None:
                raise
            raise click.ClickException(problem) from None


def _quiet_stdout() -> None:
    """What is still buffered for a closed pipe goes nowhere, so the exit flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@click.group(cls=_Group)
def main() -> None:
    """govplans: an archive of the plans and notices Chinese government portals publish."""


for topic in (farm, sites, crawl, archive, evidence, watch, serve, coverage, ocr):
    for command in topic.COMMANDS:
        main.add_command(command)

if __name__ == "__main__":
    main()
