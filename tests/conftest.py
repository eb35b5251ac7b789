"""Shared fixtures: benchmark data (../shared/data or the download cache) and tiny models built on the fly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path | None:
    """Folder holding xquad-r/ and mlqa-r/, or None to use (and fill) the download cache."""
    return SHARED_DATA if SHARED_DATA.is_dir() else None


@pytest.fixture(scope="session")
def xquad(data_dir):
    from hybrid_batch_st.lareqa import load_benchmark

    return load_benchmark("xquad-r", data_dir=data_dir)


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    from hybrid_batch_st.models import packaged_minilm_path

    return packaged_minilm_path()


def build_tiny_model(directory: Path, texts: list[str], dim: int = 32, seed: int = 0):
    """A 2-layer BERT with a WordPiece vocabulary trained on ``texts``, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    torch.manual_seed(seed)
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=3000, special_tokens=specials))
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
