"""Options shared by several commands (dataset selection, model options)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from autogets_ray.data.datasets import DATA_DIR_ENV, DATASETS, DatasetRequest
from autogets_ray.experiment.config import parse_assignment


def dataset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--dataset NAME|PATH`` and how to read it; the command receives ``dataset_request``."""
    options = [
        click.option(
            "--dataset",
            "dataset",
            default="demo-tickets",
            show_default=True,
            help=f"a registered dataset ({', '.join(DATASETS.names())}) or a path to a "
            f"CSV / TSV / Parquet / JSON-lines file or a zip holding one",
        ),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False),
            default=None,
            help=f"directory holding it_tickets/it_service_tickets.zip [default: ${DATA_DIR_ENV}]",
        ),
        click.option("--text-column", default="text", show_default=True, help="text column of a data file"),
        click.option(
            "--label-column", default="label", show_default=True, help="label column of a data file"
        ),
        click.option("--encoding", default="utf-8", show_default=True, help="text encoding of a data file"),
        click.option(
            "--min-class-size",
            type=int,
            default=10,
            show_default=True,
            help="classes with fewer examples cannot be split",
        ),
        click.option("--drop-small-classes", is_flag=True, help="drop too-small classes with a warning"),
        click.option(
            "--drop-invalid-rows",
            is_flag=True,
            help="drop rows with empty texts or missing labels with a warning",
        ),
    ]

    def wrapper(**kwargs: Any) -> Any:
        kwargs["dataset_request"] = DatasetRequest(
            name_or_path=kwargs.pop("dataset"),
            data_dir=kwargs.pop("data_dir"),
            text_column=kwargs.pop("text_column"),
            label_column=kwargs.pop("label_column"),
            encoding=kwargs.pop("encoding"),
            min_class_size=kwargs.pop("min_class_size"),
            drop_small_classes=kwargs.pop("drop_small_classes"),
            drop_invalid_rows=kwargs.pop("drop_invalid_rows"),
        )
        return func(**kwargs)

    # Keeps the options of decorators applied before this one (click stores them in __dict__).
    functools.update_wrapper(wrapper, func)
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def parse_key_values(pairs: tuple[str, ...], option: str) -> dict[str, Any]:
    """``("depth=6", "features=text")`` -> ``{"depth": 6, "features": "text"}`` (YAML scalars)."""
    parsed: dict[str, Any] = {}
    for pair in pairs:
        try:
            key, value = parse_assignment(pair)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
        parsed[key] = value
    return parsed
