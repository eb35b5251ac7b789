"""Whether Pyserini's own ``AutoQueryEncoder`` reproduces a model's query embeddings, and the
settings (``--pooling``, ``--l2-norm``, ``--query-prefix``) saved with an export."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..models import encode_queries, query_passage_prompts
from .jvm import boot_jvm

__all__ = ["EncoderSettings", "encoder_settings", "check_parity", "encoder_settings_of", "index_settings",
           "save_settings", "ENCODER_DIR", "SETTINGS_FILE", "INDEX_INFO"]

logger = logging.getLogger(__name__)

ENCODER_DIR = "encoder"
SETTINGS_FILE = "hybrid_batch_st_pyserini.json"
INDEX_INFO = "hybrid_batch_st.json"
_AUTO_POOLINGS = ("mean", "cls")  # what AutoQueryEncoder implements


@dataclass
class EncoderSettings:
    """How Pyserini must encode queries for a model (``--pooling``, ``--l2-norm``, ``--query-prefix``).

    Attributes:
        pooling: ``"mean"`` or ``"cls"`` for Pyserini's auto encoder; None where it cannot pool like the model.
        l2_norm: L2-normalise the embeddings (unless the model's similarity is ``dot`` without a Normalize module).
        prefix: Pyserini's ``--query-prefix`` (the query prompt without its final space), or None.
        query_prompt: the model's query prompt, or None.
        passage_prompt: the model's document prompt, or None.
        dimension: the embedding size.
        auto_compatible: whether Pyserini's ``AutoQueryEncoder`` reproduces the model's query embeddings.
        reason: why it does not, or None.
    """

    pooling: str | None
    l2_norm: bool
    prefix: str | None
    query_prompt: str | None
    passage_prompt: str | None
    dimension: int
    auto_compatible: bool
    reason: str | None = None

    def cli_args(self, encoder_dir: str | Path) -> list[str]:
        """Arguments for ``pyserini.search.faiss`` that load ``encoder_dir`` like the model.

        Args:
            encoder_dir: the exported model folder (``<index>/encoder``).

        Returns:
            ``["--encoder", DIR, "--encoder-class", "auto", "--pooling", ...]``, with ``--l2-norm`` and
                ``--query-prefix`` where they apply.

        Raises:
            ValueError: Pyserini's auto encoder cannot reproduce the model (the message gives the reason).
        """
        if not self.auto_compatible:
            raise ValueError(
                f"--encoder {encoder_dir}: Pyserini's auto encoder cannot reproduce this model ({self.reason}); "
                "use `hybrid-batch-st search`, which wraps it in a Pyserini QueryEncoder"
            )
        args = ["--encoder", str(encoder_dir), "--encoder-class", "auto", "--pooling", self.pooling]
        if self.l2_norm:
            args.append("--l2-norm")
        if self.prefix:
            args += ["--query-prefix", self.prefix]
        return args

    def query_embeddings(self, model, texts: Sequence[str]) -> np.ndarray:
        """The model's own query embeddings, normalised as the index expects.

        Args:
            model: the ``SentenceTransformer`` these settings describe.
            texts: the queries.

        Returns:
            A float32 array, one row per query (encoded with ``query_prompt``, none if it is None).
        """
        return encode_queries(model, texts, prompt=self.query_prompt or "", normalize=self.l2_norm)


def _incompatibility(model, names: list[str]) -> tuple[str | None, str | None]:
    """(pooling Pyserini would use, or None; why the auto encoder cannot reproduce the model, or None)."""
    if not names or names[0] != "Transformer":
        return None, f"its first module is {names[:1]}, not a Transformer"
    if len(names) < 2 or names[1] != "Pooling":
        return None, f"its modules are {names}; Pyserini's auto encoder needs Transformer + Pooling (+ Normalize)"
    if any(n != "Normalize" for n in names[2:]):
        return None, f"it has modules Pyserini's auto encoder lacks: {[n for n in names[2:] if n != 'Normalize']}"
    mode = str(model[1].pooling_mode)
    if mode not in _AUTO_POOLINGS:
        return None, f"its pooling is {mode!r}; Pyserini's auto encoder does only mean or cls pooling"
    return mode, None


def _prefix(model, query_prompt: str | None) -> tuple[str | None, str | None]:
    """AutoQueryEncoder builds f"{prefix} {query}": a prompt ending in exactly one space maps to a prefix."""
    if not query_prompt:
        return None, None
    if not (query_prompt.endswith(" ") and not query_prompt.endswith("  ") and query_prompt.strip()):
        return None, f"its query prompt {query_prompt!r} is not '<prefix> ' as Pyserini's --query-prefix builds"
    if getattr(model[1], "include_prompt", True) is False:
        return None, "its pooling excludes prompt tokens, which Pyserini's auto encoder includes"
    return query_prompt[:-1], None


def encoder_settings(model) -> EncoderSettings:
    """What Pyserini's ``AutoQueryEncoder`` needs to reproduce ``model``'s query embeddings, if it can.

    Judged from the model's modules, pooling and query prompt alone; :func:`check_parity` then compares
    the embeddings.

    Args:
        model: a ``SentenceTransformer``.

    Returns:
        Its settings, ``auto_compatible`` false (with a ``reason``) where the auto encoder cannot pool,
            normalise or prefix like the model.
    """
    query_prompt, passage_prompt = query_passage_prompts(model)
    names = [type(m).__name__ for m in model]
    pooling, reason = _incompatibility(model, names)
    prefix = None
    if reason is None:
        prefix, reason = _prefix(model, query_prompt)
    normalise = getattr(model, "similarity_fn_name", "cosine") != "dot" or "Normalize" in names[2:]
    return EncoderSettings(
        pooling=pooling, l2_norm=normalise, prefix=prefix, query_prompt=query_prompt,
        passage_prompt=passage_prompt, dimension=int(model.get_embedding_dimension()),
        auto_compatible=reason is None, reason=reason,
    )


def check_parity(model, settings: EncoderSettings, encoder_dir: Path, samples: Sequence[str]) -> EncoderSettings:
    """Compare Pyserini's AutoQueryEncoder with the model on ``samples``; mark incompatible if they differ.

    Boots the JVM. A difference above 1e-4 in any component sets ``auto_compatible`` false, with a warning.

    Args:
        model: the ``SentenceTransformer`` being exported.
        settings: its :func:`encoder_settings`; returned unchecked where already incompatible.
        encoder_dir: the model folder Pyserini's encoder loads.
        samples: texts to encode as queries both ways.

    Returns:
        ``settings`` itself, changed in place where the embeddings differ.

    Raises:
        ImportError: Pyserini is not installed.
        JavaNotFoundError: no Java 21 runtime was found.
    """
    if not settings.auto_compatible:
        return settings
    boot_jvm()
    from pyserini.encode import AutoQueryEncoder

    auto = AutoQueryEncoder(str(encoder_dir), pooling=settings.pooling, l2_norm=settings.l2_norm,
                            prefix=settings.prefix)
    theirs = np.stack([auto.encode(text) for text in samples])
    gap = float(np.abs(theirs - settings.query_embeddings(model, samples)).max())
    if gap > 1e-4:
        settings.auto_compatible = False
        settings.reason = f"Pyserini's AutoQueryEncoder embeddings differ from the model's by up to {gap:.2e}"
        logger.warning("%s; searches will use SentenceTransformerQueryEncoder", settings.reason)
    return settings


def save_settings(settings: EncoderSettings, encoder_dir: Path, index_dir: Path, **index_info) -> None:
    """Save ``settings`` with an export.

    Args:
        settings: the encoder settings.
        encoder_dir: the exported model folder; gets :data:`SETTINGS_FILE` (the settings).
        index_dir: the index folder; gets :data:`INDEX_INFO` (the settings and ``index_info``).
        **index_info: facts about the index to record (document count, index type, model).
    """
    info = asdict(settings)
    (encoder_dir / SETTINGS_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (index_dir / INDEX_INFO).write_text(json.dumps(info | index_info, indent=2) + "\n", encoding="utf-8")


def encoder_settings_of(encoder_dir: str | Path) -> EncoderSettings | None:
    """The settings saved with an exported encoder folder, or None if it was not exported by hybrid-batch-st.

    Args:
        encoder_dir: an exported model folder (``<index>/encoder``).

    Returns:
        The settings read from its :data:`SETTINGS_FILE`, or None where that file is missing.
    """
    path = Path(encoder_dir) / SETTINGS_FILE
    return EncoderSettings(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


def index_settings(index_dir: str | Path) -> EncoderSettings:
    """The query-encoding settings of an index exported by :func:`~hybrid_batch_st.pyserini.build_index`.

    Args:
        index_dir: the index folder.

    Returns:
        The settings saved in ``<index_dir>/encoder``.

    Raises:
        FileNotFoundError: the folder lacks ``index`` or ``docid``, or was not exported by hybrid-batch-st.
    """
    index_dir = Path(index_dir)
    if not (index_dir / "index").is_file() or not (index_dir / "docid").is_file():
        raise FileNotFoundError(f"{index_dir} is not a Pyserini faiss index folder (needs 'index' and 'docid')")
    settings = encoder_settings_of(index_dir / ENCODER_DIR)
    if settings is None:
        raise FileNotFoundError(f"{index_dir} was not exported by hybrid-batch-st (no {ENCODER_DIR}/{SETTINGS_FILE}); "
                                "pass --model to say which model encodes queries")
    return settings
