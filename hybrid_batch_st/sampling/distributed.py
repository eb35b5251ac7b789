"""What a batch sampler needs to know about the processes it runs in (world size and epoch), and closing them.

Under ``torchrun`` / ``accelerate launch`` accelerate wraps the trainer's batch
sampler in ``BatchSamplerShard`` (rank k takes batches k, k+N, ...), and after
``resume_from_checkpoint`` also in ``SkipBatchSampler``. The trainer's
``set_epoch`` does not reach a sampler under both wrappers, so a resumed
second epoch would replay the first. The loader that iterates the sampler
always knows its epoch (``DataLoaderShard.iteration``, set by the trainer), so
the sampler asks it.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["process_world_size", "loader_epoch", "close_process_group"]

logger = logging.getLogger(__name__)


def process_world_size() -> int:
    """Processes that share the trainer's batches.

    Accelerate's count where its state is set up (the trainer's arguments do that; it is what
    ``BatchSamplerShard`` shards over), else the running ``torch.distributed`` process group's, else 1.

    Returns:
        The number of processes (a warning says so where ``torch.distributed`` runs more than accelerate shards over).
    """
    group = _process_group_size()
    try:
        from accelerate.state import PartialState
    except ImportError:  # pragma: no cover - accelerate is a dependency of the trainer
        return group
    if not PartialState._shared_state:
        return group
    processes = PartialState().num_processes
    if group > processes:
        logger.warning(
            "torch.distributed runs %d processes, but accelerate does not shard batches over them (it sees %d), "
            "so every process trains on the same batches; on CPU pass use_cpu=True to the training arguments",
            group, processes,
        )
    return processes


def _process_group_size() -> int:
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover - torch without distributed support
        return 1
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def close_process_group() -> None:
    """Destroy the running ``torch.distributed`` process group, if any, once training has succeeded.

    The trainer leaves the group accelerate opened; left to interpreter shutdown, gloo's worker threads
    can abort the process (SIGABRT, "terminate called without an active exception") after its work is
    done, and torchrun then reports the whole launch failed. Call it at the end of a ``torchrun`` script.
    """
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover - torch without distributed support
        return
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def loader_epoch(batch_sampler: Any) -> int | None:
    """The epoch of the accelerate data loader that is iterating ``batch_sampler`` now, if any.

    Args:
        batch_sampler: the sampler, found as the loader's batch sampler or under its wrappers.

    Returns:
        The loader's ``iteration``; None without an accelerate state or a loader iterating ``batch_sampler``.
    """
    try:
        from accelerate.state import GradientState
    except ImportError:  # pragma: no cover - accelerate is a dependency of the trainer
        return None
    if not GradientState._shared_state:  # no Accelerator in this process: do not create its state
        return None
    for loader in reversed(GradientState().dataloader_references):
        if loader is not None and _wraps(loader, batch_sampler):
            iteration = getattr(loader, "iteration", None)
            return iteration if isinstance(iteration, int) else None
    return None


def _wraps(loader: Any, target: Any) -> bool:
    """Whether ``target`` is the loader's batch sampler or lies under its wrappers."""
    stack = [getattr(loader, "batch_sampler", None), getattr(loader, "sampler", None)]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if obj is None or id(obj) in seen:
            continue
        if obj is target:
            return True
        seen.add(id(obj))
        stack.append(getattr(obj, "batch_sampler", None))  # BatchSamplerShard, SkipBatchSampler
        stack.extend(getattr(obj, "batch_samplers", None) or [])  # sentence-transformers' multi-dataset samplers
    return False
