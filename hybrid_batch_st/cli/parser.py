"""The ``hybrid-batch-st`` argument parser. Training flags are derived from
:class:`~hybrid_batch_st.training.config.TrainConfig` (:mod:`hybrid_batch_st.training.flags`), so each option is
defined once. Imports nothing heavy."""

from __future__ import annotations

import argparse

from .. import __version__
from ..names import DEFAULT_MEASURES, HEADLINE_DIRECTION, RECIPE_LABELS, RECIPES
from ..tasks import BENCHMARK_NAMES
from ..training.config import DEMO_DEFAULTS, DEMO_RECIPES
from ..training.flags import add_config_flags

__all__ = ["build_parser"]


def _sub(sub, name: str, summary: str, description: str, examples: list[str]):
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples)
    return sub.add_parser(name, help=summary, description=description, epilog=epilog,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _overwrite(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--overwrite", action="store_true", help=f"replace an existing {what} (default: refuse)")


def _add_train(sub) -> None:
    p = _sub(sub, "train", "fine-tune a model with hybrid batches (or another --recipe) and save it",
             "Fine-tune a sentence-transformers model on parallel QA pairs with hybrid batches or the recipes users "
             "would otherwise pick (--recipe: monolingual, cross-lingual or mixed batches, stock per-pair datasets, "
             "distillation, hybrid+distillation) on the stock SentenceTransformerTrainer, save it to OUTPUT/model "
             "with its recipe in the model card, and evaluate it on every language pair. Runs unchanged under "
             "torchrun and accelerate launch.",
             ["hybrid-batch-st train --model all-MiniLM-L6-v2 --train sample --recipe hybrid --alpha 0.5 "
              "--output runs/hy",
              "hybrid-batch-st train --train mlqa-r --recipe distillation --pivot-language en --output runs/kd",
              "hybrid-batch-st train --config run.json --seed 1",
              "torchrun --nproc_per_node 2 -m hybrid_batch_st.cli train --train pairs.jsonl --output runs/ddp"])
    add_config_flags(p)
    _overwrite(p, "output folder")


def _add_mine(sub) -> None:
    p = _sub(sub, "mine", "mine hard negatives on the pivot language and store them as example ids",
             "Rank the training data's pivot-language answers for each pivot-language question with the model "
             "(sentence-transformers' mine_hard_negatives) and write, per example id, the ids of its hardest "
             "negatives; training with --negatives-file and --negatives K then gives each row the answers of "
             "those examples in the row's answer language.",
             ["hybrid-batch-st mine --train mlqa-r --model M --validation-share 0.1 --output runs/negatives.jsonl",
              "hybrid-batch-st train --train mlqa-r --validation-share 0.1 --negatives-file runs/negatives.jsonl "
              "--negatives 3"])
    add_config_flags(p, exclude=("output",))
    p.add_argument("--output", required=True, help="the negatives file to write (JSONL: id, negatives)")
    p.add_argument("--count", type=int, default=7, help="negatives per example (default: 7)")
    p.add_argument("--range-min", type=int, default=0, help="skip the N closest candidates (default: 0)")
    p.add_argument("--range-max", type=int, default=0, help="candidates per question (default: all)")
    p.add_argument("--relative-margin", type=float, default=0.0,
                   help="keep a candidate only if it scores at least this share below the positive, e.g. 0.05 "
                        "against near-duplicates (default: 0, off)")
    p.add_argument("--encode-batch-size", type=int, default=32, help="texts encoded at once (default: 32)")
    p.add_argument("--faiss", action="store_true", help="search with faiss, not exhaustive torch scores")
    _overwrite(p, "negatives file")


def _add_demo(sub) -> None:
    p = _sub(sub, "demo", "the main job: train X-X, X-Y and hybrid models, compare, export, search",
             "With no arguments: the packaged all-MiniLM-L6-v2 on the bundled XQuAD-R sample (en/de/es), "
             f"{DEMO_DEFAULTS['steps']} steps per model; evaluates the base model and the "
             f"{', '.join(RECIPE_LABELS[r] for r in DEMO_RECIPES)} models (or --recipes) on the "
             "held-out articles, tests their differences, exports the hybrid model to Pyserini and runs one query. "
             "It departs from `train`'s defaults in: "
             + ", ".join(f"{k}={v}" for k, v in DEMO_DEFAULTS.items()) + ".",
             ["hybrid-batch-st demo", "hybrid-batch-st demo --languages en,de --steps 60 --output runs/demo60",
              "hybrid-batch-st demo --recipes hybrid,mixed,distillation --output runs/demo-recipes"])
    add_config_flags(p, DEMO_DEFAULTS, exclude=("recipe",))
    p.add_argument("--recipes", default=",".join(DEMO_RECIPES),
                   help=f"comma-separated recipes to train, hybrid among them (any of {', '.join(RECIPES)}; "
                        f"default: {','.join(DEMO_RECIPES)})")
    p.add_argument("--query", help="the example query for Pyserini (default: the first held-out question)")
    _overwrite(p, "output folder")


def _benchmark_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", default="sample",
                   help=f"one of {', '.join(BENCHMARK_NAMES)} (sample: the bundled held-out articles; xquad-r and "
                        "the others are downloaded once, checked, unless --data-dir), parallel:PATH (JSONL "
                        "of id/lang/text or a folder of <lang>.txt), beir:DIR (BEIR folders per language) or a SQuAD-R "
                        "folder (default: sample)")
    p.add_argument("--data-dir", help="folder holding the benchmarks' folders (xquad-r/, mlqa-r/, tatoeba/, "
                   "flores200/, xsid/, xflickrco/; default: the download cache, filled once from the upstream "
                   "repositories)")
    p.add_argument("--split", help="the split of benchmarks that have several: flores200 dev|devtest (default "
                   "devtest), xsid test|valid (default test), beir:DIR qrels/<split>.tsv (default test)")


def _add_evaluate(sub) -> None:
    p = _sub(sub, "evaluate", "score a model on every language pair (XQuAD-R, MLQA-R, ...)",
             "Mono-, cross- and multilingual retrieval on every language pair, exact full-ranking measures by "
             "ir-measures, language bias; writes results.json, per_query.tsv.gz, results.md and heatmap.png.",
             ["hybrid-batch-st evaluate --model runs/hy/model --output runs/hy-eval",
              "hybrid-batch-st evaluate --model M --benchmark xquad-r --data-dir data --measures AP,nDCG@10 "
              "--output E"])
    p.add_argument("--model", required=True, help="sentence-transformers model id or folder")
    _benchmark_flags(p)
    p.add_argument("--languages", help="comma-separated subset of the benchmark's languages, any code form: de, deu, "
                                       "deu_Latn (default: all, or the benchmark's default set)")
    p.add_argument("--groups", help="language groups to report, e.g. 'low=yor,hau high=en,de' (default: seen / unseen "
                                    "from the model card's languages, where it records them)")
    p.add_argument("--measures", default=",".join(DEFAULT_MEASURES),
                   help=f"comma-separated ir-measures measures (default: {','.join(DEFAULT_MEASURES)})")
    p.add_argument("--depth", type=int, default=0,
                   help="0: exact, the full ranking; N: an approximation cutting each ranking at N (default: 0)")
    p.add_argument("--sample-items", type=int, metavar="N", help="a seeded sample of about N parallel items per "
                   "language, the same in every language (tatoeba, flores200, xsid, xflickrco, parallel:; "
                   "default: all)")
    p.add_argument("--no-cache", action="store_true", help="encode every text even if cached, and store nothing")
    p.add_argument("--batch-size", type=int, default=None,
                   help="texts encoded at once (default: 16 on the CPU, where it is fastest; 256 on a GPU)")
    p.add_argument("--devices", help="encode in sentence-transformers' multi-process pool, e.g. cuda:0,cuda:1 or "
                                     "cpu,cpu (default: one process)")
    p.add_argument("--max-seq-length", type=int,
                   help="truncate inputs to this many tokens, or the model's limit where lower (default: the model's)")
    p.add_argument("--query-prompt", help="text prepended to questions (default: the model's 'query' prompt)")
    p.add_argument("--passage-prompt", help="text prepended to sentences (default: the model's document prompt)")
    p.add_argument("--output", required=True, help="folder for the report")
    _overwrite(p, "report folder")


def _add_pyserini_commands(sub) -> None:
    p = _sub(sub, "export", "encode a JSONL corpus into a Pyserini faiss index folder (with the model)",
             "Writes Pyserini's faiss layout (index + docid) plus the model in encoder/, and prints the Pyserini "
             "command that searches it.",
             ["hybrid-batch-st export --model runs/hy/model --corpus corpus.jsonl --index runs/hy-index"])
    p.add_argument("--model", required=True, help="sentence-transformers model folder or id")
    p.add_argument("--corpus", required=True, help='Pyserini JSONL: {"id": ..., "contents": ...} per line')
    p.add_argument("--index", required=True, help="index folder to create")
    p.add_argument("--index-type", choices=["flat", "hnsw"], default="flat",
                   help="exact inner product or HNSW (default: flat)")
    p.add_argument("--hnsw-m", type=int, default=32, help="HNSW graph degree (default: 32)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="texts encoded at once (default: 16 on the CPU, where it is fastest; 256 on a GPU)")
    _overwrite(p, "index folder")

    p = _sub(sub, "search", "search topics with Pyserini's FaissSearcher over an exported index",
             "Encodes each topic as the exported model does and searches with Pyserini's FaissSearcher; the run "
             "is written by Pyserini's own output writer.",
             ["hybrid-batch-st search --index runs/hy-index --topics topics.tsv --output run.trec --hits 100"])
    p.add_argument("--index", required=True, help="index folder written by `export`")
    p.add_argument("--model", help="model for queries (default: the one exported with the index)")
    p.add_argument("--topics", required=True, help="TSV: qid<TAB>query per line")
    p.add_argument("--output", required=True, help="run file to write")
    p.add_argument("--hits", type=int, default=100, help="hits per query (default: 100)")
    p.add_argument("--output-format", choices=["trec", "msmarco"], default="trec", help="run format (default: trec)")
    p.add_argument("--threads", type=int, default=1, help="search threads (default: 1)")
    p.add_argument("--batch-size", type=int, default=64, help="queries per batch (default: 64)")
    _overwrite(p, "run file")

    p = _sub(sub, "pyserini", "run a Pyserini command-line module (e.g. search.faiss) on a booted JVM",
             "Runs `python -m pyserini.MODULE ARGS` unchanged after booting a Java 21 JVM. For an --encoder "
             "exported by hybrid-batch-st, missing --encoder-class/--pooling/--l2-norm/--query-prefix are filled "
             "in from the export.",
             ["hybrid-batch-st pyserini search.faiss --index IDX --encoder IDX/encoder --topics t.tsv --output r.trec"])
    p.add_argument("module", help="Pyserini module, e.g. search.faiss")
    p.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")

    p = _sub(sub, "benchmark-files", "corpus.jsonl, topics.tsv and qrels.txt for one benchmark language pair",
             "Pyserini inputs and TREC qrels for questions in one language against the sentences of another.",
             ["hybrid-batch-st benchmark-files --query-lang de --pool-lang en --output runs/de-en"])
    _benchmark_flags(p)
    p.add_argument("--query-lang", required=True, help="language of the topics")
    p.add_argument("--pool-lang", required=True, help="language of the corpus")
    p.add_argument("--limit", type=int, help="keep only the first N questions (default: all)")
    p.add_argument("--output", required=True, help="folder to write into")
    _overwrite(p, "output folder")


def _add_compare_and_cache(sub) -> None:
    p = _sub(sub, "compare", "paired significance tests between evaluations (per setting and pair)",
             "Compare evaluation folders written by `evaluate` (or train --eval): the first is the baseline. One "
             "folder per system: paired t-test and randomization test, over parallel questions per setting (one "
             "unit per question id) and over queries per pair, Benjamini-Hochberg corrected. Comma-separated "
             "folders (one per training run) per system: the training run is the unit, Welch's t on per-run means "
             "per setting with a t interval and the exact permutation p, Benjamini-Hochberg corrected; starred where "
             "the corrected p is below --level and each side has two runs or more (or one side is a single fixed "
             "model).",
             ["hybrid-batch-st compare runs/base-eval runs/hy-eval", "hybrid-batch-st compare A B C --measures AP",
              "hybrid-batch-st compare xx-s0,xx-s1,xx-s2 hy-s0,hy-s1,hy-s2"])
    p.add_argument("results", nargs="+",
                   help="evaluation folders (or their results.json), baseline first; FOLDER,FOLDER,... = one system's "
                        "runs over seeds")
    p.add_argument("--measures", help="comma-separated measures to compare (default: all both have)")
    p.add_argument("--resamples", type=int,
                   help="resamples of the randomization test between two systems (default: that of "
                        "hybrid_batch_st.evaluation.compare); runs over seeds are tested with Welch's t, not resampled")
    p.add_argument("--level", type=float, default=0.05, help="mark corrected p below this (default: 0.05)")
    p.add_argument("--seed", type=int, default=0, help="randomization seed (default: 0)")

    p = _sub(sub, "cache", "where the embedding cache is and how big; --clear empties it",
             "Embeddings are cached per model content and text ($HYBRID_BATCH_ST_EMBEDDINGS, else "
             "$HYBRID_BATCH_ST_CACHE/embeddings, default ~/.cache/hybrid_batch_st/embeddings).",
             ["hybrid-batch-st cache", "hybrid-batch-st cache --clear"])
    p.add_argument("--clear", action="store_true", help="delete every cached embedding")


def _add_results(sub) -> None:
    p = _sub(sub, "results", "tables, stars and verdicts from the run records of benchmarks/reproduce.py",
             "Read every run record under --results (one folder per direction, one sub-folder per recipe and seed) "
             "and print each direction's tables: seed means, the recipes tested with the training run as the unit "
             "(Welch's t, Benjamini-Hochberg per direction), merge weights, language groups and targets, headline "
             "direction first. --page and --verdict write the generated text between the marker lines of the "
             "results page and the README (text outside the markers is kept).",
             ["hybrid-batch-st results", "hybrid-batch-st results --page docs/results.md --verdict README.md "
              "--output benchmarks/results/README.md"])
    p.add_argument("--results", default="benchmarks/results", help="the results folder (default: %(default)s)")
    p.add_argument("--output", help="also write the tables alone to this Markdown file")
    p.add_argument("--page", help="the results page whose marker lines get the tables and generated prose")
    p.add_argument("--verdict", metavar="FILE", help="a file whose verdict markers get the verdict paragraph")
    p.add_argument("--headline", default=HEADLINE_DIRECTION, metavar="DIRECTION",
                   help="the direction of the recipe table and the verdict (default: %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    """The ``hybrid-batch-st`` argument parser: ``--version``, ``-v`` and a subparser per command.

    Returns:
        The parser; ``args.command`` names the command chosen (None without one).

    Example:
        >>> args = build_parser().parse_args(["evaluate", "--model", "M", "--output", "E"])
        >>> args.command, args.benchmark, args.measures, args.depth
        ('evaluate', 'sample', 'AP', 0)
    """
    parser = argparse.ArgumentParser(
        prog="hybrid-batch-st",
        description="Hybrid batch training for multilingual dense retrieval (sentence-transformers + Pyserini).",
        epilog="Run `hybrid-batch-st COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"hybrid-batch-st {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_demo, _add_train, _add_mine, _add_evaluate, _add_compare_and_cache, _add_results,
                _add_pyserini_commands):
        add(sub)
    return parser
