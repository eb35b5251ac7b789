"""The embedding cache's key holds every setting that changes an embedding, damaged shards never
break an evaluation, and the trainer-side evaluator does not cache."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from hybrid_batch_st.evaluation import MultilingualRetrievalEvaluator, evaluate
from tests.evaluation.test_evaluation import toy_benchmark


def _long_text_benchmark():
    """The toy benchmark with every text made long, so that a short max_seq_length truncates it."""
    data = toy_benchmark()
    for d in data.values():
        d.sentences = [s + " " + " ".join(["and so on"] * 12) for s in d.sentences]
    return data


def test_max_seq_length_is_part_of_the_key(tiny_model_dir, tmp_path):
    data = _long_text_benchmark()
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    full = evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    model.max_seq_length = 8
    cached = evaluate(model, data, ["AP"], show_progress_bar=False, cache=tmp_path)
    fresh = evaluate(model, data, ["AP"], show_progress_bar=False, cache=False)
    assert cached.macro == fresh.macro  # the 8-token vectors, not the full-length ones read back
    assert cached.macro != full.macro
    assert cached.encoding["max_seq_length"] == 8 and full.encoding["max_seq_length"] == 128


def test_partial_and_damaged_shards_are_skipped(tiny_model_dir, tmp_path, caplog):
    data = toy_benchmark()
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    first = evaluate(model, data, ["AP", "RR@10"], show_progress_bar=False, cache=tmp_path)
    [folder] = [d for d in tmp_path.iterdir() if d.is_dir()]
    rng = np.random.default_rng(0)
    (folder / ".deadbeef.tmp.npz").write_bytes(rng.bytes(100))  # a write killed half-way (old temp name)
    (folder / ".0123.npz.abc.tmp").write_bytes(rng.bytes(100))  # a write killed half-way (atomic temp name)
    (folder / "deadbeef.npz").write_bytes(rng.bytes(100))  # a shard damaged on disk
    with caplog.at_level(logging.WARNING):
        again = evaluate(model, data, ["AP", "RR@10"], show_progress_bar=False, cache=tmp_path)
    assert again.macro == first.macro
    assert [p.per_query for p in again.pairs] == [p.per_query for p in first.pairs]
    warned = [r.getMessage() for r in caplog.records]
    assert any("deadbeef.npz" in m and "skipping unreadable shard" in m for m in warned)
    assert not any(".deadbeef.tmp.npz" in m for m in warned)  # hidden temporary files are not shards


def test_a_writer_killed_mid_shard_leaves_nothing_that_breaks_the_next_run(tiny_model_dir, tmp_path):
    import signal
    import subprocess
    import sys

    writer = (
        "import numpy as np, os, signal\n"
        "from hybrid_batch_st.evaluation.embedding_cache import EmbeddingCache\n"
        "import hybrid_batch_st.evaluation.embedding_cache as ec\n"
        "real = np.savez\n"
        "def savez(f, **arrays):\n"
        "    f.write(b'PK\\x03\\x04 half a zip')\n"
        "    f.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "ec.np.savez = savez\n"
        f"EmbeddingCache('k', {str(tmp_path)!r}).add([b'0123456789abcdef'], np.ones((1, 4), dtype=np.float32))\n"
    )
    done = subprocess.run([sys.executable, "-c", writer], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    from hybrid_batch_st.evaluation.embedding_cache import EmbeddingCache

    leftovers = list((tmp_path / "k").iterdir())
    assert leftovers and all(p.name.startswith(".") for p in leftovers)  # only a hidden temporary file
    missing, vectors = EmbeddingCache("k", tmp_path).lookup([b"0123456789abcdef"])
    assert missing == [0] and vectors is None


def test_the_trainer_side_evaluator_does_not_cache(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_BATCH_ST_EMBEDDINGS", str(tmp_path / "cache"))
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    metrics = MultilingualRetrievalEvaluator(toy_benchmark(), name="toy")(model)
    assert metrics["toy_mean_AP"] > 0
    assert not (tmp_path / "cache").exists()  # an evaluation step during training would never be read again
    with pytest.raises(ValueError, match="needs its cutoff parameter, e.g. P@10"):
        MultilingualRetrievalEvaluator(toy_benchmark(), measures=["AP", "P"])


def test_two_cpu_processes_encode_as_one(tiny_model_dir):
    from hybrid_batch_st.tasks.shapes import squad_r_task

    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    task = squad_r_task(toy_benchmark(), "toy")
    one = evaluate(model, task, ["AP"], show_progress_bar=False, cache=False)
    two = evaluate(model, task, ["AP"], show_progress_bar=False, cache=False, devices=["cpu", "cpu"])
    def flat(result):
        return [v for p in result.pairs for q in sorted(p.per_query["AP"]) for v in [p.per_query["AP"][q]]]

    assert flat(two) == pytest.approx(flat(one), abs=1e-9)
    from hybrid_batch_st.models import encode_documents, encoding_pool

    texts = [s for d in toy_benchmark().values() for s in d.sentences]
    with encoding_pool(model, ["cpu", "cpu"]) as pool:
        pooled = encode_documents(model, texts, pool=pool)
    np.testing.assert_allclose(pooled, encode_documents(model, texts), atol=1e-5)


def test_a_cache_disk_that_fills_mid_shard_costs_no_result(tiny_model_dir, tmp_path):
    """The cache's first shard write fails half-way (the disk is full): the evaluation ends with the same
    results as without a cache, one warning names the cache folder and the fix, no partial shard stays."""
    code = (
        "import json, logging\n"
        "from sentence_transformers import SentenceTransformer\n"
        "from hybrid_batch_st.evaluation import evaluate\n"
        "from tests.evaluation.test_evaluation import toy_benchmark\n"
        "logging.basicConfig(level=logging.WARNING, format='%(message)s')\n"
        f"model = SentenceTransformer({str(tiny_model_dir)!r}, device='cpu')\n"
        f"cached = evaluate(model, toy_benchmark(), ['AP'], show_progress_bar=False, cache={str(tmp_path / 'c')!r})\n"
        "plain = evaluate(model, toy_benchmark(), ['AP'], show_progress_bar=False, cache=False)\n"
        "print(json.dumps([cached.macro == plain.macro, [p.per_query for p in cached.pairs] == "
        "[p.per_query for p in plain.pairs]]))\n"
    )
    import subprocess
    import sys

    prelude = ("import resource, signal\n"
               "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
               "resource.setrlimit(resource.RLIMIT_FSIZE, (300, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n")
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[true,", "true]"]
    warnings = [line for line in done.stderr.splitlines() if "embedding cache" in line]
    assert len(warnings) == 1, done.stderr  # queries and documents of every language: one warning
    assert f"cannot write to {tmp_path / 'c'} (File too large)" in warnings[0]
    # the variable that sets the location here (the test session's $HYBRID_BATCH_ST_EMBEDDINGS)
    assert "Move the cache with HYBRID_BATCH_ST_EMBEDDINGS=DIR" in warnings[0]
    assert "`hybrid-batch-st cache --clear`" in warnings[0]
    assert not [p for p in (tmp_path / "c").rglob("*") if p.is_file()]  # no half-written shard


def test_an_unwritable_cache_folder_costs_no_result_at_the_command_line(tiny_model_dir, tmp_path):
    """``$HYBRID_BATCH_ST_CACHE`` under a file (as root, chmod would not stop a write): `evaluate` still
    writes its report, with one warning naming the cache folder and how to move or clear it."""
    import os
    import subprocess
    import sys

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {k: v for k, v in os.environ.items() if k != "HYBRID_BATCH_ST_EMBEDDINGS"}
    env["HYBRID_BATCH_ST_CACHE"] = str(blocker / "cache")
    done = subprocess.run([sys.executable, "-m", "hybrid_batch_st.cli", "evaluate", "--model", str(tiny_model_dir),
                           "--languages", "en,de", "--output", str(tmp_path / "report")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report" / "results.json").is_file()
    warnings = [line for line in done.stderr.splitlines() if "embedding cache" in line]
    assert len(warnings) == 1, done.stderr
    assert f"cannot write to {blocker / 'cache' / 'embeddings'} ({blocker} is a file, not a folder)" in warnings[0]
    assert "HYBRID_BATCH_ST_CACHE=DIR" in warnings[0] and "`hybrid-batch-st cache --clear`" in warnings[0]
