"""The reproduction protocol (arXiv 2408.10536, zero-shot): for every direction, seed and recipe, train a
model, pick its merge weight on the training benchmark's validation split and write its run records; the
base model's records first. ``benchmarks/reproduce.py`` is its command line; ``hybrid-batch-st results``
tables what it wrote.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Sequence

import torch

from ..data.sources import load_eval_data, training_data_of
from ..models import cap_max_seq_length, load_model
from ..names import BASE
from ..training import TrainConfig
from ..training.option_values import parse_recipes
from .records import RunRecord
from .runs import also_extra, also_tasks, evaluate_model, run_recipe, scored, setting_ap

__all__ = ["reproduce"]


def reproduce(base_config: TrainConfig, directions: Sequence[str], seeds: Sequence[int], recipes: str,
              merge_weights: Sequence[float] = (1.0,), results: str | Path = "benchmarks/results", also: str = "",
              unmerged: str = "", validation_only: bool = False, base_only: bool = False) -> None:
    """Run the protocol, resuming where records exist.

    Args:
        base_config: The training options every run shares (its ``output`` holds the trained models).
        directions: ``TRAIN:EVAL`` pairs (``mlqa-r:xquad-r``; EVAL ``heldout``: the training benchmark's
            held-out articles).
        seeds: Training seeds.
        recipes: Comma-separated recipes (or recipe groups) to train.
        merge_weights: Shares of fine-tuned weights to try on validation.
        results: Where the records go (``<results>/<train>-to-<eval>/<recipe>-seed<k>``).
        also: Comma-separated ``--also`` benchmarks (:data:`~.runs.ALSO`) every model is scored on too.
        unmerged: Comma-separated recipes whose models are also scored before the merge.
        validation_only: Write validation records only (to compare recipe options).
        base_only: Score the base model and stop.

    Example:
        >>> from hybrid_batch_st.experiments.reproduce import reproduce
        >>> reproduce(TrainConfig(model="../shared/models/me5-small-xr", steps=150), ["mlqa-r:xquad-r"],
        ...           [0, 1, 2], "hybrid,monolingual,cross-lingual", [1, 0.75, 0.5])  # doctest: +SKIP
    """
    also_tasks(also, base_config.data_dir, check_only=True)  # a misspelt name fails before any model loads
    device = "cuda" if torch.cuda.is_available() else "cpu"
    merges = [float(w) for w in merge_weights]
    before_merge = set(parse_recipes(unmerged)) if unmerged else set()
    base = cap_max_seq_length(load_model(base_config.model, device=device), base_config.max_seq_length)
    for direction in directions:
        train_name, eval_name = direction.split(":")
        out = Path(results) / (f"{train_name}-validation" if validation_only else f"{train_name}-to-{eval_name}")
        recipe = dataclasses.replace(base_config, train=train_name,
                                     train_articles=36 if eval_name == "heldout" else base_config.train_articles)
        # scored only when a model trains (a resumed run may have nothing left to do)
        base_validation = functools.cache(
            lambda recipe=recipe: setting_ap(evaluate_model(base, training_data_of(recipe)[1], "validation", "base")))
        target = None
        if not validation_only:
            held = training_data_of(dataclasses.replace(recipe, validation_share=0))[1]
            target = load_eval_data(eval_name, base_config.languages, base_config.data_dir, held)
        if target is not None and not (out / BASE / "results.json").is_file():
            result = evaluate_model(base, target, eval_name, f"{Path(base_config.model).name} (base)")
            RunRecord(result, recipe=BASE).write(out / BASE)
        tasks = {} if target is None else also_tasks(also, base_config.data_dir)
        for name, task in tasks.items():
            folder = out.parent / f"{train_name}-to-{name}" / BASE
            if not scored(folder, name):
                result = evaluate_model(base, task, name, f"{Path(base_config.model).name} (base)")
                RunRecord(result, recipe=BASE, **also_extra(name)).write(folder)
        if base_only:
            continue
        for seed in seeds:
            for name in parse_recipes(recipes):
                config = dataclasses.replace(recipe, recipe=name, seed=seed,
                                             output=str(Path(base_config.output) / out.name / f"{name}-seed{seed}"))
                run_recipe(out / f"{name}-seed{seed}", config, target, eval_name, merges, base, device,
                           base_validation, tasks, unmerged=name in before_merge)
