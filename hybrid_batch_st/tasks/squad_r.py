"""Reading SQuAD-R files (the XQuAD-R / MLQA-R layout of the LAReQA release).

A SQuAD-R file is SQuAD v1.1 JSON whose paragraphs also carry ``sentences``
and ``sentence_breaks`` (half-open ``[start, end)`` character spans). Every
sentence is a retrieval candidate; the answer of a question is the sentence
whose span contains the answer's ``answer_start`` or, where spans touch (zh,
hi), the sentence whose ``end`` equals it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["SquadRQuestion", "SquadRLanguage", "read_squad_r", "read_squad_r_folder", "answer_sentence",
           "split_by_article", "split_validation", "doc_id"]


def doc_id(lang: str, sentence: int) -> str:
    """The id of a candidate sentence in runs, qrels and exported corpora: ``<lang>-<sentence index>``.

    Args:
        lang: the sentence's language.
        sentence: its index in ``SquadRLanguage.sentences``.

    Returns:
        The id.

    Example:
        >>> doc_id("de", 12)
        'de-12'
    """
    return f"{lang}-{sentence}"


@dataclass(frozen=True)
class SquadRQuestion:
    """One question of one language; ``sentence`` indexes ``SquadRLanguage.sentences``.

    Attributes:
        id: the question's id, shared by its translations.
        text: the question.
        sentence: the index of its answer sentence in its language's ``sentences``.
        article: the title of its article.
    """

    id: str
    text: str
    sentence: int
    article: str


@dataclass
class SquadRLanguage:
    """Every candidate sentence and every question of one language file.

    Attributes:
        lang: the language code.
        sentences: every candidate sentence, in file order.
        sentence_articles: the article title of each sentence.
        questions: every question, in file order.
    """

    lang: str
    sentences: list[str] = field(default_factory=list)
    sentence_articles: list[str] = field(default_factory=list)
    questions: list[SquadRQuestion] = field(default_factory=list)

    def answer(self, question: SquadRQuestion) -> str:
        """The text of the sentence that answers ``question``.

        Args:
            question: a question of this language.

        Returns:
            The answer sentence.
        """
        return self.sentences[question.sentence]

    def answer_of(self) -> dict[str, int]:
        """``{question id: index of its answer sentence}``.

        Returns:
            The mapping, in question order.
        """
        return {q.id: q.sentence for q in self.questions}

    def doc_ids(self) -> list[str]:
        """The document id of every candidate sentence (:func:`doc_id`), in pool order.

        Returns:
            One id per sentence.
        """
        return [doc_id(self.lang, i) for i in range(len(self.sentences))]

    def restrict_to_articles(self, articles: set[str]) -> "SquadRLanguage":
        """A copy keeping only the sentences and questions of ``articles``.

        Args:
            articles: the article titles to keep.

        Returns:
            The copy, sentences renumbered and questions pointing at them.
        """
        keep = [i for i, a in enumerate(self.sentence_articles) if a in articles]
        new_index = {old: new for new, old in enumerate(keep)}
        return SquadRLanguage(
            lang=self.lang,
            sentences=[self.sentences[i] for i in keep],
            sentence_articles=[self.sentence_articles[i] for i in keep],
            questions=[
                SquadRQuestion(q.id, q.text, new_index[q.sentence], q.article)
                for q in self.questions
                if q.article in articles
            ],
        )

    @property
    def articles(self) -> list[str]:
        """Article titles in file order, each once."""
        return list(dict.fromkeys(self.sentence_articles))


def answer_sentence(breaks: Sequence[Sequence[int]], answer_start: int) -> int | None:
    """Index of the sentence holding ``answer_start`` (see the module docstring), or None.

    Args:
        breaks: the paragraph's ``[start, end)`` character spans, one per sentence.
        answer_start: the answer's character offset in the paragraph.

    Returns:
        The first sentence whose span contains ``answer_start``, else the first whose ``end`` equals it, else None.

    Example:
        >>> answer_sentence([[0, 10], [10, 25]], 12)
        1
    """
    for i, (start, end) in enumerate(breaks):
        if start <= answer_start < end:
            return i
    for i, (_, end) in enumerate(breaks):
        if end == answer_start:
            return i
    return None


def read_squad_r(path: str | Path, lang: str | None = None) -> SquadRLanguage:
    """Parse one SQuAD-R file (``.json`` or ``.json.gz``); ``lang`` defaults to the name (``de.json`` -> ``de``).

    Args:
        path: the SQuAD-R file.
        lang: the language code (default: the file name up to its first dot).

    Returns:
        Every sentence (in file order) and question of the file.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: Malformed content (no ``data`` list, a paragraph without sentences, a question without an
            answer or whose answer lies in no sentence), naming the file (and question).

    Example:
        >>> german = read_squad_r("xquad-r/de.json")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"SQuAD-R file {path} does not exist")
    lang = lang or path.name.split(".")[0]
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            data = json.load(f)["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not SQuAD-R JSON (expected a top-level 'data' list): {exc}") from exc

    out = SquadRLanguage(lang=lang)
    for article in data:
        title = article.get("title", "")
        for paragraph in article.get("paragraphs", []):
            try:
                sentences, breaks = paragraph["sentences"], paragraph["sentence_breaks"]
            except KeyError as exc:
                raise ValueError(
                    f"{path}: a paragraph of article {title!r} has no {exc.args[0]!r}; "
                    "SQuAD-R files need 'sentences' and 'sentence_breaks' (use the LAReQA release)"
                ) from None
            offset = len(out.sentences)
            out.sentences.extend(sentences)
            out.sentence_articles.extend([title] * len(sentences))
            for qa in paragraph.get("qas", []):
                if not qa.get("answers"):
                    raise ValueError(f"{path}: question {qa.get('id')!r} has no answers")
                index = answer_sentence(breaks, qa["answers"][0]["answer_start"])
                if index is None:
                    raise ValueError(
                        f"{path}: the answer of question {qa['id']!r} lies in no sentence span"
                    )
                out.questions.append(SquadRQuestion(qa["id"], qa["question"], offset + index, title))
    return out


def read_squad_r_folder(folder: str | Path, languages: Sequence[str] | None = None) -> dict[str, SquadRLanguage]:
    """Parse ``<folder>/<lang>.json`` for each language (default: every ``*.json`` in the folder).

    Args:
        folder: the folder of SQuAD-R files.
        languages: the languages to read; None reads every ``*.json``, sorted by name.

    Returns:
        ``{lang: SquadRLanguage}`` in the order of ``languages``.

    Raises:
        FileNotFoundError: The folder, or a language's file, does not exist, or the folder holds no ``*.json``.
        ValueError: A file is malformed (see :func:`read_squad_r`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"SQuAD-R folder {folder} does not exist")
    if languages is None:
        languages = sorted(p.stem for p in folder.glob("*.json"))
        if not languages:
            raise FileNotFoundError(f"SQuAD-R folder {folder} holds no <lang>.json files")
    return {lang: read_squad_r(folder / f"{lang}.json", lang) for lang in languages}


def split_by_article(
    data: dict[str, SquadRLanguage], train_articles: int
) -> tuple[dict[str, SquadRLanguage], dict[str, SquadRLanguage]]:
    """Split parsed languages by article: the first ``train_articles`` titles (in the first language's order).

    Args:
        data: ``{lang: SquadRLanguage}``.
        train_articles: how many articles go to the first part, from 1 to the number of articles less one.

    Returns:
        ``(train, held_out)``, each ``{lang: SquadRLanguage}``: the first ``train_articles`` titles and the rest.

    Raises:
        ValueError: ``train_articles`` leaves either part without articles.
    """
    first = next(iter(data.values()))
    titles = first.articles
    if not 0 < train_articles < len(titles):
        raise ValueError(f"train_articles={train_articles} must be between 1 and {len(titles) - 1}")
    train, held = set(titles[:train_articles]), set(titles[train_articles:])
    return (
        {lang: d.restrict_to_articles(train) for lang, d in data.items()},
        {lang: d.restrict_to_articles(held) for lang, d in data.items()},
    )


def _draw_order(key: str) -> bytes:
    """A stable pseudo-random order of keys: the same on every machine and run."""
    return hashlib.blake2b(f"validation:{key}".encode(), digest_size=8).digest()


def split_validation(
    data: dict[str, SquadRLanguage], share: float
) -> tuple[dict[str, SquadRLanguage], dict[str, SquadRLanguage]]:
    """``(train, validation)``: articles of the language with most questions, drawn in a stable
    pseudo-random order until they hold ``share`` of its questions, their question ids in every
    language, and per language every article holding one of those ids go to validation; training
    keeps the other articles, so no validation question or candidate sentence is ever trained on.

    Args:
        data: ``{lang: SquadRLanguage}``.
        share: the share of the pivot language's questions to hold out, between 0 and 1.

    Returns:
        ``(train, validation)``, each ``{lang: SquadRLanguage}``; languages left with no validation question
        are left out of ``validation``.

    Raises:
        ValueError: The share leaves no validation or no training articles.
    """
    pivot = max(data.values(), key=lambda d: len(d.questions))
    per_article = Counter(q.article for q in pivot.questions)
    held_titles: set[str] = set()
    held_questions = 0
    for title in sorted(per_article, key=_draw_order):
        if held_questions >= share * len(pivot.questions):
            break
        held_titles.add(title)
        held_questions += per_article[title]
    chosen = {q.id for q in pivot.questions if q.article in held_titles}
    if not chosen or len(held_titles) == len(per_article):
        raise ValueError(f"validation_share={share} of {len(pivot.articles)} articles leaves no validation or no "
                         "training data; pick a share that keeps both")
    train, validation = {}, {}
    for lang, d in data.items():
        held = {q.article for q in d.questions if q.id in chosen}
        validation[lang] = d.restrict_to_articles(held)
        validation[lang].questions = [q for q in validation[lang].questions if q.id in chosen]
        train[lang] = d.restrict_to_articles(set(d.articles) - held)
        train[lang].questions = [q for q in train[lang].questions if q.id not in chosen]
    return train, {lang: v for lang, v in validation.items() if v.questions}
