"""Run records: one trained (or base) model's evaluation, or its validation scores, and how the model came to be.

``benchmarks/reproduce.py`` writes a :class:`RunRecord` per model, benchmark and seed
(``<direction>/<recipe>-seed<k>/``: ``results.json`` with the provenance beside the evaluation's keys, and
``per_query.tsv.gz``), or with ``--validation-only`` a :class:`ValidationRecord`
(``<train>-validation/<recipe>-seed<k>/validation.json``); the results page
(:mod:`hybrid_batch_st.experiments.page`) reads them back through the same classes, so writer and reader
cannot disagree on a key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..names import BASE
from ..evaluation.per_query import PerQuery, load_per_query
from ..evaluation.results import EvaluationResult

__all__ = ["RunRecord", "ValidationRecord", "read_records", "read_validation_records"]

#: The provenance keys, as written into ``results.json`` (``mode`` holds the recipe, for older records).
_KEYS = {"recipe": "mode", "seed": "seed", "train_benchmark": "train_benchmark", "train_config": "train_config",
         "training_minutes": "training_minutes", "device": "device", "merge_with_base": "merge_with_base",
         "validation": "validation", "sample_items": "sample_items", "reader_revision": "reader_revision",
         "chosen_merge": "chosen_merge"}


@dataclass
class RunRecord:
    """One model's evaluation on one benchmark, with its training provenance.

    Args:
        result: The evaluation (macro values, pairs, language bias).
        recipe: The training recipe (``hybrid``, ``monolingual``, ...), or ``base`` for the untrained model.
        seed: The training seed; None for the base model.
        train_benchmark: What the model trained on (``none`` for the base model).
        train_config: The :class:`~hybrid_batch_st.training.TrainConfig` as a dict; None for the base model.
        training_minutes: Wall-clock minutes of training, on ``device``.
        device: Where the model trained (``cpu (2 cores)``, a GPU's name); None for the base model.
        merge_with_base: The share of fine-tuned weights in the evaluated model (1.0: unmerged).
        validation: Validation AP per merge weight and setting, and the base model's (``base_AP``).
        sample_items: Items per language of a sampled benchmark; None for the whole benchmark.
        reader_revision: The benchmark reader's revision the judgments came from (1 unless recorded).
        chosen_merge: For an unmerged evaluation, the merge weight validation chose for the merged one.
        folder: The folder the record was read from or written to (its per-query values live there).

    Example:
        >>> from hybrid_batch_st.experiments.records import read_records
        >>> runs = read_records("benchmarks/results/mlqa-r-to-xquad-r")  # doctest: +SKIP
        >>> [(r.recipe, r.seed, r.macro()["multilingual"]) for r in runs]  # doctest: +SKIP
    """

    result: EvaluationResult
    recipe: str
    seed: int | None = None
    train_benchmark: str = "none"
    train_config: dict[str, Any] | None = None
    training_minutes: float = 0.0
    device: str | None = None
    merge_with_base: float | None = None
    validation: dict[str, Any] | None = None
    sample_items: int | None = None
    reader_revision: int = 1
    chosen_merge: float | None = None
    folder: Path | None = field(default=None, compare=False)

    @property
    def is_base(self) -> bool:
        """Whether this is the untrained base model's record."""
        return self.recipe == BASE

    def macro(self, measure: str = "AP") -> dict[str, float]:
        """The evaluation's macro value per setting.

        Args:
            measure: A measure the evaluation holds.

        Returns:
            ``{setting: value}``.
        """
        return {setting: values[measure] for setting, values in self.result.macro.items()}

    def provenance(self) -> dict[str, Any]:
        """The keys written beside the evaluation's in ``results.json``.

        Returns:
            The provenance as stored on disk (the recipe under ``mode`` and ``recipe``).
        """
        return {disk: getattr(self, name) for name, disk in _KEYS.items()} | {"recipe": self.recipe}

    def write(self, folder: str | Path, overwrite: bool = True) -> Path:
        """Write ``results.json`` and ``per_query.tsv.gz`` into ``folder``, which appears complete or not at all.

        Args:
            folder: The record's folder (``<results>/<direction>/<recipe>-seed<k>``).
            overwrite: Replace an existing folder; False refuses it.

        Returns:
            The folder written.
        """
        from ..evaluation.report import write_report

        self.result.extra = {**self.result.extra, **self.provenance()}
        self.folder = write_report(self.result, folder, overwrite=overwrite, heatmap=False)
        return self.folder

    @classmethod
    def read(cls, folder: str | Path) -> RunRecord:
        """Read the record in ``folder``.

        Args:
            folder: A folder holding ``results.json`` written by :meth:`write` (or ``benchmarks/reproduce.py``).

        Returns:
            The record.

        Raises:
            ValueError: ``results.json`` is an evaluation of no training run (it names no recipe).
        """
        folder = Path(folder)
        data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        if "mode" not in data and "recipe" not in data:
            raise ValueError(f"{folder / 'results.json'} is no run record (it names no recipe); write it with "
                             "benchmarks/reproduce.py or RunRecord.write")
        provenance = {name: data[disk] for name, disk in _KEYS.items() if disk in data}
        provenance["recipe"] = data.get("mode", data.get("recipe"))
        return cls(result=EvaluationResult.from_dict(data), folder=folder, **provenance)

    def per_query(self) -> PerQuery:
        """The per-query values beside the record (for significance tests).

        Returns:
            The folder's :class:`~hybrid_batch_st.evaluation.per_query.PerQuery`.
        """
        if self.folder is None:
            raise ValueError("this record was never written or read: write it to a folder first")
        return load_per_query(self.folder)


def read_records(direction: str | Path) -> list[RunRecord]:
    """Every run record in the sub-folders of ``direction``, in folder order.

    Folders whose ``results.json`` names no recipe (plain evaluations) and unfinished temporary folders
    (names starting with a dot) are skipped.

    Args:
        direction: A folder such as ``benchmarks/results/mlqa-r-to-xquad-r``.

    Returns:
        The records.
    """
    out = []
    for path in sorted(Path(direction).glob("[!.]*/results.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "mode" in data or "recipe" in data:
            out.append(RunRecord.read(path.parent))
    return out


@dataclass
class ValidationRecord:
    """One trained model's validation scores on its training benchmark (``reproduce.py --validation-only``).

    Args:
        recipe: The training recipe.
        seed: The training seed.
        train_benchmark: What the model trained on (its validation split is held out of training).
        train_config: The :class:`~hybrid_batch_st.training.TrainConfig` as a dict.
        training_minutes: Wall-clock minutes of training, on ``device``.
        device: Where the model trained.
        merge_with_base: The merge weight validation chose.
        validation: ``{"mean_AP": {weight: mean}, "AP": {weight: {setting: AP}}, "base_AP": {setting: AP}}``.
        folder: The folder the record was read from or written to.

    Example:
        >>> from hybrid_batch_st.experiments.records import ValidationRecord
        >>> record = ValidationRecord("hybrid", 0, "mlqa-r", {}, 9.5, "cpu (2 cores)", 0.75,
        ...                           {"AP": {"0.75": {"monolingual": 0.74}}})
        >>> record.chosen()
        {'monolingual': 0.74}
    """

    recipe: str
    seed: int
    train_benchmark: str
    train_config: dict[str, Any]
    training_minutes: float
    device: str | None
    merge_with_base: float
    validation: dict[str, Any]
    folder: Path | None = field(default=None, compare=False)

    def chosen(self) -> dict[str, float]:
        """Validation AP per setting at the chosen merge weight.

        Returns:
            ``{setting: AP}``.
        """
        return self.validation["AP"][str(self.merge_with_base)]

    def write(self, folder: str | Path) -> Path:
        """Write ``validation.json`` into ``folder`` (atomically).

        Args:
            folder: The record's folder (``<results>/<train>-validation/<recipe>-seed<k>``).

        Returns:
            The file written.
        """
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "folder"}
        with atomic_path(self.folder / "validation.json") as tmp:
            tmp.write_text(json.dumps({**data, "mode": self.recipe}, indent=2) + "\n", encoding="utf-8")
        return self.folder / "validation.json"

    @classmethod
    def read(cls, folder: str | Path) -> ValidationRecord:
        """Read the record in ``folder``.

        Args:
            folder: A folder holding ``validation.json``.

        Returns:
            The record.
        """
        folder = Path(folder)
        data = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
        data["recipe"] = data.pop("mode", data.get("recipe"))
        return cls(folder=folder, **{name: data.get(name) for name in cls.__dataclass_fields__ if name != "folder"})


def read_validation_records(root: str | Path) -> dict[str, list[ValidationRecord]]:
    """Every validation record under ``root``, by the recipe-option folder holding its ``*-validation`` folder.

    Args:
        root: A results folder (``benchmarks/results``); options sit in sub-folders such as ``recipes/batch100``.

    Returns:
        ``{option folder relative to root ("." for root itself): [records]}``.
    """
    root, out = Path(root), {}
    for path in sorted(root.glob("**/*-validation/[!.]*/validation.json")):
        option = path.parents[2].relative_to(root).as_posix() if path.parents[2] != root else "."
        out.setdefault(option, []).append(ValidationRecord.read(path.parent))
    return out
