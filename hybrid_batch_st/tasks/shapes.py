"""The one place that knows both shapes of benchmark data: a :class:`~.task.RetrievalTask`, and LAReQA's
``{lang: SquadRLanguage}`` as :func:`~hybrid_batch_st.tasks.lareqa.load_benchmark` reads it.

Kept apart from :mod:`.task` and :mod:`.squad_r` so that neither imports the other.
"""

from __future__ import annotations

from typing import Mapping

from .squad_r import SquadRLanguage, doc_id
from .task import RetrievalTask, TextSet

__all__ = ["squad_r_task", "as_task"]


def squad_r_task(data: Mapping[str, SquadRLanguage], name: str = "") -> RetrievalTask:
    """LAReQA data as a task: per language, its questions and its sentences (ids :func:`~.squad_r.doc_id`).

    A question's answer sentence in every language is relevant; every (X, Y) pair is evaluated, and
    X against all pools.

    Args:
        data: Language code -> that language's questions and sentences.
        name: The task's name (used in tables and error messages).

    Returns:
        The :class:`~.task.RetrievalTask`.
    """
    languages = list(data)
    answers = {lang: data[lang].answer_of() for lang in languages}
    queries = {lang: TextSet(lang, {q.id: q.text for q in data[lang].questions}) for lang in languages}
    pools = {lang: TextSet(lang, dict(zip(data[lang].doc_ids(), data[lang].sentences))) for lang in languages}
    qrels = {x: {q.id: {doc_id(y, answers[y][q.id]): 1 for y in languages if q.id in answers[y]}
                 for q in data[x].questions} for x in languages}
    return RetrievalTask(name, queries, pools, qrels, [(x, y) for x in languages for y in languages], languages)


def as_task(data: RetrievalTask | Mapping[str, SquadRLanguage], name: str = "") -> RetrievalTask:
    """``data`` as a task: a task as it is, LAReQA's mapping built into one by :func:`squad_r_task`.

    Args:
        data: A :class:`~.task.RetrievalTask`, or a mapping of language code to ``SquadRLanguage``.
        name: The task's name for a mapping (used in error messages).

    Returns:
        The task.

    Raises:
        ValueError: ``data`` is an empty mapping.

    Example:
        >>> from hybrid_batch_st.tasks.sample import load_sample
        >>> as_task(load_sample(["en", "de"]), "sample").pairs
        [('en', 'en'), ('en', 'de'), ('de', 'en'), ('de', 'de')]
    """
    if isinstance(data, RetrievalTask):
        return data
    if not data:
        raise ValueError(f"{name or 'benchmark'}: no languages to evaluate; name at least one language")
    return squad_r_task(data, name)
