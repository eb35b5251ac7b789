#!/usr/bin/env bash
# The queue of "verdicts that survive the seed", in its three steps; resumable: a record that exists is
# skipped, a trained model in runs/reproduce is reused, so kill it any time and start it again.
#   (1) hybrid, X-X, X-Y seeds 0-4, merged (weight chosen on validation) and unmerged, xSID for each;
#   (2) mixed, stock per-pair, distillation seeds 3-4 (seeds 0-2 exist), xSID for each;
#   (3) hybrid at alpha 0.25 and 0.75, seeds 0-4, validation split only (the alpha figure).
# About 17 minutes per model of (1) and 11 of (3) on an idle 2-core CPU; minutes on a GPU.
#   bash benchmarks/five_seeds.sh [STEP ...]     (default: 1 2 3)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
COMMON=(--model ../shared/models/me5-small-xr --data-dir ../shared/data --steps 150 --freeze-embeddings
        --merge-weights 1,0.75,0.5 --directions mlqa-r:xquad-r)
[ $# -eq 0 ] && set -- 1 2 3
for s in "$@"; do
  case $s in
    1) "$PYTHON" benchmarks/reproduce.py "${COMMON[@]}" --output runs/reproduce --seeds 0,1,2,3,4 \
         --recipes hybrid,monolingual,cross-lingual --unmerged hybrid,monolingual,cross-lingual --also xsid ;;
    2) "$PYTHON" benchmarks/reproduce.py "${COMMON[@]}" --output runs/reproduce --seeds 3,4 \
         --recipes mixed,stock-per-pair,distillation --also xsid ;;
    3) for alpha in 0.25 0.75; do
         "$PYTHON" benchmarks/reproduce.py "${COMMON[@]}" --output "runs/recipes/alpha$alpha" --seeds 0,1,2,3,4 \
           --recipes hybrid --alpha "$alpha" --validation-only --results "benchmarks/results/recipes/alpha$alpha"
       done ;;
    *) echo "unknown step $s: choose 1, 2 or 3" >&2; exit 2 ;;
  esac
done
