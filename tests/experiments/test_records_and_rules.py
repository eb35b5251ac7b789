"""The run records, the seen / unseen rule and the targets: each defined once in the package and used by
the demo, ``benchmarks/reproduce.py`` and the results page (``hybrid-batch-st results``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hybrid_batch_st.evaluation.groups import group_macro, pair_groups
from hybrid_batch_st.experiments.records import RunRecord, ValidationRecord, read_records, read_validation_records
from hybrid_batch_st.evaluation.report import write_report
from hybrid_batch_st.evaluation.results import EvaluationResult, PairResult
from hybrid_batch_st.experiments.targets import gap_to_base, gaps_to_best, gaps_to_paper


def _result(shift: float = 0.0) -> EvaluationResult:
    pairs = [PairResult(x, y, "monolingual" if x == y else "cross-lingual", {"AP": 0.5 + shift + 0.1 * (x == y)}, 3,
                        {"AP": {f"q{i}": 0.5 + shift for i in range(3)}}) for x in ("en", "de") for y in ("en", "de")]
    macro = {s: {"AP": float(np.mean([p.scores["AP"] for p in pairs if p.setting == s]))}
             for s in ("monolingual", "cross-lingual")}
    return EvaluationResult("toy", "m", ["en", "de"], ["AP"], 0, pairs, macro, {"rank_distance": 3.5, "same_language_top1": {"en": 1.0}},
                            {"encode_s": 1.0, "search_s": 0.0, "score_s": 0.0})


def test_a_run_record_reads_back_what_it_wrote(tmp_path):
    record = RunRecord(_result(), "hybrid", seed=2, train_benchmark="mlqa-r", train_config={"steps": 150},
                       training_minutes=9.5, device="cpu (2 cores)", merge_with_base=0.75,
                       validation={"AP": {"0.75": {"monolingual": 0.7}}}, reader_revision=2)
    record.write(tmp_path / "hybrid-seed2")
    back = RunRecord.read(tmp_path / "hybrid-seed2")
    assert back.provenance() == record.provenance()
    assert back.result.to_dict() == record.result.to_dict()  # pairs, macro values, bias, timing
    assert back.macro() == {"monolingual": pytest.approx(0.6), "cross-lingual": pytest.approx(0.5)}
    assert back.per_query().values["AP"][("cross-lingual", "en", "de")]["q1"] == pytest.approx(0.5)
    on_disk = json.loads((tmp_path / "hybrid-seed2" / "results.json").read_text())
    assert on_disk["mode"] == on_disk["recipe"] == "hybrid"  # the key older records and readers use


def test_read_records_skips_plain_evaluations_and_unfinished_folders(tmp_path):
    RunRecord(_result(), "base").write(tmp_path / "base")
    write_report(_result(), tmp_path / "plain", heatmap=False)  # `hybrid-batch-st evaluate`: no recipe
    RunRecord(_result(), "hybrid", seed=0).write(tmp_path / ".hybrid-seed0.tmp")
    assert [r.recipe for r in read_records(tmp_path)] == ["base"]
    with pytest.raises(ValueError, match="no run record"):
        RunRecord.read(tmp_path / "plain")


def test_a_validation_record_reads_back_what_it_wrote_and_older_files_too(tmp_path):
    record = ValidationRecord("hybrid", 1, "mlqa-r", {"alpha": 0.25}, 9.5, "cpu (2 cores)", 0.75,
                              {"mean_AP": {"0.75": 0.6}, "AP": {"0.75": {"monolingual": 0.7}}})
    record.write(tmp_path / "alpha" / "mlqa-r-validation" / "hybrid-seed1")
    older = tmp_path / "mlqa-r-validation" / "monolingual-seed0"  # reproduce.py before the class: "mode" only
    older.mkdir(parents=True)
    kept = {k: v for k, v in vars(record).items() if k not in ("folder", "recipe")}
    (older / "validation.json").write_text(json.dumps({**kept, "mode": "monolingual"}))
    found = read_validation_records(tmp_path)
    assert sorted(found) == [".", "alpha"]
    assert found["alpha"] == [record] and found["alpha"][0].chosen() == {"monolingual": 0.7}
    assert found["."][0].recipe == "monolingual"


def test_seen_is_a_partition_and_other_groups_hold_a_pair_by_either_language():
    seen = ["en", "de", "es"]
    assert pair_groups(["en", "de"], seen=seen) == ["seen"]
    assert pair_groups(["en", "th"], seen=seen) == ["unseen"]  # not "seen" as well: one language unseen
    assert pair_groups(["deu_Latn", "spa_Latn"], seen=seen) == ["seen"]  # codes compared canonically
    assert pair_groups(["en", "km"], {"low": ["khm"], "high": ["en"]}, seen) == ["unseen", "low", "high"]
    result = _result()
    groups = group_macro(result.pairs, {"en": "en", "de": "de"}, {}, ["AP"], seen=["en"])
    assert groups["seen"] == {"monolingual": {"AP": pytest.approx(0.6)}}  # en->en only
    assert set(groups["unseen"]) == {"monolingual", "cross-lingual"}  # de->de, en->de, de->en


def test_targets_state_each_bound_once():
    hybrid = {"monolingual": 0.780, "cross-lingual": 0.700, "multilingual": 0.540}
    recipes = {"monolingual": {"monolingual": 0.789, "cross-lingual": 0.690, "multilingual": 0.530},
               "cross-lingual": {"monolingual": 0.770, "cross-lingual": 0.695, "multilingual": 0.551},
               "mixed": {"monolingual": 0.9, "cross-lingual": 0.9, "multilingual": 0.9}}  # not X-X or X-Y
    best = gaps_to_best(hybrid, recipes)
    assert [(g.reference, round(g.difference, 4), g.met) for g in best] == [
        ("monolingual", -0.009, True), ("cross-lingual", 0.005, True), ("cross-lingual", -0.011, False)]
    assert gap_to_base(hybrid, {"monolingual": 0.7851}).met is False  # 0.0051 below: over the 0.005 bound
    assert gap_to_base(hybrid, {"monolingual": 0.7850}).met is True
    paper = gaps_to_paper(hybrid, "xquad-r")
    assert [round(g.difference, 3) for g in paper] == [-0.018, -0.005, -0.053]  # against .798 / .705 / .593
    assert gaps_to_paper(hybrid, "tatoeba") == []
