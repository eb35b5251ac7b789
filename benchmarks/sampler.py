"""Dataset build cost and sampler speed on a SQuAD-sized set: 8,000 examples x 11 languages = 88,000 records.

Prints: build seconds and peak memory of MultilingualPairDataset + to_dataset(), and batches per
second of HybridBatchSampler (hybrid and mixed modes) against the stock NoDuplicatesBatchSampler on the
same dataset and the plugin-free stock route (``to_dataset_dict()`` under the PROPORTIONAL
multi-dataset sampler), ratios measured in this run. With ``--data-dir``, it also counts how often
NoDuplicatesBatchSampler puts two translations of one MLQA-R question in a batch: it rejects identical
strings only, so a translation is a false negative for in-batch losses.

Usage: python benchmarks/sampler.py [--batches 300] [--batch-size 32] [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import numpy as np
import pyarrow as pa
import torch
from sentence_transformers.base.sampler import DefaultBatchSampler, NoDuplicatesBatchSampler, ProportionalBatchSampler
from torch.utils.data import ConcatDataset, RandomSampler

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
from hybrid_batch_st.data.pair_index import pair_index_of

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


def stock_per_pair(pairs: MultilingualPairDataset, batch_size: int):
    """The stock trainer's sampler for ``to_dataset_dict()``: random batches per sub-dataset, PROPORTIONAL."""
    parts = list(pairs.to_dataset_dict().values())
    samplers = [DefaultBatchSampler(RandomSampler(d, generator=torch.Generator().manual_seed(0)), batch_size=batch_size,
                                    drop_last=True) for d in parts]
    return ProportionalBatchSampler(ConcatDataset(parts), samplers, generator=torch.Generator(), seed=0)


def collisions(data_dir: str, batch_size: int) -> None:
    """Batches of NoDuplicatesBatchSampler on MLQA-R's pair rows that hold one question's translations twice."""
    from hybrid_batch_st.data.sources import load_training_data

    pairs, _ = load_training_data("mlqa-r", data_dir=data_dir, train_articles=0)
    pairs = pairs.without_single_language_ids()
    dataset = pairs.to_dataset()
    example, _, _ = pair_index_of(dataset).describe(np.arange(len(dataset)))
    hit = twice = 0
    batches = list(NoDuplicatesBatchSampler(dataset, batch_size, drop_last=True, seed=0))
    for batch in batches:
        extra = len(batch) - len(set(example[batch].tolist()))
        hit += extra > 0
        twice += extra
    print(f"MLQA-R ({len(pairs):,} records, {len(dataset):,} pair rows), NoDuplicatesBatchSampler, batches of "
          f"{batch_size}: {hit} of {len(batches)} batches ({hit / len(batches):.1%}) hold a question's translations "
          f"twice; {twice / len(batches):.2f} such rows per batch (HybridBatchSampler, every mode: 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=8000)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data-dir", help="folder holding mlqa-r/: count NoDuplicatesBatchSampler's translation collisions")
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
    mixed = HybridBatchSampler(dataset, args.batch_size, drop_last=True, seed=0, mode="mixed")
    start = time.perf_counter()
    per_pair = stock_per_pair(pairs, args.batch_size)
    per_pair_init = time.perf_counter() - start
    hybrid_bps = batches_per_second(hybrid, args.batches)
    mixed_bps = batches_per_second(mixed, args.batches)
    stock_bps = batches_per_second(stock, args.batches)
    per_pair_bps = batches_per_second(per_pair, args.batches)
    print(f"sampler set-up: HybridBatchSampler {hybrid_init:.2f} s, NoDuplicatesBatchSampler {stock_init:.2f} s, "
          f"stock per-pair (to_dataset_dict + PROPORTIONAL) {per_pair_init:.2f} s")
    print(f"HybridBatchSampler:       {hybrid_bps:10.1f} batches/s  (first {args.batches} batches of {args.batch_size})")
    print(f"  mode='mixed':           {mixed_bps:10.1f} batches/s")
    print(f"NoDuplicatesBatchSampler: {stock_bps:10.1f} batches/s")
    print(f"stock per-pair route:     {per_pair_bps:10.1f} batches/s")
    print(f"ratio hybrid / stock: {hybrid_bps / stock_bps:.1f}x; mixed / stock: {mixed_bps / stock_bps:.1f}x; "
          f"per-pair / stock: {per_pair_bps / stock_bps:.1f}x")
    if args.data_dir:
        collisions(args.data_dir, args.batch_size)


if __name__ == "__main__":
    main()
