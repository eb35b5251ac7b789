"""Benchmark download: checksum check, cache, offline error (a real HTTP server on loopback)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from hybrid_batch_st.tasks import lareqa


@pytest.fixture
def served(tmp_path, data_dir, monkeypatch):
    """Serve a LAReQA-like tree (xquad-r/en.json, plus a corrupted de.json) on 127.0.0.1."""
    root = tmp_path / "upstream"
    (root / "xquad-r").mkdir(parents=True)
    source = lareqa.benchmark_files("xquad-r", ["en"], data_dir=data_dir)["en"]
    shutil.copy(source, root / "xquad-r" / "en.json")
    (root / "xquad-r" / "de.json").write_text('{"data": []}', encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(lareqa, "UPSTREAM", f"http://127.0.0.1:{server.server_address[1]}")
    yield root
    server.shutdown()


def test_download_is_checked_and_cached(served, tmp_path):
    cache = tmp_path / "cache"
    files = lareqa.benchmark_files("xquad-r", ["en"], cache_dir=cache)
    assert files["en"] == cache / "xquad-r" / "en.json"
    assert lareqa.file_sha256(files["en"]) == lareqa.BENCHMARKS["xquad-r"].sha256["en"]
    (served / "xquad-r" / "en.json").unlink()  # the cache answers from now on
    assert lareqa.load_benchmark("xquad-r", ["en"], cache_dir=cache)["en"].questions

    with pytest.raises(RuntimeError, match="has SHA-256 .* expected .*; not saved"):
        lareqa.benchmark_files("xquad-r", ["de"], cache_dir=cache)
    assert not (cache / "xquad-r" / "de.json").exists()
    assert not [p for p in (cache / "xquad-r").iterdir() if p.name.startswith(".")]


def test_offline_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(lareqa, "UPSTREAM", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(RuntimeError, match=r"could not download xquad-r en .*Pass data_dir pointing at a folder"):
        lareqa.benchmark_files("xquad-r", ["en"], cache_dir=tmp_path)
    from hybrid_batch_st.errors import cli_wording

    with cli_wording(), pytest.raises(RuntimeError, match=r"could not download xquad-r en .*Pass --data-dir pointing"):
        lareqa.benchmark_files("xquad-r", ["en"], cache_dir=tmp_path)
