"""Checked downloads of the benchmark files, over real HTTP from a local mirror of ../shared/data."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from hybrid_batch_st.errors import DownloadError
from hybrid_batch_st.tasks import downloads
from hybrid_batch_st.tasks.parallel import xflickrco_task
from hybrid_batch_st.tasks.registry import load_task

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not (SHARED / "xflickrco").is_dir(), reason="needs ../shared/data")


class _Counting(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args) -> None:  # quiet, but counted
        _Counting.requests.append(self.path)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    root = tmp_path / "mirror"
    shutil.copytree(SHARED / "xflickrco", root / "xflickrco")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Counting, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HYBRID_BATCH_ST_MIRROR", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("HYBRID_BATCH_ST_CACHE", str(tmp_path / "cache"))
    _Counting.requests = []
    yield root
    server.shutdown()


def test_every_benchmark_file_has_an_upstream_address_and_a_sum():
    sums = downloads._checksums()
    assert set(sums) == set(downloads.UPSTREAM)
    assert {name: len(files) for name, files in sums.items()} == {"tatoeba": 224, "flores200": 410, "xsid": 38,
                                                                 "xflickrco": 8}
    base, path = downloads.UPSTREAM["xflickrco"]
    assert path("de.test.jsonl") == "de/test.jsonl"  # IGLUE keeps one folder per language
    assert downloads.UPSTREAM["flores200"][1]("dev/deu_Latn.dev") == "flores-200-dev/deu_Latn.dev"


@needs_shared
def test_a_benchmark_downloads_once_checked_and_reads_like_the_local_copy(mirror, tmp_path):
    task = load_task("xflickrco", ["de", "ja"])
    assert len(_Counting.requests) == 8 and all(r.startswith("/xflickrco/") for r in _Counting.requests)
    local = xflickrco_task(SHARED / "xflickrco", ["de", "ja"])
    assert task.queries["ja"].texts == local.queries["ja"].texts and task.qrels == local.qrels
    load_task("xflickrco", ["de"])
    assert len(_Counting.requests) == 8  # cached: nothing fetched again
    cached = tmp_path / "cache" / "xflickrco" / "de.test.jsonl"
    cached.write_text("damaged\n", encoding="utf-8")
    load_task("xflickrco", ["de"])
    assert _Counting.requests[8:] == ["/xflickrco/de.test.jsonl"]  # a damaged file is fetched again
    assert downloads.file_sha256(cached) == downloads._checksums()["xflickrco"]["de.test.jsonl"]


@needs_shared
def test_a_changed_upstream_file_is_refused_and_nothing_is_kept(mirror, tmp_path):
    (mirror / "xflickrco" / "ru.test.jsonl").write_text('{"sentences": ["x"], "id": "1"}\n', encoding="utf-8")
    with pytest.raises(DownloadError, match=r"ru\.test\.jsonl has SHA-256 .* not saved.*data.dir"):
        load_task("xflickrco")
    assert not (tmp_path / "cache" / "xflickrco" / "ru.test.jsonl").exists()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.name.startswith(".")]  # no temp file left


def test_offline_names_the_way_round(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_BATCH_ST_MIRROR", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("HYBRID_BATCH_ST_CACHE", str(tmp_path))
    with pytest.raises(DownloadError, match=r"could not download xsid .*data.dir"):
        load_task("xsid")
