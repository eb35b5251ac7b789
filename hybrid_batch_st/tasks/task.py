"""One retrieval-task model behind every benchmark (in the manner of mteb's one task model).

A :class:`RetrievalTask` holds, per *query set* and per *pool*, texts by id, each set with its
language; judgments (query set -> query id -> {document id: grade}); and the (query set, pool)
pairs that exist. A set's name is its language code unless a benchmark needs more than one set per
language (Tatoeba's English side differs per language pair: ``eng-deu``, ``eng-fra``, ...).

- A document id means the same document in every pool that holds it: a judged id is relevant in
  each pool that has it (parallel collections share ids; LAReQA's ids name their language).
- Settings come from the data: a pair whose query set and pool have one language is monolingual,
  otherwise cross-lingual; query sets in :attr:`RetrievalTask.multilingual` are also evaluated
  against the union of every pool. A benchmark without monolingual pairs reports none.
- A query is evaluated in a pair when at least one of its judged documents (grade > 0) is in the
  pool (MLQA-R: the questions whose id exists in both languages).
- ``exclude_self``: in a multi-parallel collection a query's own text is never a candidate: the
  document with the query's id, in the pool named as the query's set.
- Significance pairs queries by :meth:`RetrievalTask.unit` of their id: the id itself, or ``ID`` for
  ``ID#k`` (several texts of one parallel item in one language).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["TextSet", "RetrievalTask"]


@dataclass
class TextSet:
    """The texts of one query set or pool, all in one language.

    Attributes:
        lang: the language code of every text.
        texts: ``{id: text}``.
    """

    lang: str
    texts: dict[str, str]


@dataclass
class RetrievalTask:
    """Queries, pools and judgments of one multilingual retrieval benchmark (see the module docstring).

    Every reader builds one (:func:`~hybrid_batch_st.tasks.registry.load_task`,
    :func:`~hybrid_batch_st.data.sources.load_eval_data`); :func:`~hybrid_batch_st.evaluation.evaluate`,
    the evaluator, significance tests and Pyserini's benchmark files read it.

    Attributes:
        name: the benchmark's name (for messages).
        queries: query set name -> its texts (:class:`TextSet`: language and ``{id: text}``).
        pools: pool name -> its documents.
        qrels: query set name -> query id -> ``{document id: grade}``.
        pairs: the (query set, pool) pairs evaluated; a pair within one language is monolingual.
        multilingual: the query sets also evaluated against the union of every pool.
        exclude_self: a query's own text (its id, in the pool named as its set) is never a candidate.

    Example:
        >>> task = RetrievalTask.parallel("toy", {"en": {"1": "a cat", "2": "a dog"},
        ...                                        "de": {"1": "eine Katze", "2": "ein Hund"}})
        >>> task.pairs, task.relevant("en", "1", "de")
        ([('en', 'de'), ('de', 'en')], {'1': 1})
    """

    name: str
    queries: dict[str, TextSet]
    pools: dict[str, TextSet]
    qrels: dict[str, dict[str, dict[str, int]]]
    pairs: list[tuple[str, str]]
    multilingual: list[str] = field(default_factory=list)
    exclude_self: bool = False

    def __post_init__(self) -> None:
        for query_set, pool in self.pairs:
            for kind, name, known in (("query set", query_set, self.queries), ("pool", pool, self.pools)):
                if name not in known:
                    raise ValueError(f"{self.name}: pair ({query_set}, {pool}) names the {kind} {name!r}, which the "
                                     f"task lacks; it has {sorted(known)}")

    @property
    def multi_parallel(self) -> bool:
        """Whether the pools hold the queries' own items (Tatoeba, FLORES-200, xSID, xFlickr&CO,
        ``parallel:``), so that :meth:`sample` applies; LAReQA's and BEIR's pools hold other documents."""
        units = {self.unit(q) for s in self.queries.values() for q in s.texts}
        return any(self.unit(d) in units for s in self.pools.values() for d in s.texts)

    def setting(self, query_set: str, pool: str) -> str:
        """The setting of a (query set, pool) pair, by the languages of the two.

        Args:
            query_set: a name of :attr:`queries`.
            pool: a name of :attr:`pools`.

        Returns:
            ``"monolingual"`` where both are in one language, else ``"cross-lingual"``.
        """
        return "monolingual" if self.queries[query_set].lang == self.pools[pool].lang else "cross-lingual"

    @property
    def languages(self) -> list[str]:
        """Every language of the task's query sets and pools, in first-seen order."""
        sets = [*self.queries.values(), *self.pools.values()]
        return list(dict.fromkeys(s.lang for s in sets))

    @staticmethod
    def unit(query_id: str) -> str:
        """The parallel item a query id stands for (``ID#k`` -> ``ID``).

        Args:
            query_id: a query (or document) id.

        Returns:
            The id up to its first ``#``.

        Example:
            >>> RetrievalTask.unit("img42#1")
            'img42'
        """
        return query_id.split("#", 1)[0]

    def relevant(self, query_set: str, query_id: str, pool: str) -> dict[str, int]:
        """The judged documents (grade > 0) of a query that ``pool`` holds, without the query's own text.

        Args:
            query_set: the query's set.
            query_id: the query's id.
            pool: the pool searched.

        Returns:
            ``{document id: grade}``; empty where the query has no relevant document in ``pool``.
        """
        texts = self.pools[pool].texts
        own = query_id if self.exclude_self and pool == query_set else None
        return {d: g for d, g in self.qrels.get(query_set, {}).get(query_id, {}).items()
                if g > 0 and d in texts and d != own}

    def excluded(self, query_set: str, query_id: str, pool: str) -> str | None:
        """The document of ``pool`` that may not be a candidate for this query (its own text), if any.

        Args:
            query_set: the query's set.
            query_id: the query's id.
            pool: the pool searched.

        Returns:
            ``query_id`` where :attr:`exclude_self` holds, ``pool`` is named as the query's set and holds that id;
            else None.
        """
        if self.exclude_self and pool == query_set and query_id in self.pools[pool].texts:
            return query_id
        return None

    def subset(self, languages: list[str]) -> "RetrievalTask":
        """The task restricted to query sets and pools in ``languages``.

        Args:
            languages: the languages to keep, as the task's sets name them (``TextSet.lang``).

        Returns:
            A new task with the sets, judgments, pairs and multilingual query sets of those languages.
        """
        keep_q = {n: s for n, s in self.queries.items() if s.lang in languages}
        keep_p = {n: s for n, s in self.pools.items() if s.lang in languages}
        return RetrievalTask(
            self.name, keep_q, keep_p, {n: j for n, j in self.qrels.items() if n in keep_q},
            [(q, p) for q, p in self.pairs if q in keep_q and p in keep_p],
            [q for q in self.multilingual if q in keep_q], self.exclude_self,
        )

    def sample(self, items: int, seed: int = 0) -> "RetrievalTask":
        """A smaller multi-parallel task: about ``items`` parallel items per query set, the same items in
        every language (to fit an evaluation budget; figures compare only on the same sample).

        Each query set names its ``items`` units (:meth:`unit`) of smallest ``sha1(seed, unit)`` (a
        seeded random sample that does not depend on file order); every query set and pool keeps its
        texts of any named unit, so a set may keep a few more than ``items`` that another set needs.
        For collections whose pools share the queries' ids (Tatoeba, FLORES-200, xSID, xFlickr&CO,
        ``parallel:``); LAReQA's pools hold sentence ids, not question ids.

        Args:
            items: parallel items to keep per query set (1 or more).
            seed: the seed of the draw.

        Returns:
            A new task with the same sets and pairs, their texts and judgments kept to the drawn items.

        Raises:
            ValueError: ``items`` < 1, or no pool keeps a text (the pools do not share the queries' ids).

        Example:
            >>> task = RetrievalTask.parallel("toy", {"en": {"1": "a cat", "2": "a dog"},
            ...                                        "de": {"1": "eine Katze", "2": "ein Hund"}})
            >>> len(task.sample(1).queries["en"].texts)
            1
        """
        if items < 1:
            raise ValueError(f"{self.name}: sample(items={items}) keeps nothing; pass 1 or more items per set")

        def rank(unit: str) -> str:
            return hashlib.sha1(f"{seed}\0{unit}".encode()).hexdigest()

        keep: set[str] = set()
        for texts in self.queries.values():
            keep.update(sorted(dict.fromkeys(map(self.unit, texts.texts)), key=rank)[:items])

        def kept(sets: dict[str, TextSet]) -> dict[str, TextSet]:
            return {n: TextSet(s.lang, {i: t for i, t in s.texts.items() if self.unit(i) in keep})
                    for n, s in sets.items()}

        queries, pools = kept(self.queries), kept(self.pools)
        if self.pools and all(not s.texts for s in pools.values()):
            raise ValueError(f"{self.name}: sample() kept no pool text: its pool ids are not the queries' item "
                             "ids (a LAReQA-style task); evaluate it whole, or subset its languages instead")
        qrels = {n: {q: j for q, j in self.qrels.get(n, {}).items() if q in queries[n].texts} for n in queries}
        return RetrievalTask(self.name, queries, pools, qrels, list(self.pairs), list(self.multilingual),
                             self.exclude_self)

    @classmethod
    def parallel(cls, name: str, texts: Mapping[str, Mapping[str, str]], exclude_self: bool = True,
                 monolingual: bool = False) -> "RetrievalTask":
        """A multi-parallel collection ``{lang: {id: text}}``: the same id in another language is relevant.

        Ids ``ID#k`` are several texts of one item in one language (captions): every text of the item in
        another language is relevant. Every cross-lingual pair and every language against all pools are
        evaluated; with ``monolingual``, also each language against itself (its other texts of the item).

        Args:
            name: the task's name.
            texts: ``{lang: {id: text}}``; each language is one query set and one pool.
            exclude_self: a query's own text is never a candidate (in its own language's pool).
            monolingual: also evaluate each language against its own pool.

        Returns:
            The task; every language is also evaluated against all pools (:attr:`multilingual`).

        Example:
            >>> task = RetrievalTask.parallel("toy", {"en": {"1": "a cat"}, "de": {"1": "eine Katze"}})
            >>> task.pairs, task.qrels["en"]
            ([('en', 'de'), ('de', 'en')], {'1': {'1': 1}})
        """
        by_item: dict[str, set[str]] = {}
        for lang_texts in texts.values():
            for text_id in lang_texts:
                by_item.setdefault(cls.unit(text_id), set()).add(text_id)
        sets = {lang: TextSet(lang, dict(t)) for lang, t in texts.items()}
        qrels = {lang: {q: {d: 1 for d in by_item[cls.unit(q)]} for q in t} for lang, t in texts.items()}
        pairs = [(x, y) for x in texts for y in texts if x != y or monolingual]
        return cls(name, sets, dict(sets), qrels, pairs, list(texts), exclude_self)
