"""MultilingualPairDataset: inputs, the trainer-facing dataset, and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hybrid_batch_st import MultilingualPairDataset
from hybrid_batch_st.data.pair_index import pair_index_of

RECORDS = [
    {"id": "a", "lang": "en", "question": "Where?", "answer": "Here."},
    {"id": "a", "lang": "de", "question": "Wo?", "answer": "Hier."},
    {"id": "b", "lang": "en", "question": "Who?", "answer": "Me."},
    {"id": "b", "lang": "de", "question": "Wer?", "answer": "Ich."},
    {"id": "b", "lang": "es", "question": "¿Quién?", "answer": "Yo."},
]


def test_rows_reach_the_trainer_as_text_pairs_only():
    ds = MultilingualPairDataset.from_records(RECORDS).to_dataset()
    assert len(ds) == 2 * 2 + 3 * 3  # every (question language, answer language) per example
    rows = [ds[i] for i in range(len(ds))]
    assert all(set(r) == {"anchor", "positive"} for r in rows)
    assert {"anchor": "Wo?", "positive": "Here."} in rows
    assert {"anchor": "¿Quién?", "positive": "Ich."} in rows
    # one integer per row; the sampler reads the records' codes through the transform
    assert ds.column_names == ["pair"]
    assert pair_index_of(ds).languages == ["en", "de", "es"]
    # texts are stored once, not once per language combination
    assert ds.data.nbytes <= 13 * 4


def test_jsonl_and_squad_r(tmp_path, data_dir, xquad):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    pairs = MultilingualPairDataset.from_jsonl(path, languages=["en", "de"])
    assert len(pairs) == 4 and pairs.languages == ["en", "de"]

    from hybrid_batch_st.tasks.lareqa import benchmark_files

    folder = benchmark_files("xquad-r", ["en", "de"], data_dir=data_dir)["en"].parent
    squad = MultilingualPairDataset.from_squad_r(folder, languages=["en", "de"])
    assert squad.language_counts() == {"en": 1190, "de": 1190}
    first = xquad["de"].questions[0]
    row = next(r for r in squad.records() if r["id"] == first.id and r["lang"] == "de")
    assert row["answer"] == xquad["de"].answer(first) and row["question"] == first.text
    one = MultilingualPairDataset.from_squad_r(folder, languages=["en"], articles={"Warsaw"})
    assert 0 < len(one) < 1190


def test_bad_input_errors(tmp_path):
    # records are numbered from 1, as a user counts them (the second record is "record 2")
    with pytest.raises(ValueError, match=r"record 2 \(id='a'\) lacks non-empty string field\(s\) \['answer'\]"):
        MultilingualPairDataset.from_records([RECORDS[0], {"id": "a", "lang": "de", "question": "Wo?"}])
    with pytest.raises(ValueError, match=r"language\(s\) \['fr'\] have no rows"):
        MultilingualPairDataset.from_records(RECORDS, languages=["en", "fr"])
    with pytest.raises(ValueError, match=r"1 duplicate \(id, lang\) record\(s\), e.g. \(id='a', lang='en'\)"):
        MultilingualPairDataset.from_records(RECORDS + [RECORDS[0]])
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        MultilingualPairDataset.from_jsonl(tmp_path / "nope.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1: not JSON"):
        MultilingualPairDataset.from_jsonl(bad)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        MultilingualPairDataset.from_squad_r(tmp_path / "missing")
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text("\n".join([json.dumps(RECORDS[0]), "", json.dumps({**RECORDS[1], "lang": "xx"})]) + "\n",
                       encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown.jsonl: line 3: unknown language code 'xx'; use ISO 639-1"):
        MultilingualPairDataset.from_jsonl(unknown)
    with pytest.raises(ValueError, match=r"records: record 2: unknown language code 'english'"):
        MultilingualPairDataset.from_records([RECORDS[0], {**RECORDS[1], "lang": "english"}])
    assert MultilingualPairDataset.from_records([{**r, "lang": r["lang"] + "-XY"} for r in RECORDS]).languages
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(json.dumps(RECORDS[0]).encode() + b"\n" + b'{"id": "a", "\xff": 1}\n')
    with pytest.raises(ValueError, match=r"latin1.jsonl:2: not UTF-8 text \(byte 0xff at column 14\); save the file"):
        MultilingualPairDataset.from_jsonl(latin1)


def test_pair_rows_number_every_question_answer_combination_once():
    from hybrid_batch_st.data.pair_index import PairIndex

    rng = np.random.default_rng(0)
    # 300 examples, each in a random non-empty subset of 5 languages, records in random order
    present = rng.random((300, 5)) < 0.5
    present[np.arange(300), rng.integers(0, 5, 300)] = True
    example, lang = np.nonzero(present)
    order = rng.permutation(len(example))
    example, lang = example[order], lang[order]
    index = PairIndex(example, lang, list("abcde"))
    questions, answers = index.records(np.arange(index.num_rows))
    assert index.num_rows == int((present.sum(1) ** 2).sum())
    assert (example[questions] == example[answers]).all()
    assert len(set(zip(questions.tolist(), answers.tolist()))) == index.num_rows
    ex, q_lang, a_lang = index.describe(np.arange(index.num_rows))
    assert (index.rows(ex, q_lang, a_lang) == np.arange(index.num_rows)).all()
    with pytest.raises(IndexError, match="pair rows must lie in"):
        index.records(np.array([index.num_rows]))


def test_texts_come_back_exact_across_chunks_scripts_and_nul_bytes():
    import pyarrow as pa

    from hybrid_batch_st.data.pair_index import ChunkedTexts

    values = ["plain", "", "ü日本", "\U0001F600x", "zz"] * 20
    with_nul = values + ["a\0b"]
    rng = np.random.default_rng(1)
    for texts in (values, with_nul):  # NUL-free batches take the split path, the others the sliced one
        column = pa.chunked_array([pa.array(texts[:30]), pa.array(texts[30:70]), pa.array(["x"] * 3 + texts[70:]).slice(3)])
        chunked = ChunkedTexts(column)
        for _ in range(100):
            positions = rng.integers(0, len(texts), rng.integers(0, 20))
            assert chunked.take(positions) == [texts[i] for i in positions]
        assert chunked.take(np.array([len(texts) - 1])) == [texts[-1]]


def test_language_texts_list_the_examples_present_in_one_language():
    pairs = MultilingualPairDataset.from_records(RECORDS)
    assert pairs.language_texts("es") == (["b"], ["¿Quién?"], ["Yo."])
    assert pairs.language_texts("de") == (["a", "b"], ["Wo?", "Wer?"], ["Hier.", "Ich."])
    with pytest.raises(ValueError, match="lang='fr'.*it has \\['en', 'de', 'es'\\]"):
        pairs.language_texts("fr")
