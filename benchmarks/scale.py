"""Paper-scale training data: JSONL file -> trainer-ready dataset -> constructed sampler, and batch fetch speed.

For each scale (parallel ids x languages, synthetic texts) this writes a JSONL file, the same records as
a Hugging Face ``save_to_disk`` folder and a negatives file of 7 ids per id once (not timed), then, for
each input (JSONL, HF, either with 7 hard negatives per row), in a fresh Python process so that its peak
memory is its own:
- build: ``MultilingualPairDataset.from_jsonl`` / ``from_hf`` (+ ``with_negatives``) + ``to_dataset()`` +
  ``HybridBatchSampler(...)``,
  seconds and peak RSS (the process's high-water mark, imports included; RSS after imports shown);
- fetch: batches per second of the sampler alone, and of sampler + ``dataset.__getitems__`` (what the
  trainer's DataLoader does per step: texts of the batch), over the first ``--batches`` batches (several epochs where one has fewer);
- with negatives, also the cost of negatives on the same records in the same process (the records without
  negatives, ``--batches`` more of each, in 4 alternating rounds): rates across processes move with where the
  text lands in memory, so this ratio is the one to read.

Usage: python benchmarks/scale.py [--scales 8000x11,1000000x9] [--batch-size 32] [--batches 20000]
       [--workdir runs/scale-data]
Targets (issue "Scale-out training"): 1M x 9 built in under 120 s and 4 GB; fetch no slower than at 8k x 11;
(issue "Training data where users keep it"): with 7 negatives per row, fetch at most 1.5x slower than without.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ALL_LANGS = ["ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"]
PAPER_LANGS = ["ar", "zh", "en", "de", "es", "ru", "th", "tr", "hi"]


def write_jsonl(path: Path, n_ids: int, langs: list[str]) -> None:
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for k in range(n_ids):
            f.writelines(
                f'{{"id": "q{k}", "lang": "{lang}", "question": "[{lang}] what is the answer to question number {k} '
                f'about topic {k % 97}?", "answer": "[{lang}] sentence {k}: the answer to question {k} is written '
                f'here, among other words."}}\n'
                for lang in langs
            )
    tmp.rename(path)


def write_negatives(path: Path, n_ids: int, k: int) -> None:
    """``k`` pseudo-random other ids per id, as ``hybrid-batch-st mine`` writes them."""
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for start in range(0, n_ids, 100_000):
            ids = np.arange(start, min(n_ids, start + 100_000))
            others = (ids[:, None] + 1 + (ids[:, None] * 7919 + np.arange(k) * 104729) % (n_ids - 1)) % n_ids
            f.writelines(f'{{"id": "q{i}", "negatives": [{", ".join(f"{chr(34)}q{j}{chr(34)}" for j in row)}]}}\n'
                         for i, row in zip(ids.tolist(), others.tolist()))
    tmp.rename(path)


def write_hf(path: Path, jsonl: Path) -> None:
    """The JSONL records as a ``save_to_disk`` folder (long shape)."""
    if path.exists():
        return
    import pyarrow.json as pa_json
    from datasets import Dataset

    Dataset(pa_json.read_json(jsonl)).save_to_disk(str(path.with_suffix(".tmp")))
    path.with_suffix(".tmp").rename(path)


CHILD = r"""
import json, resource, sys, time
def rss():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's RSS at fork across exec)
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
path, batch_size, n_batches, kind, negatives = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
k = 7 if negatives != "-" else 0
after_imports = rss()
start = time.perf_counter()
plain = pairs = MultilingualPairDataset.from_hf(path) if kind == "hf" else MultilingualPairDataset.from_jsonl(path)
if k:
    pairs = pairs.with_negatives(negatives)
read_s = time.perf_counter() - start
dataset = pairs.to_dataset(negatives=k)
sampler = HybridBatchSampler(dataset, batch_size, drop_last=True, seed=0)
build_s = time.perf_counter() - start
peak = rss()

def draw(sampler, n, epoch=0):
    batches = []
    while len(batches) < n:  # a small set has fewer batches per epoch than asked for
        sampler.set_epoch(epoch)
        for batch in sampler:
            batches.append(batch)
            if len(batches) == n:
                break
        epoch += 1
    return batches

def timed(sampler, dataset, n, epoch=0):
    start = time.perf_counter()
    batches = draw(sampler, n, epoch)
    sample_s = time.perf_counter() - start
    for batch in batches:
        dataset.__getitems__(batch)
    return sample_s, time.perf_counter() - start

sample_s, total_s = timed(sampler, dataset, n_batches)
result = {"records": len(pairs), "rows": len(dataset), "languages": len(pairs.languages), "read_s": read_s,
          "build_s": build_s, "rss_imports_mb": after_imports, "rss_peak_mb": peak,
          "sampler_bps": n_batches / sample_s, "fetch_bps": n_batches / total_s}
if k:  # the same records without negatives, in this process: rounds alternate, so both see the same memory
    bare = plain.to_dataset()
    bare_sampler = HybridBatchSampler(bare, batch_size, drop_last=True, seed=0)
    spent = {0: [0.0, 0.0], k: [0.0, 0.0]}
    for round in range(1, 5):
        for negs, (s, d) in ((0, (bare_sampler, bare)), (k, (sampler, dataset))):
            for i, t in enumerate(timed(s, d, n_batches // 4, epoch=round * 1000)):
                spent[negs][i] += t
    result["same_process_fetch_ratio"] = spent[k][1] / spent[0][1]
    result["same_process_sampler_ratio"] = spent[k][0] / spent[0][0]
print(json.dumps(result))
"""


def measure(path: Path, batch_size: int, batches: int, kind: str = "jsonl", negatives: Path | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(batch_size), str(batches), kind,
                           str(negatives or "-")],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="8000x11,1000000x9", help="comma-separated IDSxLANGUAGES")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--batches", type=int, default=20000)
    parser.add_argument("--workdir", default="runs/scale-data", help="where the JSONL files are written (reused)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scales.split(","):
        n_ids, n_langs = (int(x) for x in scale.lower().split("x"))
        langs = (PAPER_LANGS if n_langs <= len(PAPER_LANGS) else ALL_LANGS)[:n_langs]
        path = workdir / f"pairs-{n_ids}x{n_langs}.jsonl"
        start = time.perf_counter()
        write_jsonl(path, n_ids, langs)
        print(f"{scale}: data file {path} ({path.stat().st_size / 2**20:,.0f} MiB; "
              f"{time.perf_counter() - start:.0f} s to write or reuse)", flush=True)
        negatives, hf = workdir / f"negatives-{n_ids}x7.jsonl", workdir / f"pairs-{n_ids}x{n_langs}.hf"
        write_negatives(negatives, n_ids, 7)
        write_hf(hf, path)
        for kind, source, negs in (("JSONL", path, None), ("HF", hf, None), ("JSONL + 7 negatives", path, negatives),
                                   ("HF + 7 negatives", hf, negatives)):
            result = measure(source, args.batch_size, args.batches, "hf" if kind.startswith("HF") else "jsonl", negs)
            results.append((scale, kind, result))
            print(f"{scale} {kind}: {json.dumps({k: round(v, 2) for k, v in result.items()})}", flush=True)

    print(f"\n| ids x languages | input | records | pair rows | read | build total (+ dataset + sampler) | "
          f"RSS after imports | peak RSS | sampler batches/s | sampler + fetch batches/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale, kind, r in results:
        print(f"| {scale} | {kind} | {r['records']:,} | {r['rows']:,} | {r['read_s']:.1f} s | {r['build_s']:.1f} s | "
              f"{r['rss_imports_mb']:,.0f} MiB | {r['rss_peak_mb']:,.0f} MiB | {r['sampler_bps']:,.0f} | "
              f"{r['fetch_bps']:,.0f} |")
    by = {(scale, kind): r for scale, kind, r in results}
    scales = list(dict.fromkeys(scale for scale, _, _ in results))
    if len(scales) >= 2:
        base, big = by[scales[0], "JSONL"], by[scales[-1], "JSONL"]
        print(f"\nfetch at {scales[-1]} / at {scales[0]}: {big['fetch_bps'] / base['fetch_bps']:.2f}x "
              f"(sampler alone {big['sampler_bps'] / base['sampler_bps']:.2f}x), batch {args.batch_size}")
    for scale in scales:
        plain, negs = by[scale, "JSONL"], by[scale, "JSONL + 7 negatives"]
        print(f"{scale}: HF / JSONL build {by[scale, 'HF']['build_s'] / plain['build_s']:.2f}x, peak "
              f"{by[scale, 'HF']['rss_peak_mb'] / plain['rss_peak_mb']:.2f}x; batch fetch with 7 negatives "
              f"{plain['fetch_bps'] / negs['fetch_bps']:.2f}x slower across processes, "
              f"{negs['same_process_fetch_ratio']:.2f}x in one process on the same records (4 alternating rounds; "
              f"sampler alone {negs['same_process_sampler_ratio']:.2f}x)")


if __name__ == "__main__":
    main()
