"""GPU-run options (precision, checkpoints and resume, logging, evaluation during training, loader workers)
reach the stock trainer; a run killed after a checkpoint and resumed ends with the uninterrupted run's model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sentence_transformers import SentenceTransformer

from hybrid_batch_st.cli import main
from hybrid_batch_st.training import TrainConfig
from hybrid_batch_st.training.run import training_arguments

REPO = Path(__file__).resolve().parents[2]


def test_every_run_option_reaches_the_trainer(tmp_path):
    config = TrainConfig(precision="bf16", save_steps=5, save_total_limit=3, report_to="tensorboard",
                         logging_steps=7, eval_steps=4, dataloader_num_workers=2, steps=20)
    config.validate()
    args = training_arguments(config, str(tmp_path), None, None, None, evaluate=True)
    assert args.bf16 and not args.fp16
    assert args.save_strategy == "steps" and args.save_steps == 5 and args.save_total_limit == 3
    assert args.report_to == ["tensorboard"] and args.logging_steps == 7 and args.dataloader_num_workers == 2
    assert args.eval_strategy == "steps" and args.eval_steps == 4
    plain = training_arguments(TrainConfig(), str(tmp_path), None, None, None)
    assert plain.save_strategy == "no" and plain.report_to in ([], ["none"], "none") and not plain.bf16
    assert "save_steps" not in config.recipe_options() and config.recipe_options()["precision"] == "bf16"
    assert config.checkpoint_dir == Path("runs/train-checkpoints")


def test_bad_run_options_are_one_clear_error(tmp_path, capsys):
    assert main(["train", "--precision", "fp16", "--eval", "", "--output", str(tmp_path / "a")]) == 2 \
        if not torch.cuda.is_available() else True
    if not torch.cuda.is_available():
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "precision='fp16' needs a CUDA GPU" in err[0] and "bf16" in err[0], err
    assert main(["train", "--eval-steps", "5", "--eval", "", "--output", str(tmp_path / "b")]) == 2
    assert "eval_steps=5 needs an evaluation set" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:  # argparse's own exit for a bad flag value
        main(["train", "--report-to", "none,wandb", "--output", str(tmp_path / "c")])
    assert exit_.value.code == 2 and "'none' cannot be combined" in capsys.readouterr().err


KILL_AFTER_FIRST_CHECKPOINT = """
import os, signal, sys
from sentence_transformers import SentenceTransformerTrainer
from transformers import TrainerCallback

class KillAfterSave(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # as a crash or a pre-empted node would: no clean-up at all

original = SentenceTransformerTrainer.__init__
def with_kill(self, *args, **kwargs):
    original(self, *args, **kwargs)
    self.add_callback(KillAfterSave())
SentenceTransformerTrainer.__init__ = with_kill

from hybrid_batch_st.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_run_resumes_to_the_uninterrupted_model(tiny_model_dir, tmp_path):
    common = ["train", "--model", str(tiny_model_dir), "--languages", "en,de", "--steps", "6", "--batch-size", "8",
              "--learning-rate", "1e-3", "--eval", "", "--seed", "3"]
    assert main([*common, "--output", str(tmp_path / "whole")]) == 0
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST_CHECKPOINT, *common, "--save-steps", "2",
                          "--output", str(killed)], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == -signal.SIGKILL, run.stderr[-3000:]
    checkpoints = tmp_path / "killed-checkpoints"
    assert not killed.exists() and sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-2"]
    assert main([*common, "--save-steps", "2", "--resume", "--output", str(killed)]) == 0
    assert not checkpoints.exists()  # the finished run needs them no more
    texts = ["Wer schrieb Faust?", "The tower stands in Paris.", "El río cruza la ciudad."]
    whole = SentenceTransformer(str(tmp_path / "whole" / "model"), device="cpu").encode(texts)
    resumed = SentenceTransformer(str(killed / "model"), device="cpu").encode(texts)
    assert np.abs(whole - resumed).max() < 1e-4
    saved = json.loads((killed / "train_config.json").read_text())
    assert saved["resume"] and saved["save_steps"] == 2
