"""The paper's comparison, zero-shot: hybrid batches against X-X, X-Y and the other recipes
(``--recipes``: mixed batches, stock per-pair datasets, distillation, hybrid+distillation), over
seeds, with significance; every model also on the benchmarks of ``--also``.

Default protocol (arXiv 2408.10536: the models never see the evaluation benchmark):

- ``mlqa-r:xquad-r``: train on MLQA-R (7 languages), evaluate on all of XQuAD-R (11 languages; el, ru,
  th and tr are never seen in training);
- ``xquad-r:mlqa-r``: train on all of XQuAD-R, evaluate on all of MLQA-R.

Recipe choices are made on a validation split of the *training* benchmark (``--validation-share`` of
its question ids, with their articles, never trained on): here the share of fine-tuned weights when
averaging with the base model (``--merge-weights``; the best mean AP over the three settings on
validation wins). Nothing is chosen on the evaluation benchmark. ``--directions xquad-r:heldout``
is the former in-domain protocol (first 36 XQuAD-R articles train, the other 12 evaluate).

For every direction, seed and recipe it writes ``<results>/<train>-to-<eval>/<recipe>-seed<k>/``:
``results.json`` (the keys ``evaluate`` writes, plus ``train_benchmark``, ``mode`` (the recipe), ``seed``,
``train_config``, ``training_minutes``, ``device``, ``merge_with_base``, ``validation``) and
``per_query.tsv.gz``; the base model goes to ``base/``; with ``--also``, each model's results on each
of those benchmarks go to ``<results>/<train>-to-<benchmark>/<recipe>-seed<k>/`` (the subsets and samples
of :data:`ALSO`, sized so that one model's whole evaluation fits in 15 minutes on a 2-core CPU; each record
names its ``sample_items``). It resumes: a model whose ``results.json`` exists is not trained or evaluated
again (with ``--also`` benchmarks it lacks, or has on another sample, it is retrained, or reused, with the
merge weight recorded there, and scored on those only), a trained model in ``<work>`` is reused, and embeddings
come from the embedding cache. The tables (mean +- sd over seeds, significance) are printed by
``hybrid-batch-st results`` (or ``benchmarks/results_table.py``).

    python benchmarks/reproduce.py --model ../shared/models/me5-small-xr --data-dir ../shared/data \\
        --seeds 0,1,2 --steps 150 --freeze-embeddings --merge-weights 1,0.75,0.5

``--validation-only`` compares recipe options without touching any evaluation benchmark: it trains,
picks the merge weight and writes ``<results>/<train>-validation/<mode>-seed<k>/validation.json``
(validation AP per setting for every merge weight and for the base model), e.g.

    python benchmarks/reproduce.py ... --directions mlqa-r:xquad-r --recipes hybrid --symmetric \\
        --validation-only --results benchmarks/results/recipes/symmetric --output runs/recipes/symmetric
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from hybrid_batch_st.training.flags import add_config_flags, config_overrides
from hybrid_batch_st.data.sources import load_eval_data, training_data_of
from hybrid_batch_st.evaluation import evaluate
from hybrid_batch_st.experiments.records import RunRecord, ValidationRecord
from hybrid_batch_st.models import cap_max_seq_length, load_model
from hybrid_batch_st.names import BASE, RECIPES
from hybrid_batch_st.training.config import DEMO_RECIPES
from hybrid_batch_st.training.option_values import parse_recipes
from hybrid_batch_st.training import TrainConfig, merge_with_base, train

#: where this script departs from TrainConfig's defaults
DEFAULTS = {"eval": "", "train_articles": 0, "validation_share": 0.1, "output": "runs/reproduce"}
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_flags(parser, DEFAULTS, exclude=("recipe", "train", "eval", "measures", "merge_with_base"))
    parser.add_argument("--directions", default="mlqa-r:xquad-r,xquad-r:mlqa-r",
                        help="TRAIN:EVAL pairs; EVAL 'heldout' = the training benchmark's held-out articles "
                             "(default: mlqa-r:xquad-r,xquad-r:mlqa-r)")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (default: 0)")
    parser.add_argument("--recipes", default=",".join(DEMO_RECIPES),
                        help=f"recipes to train, any of {', '.join(RECIPES)} (default: {','.join(DEMO_RECIPES)})")
    parser.add_argument("--also", default="",
                        help=f"more benchmarks to evaluate every model on: any of {', '.join(ALSO)}")
    parser.add_argument("--merge-weights", default="1",
                        help="shares of fine-tuned weights to try, chosen on validation (default: 1 = no merge)")
    parser.add_argument("--results", default="benchmarks/results", help="folder of the small result files")
    parser.add_argument("--unmerged", default="",
                        help="recipes whose trained model is also scored unmerged (weight 1.0, the paper's own "
                             "comparison) into <results>/<train>-to-<eval>-unmerged/ (default: none)")
    parser.add_argument("--base-only", action="store_true",
                        help="score the base model on the benchmarks (and --also) and stop: run it once before "
                             "several runs of this script share a results folder")
    parser.add_argument("--validation-only", action="store_true",
                        help="score on the training benchmark's validation split only (to compare recipe options)")
    return parser


def _evaluate(model, data, name: str, label: str):
    return evaluate(model, data, ["AP"], benchmark=name, model_name=label, show_progress_bar=True)


def _mean_ap(result) -> float:
    return float(np.mean([v["AP"] for v in result.macro.values()]))


def _setting_ap(result) -> dict[str, float]:
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
        result = _evaluate(model, validation, "validation", f"{config.recipe} w={weight}")
        scores[str(weight)] = _mean_ap(result)
        settings[str(weight)] = _setting_ap(result)
        if best is None or scores[str(weight)] > scores[str(best[0])]:
            best = (weight, model)
    return best[0], best[1], {"mean_AP": scores, "AP": settings}


def _unmerged_folder(folder: Path) -> Path:
    """Where the same trained model's unmerged (weight 1.0) results go: ``<direction>-unmerged/<run>``."""
    return folder.parent.parent / f"{folder.parent.name}-unmerged" / folder.name


def _run(folder: Path, config: TrainConfig, target, target_name: str, merges: list[float], base, device: str,
         base_validation: Callable[[], dict[str, float]], also: dict, unmerged: bool = False):
    """Train, pick the merge weight on validation, then evaluate on ``target`` (or, when ``target`` is
    None, write the validation scores only); with ``unmerged``, also score the trained model before any
    merge (the paper's own comparison) on ``target``."""
    others = {name: folder.parent.parent / f"{config.train}-to-{name}" / folder.name for name in also}
    missing = {name: task for name, task in also.items() if not _scored(others[name], name)}
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
    result = _evaluate(model, target, target_name, label)
    RunRecord(result, **extra).write(folder)
    print(f"{folder}: {result.summary()} (merge {weight}; {minutes:.1f} training minutes)", flush=True)


def _write_unmerged(folder: Path, config: TrainConfig, target, target_name: str, extra: dict, label: str,
                    device: str) -> None:
    """The trained model before any merge with the base model, on ``target``: the record says which merge
    weight validation chose for the merged one (``chosen_merge``)."""
    model = _fine_tuned(config, device)[0]
    result = _evaluate(model, target, target_name, f"{label} (unmerged)")
    unmerged = {**extra, "merge_with_base": 1.0, "chosen_merge": extra["merge_with_base"],
                "train_config": {**extra["train_config"], "merge_with_base": 1.0}}
    RunRecord(result, **unmerged).write(_unmerged_folder(folder))
    print(f"{_unmerged_folder(folder)}: {result.summary()}", flush=True)


def _scored(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds results of the ``--also`` benchmark ``name`` on today's sample and reader of it."""
    if not (folder / "results.json").is_file():
        return False
    record = RunRecord.read(folder)
    return record.sample_items == ALSO[name][2] and record.reader_revision == ALSO[name][3]


def _provenance(record: RunRecord) -> dict:
    """A recorded model's training provenance: what its records on other benchmarks repeat."""
    return {key: getattr(record, key) for key in ("train_benchmark", "recipe", "seed", "train_config",
                                                  "training_minutes", "device", "merge_with_base", "validation")}


def _also_extra(name: str) -> dict:
    """What a record of the ``--also`` benchmark ``name`` says of its sample and reader."""
    return {"sample_items": ALSO[name][2], "reader_revision": ALSO[name][3]}


def _evaluate_also(model, tasks: dict, folders: dict, extra: dict, label: str) -> None:
    """Score ``model`` on each of ``tasks`` into its folder (before the main benchmark, whose
    results.json marks the model done)."""
    for name, task in tasks.items():
        found = _evaluate(model, task, name, label)
        RunRecord(found, **extra, **_also_extra(name)).write(folders[name])
        print(f"{folders[name]}: {found.summary()}", flush=True)


def _also_tasks(names: str, data_dir) -> dict:
    from hybrid_batch_st.tasks.registry import load_task

    unknown = [n for n in names.split(",") if n and n not in ALSO]
    if unknown:
        raise SystemExit(f"--also {unknown}: choose among {', '.join(ALSO)}")
    tasks = {}
    for name in filter(None, names.split(",")):
        languages, split, items, _ = ALSO[name]
        task = load_task(name, languages, data_dir, split)
        tasks[name] = task.sample(items) if items else task
    return tasks


def main() -> None:
    args = _parser().parse_args()
    if args.config:
        base_config = TrainConfig.from_file(args.config, DEFAULTS, **config_overrides(args))
    else:
        base_config = TrainConfig.from_dict(config_overrides(args), source="flags", defaults=DEFAULTS)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    merges = [float(w) for w in args.merge_weights.split(",")]
    base = cap_max_seq_length(load_model(base_config.model, device=device), base_config.max_seq_length)
    for direction in args.directions.split(","):
        train_name, eval_name = direction.split(":")
        out = Path(args.results) / (f"{train_name}-validation" if args.validation_only
                                    else f"{train_name}-to-{eval_name}")
        recipe = dataclasses.replace(base_config, train=train_name,
                                     train_articles=36 if eval_name == "heldout" else base_config.train_articles)
        # scored only when a model trains (a resumed run may have nothing left to do)
        base_validation = functools.cache(
            lambda recipe=recipe: _setting_ap(_evaluate(base, training_data_of(recipe)[1], "validation", "base")))
        target = None
        if not args.validation_only:
            held = training_data_of(dataclasses.replace(recipe, validation_share=0))[1]
            target = load_eval_data(eval_name, base_config.languages, base_config.data_dir, held)
        if target is not None and not (out / BASE / "results.json").is_file():
            result = _evaluate(base, target, eval_name, f"{Path(base_config.model).name} (base)")
            RunRecord(result, recipe=BASE).write(out / BASE)
        also = {} if target is None else _also_tasks(args.also, base_config.data_dir)
        for name, task in also.items():
            if not _scored(out.parent / f"{train_name}-to-{name}" / BASE, name):
                result = _evaluate(base, task, name, f"{Path(base_config.model).name} (base)")
                RunRecord(result, recipe=BASE, **_also_extra(name)).write(out.parent / f"{train_name}-to-{name}" / BASE)
        if args.base_only:
            continue
        unmerged = set(parse_recipes(args.unmerged)) if args.unmerged else set()
        for seed in [int(s) for s in args.seeds.split(",")]:
            for name in parse_recipes(args.recipes):
                config = dataclasses.replace(recipe, recipe=name, seed=seed,
                                             output=str(Path(base_config.output) / out.name / f"{name}-seed{seed}"))
                _run(out / f"{name}-seed{seed}", config, target, eval_name, merges, base, device, base_validation,
                     also, unmerged=name in unmerged)


if __name__ == "__main__":
    main()
