"""The ``hybrid-batch-st`` command line: an error about the input is one line naming the input at
fault (exit 2), Ctrl-C is one line (exit 130), and nothing half-written is left behind (outputs are
atomic). Anything else (a bug, an out-of-memory inside torch) keeps its traceback."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from typing import Sequence

from ..errors import INTERRUPTED, cli_wording, is_input_error
from .parser import build_parser

__all__ = ["main", "build_parser"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hybrid-batch-st`` command line (the console script's entry point).

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit status: the command's (0 when it succeeds), 2 after an error about the input (one line on
        stderr) or without a command (the help is printed), 130 after Ctrl-C.

    Raises:
        SystemExit: from argparse, for ``--help``, ``--version`` or arguments it cannot parse (status 2).

    Example:
        >>> main(["cache"])  # doctest: +SKIP
        /home/me/.cache/hybrid_batch_st/embeddings: 2 model(s), 41.7 MiB (set HYBRID_BATCH_ST_CACHE to move it; ...)
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.command is None:
        parser.print_help()
        return 2
    from .commands import COMMANDS

    interrupted = False
    restore = _catch_ctrl_c()
    try:
        with cli_wording():
            return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        interrupted = True
    except Exception as exc:
        if not is_input_error(exc):
            raise
        print(f"hybrid-batch-st {args.command}: error: {exc}", file=sys.stderr)
        return 2
    finally:
        restore()
    if interrupted:  # out of the except block: the unwound frames, and the progress bars they drew, go first
        gc.collect()
        print(f"\nhybrid-batch-st {args.command}: interrupted; no partial output was kept", file=sys.stderr)
    return 130


def _catch_ctrl_c():
    """Make Ctrl-C also set :data:`~hybrid_batch_st.errors.INTERRUPTED`; returns what restores the handler."""
    INTERRUPTED.clear()
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        INTERRUPTED.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    return lambda: signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())
