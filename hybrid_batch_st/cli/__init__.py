"""The ``hybrid-batch-st`` command line: an error about the input is one line naming the input at
fault (exit 2), Ctrl-C is one line (exit 130), and nothing half-written is left behind (outputs are
atomic). Anything else (a bug, an out-of-memory inside torch) keeps its traceback."""

from __future__ import annotations

import logging
import os
import sys
from typing import Sequence

from ..errors import cli_wording, is_input_error
from .parser import build_parser

__all__ = ["main", "build_parser"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.command is None:
        parser.print_help()
        return 2
    from .commands import COMMANDS

    try:
        with cli_wording():
            return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(f"\nhybrid-batch-st {args.command}: interrupted; no partial output was kept", file=sys.stderr)
        return 130
    except Exception as exc:
        if not is_input_error(exc):
            raise
        print(f"hybrid-batch-st {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
