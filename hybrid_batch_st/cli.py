"""The ``hybrid-batch-st`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__

__all__ = ["main"]


def _languages(text: str) -> list[str]:
    langs = [x.strip() for x in text.split(",") if x.strip()]
    if not langs:
        raise argparse.ArgumentTypeError("expected a comma-separated list of language codes, e.g. en,de,es")
    return langs


def _alpha(text: str) -> float | str:
    if text == "size":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"alpha must be a number in [0, 1] or 'size', not {text!r}") from None


def _add_training_options(p: argparse.ArgumentParser) -> None:
    """Flags shared by ``train`` and ``demo``; None means 'not given' so config files can fill them."""
    p.add_argument("--model", help="sentence-transformers model id or path (default: packaged all-MiniLM-L6-v2)")
    p.add_argument("--languages", type=_languages, help="comma-separated languages (default: all of the data)")
    p.add_argument("--train", help="'sample' (bundled), 'xquad-r', 'mlqa-r', a .jsonl file or a SQuAD-R folder")
    p.add_argument("--data-dir", help="folder holding xquad-r/ and mlqa-r/ (default: download cache)")
    p.add_argument("--alpha", type=_alpha, help="share of monolingual batches in hybrid mode, or 'size'")
    p.add_argument("--steps", type=int, help="training steps (0: train for --epochs)")
    p.add_argument("--batch-size", type=int, help="rows per batch")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--output", help="output folder")


def _cmd_train(args: argparse.Namespace) -> int:
    from .training import TrainConfig, train

    overrides = {
        "model": args.model, "languages": args.languages, "train": args.train, "data_dir": args.data_dir,
        "alpha": args.alpha, "steps": args.steps, "batch_size": args.batch_size,
        "learning_rate": args.learning_rate, "seed": args.seed, "output": args.output, "mode": args.mode,
        "temperature": args.temperature, "language_choice": args.language_choice, "epochs": args.epochs,
        "train_articles": args.train_articles, "eval": args.eval, "world_size": args.world_size,
        "measures": args.measures.split(",") if args.measures else None,
    }
    if args.config:
        config = TrainConfig.from_file(args.config, **overrides)
    else:
        config = TrainConfig.from_dict({k: v for k, v in overrides.items() if v is not None}, source="flags")
    outcome = train(config)
    if outcome.saved_to is not None:
        print(f"model saved to {outcome.saved_to}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DemoConfig, run_demo

    given = {
        "model": args.model, "languages": args.languages, "train": args.train, "eval": args.eval,
        "alpha": args.alpha, "steps": args.steps, "batch_size": args.batch_size,
        "learning_rate": args.learning_rate, "seed": args.seed, "output": args.output,
        "data_dir": args.data_dir, "query": args.query,
    }
    run_demo(DemoConfig(**{k: v for k, v in given.items() if v is not None}))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, parse_measures
    from .evaluator import load_eval_data
    from .models import load_model
    from .report import write_report

    measures = parse_measures(args.measures)  # fail before loading anything
    data = load_eval_data(args.benchmark, args.languages, args.data_dir)
    model = load_model(args.model)
    if args.max_seq_length:
        model.max_seq_length = args.max_seq_length
    result = evaluate(
        model, data, measures, depth=args.depth, batch_size=args.batch_size, cache=not args.no_cache,
        query_prompt=args.query_prompt, passage_prompt=args.passage_prompt,
        benchmark=args.benchmark, model_name=str(args.model),
    )
    out = write_report(result, args.output)
    print(_macro_lines(result))
    print(f"results written to {out}/results.json, results.md, heatmap.png")
    return 0


def _macro_lines(result) -> str:
    lines = [f"{'setting':<14}" + "".join(f"{m:>10}" for m in result.measures)]
    for setting, values in result.macro.items():
        lines.append(f"{setting:<14}" + "".join(f"{values[m]:>10.4f}" for m in result.measures))
    if result.language_bias["rank_distance"] is not None:
        lines.append(f"rank distance (multilingual): {result.language_bias['rank_distance']:.1f}")
    return "\n".join(lines)


def _cmd_export(args: argparse.Namespace) -> int:
    from .pyserini import build_index, index_settings, pyserini_cli_args

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


def _cmd_search(args: argparse.Namespace) -> int:
    from .pyserini import search

    run = search(args.index, args.topics, args.output, k=args.k, model=args.model, threads=args.threads)
    print(f"run written to {run}")
    return 0


def _cmd_pyserini(args: argparse.Namespace) -> int:
    """Run one of Pyserini's own command-line modules after booting a suitable JVM."""
    import runpy

    from .jvm import boot_jvm
    from .pyserini import encoder_settings_of

    module = args.module if args.module.startswith("pyserini.") else f"pyserini.{args.module}"
    rest = list(args.args)
    if "--encoder" in rest[:-1]:
        encoder = Path(rest[rest.index("--encoder") + 1])
        settings = encoder_settings_of(encoder)
        if settings is not None:
            # fill in what the user left out, so Pyserini loads the model as exported (raises if it cannot)
            ours = settings.cli_args(encoder)
            for n, flag in enumerate(ours):
                if flag.startswith("--") and flag not in ("--encoder", *rest):
                    value = ours[n + 1] if n + 1 < len(ours) and not ours[n + 1].startswith("--") else None
                    rest += [flag] + ([value] if value is not None else [])
    boot_jvm()
    sys.argv = [module, *rest]
    print("running: python -m " + " ".join(sys.argv), file=sys.stderr)
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def _cmd_benchmark_files(args: argparse.Namespace) -> int:
    from .evaluator import load_eval_data
    from .pyserini import write_benchmark_files

    data = load_eval_data(args.benchmark, sorted({args.query_lang, args.pool_lang}), args.data_dir)
    files = write_benchmark_files(data, args.query_lang, args.pool_lang, args.output, limit=args.limit)
    print("\n".join(f"{name}: {path}" for name, path in files.items()))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare, format_comparisons, load_per_query

    if len(args.results) < 2:
        raise ValueError("compare needs at least two evaluation folders: the baseline first, then the others")
    measures = [m.strip() for m in args.measures.split(",")] if args.measures else None
    baseline = load_per_query(args.results[0])
    for other in args.results[1:]:
        b = load_per_query(other)
        rows = compare(baseline, b, measures, resamples=args.resamples, seed=args.seed)
        print(format_comparisons(rows, baseline.label, b.label, args.level))
    return 0


def _cmd_cache(args: argparse.Namespace) -> int:
    from .embedding_cache import cache_root, clear_cache

    if args.clear:
        folder, size = clear_cache()
        print(f"removed {folder} ({size / 2**20:.1f} MiB)")
        return 0
    folder = cache_root()
    files = [p for p in folder.rglob("*.npz")] if folder.is_dir() else []
    models = {p.parent for p in files}
    print(f"{folder}: {len(models)} model(s), {sum(p.stat().st_size for p in files) / 2**20:.1f} MiB "
          "(set HYBRID_BATCH_ST_CACHE to move it; --clear to empty it)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybrid-batch-st",
        description="Hybrid batch training for multilingual dense retrieval (sentence-transformers + Pyserini).",
    )
    parser.add_argument("--version", action="version", version=f"hybrid-batch-st {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", help="fine-tune a model with hybrid batches and save it")
    p.add_argument("--config", help="JSON file with TrainConfig keys; flags override it")
    _add_training_options(p)
    p.add_argument("--mode", choices=["monolingual", "cross-lingual", "hybrid"])
    p.add_argument("--temperature", type=float, help="T in p ~ n**(1/T) over language (pair) sizes")
    p.add_argument("--language-choice", choices=["batch", "example"])
    p.add_argument("--world-size", type=int,
                   help="processes sharing one global batch (default: the torchrun/accelerate process group's)")
    p.add_argument("--epochs", type=float)
    p.add_argument("--train-articles", type=int, help="articles used for training in sample/xquad-r (rest held out)")
    p.add_argument("--eval", help="after training: auto (default: heldout if the data has one), heldout, sample, xquad-r, mlqa-r, a SQuAD-R folder, or ''")
    p.add_argument("--measures", help="comma-separated ir-measures measures for --eval (default AP)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("demo", help="the main job: train X-X, X-Y and hybrid models, compare, export, search",
                       description="With no arguments: packaged all-MiniLM-L6-v2, bundled XQuAD-R sample (en/de/es), "
                                   "30 steps per model; evaluates on the held-out articles, exports the hybrid model "
                                   "to Pyserini and runs one query.")
    _add_training_options(p)
    p.add_argument("--eval", help="heldout (default), sample, xquad-r, mlqa-r or a SQuAD-R folder")
    p.add_argument("--query", help="the example query for Pyserini (default: the first held-out question)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("evaluate", help="score a model on every language pair (XQuAD-R, MLQA-R, ...)")
    p.add_argument("--model", required=True, help="sentence-transformers model id or path")
    p.add_argument("--benchmark", default="xquad-r", help="xquad-r, mlqa-r, sample (bundled held-out) or a SQuAD-R folder")
    p.add_argument("--data-dir", help="folder holding xquad-r/ and mlqa-r/ (default: download cache)")
    p.add_argument("--languages", type=_languages, help="comma-separated subset of the benchmark's languages")
    p.add_argument("--measures", default="AP", help="comma-separated ir-measures measures (default AP)")
    p.add_argument("--depth", type=int, default=0,
                   help="0 (default): exact, the full ranking; N: an approximation that cuts each ranking at N")
    p.add_argument("--no-cache", action="store_true",
                   help="encode every text even if the embedding cache has it (and store nothing)")
    p.add_argument("--batch-size", type=int, default=64, help="encoding batch size")
    p.add_argument("--max-seq-length", type=int, help="truncate inputs to this many tokens")
    p.add_argument("--query-prompt", help="text prepended to questions (default: the model's 'query' prompt)")
    p.add_argument("--passage-prompt", help="text prepended to sentences (default: the model's 'passage' prompt)")
    p.add_argument("--output", required=True, help="folder for results.json, results.md and heatmap.png")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("export", help="encode a JSONL corpus into a Pyserini faiss index folder (with the model)")
    p.add_argument("--model", required=True, help="sentence-transformers model folder or id")
    p.add_argument("--corpus", required=True, help='Pyserini JSONL: {"id": ..., "contents": ...} per line')
    p.add_argument("--index", required=True, help="index folder to create")
    p.add_argument("--index-type", choices=["flat", "hnsw"], default="flat", help="exact inner product or HNSW")
    p.add_argument("--hnsw-m", type=int, default=32, help="HNSW graph degree")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--overwrite", action="store_true", help="replace an existing index folder")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("search", help="search topics with Pyserini's FaissSearcher over an exported index")
    p.add_argument("--index", required=True)
    p.add_argument("--model", help="model for queries (default: the one exported with the index)")
    p.add_argument("--topics", required=True, help="TSV: qid<TAB>query per line")
    p.add_argument("--output", required=True, help="TREC run file to write")
    p.add_argument("--k", type=int, default=100, help="hits per query")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("pyserini", help="run a Pyserini command-line module (e.g. search.faiss) on a booted JVM",
                       description="Runs `python -m pyserini.MODULE ARGS` unchanged after booting a Java 21 JVM. "
                                   "For an --encoder exported by hybrid-batch-st, missing --encoder-class/--pooling/"
                                   "--l2-norm/--query-prefix are filled in from the export.")
    p.add_argument("module", help="Pyserini module, e.g. search.faiss")
    p.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    p.set_defaults(func=_cmd_pyserini)

    p = sub.add_parser("benchmark-files", help="corpus.jsonl, topics.tsv and qrels.txt for one benchmark language pair")
    p.add_argument("--benchmark", default="xquad-r", help="xquad-r, mlqa-r, sample or a SQuAD-R folder")
    p.add_argument("--data-dir")
    p.add_argument("--query-lang", required=True)
    p.add_argument("--pool-lang", required=True)
    p.add_argument("--limit", type=int, help="keep only the first N questions")
    p.add_argument("--output", required=True, help="folder to write into")
    p.set_defaults(func=_cmd_benchmark_files)

    p = sub.add_parser("compare", help="paired significance tests between evaluations (per setting and pair)",
                       description="Compare evaluation folders written by `evaluate` (or train --eval): the first "
                                   "is the baseline. Example: hybrid-batch-st compare runs/base runs/hybrid")
    p.add_argument("results", nargs="+", help="evaluation folders (or their results.json), baseline first")
    p.add_argument("--measures", help="comma-separated measures to compare (default: all both have)")
    p.add_argument("--resamples", type=int, default=2000, help="randomization test resamples (default 2000)")
    p.add_argument("--level", type=float, default=0.05, help="mark corrected p below this (default 0.05)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("cache", help="where the embedding cache is and how big; --clear empties it")
    p.add_argument("--clear", action="store_true", help="delete every cached embedding")
    p.set_defaults(func=_cmd_cache)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except (ValueError, FileNotFoundError, FileExistsError, RuntimeError, ImportError) as exc:
        print(f"hybrid-batch-st {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
