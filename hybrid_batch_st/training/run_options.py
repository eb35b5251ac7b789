"""How a training run is carried out (precision, checkpoints, logging, evaluation during training, data
loading), apart from what it trains: :class:`RunOptions`, the base of
:class:`~hybrid_batch_st.training.config.TrainConfig`. Imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..names import PRECISIONS
from .option_values import _report_to

__all__ = ["RunOptions", "check_precision"]


def _option(help: str, parse: Callable[[Any], Any] | None = None, metavar: str | None = None,
            choices: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Field metadata: the help text and how a flag or config value is read."""
    return {"help": help, "parse": parse, "metavar": metavar, "choices": choices}


def check_precision(precision: str) -> None:
    """Refuse a precision this machine cannot train in, naming what it has and what to pass instead.

    Args:
        precision: ``"fp32"``, ``"bf16"`` or ``"fp16"`` (:data:`~hybrid_batch_st.names.PRECISIONS`).

    Raises:
        ValueError: ``fp16`` without a CUDA GPU, or ``bf16`` on a CUDA GPU without bfloat16 support.
    """
    import torch

    if precision == "fp16" and not torch.cuda.is_available():
        raise ValueError("precision='fp16' needs a CUDA GPU and this machine has none; train with fp32, or bf16 "
                         "(mixed precision that torch also runs on the CPU)")
    if precision == "bf16" and torch.cuda.is_available() and not torch.cuda.is_bf16_supported():
        raise ValueError(f"precision='bf16': {torch.cuda.get_device_name()} has no bfloat16 support; use fp16 or "
                         "fp32")


@dataclass
class RunOptions:
    """The options of how a run is carried out; each is a ``hybrid-batch-st train`` flag and a config key."""

    precision: str = field(default="fp32", metadata=_option(
        "training precision: fp32, or mixed precision with bf16 (GPUs with bfloat16, and CPUs) or fp16 (CUDA "
        "GPUs); passed to the trainer as bf16=/fp16=", choices=PRECISIONS))
    save_steps: int = field(default=0, metadata=_option(
        "save a checkpoint every N steps into OUTPUT-checkpoints/ (0: none), so that --resume can continue an "
        "interrupted run; the folder goes once OUTPUT is complete", int, "N"))
    save_total_limit: int | None = field(default=2, metadata=_option(
        "checkpoints kept (older ones are deleted; 0 or none: keep all)", int, "N"))
    resume: bool = field(default=False, metadata=_option(
        "continue from the newest checkpoint in OUTPUT-checkpoints/ (the same batches, optimizer, scheduler and "
        "random states as an uninterrupted run)"))
    report_to: list[str] = field(default_factory=lambda: ["none"], metadata=_option(
        "where the trainer logs: none, tensorboard, wandb, mlflow, ... (comma-separated; the integration's "
        "package must be installed)", _report_to, "none"))
    logging_steps: int = field(default=0, metadata=_option(
        "log the loss every N steps (0: a tenth of the run)", int, "N"))
    eval_steps: int = field(default=0, metadata=_option(
        "run the --eval evaluator every N steps during training and log its metrics (0: only after training)",
        int, "N"))
    dataloader_num_workers: int = field(default=0, metadata=_option(
        "data-loader worker processes (0: load batches in the training process)", int, "N"))

    @property
    def checkpoint_dir(self) -> Path:
        """Where the checkpoints of an unfinished run are kept: ``<output>-checkpoints``."""
        output = Path(self.output)
        return output.with_name(f"{output.name}-checkpoints")

    def check_run_options(self) -> None:
        """Check the run options, normalising ``report_to`` to a list.

        Raises:
            ValueError: a run option is invalid (the message names it and the fix).
        """
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r} must be one of {PRECISIONS}")
        if self.precision != "fp32":
            check_precision(self.precision)
        for name in ("save_steps", "logging_steps", "eval_steps", "dataloader_num_workers"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be an integer >= 0 (0: off)")
        limit = self.save_total_limit
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"save_total_limit={limit!r} must be an integer >= 0 (0: keep all)")
        if self.eval_steps and not getattr(self, "eval", None):
            raise ValueError(f"eval_steps={self.eval_steps} needs an evaluation set: pass --eval (e.g. heldout, "
                             "validation, xquad-r) or eval_steps=0")
        self.report_to = _report_to(self.report_to)


#: Options of how a run is carried out, not of the model it trains.
_RUN_ONLY = ("output", "data_dir", "eval", "measures", "save_steps", "save_total_limit", "resume", "report_to",
             "logging_steps", "eval_steps", "dataloader_num_workers")
