"""Parallel multilingual question/answer pairs for the stock ``SentenceTransformerTrainer``.

A record is ``{id, lang, question, answer}``; records sharing an ``id`` are
translations of one parallel example. :meth:`MultilingualPairDataset.to_dataset`
returns a ``datasets.Dataset`` holding only integers: one row per
(example, question language, answer language) that points at the stored
records. Sentence-transformers' own :func:`~sentence_transformers.util.resolve_ids`
transform turns each row into ``anchor`` (question) and ``positive`` (answer)
text when a batch is read, so texts are stored once and the metadata columns
(``example``, ``query_lang``, ``answer_lang``) reach :class:`HybridBatchSampler`
but never the data collator.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa
from datasets import ClassLabel, Dataset, DatasetInfo, Features, Value
from datasets.table import InMemoryTable
from sentence_transformers.util import resolve_ids

from .squad_r import SquadRLanguage, read_squad_r_folder

__all__ = ["MultilingualPairDataset", "REQUIRED_FIELDS", "PAIR_COLUMNS"]

REQUIRED_FIELDS = ("id", "lang", "question", "answer")
#: Integer columns of :meth:`MultilingualPairDataset.to_dataset` that the sampler reads.
PAIR_COLUMNS = ("example", "query_lang", "answer_lang")


class MultilingualPairDataset:
    """Parallel question/answer records in several languages.

    Build one with :meth:`from_records`, :meth:`from_jsonl` or
    :meth:`from_squad_r`; hand :meth:`to_dataset` to the trainer together with
    ``batch_sampler=HybridBatchSampler`` (or ``HybridBatchSampler.configure(...)``).
    """

    def __init__(self, ids: Sequence[str], langs: Sequence[str], questions: Sequence[str], answers: Sequence[str]):
        self.ids = list(ids)
        self.langs = list(langs)
        self.questions = list(questions)
        self.answers = list(answers)
        self._validate()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], languages: Sequence[str] | None = None, source: str = "records"
    ) -> "MultilingualPairDataset":
        """Records as mappings with ``id``, ``lang``, ``question`` and ``answer``.

        ``languages`` keeps only those languages and requires each to have rows.
        ``source`` names the input in error messages.
        """
        ids, langs, questions, answers = [], [], [], []
        wanted = set(languages) if languages is not None else None
        for n, record in enumerate(records):
            missing = [f for f in REQUIRED_FIELDS if not isinstance(record.get(f), str) or not record.get(f)]
            if missing:
                raise ValueError(
                    f"{source}: record {n} (id={record.get('id')!r}) lacks non-empty string field(s) {missing}; "
                    f"every record needs {list(REQUIRED_FIELDS)}"
                )
            if wanted is not None and record["lang"] not in wanted:
                continue
            ids.append(record["id"])
            langs.append(record["lang"])
            questions.append(record["question"])
            answers.append(record["answer"])
        if languages is not None:
            present = set(langs)
            empty = [lang for lang in languages if lang not in present]
            if empty:
                raise ValueError(f"{source}: language(s) {empty} have no rows; drop them from languages=")
        if not ids:
            raise ValueError(f"{source}: no records")
        try:
            return cls(ids, langs, questions, answers)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None

    @classmethod
    def from_jsonl(cls, path: str | Path, languages: Sequence[str] | None = None) -> "MultilingualPairDataset":
        """One JSON record per line (see :meth:`from_records`)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"pair file {path} does not exist")

        def records():
            with path.open(encoding="utf-8") as f:
                for line_no, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except json.JSONDecodeError as exc:
                            raise ValueError(f"{path}:{line_no}: not JSON ({exc})") from None

        return cls.from_records(records(), languages=languages, source=str(path))

    @classmethod
    def from_squad_r(
        cls,
        directory: str | Path,
        languages: Sequence[str] | None = None,
        articles: Iterable[str] | None = None,
    ) -> "MultilingualPairDataset":
        """Questions and their answer sentences from SQuAD-R files ``<directory>/<lang>.json``.

        ``languages`` defaults to every ``*.json`` in the folder; ``articles``
        keeps only questions of those article titles (for by-article splits).
        """
        parsed = read_squad_r_folder(directory, languages)
        return cls.from_squad_r_languages(parsed, articles=articles, source=str(directory))

    @classmethod
    def from_squad_r_languages(
        cls,
        parsed: Mapping[str, SquadRLanguage],
        articles: Iterable[str] | None = None,
        source: str = "SQuAD-R",
    ) -> "MultilingualPairDataset":
        """As :meth:`from_squad_r`, from already parsed languages (see :mod:`hybrid_batch_st.lareqa`)."""
        keep = set(articles) if articles is not None else None
        records = (
            {"id": q.id, "lang": lang, "question": q.text, "answer": data.answer(q)}
            for lang, data in parsed.items()
            for q in data.questions
            if keep is None or q.article in keep
        )
        return cls.from_records(records, languages=list(parsed), source=source)

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return len(self.ids)

    @property
    def languages(self) -> list[str]:
        """Languages in first-seen order."""
        return list(dict.fromkeys(self.langs))

    def language_counts(self) -> dict[str, int]:
        return dict(Counter(self.langs))

    def single_language_ids(self) -> dict[str, int]:
        """How many example ids exist in one language only, per language."""
        per_id = Counter(self.ids)
        return dict(Counter(lang for i, lang in zip(self.ids, self.langs) if per_id[i] == 1))

    def without_single_language_ids(self) -> "MultilingualPairDataset":
        """A copy without examples that exist in one language only (needed for cross-lingual batches)."""
        per_id = Counter(self.ids)
        keep = [n for n, i in enumerate(self.ids) if per_id[i] > 1]
        return MultilingualPairDataset(
            [self.ids[n] for n in keep],
            [self.langs[n] for n in keep],
            [self.questions[n] for n in keep],
            [self.answers[n] for n in keep],
        )

    def records(self) -> Iterable[dict[str, str]]:
        for i, lang, q, a in zip(self.ids, self.langs, self.questions, self.answers):
            yield {"id": i, "lang": lang, "question": q, "answer": a}

    def to_dataset(self) -> Dataset:
        """The trainer-facing ``datasets.Dataset`` (see the module docstring).

        Rows are every (example, question language, answer language) combination
        the records allow, as int32 indices; reading rows yields
        ``{"anchor": question, "positive": answer}``.
        """
        languages = self.languages
        lang_code = {lang: n for n, lang in enumerate(languages)}
        _, example = np.unique(np.asarray(self.ids, dtype=object), return_inverse=True)
        example = example.astype(np.int64)
        lang = np.fromiter((lang_code[x] for x in self.langs), dtype=np.int64, count=len(self.langs))

        # Group records by example; every ordered pair of records inside a group is one row.
        order = np.argsort(example, kind="stable")
        sizes = np.bincount(example)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        group_size = np.repeat(sizes, sizes)  # for each sorted record, the size of its group
        group_start = np.repeat(starts, sizes)
        q_sorted = np.repeat(np.arange(len(order)), group_size)
        # position of the answer inside its group, for each (q, a) row
        offsets = np.arange(len(q_sorted)) - np.repeat(np.cumsum(group_size) - group_size, group_size)
        a_sorted = np.repeat(group_start, group_size) + offsets
        q_rec, a_rec = order[q_sorted], order[a_sorted]

        features = Features(
            {
                "anchor_id": Value("int32"),
                "positive_id": Value("int32"),
                "example": Value("int32"),
                "query_lang": ClassLabel(names=languages),
                "answer_lang": ClassLabel(names=languages),
            }
        )
        # Straight to Arrow: Dataset.from_dict(features=...) encodes every value in Python.
        table = pa.table(
            {
                "anchor_id": pa.array(q_rec.astype(np.int32)),
                "positive_id": pa.array(a_rec.astype(np.int32)),
                "example": pa.array(example[q_rec].astype(np.int32)),
                "query_lang": pa.array(lang[q_rec]),
                "answer_lang": pa.array(lang[a_rec]),
            }
        )
        pairs = Dataset(InMemoryTable(table), info=DatasetInfo(features=features))
        texts = Dataset.from_dict(
            {"record_id": np.arange(len(self.ids), dtype=np.int32), "question": self.questions, "answer": self.answers}
        )
        pairs.set_transform(
            resolve_ids(
                {"anchor_id": (texts, "record_id", "question"), "positive_id": (texts, "record_id", "answer")}
            )
        )
        return pairs

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        n = len(self.ids)
        if not (len(self.langs) == len(self.questions) == len(self.answers) == n):
            raise ValueError("ids, langs, questions and answers must have the same length")
        if n == 0:
            raise ValueError("no records")
        counts = Counter(zip(self.ids, self.langs))
        dupes = [key for key, c in counts.items() if c > 1]
        if dupes:
            shown = ", ".join(f"(id={i!r}, lang={lang!r})" for i, lang in dupes[:5])
            raise ValueError(
                f"{len(dupes)} duplicate (id, lang) record(s), e.g. {shown}; each example may appear once per language"
            )
