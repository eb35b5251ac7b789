"""CPU cost of a training recipe, to check a recipe against a time budget before running it.

Each recipe is trained twice, for ``--short`` and ``--long`` steps, on this machine; the difference
gives seconds per step without the start-up (loading data and model, saving), and the projection is
start-up + steps x seconds per step. The first recipe is the baseline; every other one is also shown
as a ratio to it, measured in the same run. Run it on an idle machine (``uptime``). A step's cost
follows the longest text in its batch, so a few steps are a small sample: where the projection decides
a budget, use a larger ``--long`` (a full batch-100 run on MLQA-R went at 17.3 s per step where 4 and
12 steps projected 12.5).

    python benchmarks/recipe_cost.py --model ../shared/models/me5-small-xr --data-dir ../shared/data \\
        --recipe "batch32:--batch-size 32 --steps 150" \\
        --recipe "batch100:--loss cached-mnrl --batch-size 100 --mini-batch-size 50 --steps 120"
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import tempfile
import time

from hybrid_batch_st.training.flags import add_config_flags, config_overrides
from hybrid_batch_st.training.config import TrainConfig
from hybrid_batch_st.training import train

DEFAULTS = {"train": "mlqa-r", "recipe": "hybrid", "freeze_embeddings": True, "train_articles": 0, "eval": ""}


def _minutes(config: TrainConfig, steps: int) -> float:
    with tempfile.TemporaryDirectory(prefix="recipe-cost-") as out:
        start = time.perf_counter()
        train(dataclasses.replace(config, steps=steps, output=out), overwrite=True)
        return (time.perf_counter() - start) / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="sentence-transformers model id or folder")
    parser.add_argument("--data-dir", help="folder holding xquad-r/ and mlqa-r/")
    parser.add_argument("--recipe", action="append", required=True, metavar="NAME:FLAGS",
                        help="a name and training flags (as reproduce.py takes them); the first is the baseline")
    parser.add_argument("--short", type=int, default=4, help="steps of the short run (default: 4)")
    parser.add_argument("--long", type=int, default=12, help="steps of the long run (default: 12)")
    args = parser.parse_args()
    if not 0 < args.short < args.long:
        parser.error(f"--short {args.short} and --long {args.long}: need 0 < short < long")
    rows = []
    for spec in args.recipe:
        name, _, flags = spec.partition(":")
        flag_parser = argparse.ArgumentParser(prog=f"--recipe {name}")
        add_config_flags(flag_parser, DEFAULTS)
        overrides = config_overrides(flag_parser.parse_args(shlex.split(flags)))
        config = TrainConfig.from_dict({"model": args.model, "data_dir": args.data_dir} | overrides,
                                       source=f"--recipe {name}", defaults=DEFAULTS)
        short, long = _minutes(config, args.short), _minutes(config, args.long)
        # timing noise can make the longer run the faster one: a cost is never below 0
        per_step = max(0.0, (long - short) / (args.long - args.short))
        startup = max(0.0, short - args.short * per_step)
        rows.append((name, config, per_step, startup + config.steps * per_step))
        print(f"{name}: {per_step * 60:.2f} s/step, start-up {startup * 60:.0f} s", flush=True)
    base = rows[0]
    print("\n| recipe | rows per step | s / step | steps | projected training min | x baseline |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, config, per_step, total in rows:
        ratio = f"{total / base[3]:.2f}" if base[3] > 0 else "-"
        print(f"| {name} | {config.batch_size} | {per_step * 60:.2f} | {config.steps} | {total:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
