"""What each ``hybrid-batch-st`` command does; heavy imports happen inside each command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import check_overwrite
from ..languages import parse_languages
from ..training.config import DEMO_DEFAULTS, TrainConfig
from ..training.flags import config_overrides
from ..training.option_values import parse_recipes

__all__ = ["COMMANDS"]


def _config(args: argparse.Namespace, defaults: dict | None = None) -> TrainConfig:
    overrides = config_overrides(args)
    if args.config:
        return TrainConfig.from_file(args.config, defaults, **overrides)
    return TrainConfig.from_dict(overrides, source="flags", defaults=defaults)


def train(args: argparse.Namespace) -> int:
    from ..sampling.distributed import close_process_group
    from ..training.run import train as run

    config = _config(args)
    print(f"training {config.model} ({config.recipe}) on {config.train} -> {config.output}",
          file=sys.stderr, flush=True)
    outcome = run(config, overwrite=args.overwrite)
    close_process_group()  # under torchrun: before exit, or gloo may abort the finished process
    if outcome.saved_to is not None:
        print(f"model saved to {outcome.saved_to}")
    return 0


def mine(args: argparse.Namespace) -> int:
    from ..data.sources import training_data_of
    from ..models import cap_max_seq_length, load_model
    from ..training.mining import mine_to_file

    check_overwrite(args.output, args.overwrite)
    config = _config(args)
    pairs, _ = training_data_of(config)
    model = cap_max_seq_length(load_model(config.model), config.max_seq_length)
    options = {"range_min": args.range_min, "relative_margin": args.relative_margin or None,
               "batch_size": args.encode_batch_size, "use_faiss": args.faiss}
    if args.range_max:
        options["range_max"] = args.range_max
    path, examples = mine_to_file(pairs, model, args.output, negatives=args.count,
                                  pivot_language=config.pivot_language, **options)
    print(f"{args.count} negatives for {examples} of {pairs.pair_index.num_examples} examples written to {path} "
          f"(train with --negatives-file {path} --negatives K)")
    return 0


def demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(_config(args, DEMO_DEFAULTS), query=args.query, overwrite=args.overwrite,
             recipes=parse_recipes(args.recipes))
    return 0


def evaluate(args: argparse.Namespace) -> int:
    from ..data.sources import load_eval_data
    from ..evaluation.groups import parse_groups
    from ..evaluation.language_pairs import evaluate as run
    from ..evaluation.measures import parse_measures
    from ..evaluation.report import write_report
    from ..evaluation.tables import macro_table
    from ..models import cap_max_seq_length, load_model

    measures = parse_measures(args.measures)  # fail before loading anything
    check_overwrite(args.output, args.overwrite)
    languages = parse_languages(args.languages) if args.languages else None
    groups = parse_groups(args.groups) if args.groups else None
    data = load_eval_data(args.benchmark, languages, args.data_dir, split=args.split)
    if args.sample_items:
        if not data.multi_parallel:
            raise ValueError(f"--sample-items: {args.benchmark!r} is not a multi-parallel benchmark (its pools hold "
                             "sentences, not the questions' items); drop the flag, or pass --languages to shrink it")
        data = data.sample(args.sample_items)
    model = cap_max_seq_length(load_model(args.model), args.max_seq_length)
    result = run(model, data, measures, depth=args.depth, batch_size=args.batch_size, cache=not args.no_cache,
                 query_prompt=args.query_prompt, passage_prompt=args.passage_prompt,
                 benchmark=args.benchmark, model_name=str(args.model), groups=groups,
                 devices=[d.strip() for d in args.devices.split(",") if d.strip()] if args.devices else None)
    out = write_report(result, args.output)
    print(macro_table([(str(args.model), result)]))
    print(f"results written to {out}/results.json, results.md, heatmap.png")
    return 0


def export(args: argparse.Namespace) -> int:
    from ..pyserini import build_index, index_settings, pyserini_cli_args

    index = build_index(args.model, args.corpus, args.index, index_type=args.index_type, hnsw_m=args.hnsw_m,
                        batch_size=args.batch_size, overwrite=args.overwrite)
    settings = index_settings(index)
    print(f"index written to {index} ({settings.dimension}-d, pooling {settings.pooling}, l2 {settings.l2_norm})")
    if settings.auto_compatible:
        cli = " ".join(pyserini_cli_args(index))
        print(f"Pyserini CLI: hybrid-batch-st pyserini search.faiss {cli} --topics TOPICS.tsv --output RUN.trec")
    else:
        print(f"Pyserini's auto encoder cannot reproduce this model ({settings.reason}); "
              "use `hybrid-batch-st search`, which wraps the model in a Pyserini QueryEncoder")
    return 0


def search(args: argparse.Namespace) -> int:
    from ..pyserini import search as run

    check_overwrite(args.output, args.overwrite)
    out = run(args.index, args.topics, args.output, hits=args.hits, model=args.model, threads=args.threads,
              batch_size=args.batch_size, output_format=args.output_format)
    print(f"run written to {out}")
    return 0


def pyserini(args: argparse.Namespace) -> int:
    """Run one of Pyserini's own command-line modules after booting a suitable JVM."""
    import runpy

    from ..pyserini import boot_jvm, encoder_settings_of

    module = args.module if args.module.startswith("pyserini.") else f"pyserini.{args.module}"
    rest = list(args.args)
    if "--encoder" in rest[:-1]:
        settings = encoder_settings_of(Path(rest[rest.index("--encoder") + 1]))
        if settings is not None:
            # fill in what the user left out, so Pyserini loads the model as exported (raises if it cannot)
            ours = settings.cli_args(rest[rest.index("--encoder") + 1])
            for n, flag in enumerate(ours):
                if flag.startswith("--") and flag not in ("--encoder", *rest):
                    value = ours[n + 1] if n + 1 < len(ours) and not ours[n + 1].startswith("--") else None
                    rest += [flag] + ([value] if value is not None else [])
    boot_jvm()
    sys.argv = [module, *rest]
    print("running: python -m " + " ".join(sys.argv), file=sys.stderr)
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def benchmark_files(args: argparse.Namespace) -> int:
    from ..data.sources import load_eval_data
    from ..pyserini.formats import write_benchmark_files

    check_overwrite(args.output, args.overwrite)
    data = load_eval_data(args.benchmark, sorted({args.query_lang, args.pool_lang}), args.data_dir, split=args.split)
    files = write_benchmark_files(data, args.query_lang, args.pool_lang, args.output, limit=args.limit)
    print("\n".join(f"{name}: {path}" for name, path in files.items()))
    return 0


def compare(args: argparse.Namespace) -> int:
    from ..evaluation.significance import compare as run
    from ..evaluation.per_query import load_per_query
    from ..evaluation.significance import shared_measures
    from ..evaluation.tables import comparison_table

    if len(args.results) < 2:
        raise ValueError("compare needs at least two evaluation folders: the baseline first, then the others")
    systems = [[load_per_query(f) for f in arg.split(",") if f] for arg in args.results]
    if any(len(runs) > 1 for runs in systems):
        return _compare_seeds(args, systems)
    measures = shared_measures([runs[0] for runs in systems], args.measures)  # aliases resolved, checked first
    baseline = systems[0][0]
    for [other] in systems[1:]:
        rows = run(baseline, other, measures, seed=args.seed, **_resamples(args))
        print(comparison_table(rows, baseline.label, other.label, args.level))
    return 0


def _resamples(args: argparse.Namespace) -> dict[str, int]:
    """``--resamples`` where given; else each test keeps its function's own default (spelled there once)."""
    return {} if args.resamples is None else {"resamples": args.resamples}


def _compare_seeds(args: argparse.Namespace, systems: list) -> int:
    from ..evaluation.seeds import compare_over_seeds
    from ..evaluation.significance import shared_measures
    from ..evaluation.tables import seed_table

    names = [runs[0].label + (f" (+{len(runs) - 1} more seeds)" if len(runs) > 1 else "") for runs in systems]
    for measure in shared_measures([r for runs in systems for r in runs], args.measures):
        # a single-run first system is taken as one fixed model (the base model), needing no seeds
        done = [(names[0], name, compare_over_seeds(systems[0], runs, measure, fixed=(len(systems[0]) == 1, False)))
                for name, runs in zip(names[1:], systems[1:])]
        print(seed_table(done, args.level))
    return 0


def cache(args: argparse.Namespace) -> int:
    from ..evaluation.embedding_cache import cache_usage, clear_cache

    if args.clear:
        folder, size = clear_cache()
        print(f"removed {folder} ({size / 2**20:.1f} MiB)")
        return 0
    folder, models, size = cache_usage()
    print(f"{folder}: {models} model(s), {size / 2**20:.1f} MiB (set HYBRID_BATCH_ST_CACHE to move it; "
          "--clear to empty it)")
    return 0


def results(args: argparse.Namespace) -> int:
    from ..experiments.page import write_results

    print(write_results(args.results, args.output, args.page, args.verdict, args.headline), end="")
    return 0


COMMANDS = {"train": train, "mine": mine, "demo": demo, "evaluate": evaluate, "export": export, "search": search,
            "pyserini": pyserini, "benchmark-files": benchmark_files, "compare": compare, "cache": cache,
            "results": results}
