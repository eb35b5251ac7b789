"""One recipe run of the reproduction protocol: train (or reuse) a model, pick its merge weight on the
training benchmark's validation split, and write its run records: on the evaluation benchmark, the
``--also`` benchmarks (:data:`ALSO`) and, where asked, before the merge (the paper's own comparison).

Resumable: a record that exists is not written again, a trained model in the config's ``output`` is reused.
:mod:`.reproduce` runs it over directions, seeds and recipes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..data.sources import training_data_of
from ..evaluation import evaluate
from ..models import cap_max_seq_length, load_model
from ..tasks.registry import load_task
from ..training import TrainConfig, merge_with_base, train
from .records import RunRecord, ValidationRecord

__all__ = ["ALSO", "also_tasks", "also_extra", "scored", "evaluate_model", "setting_ap", "run_recipe"]

#: ``--also`` benchmarks: (languages, split, items, revision): a seeded sample of ``items`` parallel items per language
#: (:meth:`RetrievalTask.sample`, the same for every model; None: all), chosen for time, not for results, so
#: that one model's whole evaluation (XQuAD-R included) fits in 15 minutes on a 2-core CPU: Tatoeba's first
#: 12 XTREME languages, FLORES-200 devtest in 3 high- and 3 low-resource languages, xSID in 8, xFlickr&CO in 4.
#: ``revision`` counts changes of the benchmark's reader that change its judgments: a record of an older
#: revision (none recorded = 1) is scored again. xSID 2: items aligned by ``# text-en`` (de-ba's ``# id``s
#: disagree with it).
ALSO = {
    "tatoeba": (["ar", "he", "vi", "id", "jv", "tl", "eu", "ml", "ta", "te", "af", "nl"], None, 500, 1),
    "flores200": (["eng_Latn", "deu_Latn", "zho_Hans", "yor_Latn", "hau_Latn", "khm_Khmr"], "devtest", 500, 1),
    "xsid": (["en", "de", "da", "it", "ja", "tr", "zh", "de-ba"], "test", None, 2),
    "xflickrco": (["en", "de", "ja", "tr"], None, 1000, 1),
}



def evaluate_model(model, data, name: str, label: str):
    """The protocol's evaluation: AP on every language pair, with a progress bar.

    Args:
        model: A SentenceTransformer.
        data: A task (or LAReQA data) to evaluate on.
        name: The benchmark's name, for the result.
        label: The model's name, for the result.

    Returns:
        The :class:`~hybrid_batch_st.evaluation.results.EvaluationResult`.
    """
    return evaluate(model, data, ["AP"], benchmark=name, model_name=label, show_progress_bar=True)


def _mean_ap(result) -> float:
    return float(np.mean([v["AP"] for v in result.macro.values()]))


def setting_ap(result) -> dict[str, float]:
    """AP per setting of an evaluation.

    Args:
        result: An evaluation result.

    Returns:
        ``{setting: AP}``.
    """
    return {setting: values["AP"] for setting, values in result.macro.items()}


def _device_name(device: str) -> str:
    """Where the model trained, for the record (training minutes compare only on the same device)."""
    return torch.cuda.get_device_name() if device == "cuda" else f"cpu ({os.cpu_count()} cores)"


def _fine_tuned(config: TrainConfig, device: str):
    """The trained model (reused from ``config.output`` when there) and its training minutes."""
    model_dir, minutes_file = Path(config.output) / "model", Path(config.output) / "training_minutes.json"
    if (model_dir / "modules.json").is_file() and minutes_file.is_file():
        print(f"reusing {model_dir}", flush=True)
        model = cap_max_seq_length(load_model(model_dir, device=device), config.max_seq_length)
        return model, json.loads(minutes_file.read_text())["minutes"]
    start = time.perf_counter()
    train(config, overwrite=True)
    minutes = (time.perf_counter() - start) / 60
    minutes_file.write_text(json.dumps({"minutes": minutes}) + "\n", encoding="utf-8")
    return cap_max_seq_length(load_model(model_dir, device=device), config.max_seq_length), minutes


def _choose_merge(config: TrainConfig, weights: list[float], validation, base, device: str) -> tuple:
    """The merge weight with the best mean validation AP, its model, and every weight's validation AP
    (the mean, and per setting)."""
    scores, settings, best = {}, {}, None
    for weight in weights:
        model = _fine_tuned(config, device)[0]
        if weight < 1:
            merge_with_base(model, base, weight)
        result = evaluate_model(model, validation, "validation", f"{config.recipe} w={weight}")
        scores[str(weight)] = _mean_ap(result)
        settings[str(weight)] = setting_ap(result)
        if best is None or scores[str(weight)] > scores[str(best[0])]:
            best = (weight, model)
    return best[0], best[1], {"mean_AP": scores, "AP": settings}


def _unmerged_folder(folder: Path) -> Path:
    """Where the same trained model's unmerged (weight 1.0) results go: ``<direction>-unmerged/<run>``."""
    return folder.parent.parent / f"{folder.parent.name}-unmerged" / folder.name


def run_recipe(folder: Path, config: TrainConfig, target, target_name: str, merges: list[float], base, device: str,
               base_validation: Callable[[], dict[str, float]], also: dict, unmerged: bool = False) -> None:
    """Train, pick the merge weight on validation, then write the model's run records.

    A model whose record exists is not trained again; one whose record lacks an ``also`` benchmark (or
    the unmerged score) is retrained, or reused, with the merge weight recorded there, and scored on what
    is missing only.

    Args:
        folder: The record's folder (``<results>/<train>-to-<eval>/<recipe>-seed<k>``).
        config: The run's training options (``output``: where the trained model is kept for reuse).
        target: The evaluation benchmark; None writes the validation scores only (a
            :class:`~.records.ValidationRecord`).
        target_name: The evaluation benchmark's name.
        merges: Shares of fine-tuned weights to try; the best mean validation AP wins.
        base: The base model (merged with, and scored on validation once by ``base_validation``).
        device: ``cuda`` or ``cpu``.
        base_validation: The base model's validation AP per setting (cached by the caller).
        also: ``{name: task}`` of more benchmarks (:func:`also_tasks`).
        unmerged: Also score the trained model before any merge (the paper's own comparison) on ``target``.
    """
    others = {name: folder.parent.parent / f"{config.train}-to-{name}" / folder.name for name in also}
    missing = {name: task for name, task in also.items() if not scored(others[name], name)}
    main_file = folder / ("results.json" if target is not None else "validation.json")
    lacks_unmerged = unmerged and target is not None and not (_unmerged_folder(folder) / "results.json").is_file()
    if main_file.is_file() and not missing and not lacks_unmerged:
        print(f"done before: {folder}", flush=True)
        return
    if main_file.is_file():
        # the main result fixes the merge weight: retrain (or reuse) and score only the missing benchmarks
        extra = _provenance(RunRecord.read(folder))
        model = _fine_tuned(config, device)[0]
        if extra["merge_with_base"] < 1:
            merge_with_base(model, base, extra["merge_with_base"])
        label = f"{Path(config.model).name} {config.recipe} seed {config.seed}"
        _evaluate_also(model, missing, others, extra, label)
        if lacks_unmerged:
            _write_unmerged(folder, config, target, target_name, extra, label, device)
        return
    _, validation = training_data_of(config)
    minutes = _fine_tuned(config, device)[1]
    weight, model, scores = _choose_merge(config, merges, validation, base, device)
    extra = {"train_benchmark": config.train, "recipe": config.recipe, "seed": config.seed,
             "train_config": dataclasses.replace(config, merge_with_base=weight).to_dict(),
             "training_minutes": minutes, "device": _device_name(device), "merge_with_base": weight,
             "validation": scores | {"base_AP": base_validation()}}
    if target is None:
        ValidationRecord(**extra).write(folder)
        print(f"{folder}: validation {scores['AP'][str(weight)]} (merge {weight}; base {base_validation()}; "
              f"{minutes:.1f} training minutes)", flush=True)
        return
    label = f"{Path(config.model).name} {config.recipe} seed {config.seed}"
    _evaluate_also(model, missing, others, extra, label)
    if unmerged:
        _write_unmerged(folder, config, target, target_name, extra, label, device)
    result = evaluate_model(model, target, target_name, label)
    RunRecord(result, **extra).write(folder)
    print(f"{folder}: {result.summary()} (merge {weight}; {minutes:.1f} training minutes)", flush=True)


def _write_unmerged(folder: Path, config: TrainConfig, target, target_name: str, extra: dict, label: str,
                    device: str) -> None:
    """The trained model before any merge with the base model, on ``target``: the record says which merge
    weight validation chose for the merged one (``chosen_merge``)."""
    model = _fine_tuned(config, device)[0]
    result = evaluate_model(model, target, target_name, f"{label} (unmerged)")
    unmerged = {**extra, "merge_with_base": 1.0, "chosen_merge": extra["merge_with_base"],
                "train_config": {**extra["train_config"], "merge_with_base": 1.0}}
    RunRecord(result, **unmerged).write(_unmerged_folder(folder))
    print(f"{_unmerged_folder(folder)}: {result.summary()}", flush=True)


def scored(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds results of the ``--also`` benchmark ``name`` on today's sample and reader of it.

    Args:
        folder: A record folder.
        name: A name of :data:`ALSO`.

    Returns:
        True when its record exists with :data:`ALSO`'s sample size and reader revision.
    """
    if not (folder / "results.json").is_file():
        return False
    record = RunRecord.read(folder)
    return record.sample_items == ALSO[name][2] and record.reader_revision == ALSO[name][3]


def _provenance(record: RunRecord) -> dict:
    """A recorded model's training provenance: what its records on other benchmarks repeat."""
    return {key: getattr(record, key) for key in ("train_benchmark", "recipe", "seed", "train_config",
                                                  "training_minutes", "device", "merge_with_base", "validation")}


def also_extra(name: str) -> dict:
    """What a record of the ``--also`` benchmark ``name`` says of its sample and reader.

    Args:
        name: A name of :data:`ALSO`.

    Returns:
        ``{"sample_items": ..., "reader_revision": ...}``.
    """
    return {"sample_items": ALSO[name][2], "reader_revision": ALSO[name][3]}


def _evaluate_also(model, tasks: dict, folders: dict, extra: dict, label: str) -> None:
    """Score ``model`` on each of ``tasks`` into its folder (before the main benchmark, whose
    results.json marks the model done)."""
    for name, task in tasks.items():
        found = evaluate_model(model, task, name, label)
        RunRecord(found, **extra, **also_extra(name)).write(folders[name])
        print(f"{folders[name]}: {found.summary()}", flush=True)


def also_tasks(names: str, data_dir, check_only: bool = False) -> dict:
    """The ``--also`` benchmarks as tasks, each on the sample :data:`ALSO` fixes.

    Args:
        names: Comma-separated names of :data:`ALSO` (empty: none).
        data_dir: Where benchmark data sits (else the download cache).
        check_only: Check the names only (nothing is read).

    Returns:
        ``{name: task}`` (empty with ``check_only``).

    Raises:
        ValueError: A name is not in :data:`ALSO`.
    """
    unknown = [n for n in names.split(",") if n and n not in ALSO]
    if unknown:
        raise ValueError(f"--also {unknown}: unknown benchmark(s); choose among {', '.join(ALSO)}")
    tasks = {}
    if check_only:
        return tasks
    for name in filter(None, names.split(",")):
        languages, split, items, _ = ALSO[name]
        task = load_task(name, languages, data_dir, split)
        tasks[name] = task.sample(items) if items else task
    return tasks
