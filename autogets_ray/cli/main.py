"""Entry point of the ``autogets`` console script.

Errors: bad input (:class:`~autogets_ray.errors.UserInputError`, and click's own usage errors) is
one ``Error: ...`` line per problem and exit 2; any other exception is an internal error, one line
and exit 1, with the traceback under ``--debug``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from autogets_ray import __version__
from autogets_ray.errors import SearchInterrupted, UserInputError

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
    "autogets_ray.cli.export:export",
    "autogets_ray.cli.predict:predict",
]


def _cause(exc: BaseException) -> BaseException:
    """The exception a Ray task raised, for one raised through ``ray.get`` (a ``RayTaskError``)."""
    cause = getattr(exc, "cause", None)
    return (
        cause if isinstance(cause, BaseException) and type(exc).__name__.startswith("RayTaskError") else exc
    )


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


class FriendlyGroup(click.Group):
    """Reports bad input as ``Error: ...`` (exit 2), anything else as an internal error (exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click prints usage errors itself (exit 2)
        except SearchInterrupted as exc:
            hint = (
                f": continue with `autogets {ctx.invoked_subcommand} --resume --out {exc.out}`"
                if exc.out
                else ""
            )
            hint = f": {exc.resume_hint}" if exc.resume_hint else hint
            click.echo(f"Interrupted: {exc}{hint}", err=True)
            ctx.exit(130)
        except UserInputError as exc:
            if ctx.params.get("debug"):
                raise
            for line in str(_cause(exc)).strip().splitlines() or [type(exc).__name__]:
                click.echo(f"Error: {line}", err=True)
            ctx.exit(2)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            cause = _cause(exc)
            message = _one_line(str(cause))
            click.echo(
                f"internal error: {type(cause).__name__}{': ' + message if message else ''} "
                f"(rerun with --debug for the traceback)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=FriendlyGroup)
@click.version_option(__version__, prog_name="autogets")
@click.option("-v", "--verbose", is_flag=True, help="debug logging")
@click.option("--debug", is_flag=True, help="show the traceback of an error instead of a one-line message")
def cli(verbose: bool, debug: bool) -> None:
    """AutoGeTS on Ray: search which examples to give an LLM for synthetic training data."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


for _spec in COMMANDS:
    _module, _attr = _spec.split(":")
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    cli(prog_name="autogets")


if __name__ == "__main__":
    main()
