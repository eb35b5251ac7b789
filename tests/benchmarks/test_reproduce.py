"""benchmarks/reproduce.py end to end on the bundled sample with a tiny model: result files with the
keys the README tables are built from, a merge weight chosen on validation, and resuming."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_reproduce_writes_results_resumes_and_tabulates(tiny_model_dir, tmp_path):
    results, work = tmp_path / "results", tmp_path / "work"
    args = ["benchmarks/reproduce.py", "--model", str(tiny_model_dir), "--directions", "sample:heldout",
            "--languages", "en,de", "--seeds", "0,1", "--recipes", "monolingual,hybrid", "--steps", "2",
            "--batch-size", "8", "--merge-weights", "1,0.5", "--validation-share", "0.2",
            "--results", str(results), "--output", str(work), "--unmerged", "hybrid"]
    run(*args)
    folder = results / "sample-to-heldout"
    assert sorted(p.name for p in folder.iterdir()) == [
        "base", "hybrid-seed0", "hybrid-seed1", "monolingual-seed0", "monolingual-seed1"]
    for name in ("hybrid-seed1", "base"):
        saved = json.loads((folder / name / "results.json").read_text())
        assert {"macro", "pairs", "language_bias", "train_benchmark", "mode", "seed", "train_config",
                "training_minutes", "device", "merge_with_base", "validation"} <= set(saved)
        assert (folder / name / "per_query.tsv.gz").is_file() and not (folder / name / "heatmap.png").exists()
    hybrid = json.loads((folder / "hybrid-seed1" / "results.json").read_text())
    assert (hybrid["train_benchmark"], hybrid["mode"], hybrid["seed"]) == ("sample", "hybrid", 1)
    assert hybrid["device"].startswith("cpu (")  # where it trained: minutes compare only on one device
    assert hybrid["merge_with_base"] in (1.0, 0.5) and set(hybrid["validation"]["mean_AP"]) == {"1.0", "0.5"}
    chosen = max(hybrid["validation"]["mean_AP"], key=hybrid["validation"]["mean_AP"].get)
    assert float(chosen) == hybrid["merge_with_base"]
    assert hybrid["train_config"]["validation_share"] == 0.2 and hybrid["train_config"]["train_articles"] == 36
    assert json.loads((folder / "base" / "results.json").read_text())["train_benchmark"] == "none"
    # --unmerged: the same trained model before the merge, beside the merged direction
    unmerged = results / "sample-to-heldout-unmerged"
    assert sorted(p.name for p in unmerged.iterdir()) == ["hybrid-seed0", "hybrid-seed1"]
    plain = json.loads((unmerged / "hybrid-seed1" / "results.json").read_text())
    assert plain["merge_with_base"] == 1.0 and plain["chosen_merge"] == hybrid["merge_with_base"]
    assert plain["validation"] == hybrid["validation"]
    if hybrid["merge_with_base"] == 1.0:  # no merge chosen: the same model, the same figures
        assert plain["macro"] == hybrid["macro"]

    # what an interrupted write leaves: a hidden .tmp folder, here with results.json but no per_query.tsv.gz
    leftover = folder / ".hybrid-seed2.x1y2.tmp"
    leftover.mkdir()
    (leftover / "results.json").write_text((folder / "hybrid-seed1" / "results.json").read_text())
    again = run(*args)
    assert again.count("done before") == 4  # resumed: nothing trained or evaluated twice
    table = run("benchmarks/results_table.py", "--results", str(results))
    assert "| hybrid | 2 |" in table and "| X-X (monolingual) | 2 |" in table and "| base | 1 |" in table
    assert "| hybrid vs X-X (monolingual) |" in table and " ± " in table
    assert "| hybrid - base, mono ≥ -0.005 |" in table and "| hybrid - best of X-X, X-Y, ≥ -0.01 |" in table
    assert "on the sample validation split" in table  # the training benchmark, not the base model's 'none'

    # another recipe, also evaluated on a second benchmark (xSID, from ../shared/data), beside the others
    if SHARED.is_dir():
        run(*args[: args.index("--seeds")], "--seeds", "0", "--recipes", "stock-per-pair", "--also", "xsid",
            "--data-dir", str(SHARED), *args[args.index("--steps"):])
        assert (folder / "stock-per-pair-seed0" / "results.json").is_file()
        also = json.loads((results / "sample-to-xsid" / "stock-per-pair-seed0" / "results.json").read_text())
        assert also["mode"] == "stock-per-pair" and also["benchmark"] == "xsid"
        assert (results / "sample-to-xsid" / "base" / "results.json").is_file()
        # a model scored before --also named a benchmark: scored there only, with its recorded merge weight
        added = run(*args[: args.index("--seeds")], "--seeds", "1", "--recipes", "hybrid", "--also", "xsid",
                    "--data-dir", str(SHARED), *args[args.index("--steps"):])
        assert "reusing" in added and "done before" not in added
        late = json.loads((results / "sample-to-xsid" / "hybrid-seed1" / "results.json").read_text())
        assert (late["mode"], late["seed"], late["merge_with_base"]) == ("hybrid", 1, hybrid["merge_with_base"])
        assert json.loads((folder / "hybrid-seed1" / "results.json").read_text()) == hybrid  # untouched
        # a record on another sample of the benchmark (ALSO changed since) is scored again
        stale = results / "sample-to-xsid" / "hybrid-seed1" / "results.json"
        stale.write_text(json.dumps({**late, "sample_items": 123}))
        assert "reusing" in run(*args[: args.index("--seeds")], "--seeds", "1", "--recipes", "hybrid", "--also",
                                "xsid", "--data-dir", str(SHARED), *args[args.index("--steps"):])
        assert "sample_items" in late and json.loads(stale.read_text())["sample_items"] == late["sample_items"]
        table = run("benchmarks/results_table.py", "--results", str(results))
        groups = table.split("### sample-to-xsid")[1].split("by language group")[1].split("###")[0]
        assert "(seen: trained on sample, de, en;" in groups and "| hybrid | " in groups
        assert "| seen | unseen | low-resource |" in groups  # xSID's de-ba is the low-resource one
        xsid, main = table.split("### sample-to-xsid")[1].split("###")[0], table.split("### sample-to-heldout")[1]
        assert "Merge weights: those picked on the sample validation split" in xsid and "| merge 1.0 |" not in xsid
        assert "| merge 1.0 |" in main.split("###")[0]  # tabled once, under the main benchmark

    # recipe options: validation split of the training benchmark only, the evaluation benchmark untouched
    recipes = results / "recipes" / "symmetric"
    run("benchmarks/reproduce.py", *args[1:args.index("--results")], "--results", str(recipes),
        "--output", str(tmp_path / "recipes"), "--symmetric", "--validation-only", "--seeds", "0",
        "--recipes", "hybrid")
    [only] = list(recipes.rglob("validation.json"))
    assert only.parent.relative_to(recipes).as_posix() == "sample-validation/hybrid-seed0"
    assert not list(recipes.rglob("results.json"))
    record = json.loads(only.read_text())
    assert record["train_config"]["symmetric"] is True and record["train_config"]["validation_share"] == 0.2
    assert set(record["validation"]["base_AP"]) == {"monolingual", "cross-lingual", "multilingual"}
    assert set(record["validation"]["AP"]) == {"1.0", "0.5"}
    table = run("benchmarks/results_table.py", "--results", str(results))
    assert run("-m", "hybrid_batch_st", "results", "--results", str(results)) == table  # the script is a thin caller
    assert "| sample | recipes/symmetric | hybrid | 0 |" in table
    assert "trained on cpu (" in table  # each direction names where its models trained

    readme = tmp_path / "README.md"
    readme.write_text("# x\n\nbefore\n\n<!-- tables from benchmarks/results_table.py: begin -->\nold\n"
                      "<!-- tables from benchmarks/results_table.py: end -->\n\nafter\n"
                      "<!-- alternatives: begin -->\nold\n<!-- alternatives: end -->\n")
    run("benchmarks/results_table.py", "--results", str(results), "--readme", str(readme),
        "--alternatives", "sample-to-heldout")
    text = readme.read_text()
    assert "old" not in text and text.startswith("# x\n\nbefore\n") and text.endswith("alternatives: end -->\n")
    assert "| hybrid | 2 |" in text
    alternatives = text.split("<!-- alternatives: begin -->")[1]
    assert "| hybrid | 2 (0, 1) |" in alternatives and "| X-X (monolingual) | 2 (0, 1) |" in alternatives
    assert "| stock per-pair datasets | 1 (0) |" in alternatives or not SHARED.is_dir()
    # the README's verdict paragraph, generated from the same records
    front = tmp_path / "FRONT.md"
    front.write_text("# x\n\n<!-- verdict: begin -->\nold\n<!-- verdict: end -->\n")
    run("benchmarks/results_table.py", "--results", str(results), "--verdict", str(front),
        "--alternatives", "sample-to-heldout")
    said = front.read_text()
    assert "\nold\n" not in said and "on sample-to-heldout, " in said and "Welch's t on per-run means" in said
    assert "distinguishable from hybrid" in said


def test_recipe_cost_projects_minutes_against_the_baseline(tiny_model_dir):
    out = run("benchmarks/recipe_cost.py", "--model", str(tiny_model_dir), "--short", "1", "--long", "2",
              "--recipe", "small:--train sample --languages en,de --batch-size 4 --steps 10",
              "--recipe", "large:--train sample --languages en,de --batch-size 8 --steps 20")
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in out.splitlines() if line.startswith("| ")}
    assert rows["small"][1] == "4" and rows["small"][3] == "10" and rows["small"][5].strip(" |") == "1.00"
    assert rows["large"][1] == "8" and rows["large"][3] == "20"
    per_step, minutes, ratio = (float(rows["large"][i].strip(" |")) for i in (2, 4, 5))
    # at this scale their size is timing noise, but never a negative cost (which noise used to give)
    assert min(per_step, minutes, ratio) >= 0 and all(map(math.isfinite, (per_step, minutes, ratio)))
    # (their size is timing noise at this scale: speed figures belong to benchmarks, not tests)

    bad = subprocess.run([sys.executable, "benchmarks/recipe_cost.py", "--model", str(tiny_model_dir),
                          "--recipe", "x:--steps 5", "--short", "3", "--long", "2"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "--short 3 and --long 2: need 0 < short < long" in bad.stderr


def test_evaluate_scale_prints_the_ratio_table():
    out = run("benchmarks/evaluate_scale.py", "--sizes", "2000", "--queries", "50", "--repeats", "1")
    [row] = [line for line in out.splitlines() if line.startswith("| 2,000 |")]
    cells = [float(c.strip()) for c in row.strip("|").split("|")[1:]]
    assert len(cells) == 8 and all(c >= 0 for c in cells)
    assert cells[3] >= cells[4] > 0  # the peak includes the libraries
