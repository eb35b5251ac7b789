"""The main job end to end (tiny model, few steps): train three ways, compare, export, search."""

from __future__ import annotations

import json


def test_demo_runs_the_whole_path(tiny_model_dir, tmp_path, capsys):
    from hybrid_batch_st.cli import main

    out = tmp_path / "demo"
    assert main(["demo", "--model", str(tiny_model_dir), "--steps", "2", "--batch-size", "8",
                 "--languages", "en,de", "--max-seq-length", "64", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    for row in ("| base (st) |", "| X-X (monolingual) |", "| X-Y (cross-lingual) |", "| hybrid |"):
        assert row in printed
    assert "Pyserini FaissSearcher over" in printed and "AutoQueryEncoder" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["results"]) == {"base (st)", "X-X (monolingual)", "X-Y (cross-lingual)", "hybrid"}
    for row in summary["results"].values():
        assert {"monolingual", "cross-lingual", "multilingual", "rank_distance"} <= set(row)
    assert len(summary["checks"]) == 4
    for part in ("base", "monolingual", "cross-lingual", "hybrid"):
        assert (out / part / "eval_heldout" / "heatmap.png").is_file(), part
    for mode in ("monolingual", "cross-lingual", "hybrid"):
        assert json.loads((out / mode / "train_config.json").read_text())["recipe"] == mode
    assert (out / "pyserini" / "index" / "index").is_file()
    assert (out / "summary.md").read_text().startswith("| model |")
    for part in ("base", "monolingual", "cross-lingual", "hybrid"):  # one length rule for every model compared
        encoding = json.loads((out / part / "eval_heldout" / "results.json").read_text())["encoding"]
        assert encoding["max_seq_length"] == 64, part
    assert "paired over parallel questions" in summary["significance"]
    # trained on inputs cut at train_max_seq_length (the demo's default, 64), evaluated at max_seq_length
    assert json.loads((out / "hybrid" / "train_config.json").read_text())["train_max_seq_length"] == 64
    assert "[demo] calibration: the base model encoded its " in printed and " held-out texts in " in printed
    assert set(summary["phase_seconds"]) == {"base model", "X-X (monolingual)", "X-Y (cross-lingual)", "hybrid",
                                             "Pyserini export and search"}
    assert summary["encode_seconds"] > 0
