"""Hybrid batch training of XLM-R or LaBSE on your own parallel QA data (the paper's set-up).

The paper fine-tunes XLM-R (base) or LaBSE with MultipleNegativesRankingLoss on batches that are
monolingual with probability alpha and cross-lingual otherwise. `xlm-roberta-base` and
`sentence-transformers/LaBSE` come from the Hugging Face Hub (needs internet); pass a local model
folder with --model to run offline, e.g. the packaged all-MiniLM-L6-v2:

    python examples/train_hybrid.py --model all-MiniLM-L6-v2 --steps 20
    python examples/train_hybrid.py --model xlm-roberta-base --pairs my_pairs.jsonl --batch-size 32 --epochs 1

On several GPUs (or CPU processes), unchanged: every step's global batch (all devices together)
is one hybrid batch, also with MultipleNegativesRankingLoss(gather_across_devices=True):

    torchrun --nproc_per_node 4 examples/train_hybrid.py --model xlm-roberta-base --pairs my_pairs.jsonl
    accelerate launch --num_processes 4 examples/train_hybrid.py --model xlm-roberta-base --pairs my_pairs.jsonl

--pairs is a JSONL file of {"id", "lang", "question", "answer"} records (the same id in several
languages = one parallel example); without it the bundled XQuAD-R sample (en/de/es) is used.
The held-out articles of the bundled sample are evaluated during training.
"""

import argparse

import torch

from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
from hybrid_batch_st import MultilingualRetrievalEvaluator
from hybrid_batch_st.models import resolve_model
from hybrid_batch_st.tasks.sample import sample_split
from hybrid_batch_st.training.option_values import parse_alpha

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--model", default="xlm-roberta-base", help="hub id (needs internet) or local folder")
parser.add_argument("--pairs", help="JSONL training pairs (default: bundled XQuAD-R sample)")
parser.add_argument("--alpha", default=0.5, type=parse_alpha, help="monolingual share, or 'size'")
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--steps", type=int, default=-1, help="max steps (-1: --epochs)")
parser.add_argument("--epochs", type=float, default=1.0)
parser.add_argument("--output", default="runs/example-train")
args = parser.parse_args()

train_part, held_out = sample_split()
pairs = (MultilingualPairDataset.from_jsonl(args.pairs) if args.pairs
         else MultilingualPairDataset.from_squad_r_languages(train_part))
pairs = pairs.without_single_language_ids()  # cross-lingual batches need >= 2 languages per example

model = SentenceTransformer(resolve_model(args.model))  # a plain encoder gets mean pooling
model.max_seq_length = 128
training_args = SentenceTransformerTrainingArguments(
    output_dir=args.output,
    per_device_train_batch_size=args.batch_size,
    num_train_epochs=args.epochs,
    max_steps=args.steps,
    learning_rate=2e-5,
    warmup_steps=0.1,
    batch_sampler=HybridBatchSampler.configure(mode="hybrid", alpha=args.alpha),
    eval_strategy="steps" if args.steps > 0 else "epoch",
    eval_steps=max(1, args.steps) if args.steps > 0 else None,
    save_strategy="no",
    report_to="none",
    use_cpu=not torch.cuda.is_available(),  # lets torchrun on a CPU-only machine run distributed (gloo)
)
evaluator = MultilingualRetrievalEvaluator(held_out, measures=["AP", "nDCG@10"], name="heldout")
trainer = SentenceTransformerTrainer(
    model=model, args=training_args, train_dataset=pairs.to_dataset(),
    loss=MultipleNegativesRankingLoss(model, gather_across_devices=True), evaluator=evaluator,
)
trainer.train()
if trainer.is_world_process_zero():  # under torchrun / accelerate launch every process trains; one saves
    model.save(f"{args.output}/model")
    print({k: round(v, 4) for k, v in evaluator(model).items()})
    print(f"model saved to {args.output}/model")
if torch.distributed.is_initialized():  # under torchrun: or gloo's threads may abort the finished process at exit
    torch.distributed.destroy_process_group()
