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
    from hybrid_batch_st.tasks.squad_r import squad_r_task

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
