"""Shared fixtures: benchmark data (../shared/data or the download cache) and tiny models built on the fly."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# the embedding cache of this test session, not the user's
os.environ["HYBRID_BATCH_ST_EMBEDDINGS"] = tempfile.mkdtemp(prefix="hbst-embeddings-")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path | None:
    """Folder holding xquad-r/ and mlqa-r/, or None to use (and fill) the download cache."""
    return SHARED_DATA if SHARED_DATA.is_dir() else None


@pytest.fixture(scope="session")
def xquad(data_dir):
    from hybrid_batch_st.tasks.lareqa import load_benchmark

    return load_benchmark("xquad-r", data_dir=data_dir)


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    from hybrid_batch_st.models import packaged_minilm_path

    return packaged_minilm_path()


def tiny_vocabulary(texts: list[str], size: int = 500) -> dict[str, int]:
    """A WordPiece vocabulary for ``texts``: special tokens, every character (word-initial and ``##``),
    then the most frequent words, ties broken alphabetically.

    Built by hand because the ``tokenizers`` WordPiece trainer is not deterministic (token set and ids
    change from run to run), which made the fine-tuning tests' outcome vary between processes (the
    held-out loss drop of test_hybrid_training_lowers_held_out_loss ranged 0.098-0.21). With mostly
    characters plus a few hundred words, rarer words share character embeddings, so what is learnt
    carries over to held-out articles (that drop: 0.21 at 500 tokens; 0.15-0.29 for 400-1000).
    """
    from collections import Counter

    from tokenizers import normalizers, pre_tokenizers

    normalizer, splitter = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Counter(w for t in texts for w, _ in splitter.pre_tokenize_str(normalizer.normalize_str(t)))
    chars = sorted({c for w in words for c in w})
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars)]
    known = set(tokens)
    for word, _ in sorted(words.items(), key=lambda item: (-item[1], item[0])):
        if len(tokens) >= size:
            break
        if word not in known:
            tokens.append(word)
    return {token: i for i, token in enumerate(tokens)}


def build_tiny_model(directory: Path, texts: list[str], dim: int = 32, seed: int = 0):
    """A 2-layer BERT with a WordPiece vocabulary built from ``texts``, saved as a sentence-transformers folder.

    Deterministic: the same texts and seed give the same vocabulary and weights.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    torch.manual_seed(seed)
    tok = Tokenizer(models.WordPiece(tiny_vocabulary(texts), unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    raw = directory / "hf"
    PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    ).save_pretrained(raw)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=dim, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * dim, max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(raw)
    model = SentenceTransformer(str(raw), device="cpu")  # adds mean pooling
    model.save(str(directory / "st"))
    return directory / "st"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, xquad) -> Path:
    """A tiny sentence-transformers model whose vocabulary covers the en/de/es XQuAD-R text."""
    texts = [s for lang in ("en", "de", "es") for s in xquad[lang].sentences]
    texts += [q.text for lang in ("en", "de", "es") for q in xquad[lang].questions]
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), texts)
