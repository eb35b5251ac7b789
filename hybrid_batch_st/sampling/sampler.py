"""HybridBatchSampler: every batch monolingual (X-X) or cross-lingual (X-Y), drawn by data size.

A *group* is one (question language, answer language) combination: ``(x, x)``
groups feed monolingual batches, ``(x, y)`` groups with ``x != y`` feed
cross-lingual ones; a group's size ``n_g`` is the number of parallel examples
that have both languages. Each batch first picks its type (monolingual with
probability ``alpha``), then its group(s) with probability
``p_g ~ weight_g * n_g ** (1 / temperature)``, where ``weight_g`` is the
explicit language weight (a pair's weight is the product of its two
languages' weights).

The rules hold for the **global batch**: the union of the per-device batches of
one step, which is what a loss with ``gather_across_devices=True`` sees. With
``N`` processes (the running ``torch.distributed`` world size, or
``world_size=``) the sampler draws one global batch of ``N * batch_size`` rows
and yields it as ``N`` consecutive equal slices; accelerate's
``BatchSamplerShard`` hands slice ``k`` to rank ``k``. So every global batch
has one type, one language (pair) with ``language_choice="batch"``, and no
parallel example twice across all ranks.

With ``language_choice="batch"`` (the paper's set-up) one group serves the
whole global batch; groups with fewer examples than the global batch cannot
fill it with distinct examples and are skipped, with a warning naming them.
With ``language_choice="example"`` every row draws its own group (rows stay
monolingual or cross-lingual as the batch type says), so small groups take
part too.

``mode="mixed"`` is the usual multilingual contrastive recipe the method is weighed against: every
row draws its own group among all X-X and X-Y groups (by the same ``p_g``), so a batch mixes both
kinds; like every mode, it never holds one parallel example twice in a global batch.

Within a group, examples are drawn without replacement from a shuffled cycle.
An epoch has ``ceil(R / (N * batch_size))`` global batches (``floor`` with
``drop_last``), ``R`` being the number of (id, language) records, so one epoch
draws about as many pairs as there are records; the last, smaller global batch
is cut to a multiple of ``N`` rows so that every rank gets an equal slice.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Iterator, Literal, Mapping, Union

import numpy as np
import torch
from datasets import Dataset
from sentence_transformers.base.sampler import DefaultBatchSampler

from ..data.pair_index import resolver_of
from ..errors import option_name
from .cycles import Cycle
from .distributed import loader_epoch, process_world_size
from .groups import Group, LanguageGroups
from .negatives import NegativesApart
from .options import SAMPLER_DEFAULTS, check_multilingual_examples, check_sampler_options, index_of

__all__ = ["HybridBatchSampler"]

logger = logging.getLogger(__name__)

Mode = str  # one of hybrid_batch_st.names.MODES
Alpha = Union[float, Literal["size"]]


class HybridBatchSampler(DefaultBatchSampler):
    """Batch sampler for hybrid (monolingual + cross-lingual) batch training.

    Pass the class itself as ``SentenceTransformerTrainingArguments(batch_sampler=HybridBatchSampler)``
    for the defaults, or ``HybridBatchSampler.configure(mode=..., alpha=...)`` for other settings.
    The dataset must come from :meth:`MultilingualPairDataset.to_dataset`, unchanged. The epoch comes from
    ``set_epoch`` or, while an accelerate data loader iterates the sampler, from that loader (so a run
    resumed mid-epoch under several processes draws the same batches).

    Args:
        dataset: the pair dataset of :meth:`MultilingualPairDataset.to_dataset`.
        batch_size: rows per device and step (the trainer's ``per_device_train_batch_size``).
        drop_last: drop the final, smaller global batch of an epoch.
        valid_label_columns: accepted for the trainer's interface (unused).
        generator: accepted for the trainer's interface; randomness comes from ``seed`` and the epoch only.
        seed: random seed.
        mode: one of :data:`hybrid_batch_st.names.MODES`: ``"monolingual"`` (X-X only),
            ``"cross-lingual"`` (X-Y only), ``"hybrid"`` or ``"mixed"`` (each row's language pair,
            X-X or X-Y, drawn on its own in proportion to the data, so one batch mixes both kinds;
            ``language_choice`` does not apply).
        alpha: probability that a hybrid batch is monolingual, or ``"size"`` to use the share of
            monolingual rows among all eligible rows. Ignored by the other modes.
        temperature: ``T`` in ``p ~ n ** (1/T)``; 1 follows data size, larger flattens toward uniform.
        language_weights: optional ``{lang: weight}`` multiplied into the group probabilities
            (missing languages weigh 1; weight 0 excludes a language).
        language_choice: ``"batch"`` (one language or language pair per batch, as in the paper)
            or ``"example"`` (drawn per row).
        world_size: processes that share one global batch. Default: the running
            ``torch.distributed`` process group's size (1 without one). Set it for launchers
            that start the process group later, and set 1 with accelerate's ``split_batches=True``
            (there each batch is already the global one).

    Example:
        ```python
        args = SentenceTransformerTrainingArguments(
            output_dir="out", per_device_train_batch_size=32,
            batch_sampler=HybridBatchSampler.configure(mode="hybrid", alpha=0.5),
        )
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pairs.to_dataset(),
                                             loss=MultipleNegativesRankingLoss(model))
        ```
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
        mode: Mode = SAMPLER_DEFAULTS["mode"],
        alpha: Alpha = SAMPLER_DEFAULTS["alpha"],
        temperature: float = SAMPLER_DEFAULTS["temperature"],
        language_weights: Mapping[str, float] | None = SAMPLER_DEFAULTS["language_weights"],
        language_choice: str = SAMPLER_DEFAULTS["language_choice"],
        world_size: int | None = SAMPLER_DEFAULTS["world_size"],
    ) -> None:
        super().__init__(
            dataset, batch_size=batch_size, drop_last=drop_last,
            valid_label_columns=valid_label_columns, generator=generator, seed=seed,
        )
        check_sampler_options(mode, alpha, temperature, language_choice, language_weights, world_size)
        # a mixed batch draws every row's language pair on its own
        self.language_choice = "example" if mode == "mixed" else language_choice
        self.mode, self.temperature = mode, float(temperature)
        self.seed = 0 if seed is None else int(seed)
        self.world_size = world_size or process_world_size()
        self.global_batch_size = batch_size * self.world_size
        self.index = index_of(dataset)
        self.hard = resolver_of(dataset).hard  # hard negatives: kept out of the global batch's positives
        self.apart = NegativesApart(self.hard) if self.hard is not None else None
        self.languages = self.index.languages
        unknown = sorted(set(language_weights or {}) - set(self.languages))
        if unknown:
            raise ValueError(f"{option_name('language_weights')} names {unknown}, which the dataset lacks; "
                             f"it has {self.languages}")
        if mode != "monolingual":
            check_multilingual_examples(self.index)
        self.counts = self.index.pair_counts()
        chosen = LanguageGroups.choose(self.index, mode, language_weights or {}, self.temperature, self.language_choice,
                                       self.global_batch_size, self._global_batch_text())
        self.groups, self.probabilities, self.group_size = chosen.groups, chosen.probabilities, chosen.size
        if mode in ("monolingual", "mixed"):
            self.alpha = 1.0
        elif mode == "cross-lingual":
            self.alpha = 0.0
        else:
            self.alpha = chosen.monolingual_share() if alpha == "size" else float(alpha)
        self.num_records = self.index.num_records
        self._language_members: dict[int, np.ndarray] = {}

    def _global_batch_text(self) -> str:
        if self.world_size == 1:
            return f"a batch of {self.batch_size}"
        return (f"a global batch of {self.global_batch_size} ({self.world_size} processes x "
                f"batch_size={self.batch_size})")

    @classmethod
    def configure(cls, **options: Any) -> Callable[..., "HybridBatchSampler"]:
        """A factory for ``SentenceTransformerTrainingArguments(batch_sampler=...)`` with these options.

        Options are checked here, so a typo fails before training starts.

        Args:
            **options: ``mode``, ``alpha``, ``temperature``, ``language_weights``, ``language_choice``,
                ``world_size``, as the class takes them; the others keep the class's defaults.

        Returns:
            A callable that the trainer calls with the dataset, batch size, ``drop_last``, ... to build the sampler.

        Raises:
            TypeError: an option name is unknown.
            ValueError: an option value is invalid.

        Example:
            >>> factory = HybridBatchSampler.configure(mode="hybrid", alpha=0.5, language_choice="example")
        """
        unknown = sorted(set(options) - set(SAMPLER_DEFAULTS))
        if unknown:
            raise TypeError(f"HybridBatchSampler.configure: unknown option(s) {unknown}; "
                            f"it takes {sorted(SAMPLER_DEFAULTS)}")
        chosen = SAMPLER_DEFAULTS | options
        check_sampler_options(**chosen)
        chosen["language_weights"] = dict(chosen["language_weights"]) if chosen["language_weights"] else None
        return functools.partial(cls, **chosen)

    def global_batch_sizes(self) -> list[int]:
        """Rows of each global batch of an epoch (each a multiple of the world size).

        Returns:
            ``global_batch_size`` for every full batch, then the rest cut to a multiple of the world size
                (left out with ``drop_last``, or where it is 0).
        """
        full, rest = divmod(self.num_records, self.global_batch_size)
        rest -= rest % self.world_size
        return [self.global_batch_size] * full + ([rest] if rest and not self.drop_last else [])

    def __len__(self) -> int:
        """Slices per epoch: world size x global batches (accelerate gives each rank one per step)."""
        return self.world_size * len(self.global_batch_sizes())

    def __iter__(self) -> Iterator[list[int]]:
        epoch = loader_epoch(self)
        rng = np.random.default_rng([self.seed, self.epoch if epoch is None else epoch])
        cycles: dict[Group, Cycle] = {}
        sizes = self.global_batch_sizes()
        monolingual = rng.random(len(sizes)) < self.alpha  # drawn in every mode: one random stream per seed
        for size, is_mono in zip(sizes, monolingual):
            kind = "mixed" if self.mode == "mixed" else "monolingual" if is_mono else "cross-lingual"
            rows = self._draw(size, kind, rng, cycles)
            width = size // self.world_size
            for k in range(self.world_size):
                yield rows[k * width : (k + 1) * width].tolist()
        if self.apart is not None:
            self.apart.report()

    def _draw(self, size: int, kind: str, rng: np.random.Generator, cycles: dict[Group, Cycle]) -> np.ndarray:
        """Row numbers of one global batch: ``size`` distinct examples, every row of the batch's type."""
        groups, probs = self.groups[kind], self.probabilities[kind]
        if self.language_choice == "batch":
            q, a = groups[rng.choice(len(groups), p=probs)]
            cycle = self._cycle((q, a), cycles, rng)
            examples = cycle.take(size)
            if self.hard is not None:
                examples = self.apart.batch(examples, a, cycle)
            return self.index.rows(examples, q, a)
        examples, chosen = np.empty(size, dtype=np.int64), np.empty((size, 2), dtype=np.int64)
        if self.apart is not None:
            self.apart.new_batch()
        seen: set[int] = set()  # the batch's examples and, with hard negatives, theirs
        for i, g in enumerate(rng.choice(len(groups), size=size, p=probs)):
            group = groups[g]
            for attempt in range(64):
                while (example := self._cycle(group, cycles, rng).next_not_in(seen)) is None:
                    group = groups[rng.choice(len(groups), p=probs)]  # all of this small group is in the batch
                if self.hard is None or self.apart.row_fits(example, group[1], attempt == 63):
                    break
            seen.add(example)
            if self.hard is not None:
                seen |= self.apart.add(example, group[1])
            examples[i], chosen[i] = example, group
        return self.index.rows(examples, chosen[:, 0], chosen[:, 1])

    def _cycle(self, group: Group, cycles: dict[Group, Cycle], rng: np.random.Generator) -> Cycle:
        cycle = cycles.get(group)
        if cycle is None:
            cycle = cycles[group] = Cycle(self._members(group), rng)
        return cycle

    def _members(self, group: Group) -> np.ndarray:
        """Examples of a group; shared with a language's list where that language's examples all qualify."""
        q, a = group
        for lang in (q, a):
            if self.group_size[group] == self.counts[lang, lang]:
                if lang not in self._language_members:
                    self._language_members[lang] = np.flatnonzero(self.index.present(lang)).astype(np.int32)
                return self._language_members[lang]
        return np.flatnonzero(self.index.present(q) & self.index.present(a)).astype(np.int32)
