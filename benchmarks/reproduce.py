"""The paper's comparison, zero-shot: hybrid batches against X-X, X-Y and the other recipes
(``--recipes``: mixed batches, stock per-pair datasets, distillation, hybrid+distillation), over
seeds, with significance; every model also on the benchmarks of ``--also``. The command line of
:func:`hybrid_batch_st.experiments.reproduce.reproduce`.

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
of ``hybrid_batch_st.experiments.runs.ALSO``, sized so that one model's whole evaluation fits in 15
minutes on a 2-core CPU; each record names its ``sample_items``). It resumes: a model whose
``results.json`` exists is not trained or evaluated again (with ``--also`` benchmarks it lacks, or has on
another sample, it is retrained, or reused, with the merge weight recorded there, and scored on those only), a
trained model in ``<work>`` is reused, and embeddings come from the embedding cache. The tables (mean +- sd
over seeds, significance) are printed by ``hybrid-batch-st results`` (or ``benchmarks/results_table.py``).

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

from hybrid_batch_st.experiments.reproduce import reproduce
from hybrid_batch_st.experiments.runs import ALSO
from hybrid_batch_st.names import RECIPES
from hybrid_batch_st.training import TrainConfig
from hybrid_batch_st.training.config import DEMO_RECIPES
from hybrid_batch_st.training.flags import add_config_flags, config_overrides

#: where this script departs from TrainConfig's defaults
DEFAULTS = {"eval": "", "train_articles": 0, "validation_share": 0.1, "output": "runs/reproduce"}


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


def main() -> None:
    args = _parser().parse_args()
    if args.config:
        base_config = TrainConfig.from_file(args.config, DEFAULTS, **config_overrides(args))
    else:
        base_config = TrainConfig.from_dict(config_overrides(args), source="flags", defaults=DEFAULTS)
    try:
        reproduce(base_config, args.directions.split(","), [int(s) for s in args.seeds.split(",")], args.recipes,
                  [float(w) for w in args.merge_weights.split(",")], args.results, args.also, args.unmerged,
                  args.validation_only, args.base_only)
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None


if __name__ == "__main__":
    main()
