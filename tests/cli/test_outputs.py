"""Outputs that cannot be written, and runs killed half-way: one line naming the output and the cause,
nothing half-written left, and a killed run's temporaries cleared by the next run of the same target
(never those of a run still going)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from hybrid_batch_st.cli import main

FILE_SIZE_LIMIT = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
    "sys.argv = ['hybrid-batch-st', *sys.argv[2:]]\n"
    "runpy.run_module('hybrid_batch_st.cli', run_name='__main__')\n"
)


def test_a_full_output_disk_is_one_line_and_leaves_nothing(tiny_model_dir, tmp_path):
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, "2000", "evaluate", "--model", str(tiny_model_dir),
                           "--languages", "en,de", "--no-cache", "--output", str(out)],
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert lines[-1] == (f"hybrid-batch-st evaluate: error: cannot write {out}: File too large; nothing was written "
                         "there (free space or make it writable, or write elsewhere)")
    assert list(tmp_path.iterdir()) == []  # no report, no temporary folder


def test_an_output_under_a_file_is_one_line(tiny_model_dir, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code = main(["export", "--model", str(tiny_model_dir), "--corpus", str(_corpus(tmp_path)),
                 "--index", str(blocker / "index")])
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"hybrid-batch-st export: error: cannot write {blocker / 'index'}: {blocker} is a file, not a folder; "
        "nothing was written there (choose another path)")


def _corpus(folder: Path) -> Path:
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(f'{{"id": "d{i}", "contents": "sentence number {i}"}}\n' for i in range(5)),
                      encoding="utf-8")
    return corpus


def _killed_while_writing(target: Path) -> Path:
    """A process killed (SIGKILL) inside ``atomic_dir(target)``, after writing into its temporary folder;
    returns the temporary folder it left."""
    code = ("import os, signal, sys\n"
            "from hybrid_batch_st.atomic import atomic_dir\n"
            "with atomic_dir(sys.argv[1]) as tmp:\n"
            "    (tmp / 'index').write_bytes(b'half an index')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    [left] = [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]
    return left


def test_a_killed_export_leaves_a_temporary_that_the_next_export_clears(tiny_model_dir, tmp_path, caplog):
    corpus, index = _corpus(tmp_path), tmp_path / "index"
    left = _killed_while_writing(index)
    assert left.name.endswith(".tmp") and (left / "index").is_file()
    # a run still writing the same target (here: a live process of this host) keeps its temporary
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        live = tmp_path / f".index.{left.name.split('.')[2].rsplit('-', 1)[0]}-{sleeper.pid}.abcdefgh.tmp"
        live.mkdir()
        assert main(["export", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--index", str(index)]) == 0
        assert not left.exists() and live.is_dir()
        assert any(left.name in r.getMessage() and "left by runs that ended" in r.getMessage() for r in caplog.records)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert (index / "index").is_file()
    assert main(["export", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--index", str(index),
                 "--overwrite"]) == 0
    assert not live.exists()  # its process has ended now
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
