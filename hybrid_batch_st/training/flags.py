"""Command-line flags from :class:`~hybrid_batch_st.training.config.TrainConfig`: one flag per field, so the
command line, the benchmark scripts and config files share every training option. Imports nothing heavy."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Callable, Mapping

from .config import TrainConfig

__all__ = ["add_config_flags", "config_overrides"]


def _checked(parse: Callable[[Any], Any]) -> Callable[[str], Any]:
    """A flag type from a config parser: its ValueError becomes argparse's usage error."""
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return "none" if value is None else str(value)


def add_config_flags(parser: argparse.ArgumentParser, defaults: Mapping[str, Any] | None = None,
                     exclude: tuple[str, ...] = ()) -> None:
    """Add one flag per :class:`TrainConfig` field to ``parser``, in a group of their own.

    Each flag is the field's name with dashes (``--learning-rate`` for ``learning_rate``), parsed by the
    field's own parser, with default None so that a ``--config`` file can fill it; the help shows the default.

    Args:
        parser: the parser (or sub-command parser) to add the flags to.
        defaults: defaults that differ from :class:`TrainConfig`'s, as shown in the help (e.g. the demo's).
        exclude: field names that get no flag (a script that sets them itself).

    Example:
        >>> import argparse
        >>> parser = argparse.ArgumentParser()
        >>> add_config_flags(parser, exclude=("output",))
        >>> config_overrides(parser.parse_args(["--steps", "10"]))
        {'steps': 10}
    """
    defaults = {f.name: getattr(TrainConfig(), f.name) for f in dataclasses.fields(TrainConfig)} | dict(defaults or {})
    group = parser.add_argument_group("training options (also keys of a --config JSON file)")
    group.add_argument("--config", metavar="FILE", help="JSON file with these options as keys; flags override it")
    for f in dataclasses.fields(TrainConfig):
        if f.name in exclude:
            continue
        meta, flag = f.metadata, "--" + f.name.replace("_", "-")
        text = f"{meta['help']} (default: {_shown(defaults[f.name])})"
        if f.type in (bool, "bool"):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=text)
        else:
            group.add_argument(flag, default=None, help=text, metavar=meta.get("metavar"), choices=meta.get("choices"),
                               type=_checked(meta["parse"]) if meta.get("parse") else None)


def config_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`TrainConfig` options given as flags (those not None), to pass to
    :meth:`TrainConfig.from_dict` or :meth:`TrainConfig.from_file`.

    Args:
        args: parsed arguments of a parser with :func:`add_config_flags`.

    Returns:
        ``{field name: value}`` of the flags given; other attributes of ``args`` (``--config``, ...) are left out.
    """
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return {k: v for k, v in vars(args).items() if k in names and v is not None}
