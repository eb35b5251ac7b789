"""Tables from the result files of ``benchmarks/reproduce.py``: a thin caller of
:func:`hybrid_batch_st.experiments.write_results` (the same as ``hybrid-batch-st results``).

    python benchmarks/results_table.py [--results benchmarks/results] [--output benchmarks/results/README.md]
        [--readme docs/results.md] [--verdict README.md]
"""

from __future__ import annotations

import argparse

from hybrid_batch_st.experiments import write_results
from hybrid_batch_st.names import HEADLINE_DIRECTION


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="benchmarks/results")
    parser.add_argument("--output", help="also write the tables to this Markdown file")
    parser.add_argument("--readme", help="the results page (docs/results.md): tables and generated prose go "
                        "between its marker lines")
    parser.add_argument("--verdict", metavar="FILE", help="put the verdict paragraph between the verdict markers "
                        "of this file (README.md)")
    parser.add_argument("--alternatives", default=HEADLINE_DIRECTION, metavar="DIRECTION",
                        help="the direction of the recipe table and the verdict")
    args = parser.parse_args()
    try:
        print(write_results(args.results, args.output, args.readme, args.verdict, args.alternatives), end="")
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None


if __name__ == "__main__":
    main()
