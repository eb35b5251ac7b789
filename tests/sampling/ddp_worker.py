"""Runs the real trainer under ``torchrun`` and records, per rank and step, the rows its loss received.

Used by tests/sampling/test_distributed.py: ``torchrun --nproc_per_node 2 tests/sampling/ddp_worker.py SPEC.json``.
The spec names the model folder, the JSONL pairs, the output folder and a list of runs; each run
writes ``<out>/<name>.rank<k>.json``: a list of steps, each a list of ``[id, query_lang, answer_lang]``
(followed, with hard negatives, by ``"lang:id"`` of each negative).
Texts are ``"<lang> question <id> ..."`` / ``"<lang> answer <id> ..."``, so a row names itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments  # noqa: E402
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss  # noqa: E402

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset  # noqa: E402
from hybrid_batch_st.sampling.distributed import close_process_group  # noqa: E402


class RecordingCollator:
    """The trainer's own collator, noting which (id, query language, answer language) rows each call got."""

    def __init__(self, inner):
        self.inner, self.steps = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, features):
        rows = []
        for f in features:
            q_lang, _, q_id = f["anchor"].split()[:3]
            a_lang, _, a_id = f["positive"].split()[:3]
            assert q_id == a_id, (f["anchor"], f["positive"])
            negatives = [f[k].split() for k in sorted(f) if k.startswith("negative_")]
            rows.append([q_id, q_lang, a_lang] + [f"{n[0]}:{n[2]}" for n in negatives])  # lang:id of each
        self.steps.append(rows)
        return self.inner(features)


def run(spec: dict, options: dict) -> None:
    rank = int(os.environ.get("RANK", 0))
    out = Path(spec["out"])
    model = SentenceTransformer(spec["model"], device="cpu")
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out / options.get("output", options["name"])),
        per_device_train_batch_size=options.get("batch_size", 4),
        max_steps=options["steps"],
        learning_rate=1e-4,
        **({"multi_dataset_batch_sampler": "proportional"} if options.get("per_pair")
           else {"batch_sampler": HybridBatchSampler.configure(**options.get("sampler", {}))}),
        save_strategy="steps" if options.get("save_steps") else "no",
        save_steps=options.get("save_steps") or 500,
        logging_steps=1,
        report_to="none",
        seed=0,
        use_cpu=True,
        disable_tqdm=True,
    )
    pairs = MultilingualPairDataset.from_jsonl(spec["data"])
    if options.get("negatives"):
        pairs = pairs.with_negatives(spec["negatives"])
    loss = MultipleNegativesRankingLoss(model, gather_across_devices=options.get("gather", True))
    k = options.get("negatives", 0)
    data = pairs.to_dataset_dict(k) if options.get("per_pair") else pairs.to_dataset(k)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data, loss=loss)
    recorder = trainer.data_collator = RecordingCollator(trainer.data_collator)
    resume = options.get("resume")
    trainer.train(resume_from_checkpoint=str(out / resume) if resume else None)
    # the loader reads one batch ahead: keep the batches of the steps this run trained
    trained = trainer.state.global_step - (int(resume.rsplit("-", 1)[1]) if resume else 0)
    record = {"steps": recorder.steps[:trained], "steps_per_epoch": len(trainer.get_train_dataloader())}
    (out / f"{options['name']}.rank{rank}.json").write_text(json.dumps(record))


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    only = set(sys.argv[2:])
    for options in spec["runs"]:
        if not only or options["name"] in only:
            run(spec, options)
    close_process_group()
