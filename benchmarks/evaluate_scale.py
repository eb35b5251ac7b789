"""Exact ranks on large pools: time and peak memory of the evaluation's search + score against faiss.

For pools of 10k, 100k and 1M synthetic documents (384-d, normalised; 1,000 queries, one relevant
document each), each measurement runs in a fresh process (so its peak RSS is its own) and prints:

- ours: ``relevant_ranks`` (exact rank of every relevant document, blocks of queries sized by
  ``SCORE_BUDGET``, and never more bytes than the pool) + AP and RR@10 from those ranks, in seconds, and the process's peak RSS;
- faiss: ``IndexFlatIP`` top-100 search of the same matrices (what a top-k evaluation would run);
- the ratio of our time to faiss's (targets: at most 1.5x) and our peak RSS over the pool's bytes
  (target: at most 2x).

    python benchmarks/evaluate_scale.py [--sizes 10000,100000,1000000] [--queries 1000] [--repeats 3]

Run it on an idle machine (``uptime``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

DIM = 384


def _data(size: int, queries: int):
    rng = np.random.default_rng(0)
    pool = rng.standard_normal((size, DIM), dtype=np.float32)
    for start in range(0, size, 100_000):  # in chunks: a whole-pool temporary would double the peak
        chunk = pool[start : start + 100_000]
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
    relevant = rng.integers(0, size, queries)
    noisy = pool[relevant] + 0.8 * rng.standard_normal((queries, DIM), dtype=np.float32) / np.sqrt(DIM)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return pool, noisy.astype(np.float32), [np.array([r]) for r in relevant]


def _measure(kind: str, size: int, queries: int) -> dict:
    import faiss
    import ir_measures

    from hybrid_batch_st.evaluation.ranking import native_values, relevant_ranks

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # interpreter + libraries
    pool, q, relevant = _data(size, queries)
    names = np.array([f"d{i}" for i in range(size)], dtype=object)  # a task's document ids: data, not work
    start = time.perf_counter()
    if kind == "ours":
        ranks = relevant_ranks(q, pool, relevant, names)
        values = [native_values(ir_measures.parse_measure(m), ranks).mean() for m in ("AP", "RR@10")]
    else:
        index = faiss.IndexFlatIP(DIM)
        index.add(pool)
        _, found = index.search(q, 100)
        values = [float(np.mean([r[0] in f for r, f in zip(relevant, found)]))]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "baseline_rss": baseline, "pool_bytes": pool.nbytes, "values": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement; the median time is shown")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)  # a worker process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.one[0], int(args.one[1]), args.queries)))
        return
    print("| pool | ours: search + score s | faiss top-100 s | ours / faiss | ours peak RSS GB | of which libraries GB "
          "| pool GB | peak / pool | (peak - libraries) / pool |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        got = {}
        for kind in ("ours", "faiss"):
            runs = []
            for _ in range(args.repeats):  # alternating would be fairer still; a fresh process each time
                done = subprocess.run([sys.executable, __file__, "--one", kind, str(size), "--queries",
                                       str(args.queries)], capture_output=True, text=True, check=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            got[kind] = dict(max(runs, key=lambda r: r["peak_rss"]), seconds=statistics.median(r["seconds"] for r in runs))
        ours, faiss_ = got["ours"], got["faiss"]
        print(f"| {size:,} | {ours['seconds']:.2f} | {faiss_['seconds']:.2f} | {ours['seconds'] / faiss_['seconds']:.2f} | "
              f"{ours['peak_rss'] / 1e9:.2f} | {ours['baseline_rss'] / 1e9:.2f} | {ours['pool_bytes'] / 1e9:.2f} | "
              f"{ours['peak_rss'] / ours['pool_bytes']:.2f} | "
              f"{(ours['peak_rss'] - ours['baseline_rss']) / ours['pool_bytes']:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
