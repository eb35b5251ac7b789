"""Hard negatives by example: resolved in the answer language of each row, kept out of the global batch's
positives by the sampler, mined on the pivot language with a tiny model, trained through the real trainer."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sentence_transformers import SentenceTransformer

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
from hybrid_batch_st.cli import main
from hybrid_batch_st.data.pair_index import pair_index_of
from hybrid_batch_st.data.sources import load_training_data
from hybrid_batch_st.training import train
from hybrid_batch_st.training.config import TrainConfig
from hybrid_batch_st.training.recipes import trainer_inputs

LANGS = ("en", "de", "es")


def synthetic(n: int, seed: int = 0) -> MultilingualPairDataset:
    """``n`` examples in en and de, most in es; each lists 5 negatives, some of which lack es."""
    rng = np.random.default_rng(seed)
    records = [{"id": f"q{i}", "lang": lang, "question": f"{lang} q{i}", "answer": f"{lang} a{i}"}
               for i in range(n) for lang in LANGS if lang != "es" or i % 5]
    negatives = {f"q{i}": [f"q{j}" for j in rng.choice(np.delete(np.arange(n), i), 5, replace=False)] for i in range(n)}
    return MultilingualPairDataset.from_records(records).with_negatives(negatives)


def test_negatives_follow_the_answer_language_and_the_listed_order():
    pairs = synthetic(50)
    dataset = pairs.to_dataset(negatives=3)
    for row in dataset:
        assert set(row) == {"anchor", "positive", "negative_1", "negative_2", "negative_3"}
    index = pair_index_of(dataset)
    rows = np.arange(len(dataset))
    examples, question_lang, answer_lang = index.describe(rows)
    batch = dataset[: len(dataset)]
    cross = 0
    for k, (e, q, a) in enumerate(zip(examples, question_lang, answer_lang)):
        lang = index.languages[a]
        negatives = [batch[f"negative_{j}"][k] for j in (1, 2, 3)]
        assert all(n.startswith(f"{lang} a") for n in negatives)  # the answer's language, also in X-Y rows
        assert batch["positive"][k] not in negatives
        cross += q != a
    assert cross > 0
    # the first 3 listed negatives that exist in the answer language, in order
    hard = dataset.format["format_kwargs"]["transform"].hard
    es = index.languages.index("es")
    for e in range(50):
        wanted = [j for j in hard.listed[e] if index.record_of[j, es] >= 0][:3]
        got = hard.examples(np.array([e]), es)[0].tolist()
        assert got[: len(wanted)] == wanted and len(set(got)) == 3 and e not in got


def test_a_language_with_one_example_is_refused_rather_than_given_its_own_answer_as_negative():
    records = [{"id": i, "lang": "en", "question": f"en q {i}", "answer": f"en a {i}"} for i in ("q1", "q2", "q3")]
    records.append({"id": "q1", "lang": "de", "question": "de q q1", "answer": "de a q1"})
    dataset = MultilingualPairDataset.from_records(records).with_negatives({"q1": [], "q2": ["q3"], "q3": ["q2"]})
    rows = dataset.to_dataset(negatives=1)
    with pytest.raises(ValueError, match="language 'de' has 1 example"):
        rows[: len(rows)]


@pytest.mark.parametrize("mode", ["hybrid", "mixed", "cross-lingual"])
@pytest.mark.parametrize("world_size", [1, 2])
def test_no_negative_example_sits_as_a_positive_in_its_global_batch(mode, world_size):
    dataset = synthetic(600).to_dataset(negatives=3)
    index = pair_index_of(dataset)
    sampler = HybridBatchSampler(dataset, 16, seed=1, mode=mode, world_size=world_size)
    slices = list(sampler)
    for start in range(0, len(slices), world_size):
        rows = np.concatenate(slices[start : start + world_size])
        examples, _, answer_lang = index.describe(rows)
        assert len(set(examples.tolist())) == len(examples)
        assert not np.isin(sampler.hard.examples(examples, answer_lang), examples).any()
    # without the rule, batches of these sizes would hold such clashes: the test can fail
    plain = HybridBatchSampler(synthetic(600).to_dataset(), 16, seed=1, mode=mode, world_size=world_size)
    clashes = 0
    for start in range(0, len(slices), world_size):
        rows = np.concatenate(list(plain)[start : start + world_size])
        examples, _, answer_lang = index.describe(rows)
        clashes += np.isin(sampler.hard.examples(examples, answer_lang), examples).sum()
    assert clashes > 0


def test_negative_errors_name_the_input(tmp_path):
    pairs = synthetic(10)
    with pytest.raises(ValueError, match=r"id 'q99' is no example of the data"):
        pairs.with_negatives({"q99": ["q1"]})
    with pytest.raises(ValueError, match=r"lists negative id 'q99', which no example has"):
        pairs.with_negatives({"q1": ["q99"]})
    plain = MultilingualPairDataset.from_records([r for r in pairs.records()])
    with pytest.raises(ValueError, match=r"no example lists hard negatives; mine them"):
        plain.to_dataset(negatives=2)
    with pytest.raises(ValueError, match="has no in-batch negatives"):
        TrainConfig(recipe="distillation", negatives=2, negatives_file="n.jsonl").validate()
    (tmp_path / "bad.jsonl").write_text('{"id": "q1", "negatives": "q2"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl: expected one JSON object per line"):
        pairs.with_negatives(tmp_path / "bad.jsonl")


def test_mine_stores_ids_and_training_uses_them_in_every_in_batch_recipe(tiny_model_dir, tmp_path):
    negatives = tmp_path / "negatives.jsonl"
    assert main(["mine", "--train", "sample", "--languages", "en,de,es", "--model", str(tiny_model_dir),
                 "--count", "4", "--output", str(negatives)]) == 0
    lines = [json.loads(line) for line in negatives.read_text(encoding="utf-8").splitlines()]
    pairs, _ = load_training_data("sample", list(LANGS))
    ids = {r["id"] for r in pairs.records()}
    assert len(lines) > 0.9 * pairs.pair_index.num_examples
    english = {r["id"]: r["answer"] for r in pairs.records() if r["lang"] == "en"}
    for line in lines:
        assert len(line["negatives"]) == 4 and set(line["negatives"]) <= ids and line["id"] not in line["negatives"]
        assert all(english[n] != english[line["id"]] for n in line["negatives"])  # never its own answer
    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    for recipe in ("hybrid", "stock-per-pair", "hybrid+distillation"):
        config = TrainConfig(model=str(tiny_model_dir), recipe=recipe, languages=list(LANGS), eval="", steps=3,
                             batch_size=8, negatives=2, negatives_file=str(negatives), output=str(tmp_path / recipe))
        inputs = trainer_inputs(config, model, pairs.with_negatives(negatives))
        first = inputs.train_dataset["pairs" if recipe == "hybrid+distillation" else "en-de"] \
            if recipe != "hybrid" else inputs.train_dataset
        assert list(first[0]) == ["anchor", "positive", "negative_1", "negative_2"]
        outcome = train(config)
        assert outcome.losses and all(math.isfinite(x) for x in outcome.losses)


def test_a_negatives_file_error_names_its_line(tmp_path, capsys):
    pairs = synthetic(10)
    one = tmp_path / "neg.jsonl"
    one.write_text('{"id": "q1", "negatives": ["q2", "nobody"]}\n', encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        pairs.with_negatives(one)
    assert str(raised.value).startswith(f"{one}: line 1 (id='q1') lists negative id 'nobody', which no example has")
    several = tmp_path / "several.jsonl"  # blank lines count: the location is the file's own line number
    several.write_text('{"id": "q1", "negatives": ["q2"]}\n\n{"id": "q3", "negatives": ["q4"]}\n'
                       '{"id": "q5", "negatives": ["q1", "q9x"]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{several}: line 4 \(id='q5'\) lists negative id 'q9x', which no "):
        pairs.with_negatives(several)
    several.write_text('{"id": "q1", "negatives": ["q2"]}\n\n{"id": "q77", "negatives": ["q4"]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{several}: line 3: id 'q77' is no example of the data"):
        pairs.with_negatives(several)
    sample, _ = load_training_data("sample", ["en", "de"])
    first = next(sample.records())["id"]
    one.write_text(json.dumps({"id": first, "negatives": ["nobody"]}) + "\n", encoding="utf-8")
    code = main(["train", "--languages", "en,de", "--negatives-file", str(one), "--negatives", "1",
                 "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2 and err.startswith(f"hybrid-batch-st train: error: {one}: line 1 (id={first!r}) lists negative id "
                                        "'nobody', which no example has")
