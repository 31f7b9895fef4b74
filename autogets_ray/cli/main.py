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

#: Every subcommand: its name, where it is ("module:attribute") and its line in ``autogets --help``.
#: Add one entry per new command. A command's module is imported only when that command runs or
#: shows its own help, so ``autogets --help`` imports none of them (nor pandas, SciPy or Ray).
COMMANDS: dict[str, tuple[str, str]] = {
    "baseline": (
        "autogets_ray.cli.baseline:baseline",
        "train M0 and print Table 1 (metrics on the test split)",
    ),
    "cache": ("autogets_ray.cli.cache:cache", "the generation cache: statistics, Parquet export and import"),
    "ensemble": (
        "autogets_ray.cli.ensemble:ensemble",
        "knowledge base and ensemble AutoGeTS on a search's results",
    ),
    "export": (
        "autogets_ray.cli.export:export",
        "retrain the chosen configuration and write a model directory",
    ),
    "generate": (
        "autogets_ray.cli.generate:generate",
        "cache the synthetic samples of one class's training examples",
    ),
    "llm-serve": (
        "autogets_ray.cli.llm_serve:llm_serve",
        "serve an LLM on the Ray cluster (Ray Serve, OpenAI API)",
    ),
    "llm-server": (
        "autogets_ray.cli.serve:llm_server",
        "a local OpenAI-compatible server (ngram or local-lm)",
    ),
    "matrix": (
        "autogets_ray.cli.matrix:matrix",
        "the experiment matrix on one Tuner, then its knowledge base",
    ),
    "moods": ("autogets_ray.cli.moods:moods", "MOODS and its baselines on a tabular dataset"),
    "predict": (
        "autogets_ray.cli.predict:predict",
        "predict the labels of a file's rows with an exported model",
    ),
    "quickstart": (
        "autogets_ray.cli.quickstart:quickstart",
        "the main job on embedded defaults (demo data, offline)",
    ),
    "report": (
        "autogets_ray.cli.report:report",
        "the paper-style report (HTML, figures) of a results directory",
    ),
    "search": (
        "autogets_ray.cli.search:search",
        "AutoGeTS searches on Ray Tune, the baselines, a recommendation",
    ),
}


def load_command(name: str) -> click.Command:
    """The command ``name`` of :data:`COMMANDS` (importing its module)."""
    module, attribute = COMMANDS[name][0].split(":")
    return getattr(importlib.import_module(module), attribute)


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
    """Loads its commands from :data:`COMMANDS` when used; reports bad input as ``Error: ...``
    (exit 2), anything else as an internal error (exit 1)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands' lines from :data:`COMMANDS`, without importing the commands."""
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        rows += [
            (name, command.get_short_help_str())
            for name, command in sorted(self.commands.items())
            if name not in COMMANDS
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
@click.option("-v", "--verbose", is_flag=True, help="a line per trial, Ray's own notices and debug logging")
@click.option("--debug", is_flag=True, help="show the traceback of an error instead of a one-line message")
def cli(verbose: bool, debug: bool) -> None:
    """AutoGeTS on Ray: search which examples to give an LLM for synthetic training data."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def main() -> None:
    cli(prog_name="autogets")


if __name__ == "__main__":
    main()
