"""`govplans farm …`: sitefarm's own group (simulated portals), imported only when used."""
from __future__ import annotations

import click


def _farm_group():
    from sitefarm.cli import farm
    return farm


class _LazyFarm(click.Group):
    def list_commands(self, ctx):
        return _farm_group().list_commands(ctx)

    def get_command(self, ctx, name):
        return _farm_group().get_command(ctx, name)


farm = _LazyFarm(name="farm", help="Simulated county portals on 127.0.0.1 (serve, truth, sites).")
COMMANDS = (farm,)
