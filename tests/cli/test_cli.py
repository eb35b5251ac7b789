"""The command line as a user meets it: help, one overwrite rule, modes of what it writes, the recipe
in the model card, one-line errors (offline hub ids, Ctrl-C) worded for the command line."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hybrid_batch_st.cli import main

COMMANDS = ["demo", "train", "evaluate", "compare", "cache", "export", "search", "pyserini", "benchmark-files"]


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hybrid_batch_st.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=600)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_a_description_defaults_and_examples(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one help line per option
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and f"hybrid-batch-st {command}" in text.split("examples:")[1]
    if command not in ("pyserini", "compare", "cache"):
        assert "(default: " in text
    if command in ("train", "demo"):  # every TrainConfig option is a flag, defaults shown
        for flag in ("--language-weights", "--freeze-embeddings", "--max-seq-length", "--warmup-ratio"):
            assert flag in text
    if command == "demo":
        assert "learning_rate=5e-05" in text and "(default: 5e-05)" in text


def test_help_does_not_import_torch():
    out = subprocess.run([sys.executable, "-c", "import sys; from hybrid_batch_st.cli import main\n"
                          "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                          "print('torch' in sys.modules)"], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("False")


def test_train_writes_recipe_card_with_umask_and_refuses_to_overwrite(tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--model", str(tiny_model_dir), "--languages", "en,de", "--steps", "2", "--batch-size", "8",
            "--alpha", "0.3", "--language-weights", "en=1,de=0.5", "--freeze-embeddings", "--warmup-ratio", "0.2",
            "--output", str(out)]
    old = os.umask(0o022)
    try:
        assert main(args) == 0
    finally:
        os.umask(old)
    assert sorted(p.name for p in out.iterdir()) == ["eval_heldout", "model", "train_config.json"]  # no checkpoints/
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    card = (out / "model" / "README.md").read_text(encoding="utf-8")
    for line in ("`hybrid_batch_st.recipe`: hybrid", "`hybrid_batch_st.alpha`: 0.3", "`hybrid_batch_st.temperature`: 1.0",
                 "`hybrid_batch_st.language_weights`: {'en': 1.0, 'de': 0.5}", "hybrid_batch_st.freeze_embeddings`: True",
                 "hybrid-batch-st", "recipe-hybrid"):
        assert line in card, line
    assert "base_model: st" in card and "- de" in card  # the base model and the languages, not "Unknown"
    saved = json.loads((out / "train_config.json").read_text())
    assert saved["language_weights"] == {"en": 1.0, "de": 0.5} and saved["warmup_ratio"] == 0.2

    before = (out / "train_config.json").stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == f"hybrid-batch-st train: error: {out} already exists; choose another path or pass --overwrite"
    assert (out / "train_config.json").stat().st_mtime_ns == before
    assert main([*args, "--seed", "1", "--overwrite"]) == 0
    assert json.loads((out / "train_config.json").read_text())["seed"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def test_evaluate_export_search_share_the_overwrite_rule_and_pyserini_flags(tiny_model_dir, tmp_path, capsys):
    report = tmp_path / "report"
    base = ["evaluate", "--model", str(tiny_model_dir), "--languages", "en", "--output", str(report)]
    assert main(base) == 0
    assert main(base) == 2 and "pass --overwrite" in capsys.readouterr().err
    assert main([*base, "--overwrite"]) == 0
    par = tmp_path / "par"
    par.mkdir()
    for lang in ("en", "de"):
        (par / f"{lang}.txt").write_text("".join(f"{lang} line {n}\n" for n in range(12)), encoding="utf-8")
    assert main(["evaluate", "--model", str(tiny_model_dir), "--benchmark", f"parallel:{par}", "--sample-items", "4",
                 "--output", str(tmp_path / "sampled")]) == 0
    pairs = json.loads((tmp_path / "sampled" / "results.json").read_text())["pairs"]
    assert sorted(p["n_queries"] for p in pairs) == [4] * len(pairs)  # 4 of 12 items, in both languages
    files = tmp_path / "files"
    assert main(["benchmark-files", "--query-lang", "en", "--pool-lang", "en", "--limit", "5",
                 "--output", str(files)]) == 0
    index = tmp_path / "index"
    assert main(["export", "--model", str(tiny_model_dir), "--corpus", str(files / "corpus.jsonl"),
                 "--index", str(index)]) == 0
    run = tmp_path / "run.trec"
    search = ["search", "--index", str(index), "--topics", str(files / "topics.tsv"), "--output", str(run)]
    assert main([*search, "--hits", "3"]) == 0
    lines = run.read_text().splitlines()
    assert len(lines) == 15 and lines[0].split()[1] == "Q0" and lines[0].split()[3] == "1"
    assert main([*search, "--hits", "4"]) == 2 and "pass --overwrite" in capsys.readouterr().err
    assert main([*search, "--hits", "4", "--overwrite", "--output-format", "msmarco"]) == 0
    assert len(run.read_text().splitlines()) == 20 and len(run.read_text().split("\n")[0].split("\t")) == 3
    assert stat.S_IMODE(run.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_errors_are_worded_for_the_command_line_or_for_python(tmp_path, capsys):
    from hybrid_batch_st import MultilingualPairDataset

    records = [{"id": "a", "lang": "en", "question": "q", "answer": "a"}]
    with pytest.raises(ValueError, match=r"drop them from languages=$"):
        MultilingualPairDataset.from_records(records, languages=["en", "de"])
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    assert main(["train", "--train", str(pairs), "--languages", "en,de", "--output", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip().endswith("drop them from --languages")


def test_offline_hub_id_and_ctrl_c_are_one_line(tiny_model_dir, tmp_path):
    done = cli("evaluate", "--model", "no-such-org/no-such-model", "--output", str(tmp_path / "e"),
               env={"HF_HUB_OFFLINE": "1"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        "hybrid-batch-st evaluate: error: model 'no-such-org/no-such-model' is not a local folder")
    assert not (tmp_path / "e").exists()

    out = tmp_path / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "hybrid_batch_st.cli", "train", "--model", str(tiny_model_dir),
                             "--languages", "en,de", "--steps", "100000", "--batch-size", "8", "--output", str(out)],
                            stderr=subprocess.PIPE, text=True)
    while not proc.stderr.readline().startswith("training "):  # wait until the command has started its work
        assert proc.poll() is None, "train ended before it started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == (
        "hybrid-batch-st train: interrupted; no partial output was kept")
    assert not out.exists() and not list(tmp_path.glob(".interrupted*"))

    # a Ctrl-C whose KeyboardInterrupt a library swallowed (raised inside a __del__, Python only prints it)
    # still stops training: the trainer's callback sees the flag the command line's handler set
    from hybrid_batch_st.errors import INTERRUPTED
    from hybrid_batch_st.training import TrainConfig, train

    swallowed = tmp_path / "swallowed"
    INTERRUPTED.set()
    try:
        with pytest.raises(KeyboardInterrupt):
            train(TrainConfig(model=str(tiny_model_dir), languages=["en", "de"], steps=3, batch_size=8,
                              eval="", output=str(swallowed)))
    finally:
        INTERRUPTED.clear()
    assert not swallowed.exists() and not list(tmp_path.glob(".swallowed*"))


def test_only_input_errors_are_one_line(monkeypatch, tmp_path, capsys):
    from hybrid_batch_st.cli import commands, main
    from hybrid_batch_st.errors import is_input_error

    def torch_fails(args):  # a failure inside torch (as an out-of-memory is): the user needs its traceback
        import torch

        return torch.zeros(2) @ torch.zeros(3)

    monkeypatch.setitem(commands.COMMANDS, "cache", torch_fails)
    with pytest.raises(RuntimeError) as raised:
        main(["cache"])
    assert not is_input_error(raised.value)
    monkeypatch.undo()
    code = main(["evaluate", "--model", "m", "--measures", "P", "--output", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert code == 2 and "measure 'P' needs its cutoff parameter, e.g. P@10" in err  # before loading any model
    code = main(["evaluate", "--model", "m", "--languages", "en,xx", "--output", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert code == 2 and "no language(s) ['xx']" in err and "--train" not in err and "--eval" not in err
    code = main(["evaluate", "--model", "m", "--sample-items", "5", "--output", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert code == 2 and "--sample-items: 'sample' is not a multi-parallel benchmark" in err
    code = main(["train", "--batch-size", "1", "--output", str(tmp_path / "t")])
    assert code == 2 and "in-batch negatives need at least 2 rows" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # a flag's value: argparse's usage error, before any work
        main(["train", "--measures", "AP,FOO@3", "--output", str(tmp_path / "t")])
    assert usage.value.code == 2 and "unknown ir-measures measure 'FOO@3'" in capsys.readouterr().err
    assert not (tmp_path / "e").exists() and not (tmp_path / "t").exists()


def test_config_file_takes_every_option(tmp_path):
    from hybrid_batch_st.training.config import TrainConfig

    config = tmp_path / "run.json"
    config.write_text(json.dumps({"language_weights": "en=2,de=0", "languages": "en,de", "alpha": "size",
                                  "freeze_embeddings": True, "max_seq_length": 64}), encoding="utf-8")
    loaded = TrainConfig.from_file(config, seed=3)
    assert (loaded.language_weights, loaded.languages, loaded.alpha, loaded.seed) == (
        {"en": 2.0, "de": 0.0}, ["en", "de"], "size", 3)
    config.write_text(json.dumps({"language_weights": "en:2"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"language_weights: language weight 'en:2' must read LANG=WEIGHT"):
        TrainConfig.from_file(config)


def test_public_imports_and_no_shims():
    import importlib

    import hybrid_batch_st
    from hybrid_batch_st import (EvaluationResult, HybridBatchSampler, MultilingualPairDataset,  # noqa: F401
                                 MultilingualRetrievalEvaluator, TrainConfig, evaluate, train)
    from hybrid_batch_st.pyserini import build_index, get_searcher, search  # noqa: F401

    assert set(hybrid_batch_st.__all__) >= {"MultilingualPairDataset", "HybridBatchSampler",
                                            "MultilingualRetrievalEvaluator", "evaluate", "TrainConfig"}
    for gone in ("hybrid_batch_st.evaluator", "hybrid_batch_st.sample", "hybrid_batch_st.sampler",
                 "hybrid_batch_st.config", "hybrid_batch_st.compare"):  # moved without shims (nothing was released)
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(gone)


def test_a_damaged_model_file_is_one_line_naming_it(tiny_model_dir, tmp_path, capsys):
    import shutil

    damaged = tmp_path / "model"
    shutil.copytree(tiny_model_dir, damaged)
    [weights] = damaged.rglob("model.safetensors")
    with weights.open("r+b") as f:  # a download or copy cut short
        f.truncate(weights.stat().st_size // 2)
    code = main(["evaluate", "--model", str(damaged), "--languages", "en", "--output", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"hybrid-batch-st evaluate: error: model file {weights} is damaged (Error while deserializing header: "
        "incomplete metadata, file not fully covered): it was cut short or changed on disk; save the model there "
        "again (model.save(path)), or download it again")
    assert not (tmp_path / "e").exists()
