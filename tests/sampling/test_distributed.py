"""The real trainer under ``torchrun`` (gloo, CPU): every global batch follows the method, resume is exact.

A global batch is the union of the per-rank batches of one step: what a loss with
``gather_across_devices=True`` sees. tests/sampling/ddp_worker.py records the rows each rank's loss got.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("ddp_worker.py")
LANGS = ["en", "de", "es"]
# 47 examples in 3 languages + 1 in 2: 143 records; 2 ranks x 4 rows = global batches of 8: 17 steps per
# epoch (sentence-transformers sets dataloader_drop_last=True under DDP; the sampler's own handling of a
# last, smaller global batch is tested in test_sampler.py with accelerate's BatchSamplerShard).
STEPS_PER_EPOCH = 17
HYBRID = {"mode": "hybrid", "alpha": 0.5}
RUNS = [
    {"name": "hybrid", "sampler": HYBRID, "steps": 40, "save_steps": 25},
    {"name": "cross-per-example", "sampler": {"mode": "cross-lingual", "language_choice": "example"},
     "gather": False, "steps": STEPS_PER_EPOCH},
    {"name": "monolingual", "sampler": {"mode": "monolingual"}, "steps": 20},
    {"name": "mixed", "sampler": {"mode": "mixed"}, "steps": STEPS_PER_EPOCH},
]
# the plugin-free route: one dataset per language pair, the stock samplers (PROPORTIONAL), gathered negatives
STOCK = {"name": "stock-per-pair", "per_pair": True, "steps": 12}
# hard negatives (2 listed per example, 1 per row): in the answer's language, never an example of the global batch
NEGATIVES = {"name": "hybrid-negatives", "sampler": HYBRID, "negatives": 1, "steps": STEPS_PER_EPOCH}
# step 25 is in the second epoch (steps 18-34), where a resumed run used to replay the first
RESUMED = {"name": "hybrid-resumed", "output": "hybrid-resumed", "sampler": HYBRID, "steps": 40,
           "resume": "hybrid/checkpoint-25"}
# one process: batches of 4, 35 steps per epoch (torchrun makes it DDP, so drop_last); step 45 is in the second
ONE_PROCESS = {"name": "hybrid-1proc", "sampler": HYBRID, "steps": 50, "save_steps": 45}
ONE_PROCESS_RESUMED = {"name": "hybrid-1proc-resumed", "output": "hybrid-1proc-resumed", "sampler": HYBRID,
                       "steps": 50, "resume": "hybrid-1proc/checkpoint-45"}


def write_pairs(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for k in range(48):
            for lang in LANGS if k < 47 else LANGS[:2]:
                f.write(json.dumps({"id": str(k), "lang": lang, "question": f"{lang} question {k} on topic {k % 7}",
                                    "answer": f"{lang} answer {k} is this one"}) + "\n")


def torchrun(nproc: int, spec: Path, *names: str) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           str(WORKER), str(spec), *names]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode != 0:
        # the cause (a Python traceback or a C++ "terminate called ...") sits amid the warnings of both ranks
        causes = [line for line in done.stderr.splitlines()
                  if any(mark in line for mark in ("Error", "error:", "terminate", "what()", "Traceback", "Abort"))]
        (spec.parent / f"torchrun-{'-'.join(names)}.stderr").write_text(done.stderr)
        pytest.fail(f"torchrun {' '.join(names)} exited {done.returncode}; lines naming the cause:\n"
                    + "\n".join(causes[:40]) + "\n--- stderr tail ---\n" + done.stderr[-4000:])


def load(out: Path, name: str, nproc: int = 2) -> tuple[list[list[list[list[str]]]], list[int]]:
    """Per rank: its steps (each a list of [id, query_lang, answer_lang]) and its steps per epoch."""
    records = [json.loads((out / f"{name}.rank{r}.json").read_text()) for r in range(nproc)]
    return [r["steps"] for r in records], [r["steps_per_epoch"] for r in records]


@pytest.fixture(scope="module")
def ddp_out(tiny_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    write_pairs(out / "pairs.jsonl")
    spec = out / "spec.json"
    (out / "negatives.jsonl").write_text("".join(
        json.dumps({"id": str(k), "negatives": [str((k + 5) % 48), str((k + 11) % 48)]}) + "\n" for k in range(48)))
    spec.write_text(json.dumps({"model": str(tiny_model_dir), "data": str(out / "pairs.jsonl"), "out": str(out),
                                "negatives": str(out / "negatives.jsonl"),
                                "runs": RUNS + [STOCK, NEGATIVES, RESUMED, ONE_PROCESS, ONE_PROCESS_RESUMED]}))
    torchrun(2, spec, *(run["name"] for run in RUNS), STOCK["name"], NEGATIVES["name"])
    torchrun(2, spec, RESUMED["name"])  # a new launch, as after an interruption
    torchrun(1, spec, ONE_PROCESS["name"])
    torchrun(1, spec, ONE_PROCESS_RESUMED["name"])
    return out


def global_batches(ranks: list[list[list[list[str]]]]) -> list[list[list[list[str]]]]:
    assert len({len(steps) for steps in ranks}) == 1, "ranks ran different numbers of steps"
    return [list(step) for step in zip(*ranks)]


@pytest.mark.parametrize("run", RUNS, ids=[r["name"] for r in RUNS])
def test_every_global_batch_is_one_batch_of_the_method(ddp_out, run):
    ranks, steps_per_epoch = load(ddp_out, run["name"])
    assert steps_per_epoch == [STEPS_PER_EPOCH, STEPS_PER_EPOCH]
    mode = run["sampler"]["mode"]
    kinds = set()
    for step, slices in enumerate(global_batches(ranks)):
        assert len({len(s) for s in slices}) == 1, f"step {step}: unequal slices {[len(s) for s in slices]}"
        rows = [row for s in slices for row in s]
        ids = [r[0] for r in rows]
        assert len(set(ids)) == len(ids), f"step {step}: an example twice in the global batch: {rows}"
        mono = {r[1] == r[2] for r in rows}
        if mode == "mixed":
            kinds.add("mixed" if len(mono) == 2 else "one kind")
            continue
        assert len(mono) == 1, f"step {step}: monolingual and cross-lingual rows in one global batch: {rows}"
        kinds |= mono
        if run["sampler"].get("language_choice", "batch") == "batch":
            assert len({(r[1], r[2]) for r in rows}) == 1, f"step {step}: several language pairs: {rows}"
        assert len(rows) == 8
    if mode == "mixed":
        assert "mixed" in kinds
        return
    assert kinds == {"monolingual": {True}, "cross-lingual": {False}, "hybrid": {True, False}}[mode]


def test_hard_negatives_follow_the_answer_language_and_stay_out_of_the_global_batch(ddp_out):
    ranks, _ = load(ddp_out, NEGATIVES["name"])
    batches = global_batches(ranks)
    assert len(batches) == NEGATIVES["steps"]
    for step, slices in enumerate(batches):
        rows = [row for s in slices for row in s]
        ids = {r[0] for r in rows}
        for example, _, answer_lang, negative in rows:
            lang, negative_id = negative.split(":")
            assert lang == answer_lang, f"step {step}: a negative in {lang} for an answer in {answer_lang}"
            assert negative_id in {str((int(example) + 5) % 48), str((int(example) + 11) % 48)}
            assert negative_id not in ids, f"step {step}: negative {negative_id} is also a positive: {rows}"


def test_stock_per_pair_global_batches_mix_language_pairs(ddp_out):
    """What the plugin-free route gives under DDP: each rank a whole batch of one sub-dataset, so a
    global batch (what gathered negatives see) often holds two language pairs, and a parallel example
    can sit twice in it (two translations: false negatives)."""
    ranks, _ = load(ddp_out, STOCK["name"])
    batches = global_batches(ranks)
    assert len(batches) == STOCK["steps"]
    for slices in batches:
        assert all(len({(r[1], r[2]) for r in s}) == 1 for s in slices)  # a rank's batch: one sub-dataset
    pure = sum(len({(r[1], r[2]) for s in slices for r in s}) == 1 for slices in batches)
    twice = sum(len({r[0] for s in slices for r in s}) < 8 for slices in batches)
    (ddp_out / "stock-per-pair.purity.txt").write_text(f"{pure}/{len(batches)} pure, {twice} with an id twice\n")
    assert pure < len(batches) / 2, f"{pure} of {len(batches)} global batches held one language pair"


def test_resume_from_a_mid_epoch_checkpoint_replays_the_uninterrupted_batches(ddp_out):
    full, _ = load(ddp_out, "hybrid")
    resumed, _ = load(ddp_out, "hybrid-resumed")
    for rank in range(2):
        assert len(full[rank]) == 40 and len(resumed[rank]) == 15
        assert resumed[rank] == full[rank][25:], f"rank {rank}: the resumed run saw other batches"
        # the second epoch differs from the first, so replaying the first would be caught
        assert full[rank][25:34] != full[rank][25 - STEPS_PER_EPOCH : 34 - STEPS_PER_EPOCH]
    (full,), (steps_per_epoch,) = load(ddp_out, "hybrid-1proc", nproc=1)
    (resumed,), _ = load(ddp_out, "hybrid-1proc-resumed", nproc=1)
    assert steps_per_epoch == 35 and len(full) == 50
    assert resumed == full[45:] and full[45:] != full[45 - 35 : 50 - 35]
