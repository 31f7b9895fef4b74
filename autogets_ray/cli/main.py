"""Entry point of the ``autogets`` console script."""
from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from autogets_ray import __version__
from autogets_ray.errors import SearchInterrupted

#: Every subcommand, as "module:attribute"; add one line per new command module.
COMMANDS = [
    "autogets_ray.cli.baseline:baseline",
    "autogets_ray.cli.moods:moods",
    "autogets_ray.cli.quickstart:quickstart",
    "autogets_ray.cli.generate:generate",
    "autogets_ray.cli.cache:cache",
    "autogets_ray.cli.serve:llm_server",
    "autogets_ray.cli.llm_serve:llm_serve",
    "autogets_ray.cli.search:search",
    "autogets_ray.cli.matrix:matrix",
    "autogets_ray.cli.ensemble:ensemble",
    "autogets_ray.cli.report:report",
]


class FriendlyGroup(click.Group):
    """Turns ``ValueError`` (bad user input, by convention) into a clean one-line error, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValueError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except SearchInterrupted as exc:
            hint = f": continue with `autogets {ctx.invoked_subcommand} --resume --out {exc.out}`" if exc.out else ""
            hint = f": {exc.resume_hint}" if exc.resume_hint else hint
            click.echo(f"Interrupted: {exc}{hint}", err=True)
            ctx.exit(130)


@click.group(cls=FriendlyGroup)
@click.version_option(__version__, prog_name="autogets")
@click.option("-v", "--verbose", is_flag=True, help="debug logging")
def cli(verbose: bool) -> None:
    """AutoGeTS on Ray: search which examples to give an LLM for synthetic training data."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


for _spec in COMMANDS:
    _module, _attr = _spec.split(":")
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    cli(prog_name="autogets")


if __name__ == "__main__":
    main()
