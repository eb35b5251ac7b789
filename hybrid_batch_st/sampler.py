"""HybridBatchSampler: every batch monolingual (X-X) or cross-lingual (X-Y), drawn by data size.

Rows of a :meth:`MultilingualPairDataset.to_dataset` dataset are grouped by
(question language, answer language). A *group* is one such combination:
``(x, x)`` groups feed monolingual batches, ``(x, y)`` groups with ``x != y``
feed cross-lingual ones. Each batch first picks its type (monolingual with
probability ``alpha``), then its group(s) with probability
``p_g ~ weight_g * n_g ** (1 / temperature)``, where ``n_g`` is the group's row
count and ``weight_g`` the explicit language weight (a pair's weight is the
product of its two languages' weights).

With ``language_choice="batch"`` (the paper's set-up) one group serves the
whole batch; groups with fewer rows than the batch size cannot fill a batch
with distinct examples and are skipped, with a warning naming them. With
``language_choice="example"`` every row draws its own group (rows stay
monolingual or cross-lingual as the batch type says), so small groups take
part too.

Within a group rows are drawn without replacement from a shuffled cycle, and
a batch never holds two rows of one parallel example. An epoch yields
``ceil(R / batch_size)`` batches (``floor`` with ``drop_last``), where ``R``
is the number of (id, language) records, so one epoch draws about as many
pairs as there are records.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import Callable, Iterator, Literal, Mapping, Union

import numpy as np
import torch
from datasets import Dataset
from sentence_transformers.base.sampler import DefaultBatchSampler

from .data import PAIR_COLUMNS

__all__ = ["HybridBatchSampler", "MODES"]

logger = logging.getLogger(__name__)

MODES = ("monolingual", "cross-lingual", "hybrid")
Mode = Literal["monolingual", "cross-lingual", "hybrid"]
Alpha = Union[float, Literal["size"]]


def _check_options(mode: str, alpha: Alpha, temperature: float, language_choice: str, language_weights) -> None:
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not one of {MODES}")
    if alpha != "size" and not (isinstance(alpha, (int, float)) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha={alpha!r} must be a number in [0, 1] or 'size'")
    if not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature={temperature!r} must be a positive number")
    if language_choice not in ("batch", "example"):
        raise ValueError(f"language_choice={language_choice!r} must be 'batch' or 'example'")
    for lang, weight in (language_weights or {}).items():
        if not (isinstance(weight, (int, float)) and weight >= 0):
            raise ValueError(f"language_weights[{lang!r}]={weight!r} must be a non-negative number")


class _Cycle:
    """Rows of one group in a shuffled order, reshuffled each time they run out."""

    __slots__ = ("rows", "rng", "order", "pos")

    def __init__(self, rows: np.ndarray, rng: np.random.Generator):
        self.rows, self.rng = rows, rng
        self.order = rng.permutation(rows)
        self.pos = 0

    def pop(self) -> int:
        if self.pos == len(self.order):
            self.order = self.rng.permutation(self.rows)
            self.pos = 0
        self.pos += 1
        return int(self.order[self.pos - 1])


class HybridBatchSampler(DefaultBatchSampler):
    """Batch sampler for hybrid (monolingual + cross-lingual) batch training.

    Pass the class itself as ``SentenceTransformerTrainingArguments(batch_sampler=HybridBatchSampler)``
    for the defaults, or ``HybridBatchSampler.configure(mode=..., alpha=...)`` for other settings.
    The dataset must come from :meth:`MultilingualPairDataset.to_dataset`.

    Args:
        dataset: the pair dataset (columns ``example``, ``query_lang``, ``answer_lang`` are read).
        batch_size: rows per batch.
        drop_last: drop the final, smaller batch of an epoch.
        valid_label_columns, generator: accepted for the trainer's interface; randomness comes
            from ``seed`` and the epoch (``set_epoch``) only, so a run is reproducible.
        seed: random seed.
        mode: ``"monolingual"`` (X-X only), ``"cross-lingual"`` (X-Y only) or ``"hybrid"``.
        alpha: probability that a hybrid batch is monolingual, or ``"size"`` to use the share of
            monolingual rows among all eligible rows. Ignored by the other modes.
        temperature: ``T`` in ``p ~ n ** (1/T)``; 1 follows data size, larger flattens toward uniform.
        language_weights: optional ``{lang: weight}`` multiplied into the group probabilities
            (missing languages weigh 1; weight 0 excludes a language).
        language_choice: ``"batch"`` (one language or language pair per batch, as in the paper)
            or ``"example"`` (drawn per row).
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        drop_last: bool = False,
        valid_label_columns: list[str] | None = None,
        generator: torch.Generator | None = None,
        seed: int = 0,
        *,
        mode: Mode = "hybrid",
        alpha: Alpha = 0.5,
        temperature: float = 1.0,
        language_weights: Mapping[str, float] | None = None,
        language_choice: Literal["batch", "example"] = "batch",
    ) -> None:
        super().__init__(
            dataset,
            batch_size=batch_size,
            drop_last=drop_last,
            valid_label_columns=valid_label_columns,
            generator=generator,
            seed=seed,
        )
        _check_options(mode, alpha, temperature, language_choice, language_weights)
        self.mode, self.temperature, self.language_choice = mode, float(temperature), language_choice
        self.seed = 0 if seed is None else int(seed)

        self.languages, example, query_lang, answer_lang = _read_pair_columns(dataset)
        unknown = sorted(set(language_weights or {}) - set(self.languages))
        if unknown:
            raise ValueError(f"language_weights names {unknown}, which the dataset lacks; it has {self.languages}")
        self.example = example
        mono = query_lang == answer_lang
        self.num_records = int(mono.sum())
        if mode != "monolingual":
            _check_multilingual_examples(example, query_lang, mono, self.languages)

        n_lang = len(self.languages)
        key = query_lang.astype(np.int64) * n_lang + answer_lang
        order = np.argsort(key, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(np.bincount(key, minlength=n_lang * n_lang))])
        weights = np.array([float((language_weights or {}).get(lang, 1.0)) for lang in self.languages])

        self.groups: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
        self.group_rows: dict[tuple[str, str], np.ndarray] = {}
        group_weight: dict[tuple[str, str], float] = {}
        too_small = []
        for q in range(n_lang):
            for a in range(n_lang):
                rows = order[bounds[q * n_lang + a] : bounds[q * n_lang + a + 1]]
                weight = weights[q] if q == a else weights[q] * weights[a]
                if len(rows) == 0 or weight == 0:
                    continue
                name = (self.languages[q], self.languages[a])
                if language_choice == "batch" and len(rows) < batch_size:
                    too_small.append(f"{name[0]}-{name[1]} ({len(rows)})")
                    continue
                self.groups[q == a].append(name)
                self.group_rows[name] = rows
                group_weight[name] = weight
        if too_small:
            logger.warning(
                "HybridBatchSampler: skipping %d language group(s) with fewer rows than batch_size=%d: %s "
                "(use language_choice='example' to include them)",
                len(too_small),
                batch_size,
                ", ".join(too_small),
            )

        needed = {"monolingual": [True], "cross-lingual": [False], "hybrid": [True, False]}[mode]
        for is_mono in needed:
            if not self.groups[is_mono]:
                kind = "monolingual" if is_mono else "cross-lingual"
                raise ValueError(
                    f"no {kind} language group can fill a batch of {batch_size} distinct examples "
                    f"(languages {self.languages}); lower the batch size, add data, or use language_choice='example'"
                )
        self.probabilities = {
            is_mono: _normalise(
                [group_weight[g] * len(self.group_rows[g]) ** (1.0 / self.temperature) for g in self.groups[is_mono]]
            )
            for is_mono in (True, False)
            if self.groups[is_mono]
        }
        sizes = {m: sum(len(self.group_rows[g]) for g in self.groups[m]) for m in (True, False)}
        if mode == "monolingual":
            self.alpha = 1.0
        elif mode == "cross-lingual":
            self.alpha = 0.0
        elif alpha == "size":
            self.alpha = sizes[True] / (sizes[True] + sizes[False])
        else:
            self.alpha = float(alpha)
        if language_choice == "example":
            for is_mono in needed:
                distinct = len(np.unique(example[np.concatenate([self.group_rows[g] for g in self.groups[is_mono]])]))
                if distinct < batch_size:
                    raise ValueError(
                        f"only {distinct} distinct examples are available for "
                        f"{'monolingual' if is_mono else 'cross-lingual'} batches, fewer than batch_size={batch_size}"
                    )

    @classmethod
    def configure(
        cls,
        mode: Mode = "hybrid",
        alpha: Alpha = 0.5,
        temperature: float = 1.0,
        language_weights: Mapping[str, float] | None = None,
        language_choice: Literal["batch", "example"] = "batch",
    ) -> Callable[..., "HybridBatchSampler"]:
        """A factory for ``SentenceTransformerTrainingArguments(batch_sampler=...)`` with these options.

        Options are checked here, so a typo fails before training starts.
        """
        _check_options(mode, alpha, temperature, language_choice, language_weights)
        return functools.partial(
            cls,
            mode=mode,
            alpha=alpha,
            temperature=temperature,
            language_weights=dict(language_weights) if language_weights else None,
            language_choice=language_choice,
        )

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_records // self.batch_size
        return math.ceil(self.num_records / self.batch_size)

    def batch_sizes(self) -> list[int]:
        full, rest = divmod(self.num_records, self.batch_size)
        return [self.batch_size] * full + ([rest] if rest and not self.drop_last else [])

    def __iter__(self) -> Iterator[list[int]]:
        rng = np.random.default_rng([self.seed, self.epoch])
        cycles: dict[tuple[str, str], _Cycle] = {}
        sizes = self.batch_sizes()
        monolingual = rng.random(len(sizes)) < self.alpha
        for size, is_mono in zip(sizes, monolingual):
            groups, probs = self.groups[bool(is_mono)], self.probabilities[bool(is_mono)]
            if self.language_choice == "batch":
                chosen = [groups[rng.choice(len(groups), p=probs)]] * size
            else:
                chosen = [groups[i] for i in rng.choice(len(groups), size=size, p=probs)]
            yield self._fill(chosen, groups, probs, cycles, rng)

    def _fill(self, chosen, groups, probs, cycles, rng) -> list[int]:
        batch: list[int] = []
        seen: set[int] = set()
        for group in chosen:
            while True:
                row = self._next_unseen(group, seen, cycles, rng)
                if row is not None:
                    break
                # every row of this (small) group is already in the batch: redraw the group
                group = groups[rng.choice(len(groups), p=probs)]
            batch.append(row)
            seen.add(int(self.example[row]))
        return batch

    def _next_unseen(self, group, seen, cycles, rng) -> int | None:
        cycle = cycles.get(group)
        if cycle is None:
            cycle = cycles[group] = _Cycle(self.group_rows[group], rng)
        for _ in range(len(cycle.rows)):
            row = cycle.pop()
            if int(self.example[row]) not in seen:
                return row
        return None


def _normalise(values: list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    return arr / arr.sum()


def _read_pair_columns(dataset: Dataset) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    columns = getattr(dataset, "column_names", None) or []
    missing = [c for c in PAIR_COLUMNS if c not in columns]
    if missing:
        raise ValueError(
            f"HybridBatchSampler needs a dataset from MultilingualPairDataset.to_dataset() "
            f"(columns {list(PAIR_COLUMNS)}); this one lacks {missing} (columns: {columns})"
        )
    languages = list(dataset.features["query_lang"].names)
    table = dataset.select_columns(list(PAIR_COLUMNS)).with_format("numpy")[:]
    return languages, table["example"], table["query_lang"], table["answer_lang"]


def _check_multilingual_examples(example, query_lang, mono, languages) -> None:
    per_example = np.bincount(example[mono])
    single = per_example[example[mono]] == 1
    if single.any():
        counts = np.bincount(query_lang[mono][single], minlength=len(languages))
        shown = ", ".join(f"{languages[i]}: {c}" for i, c in enumerate(counts) if c)
        raise ValueError(
            f"{int(single.sum())} example id(s) exist in one language only ({shown}); cross-lingual batches need "
            "every example in at least two languages. Drop them with "
            "MultilingualPairDataset.without_single_language_ids(), or use mode='monolingual'"
        )
