"""Pyserini FaissSearcher over an exported index vs direct faiss search on the same embeddings.

Prints, for the XQuAD-R sentences of one language as corpus and its questions as queries:
- index build throughput (docs/s: encoding + faiss + files, via hybrid_batch_st.pyserini.build_index);
- queries/s of FaissSearcher.search on precomputed query vectors vs faiss IndexFlatIP.search on the same
  vectors, one query at a time (ratio): the overhead of going through Pyserini;
- queries/s end to end from text (Pyserini's query encoder + search vs sentence-transformers encode + faiss).

Usage: python benchmarks/pyserini_search.py [--lang en] [--queries 300] [--model all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from hybrid_batch_st.tasks.lareqa import load_benchmark
from hybrid_batch_st.models import DEFAULT_MODEL, load_model
from hybrid_batch_st.pyserini import build_index, get_searcher, index_settings, write_benchmark_files


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def seconds_for_each(items, fn) -> float:
    """Wall time of calling ``fn`` on every item, one at a time."""
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_data = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", default=str(default_data) if default_data.is_dir() else None)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()

    data = load_benchmark("xquad-r", [args.lang], data_dir=args.data_dir)
    work = Path(tempfile.mkdtemp(prefix="bench-pyserini-"))
    files = write_benchmark_files(data, args.lang, args.lang, work, limit=args.queries)
    n_docs = len(data[args.lang].sentences)

    start = time.perf_counter()
    index_dir = build_index(args.model, files["corpus"], work / "index", show_progress_bar=False)
    build_s = time.perf_counter() - start
    print(f"index build: {n_docs} docs in {build_s:.1f} s = {rate(n_docs, build_s):.1f} docs/s (encoding included)")

    searcher = get_searcher(index_dir)
    model = load_model(args.model)
    questions = [q.text for q in data[args.lang].questions[: args.queries]]
    vectors = model.encode_query(questions, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    direct = faiss.read_index(str(index_dir / "index"))

    pyserini_s = seconds_for_each(vectors, lambda v: searcher.search(v[None, :], k=10))
    faiss_s = seconds_for_each(vectors, lambda v: direct.search(v[None, :], 10))
    print(f"search on vectors, one at a time: FaissSearcher {rate(len(vectors), pyserini_s):,.0f} q/s, "
          f"faiss {rate(len(vectors), faiss_s):,.0f} q/s, ratio {faiss_s / pyserini_s:.2f} (Pyserini / faiss speed)")

    pyserini_text_s = seconds_for_each(questions, lambda q: searcher.search(q, k=10))
    st_text_s = seconds_for_each(
        questions, lambda q: direct.search(model.encode_query([q], normalize_embeddings=True, convert_to_numpy=True), 10))
    from pyserini.encode import AutoQueryEncoder
    from pyserini.search.faiss import FaissSearcher

    settings = index_settings(index_dir)
    stock = FaissSearcher(str(index_dir), AutoQueryEncoder(str(index_dir / "encoder"), pooling=settings.pooling,
                                                           l2_norm=settings.l2_norm, prefix=settings.prefix))
    stock_s = seconds_for_each(questions, lambda q: stock.search(q, k=10))
    print(f"search from text, one at a time: get_searcher's FaissSearcher {rate(len(questions), pyserini_text_s):.1f} q/s "
          f"({type(searcher.query_encoder).__name__}), sentence-transformers + faiss "
          f"{rate(len(questions), st_text_s):.1f} q/s, ratio {st_text_s / pyserini_text_s:.2f}; "
          f"FaissSearcher with Pyserini's stock AutoQueryEncoder {rate(len(questions), stock_s):.1f} q/s, "
          f"ratio {st_text_s / stock_s:.2f}")


if __name__ == "__main__":
    main()
