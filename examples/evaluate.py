"""Score a model on every language pair of XQuAD-R, MLQA-R or the bundled held-out sample.

    python examples/evaluate.py                                  # packaged all-MiniLM-L6-v2, bundled sample
    python examples/evaluate.py --model runs/demo/hybrid/model --benchmark xquad-r --data-dir ../shared/data

Benchmarks without --data-dir are downloaded once from the LAReQA repository (needs internet).
"""

import argparse

from hybrid_batch_st.evaluation import evaluate
from hybrid_batch_st.data.sources import load_eval_data
from hybrid_batch_st.models import load_model
from hybrid_batch_st.evaluation.report import write_report

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--model", default="all-MiniLM-L6-v2")
parser.add_argument("--benchmark", default="sample", help="sample, xquad-r, mlqa-r or a SQuAD-R folder")
parser.add_argument("--data-dir")
parser.add_argument("--languages", help="comma-separated, e.g. en,de,es")
parser.add_argument("--output", default="runs/example-evaluate")
args = parser.parse_args()

data = load_eval_data(args.benchmark, args.languages.split(",") if args.languages else None, args.data_dir)
result = evaluate(load_model(args.model), data, ["AP", "nDCG@10", "R@100"], benchmark=args.benchmark,
                  model_name=args.model)
for setting, values in result.macro.items():
    print(f"{setting:<14}", "  ".join(f"{m} {v:.4f}" for m, v in values.items()))
print(f"rank distance {result.language_bias['rank_distance']:.1f}; "
      f"same-language top-1 {result.language_bias['same_language_top1']}")
print(f"report: {write_report(result, args.output)}")
