"""Dataset build cost and sampler speed on a SQuAD-sized set: 8,000 examples x 11 languages = 88,000 records.

Prints: build seconds and peak memory of MultilingualPairDataset + to_dataset(), and batches per
second of HybridBatchSampler against the stock NoDuplicatesBatchSampler on the same dataset
(ratio measured in this run). Usage: python benchmarks/sampler.py [--batches 300] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import pyarrow as pa
from sentence_transformers.base.sampler import NoDuplicatesBatchSampler

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset

LANGS = ["ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"]


def records(n_examples: int):
    for k in range(n_examples):
        for lang in LANGS:
            yield {
                "id": f"q{k}",
                "lang": lang,
                "question": f"[{lang}] what is the answer to question number {k} about topic {k % 97}?",
                "answer": f"[{lang}] sentence {k}: the answer to question {k} is written here, among other words.",
            }


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batches_per_second(sampler, n: int) -> float:
    it = iter(sampler)
    start = time.perf_counter()
    for _ in range(n):
        next(it)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=8000)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    gc.collect()
    rss_before = rss_mb()
    tracemalloc.start()
    arrow_before = pa.total_allocated_bytes()
    start = time.perf_counter()
    pairs = MultilingualPairDataset.from_records(records(args.examples))
    dataset = pairs.to_dataset()
    build_s = time.perf_counter() - start
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow_mb = (pa.total_allocated_bytes() - arrow_before) / 2**20
    print(f"records: {len(pairs):,}  pair rows: {len(dataset):,}  languages: {len(pairs.languages)}")
    print(f"build (records + to_dataset): {build_s:.2f} s")
    print(f"peak Python allocations during build: {py_peak / 2**20:.0f} MiB; Arrow buffers held: {arrow_mb:.0f} MiB")
    print(f"process peak RSS: {rss_before:.0f} MiB before build, {rss_mb():.0f} MiB after")

    start = time.perf_counter()
    hybrid = HybridBatchSampler(dataset, args.batch_size, drop_last=True, seed=0)
    hybrid_init = time.perf_counter() - start
    start = time.perf_counter()
    stock = NoDuplicatesBatchSampler(dataset, args.batch_size, drop_last=True, seed=0)
    stock_init = time.perf_counter() - start
    hybrid_bps = batches_per_second(hybrid, args.batches)
    stock_bps = batches_per_second(stock, args.batches)
    print(f"sampler set-up: HybridBatchSampler {hybrid_init:.2f} s, NoDuplicatesBatchSampler {stock_init:.2f} s")
    print(f"HybridBatchSampler:       {hybrid_bps:10.1f} batches/s  (first {args.batches} batches of {args.batch_size})")
    print(f"NoDuplicatesBatchSampler: {stock_bps:10.1f} batches/s")
    print(f"ratio hybrid / stock: {hybrid_bps / stock_bps:.1f}x")


if __name__ == "__main__":
    main()
