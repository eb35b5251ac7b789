"""The bundled sample: XQuAD-R in English, German and Spanish, split by article.

The first :data:`TRAIN_ARTICLES` articles (in file order) are for training, the
rest are held out; no question or sentence of a held-out article is ever
trained on. See ``resources/ATTRIBUTION.md`` for source and licence (CC BY-SA 4.0).
"""

from __future__ import annotations

from importlib import resources
from typing import Sequence

from .squad_r import SquadRLanguage, read_squad_r, split_by_article

__all__ = ["SAMPLE_LANGUAGES", "TRAIN_ARTICLES", "load_sample", "sample_split"]

SAMPLE_LANGUAGES = ("en", "de", "es")
#: Articles of the bundled sample / XQuAD-R used for training; the rest are held out.
TRAIN_ARTICLES = 36


def load_sample(languages: Sequence[str] | None = None) -> dict[str, SquadRLanguage]:
    """Every article of the bundled XQuAD-R sample (CC BY-SA 4.0), as ``{lang: SquadRLanguage}``.

    Args:
        languages: any of ``en``, ``de``, ``es`` (default: all three).

    Returns:
        ``{lang: SquadRLanguage}`` in the order of ``languages``: 48 articles, 1,190 questions per language.

    Raises:
        ValueError: A language the sample lacks.

    Example:
        >>> data = load_sample(["en", "de"])
        >>> len(data["de"].questions), len(data["de"].articles)
        (1190, 48)
    """
    languages = list(languages or SAMPLE_LANGUAGES)
    unknown = [lang for lang in languages if lang not in SAMPLE_LANGUAGES]
    if unknown:
        raise ValueError(
            f"the bundled sample has no language(s) {unknown}; it has {list(SAMPLE_LANGUAGES)}. For other "
            "languages use a benchmark (xquad-r, mlqa-r) or a SQuAD-R folder of your own"
        )
    root = resources.files("hybrid_batch_st") / "resources"
    out = {}
    for lang in languages:
        with resources.as_file(root / f"xquad-r-{lang}.json.gz") as path:
            out[lang] = read_squad_r(path, lang)
    return out


def sample_split(
    languages: Sequence[str] | None = None, train_articles: int = TRAIN_ARTICLES
) -> tuple[dict[str, SquadRLanguage], dict[str, SquadRLanguage]]:
    """The bundled sample split by article: ``(train, held_out)``, each ``{lang: SquadRLanguage}``.

    Args:
        languages: any of ``en``, ``de``, ``es`` (default: all three).
        train_articles: the first ``train_articles`` articles train (36 of 48); the rest are held out.

    Returns:
        ``(train, held_out)``, each ``{lang: SquadRLanguage}``.

    Raises:
        ValueError: A language the sample lacks, or ``train_articles`` outside 1 .. 47.

    Example:
        ```python
        train_part, held_out = sample_split(["en", "de"])
        pairs = MultilingualPairDataset.from_squad_r_languages(train_part)
        ```
    """
    data = load_sample(languages)
    return split_by_article(data, train_articles)
