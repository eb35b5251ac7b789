"""MultilingualPairDataset.from_hf: the shapes Hugging Face datasets come in, and their errors; language
codes in every accepted form, named one way."""

from __future__ import annotations

import pytest
from datasets import Dataset, DatasetDict

from hybrid_batch_st import MultilingualPairDataset
from hybrid_batch_st.cli import main
from hybrid_batch_st.languages import canonical_language, normalise_languages

LONG = [{"id": f"q{i}", "lang": lang, "question": f"{lang} question {i}", "answer": f"{lang} answer {i}"}
        for i in range(4) for lang in ("en", "de", "es") if not (lang == "es" and i == 3)]


def same_records(pairs: MultilingualPairDataset) -> set[tuple]:
    return {(r["id"], r["lang"], r["question"], r["answer"]) for r in pairs.records()}


EXPECTED = {(r["id"], r["lang"], r["question"], r["answer"]) for r in LONG}


def test_long_shape_needs_no_arguments_from_a_dataset_a_dict_and_files(tmp_path):
    assert same_records(MultilingualPairDataset.from_hf(Dataset.from_list(LONG))) == EXPECTED
    split = DatasetDict({"train": Dataset.from_list(LONG), "test": Dataset.from_list(LONG[:3])})
    assert same_records(MultilingualPairDataset.from_hf(split)) == EXPECTED
    assert len(MultilingualPairDataset.from_hf(split, split="test")) == 3
    split.save_to_disk(str(tmp_path / "saved"))
    assert same_records(MultilingualPairDataset.from_hf(str(tmp_path / "saved"))) == EXPECTED
    Dataset.from_list(LONG).to_parquet(str(tmp_path / "pairs.parquet"))
    assert same_records(MultilingualPairDataset.from_hf(tmp_path / "pairs.parquet")) == EXPECTED
    Dataset.from_list(LONG).to_csv(str(tmp_path / "pairs.csv"), index=False)
    assert same_records(MultilingualPairDataset.from_hf(tmp_path / "pairs.csv")) == EXPECTED
    # other column names, integer ids, a shuffled view
    renamed = Dataset.from_list([{"qid": int(r["id"][1:]), "language": r["lang"], "q": r["question"], "a": r["answer"]}
                                 for r in LONG]).shuffle(seed=0)
    pairs = MultilingualPairDataset.from_hf(renamed, columns="id=qid,lang=language,question=q,answer=a")
    assert {(r["id"], r["lang"]) for r in pairs.records()} == {(r["id"][1:], r["lang"]) for r in LONG}


def test_wide_columns_dict_columns_and_one_dataset_per_language():
    wide = Dataset.from_dict({
        "id": [f"q{i}" for i in range(4)],
        **{f"{side}_{lang}": [f"{lang} {side} {i}" if not (lang == "es" and i == 3) else None for i in range(4)]
           for lang in ("en", "de", "es") for side in ("question", "answer")}})
    pairs = MultilingualPairDataset.from_hf(wide, columns={"question": "question_{lang}", "answer": "answer_{lang}"})
    assert same_records(pairs) == EXPECTED
    nested = Dataset.from_dict({"id": [f"q{i}" for i in range(4)],
                                "question": [{lang: f"{lang} question {i}" for lang in ("en", "de")} for i in range(4)],
                                "answer": [{lang: f"{lang} answer {i}" for lang in ("en", "de")} for i in range(4)]})
    pairs = MultilingualPairDataset.from_hf(nested, columns="question=question.{lang},answer=answer.{lang}")
    assert same_records(pairs) == {r for r in EXPECTED if r[1] != "es"}
    per_language = {lang: Dataset.from_list([{k: v for k, v in r.items() if k != "lang"} for r in LONG if r["lang"] == lang])
                    for lang in ("en", "de", "es")}
    assert same_records(MultilingualPairDataset.from_hf(per_language)) == EXPECTED
    assert same_records(MultilingualPairDataset.from_hf(DatasetDict(per_language))) == EXPECTED
    numbered = Dataset.from_dict({"question_en": ["a", "b"], "answer_en": ["A", "B"],
                                  "question_de": ["x", "y"], "answer_de": ["X", "Y"]})
    pairs = MultilingualPairDataset.from_hf(numbered, columns={"id": "", "question": "question_{lang}",
                                                               "answer": "answer_{lang}"})
    assert {(r["id"], r["question"]) for r in pairs.records()} == {("0", "a"), ("1", "b"), ("0", "x"), ("1", "y")}


def test_bad_input_gets_one_clear_error_each():
    with pytest.raises(ValueError, match=r"no column 'qid' for id; it has \['id', 'lang', 'question', 'answer'\]; "
                                         r"name it with columns=\{'id': \.\.\.\}"):
        MultilingualPairDataset.from_hf(Dataset.from_list(LONG), columns={"id": "qid"})
    unequal = Dataset.from_dict({"id": ["1", "2"], "question_de": ["x", "y"], "answer_de": ["X", None]})
    with pytest.raises(ValueError, match=r"columns 'question_de' and 'answer_de' are of unequal length: 2 questions, "
                                         r"1 answers \(row 1, id='2'"):
        MultilingualPairDataset.from_hf(unequal, columns={"question": "question_{lang}", "answer": "answer_{lang}"})
    with pytest.raises(ValueError, match=r"no column matches 'q_\{lang\}' for question"):
        MultilingualPairDataset.from_hf(unequal, columns={"question": "q_{lang}", "answer": "answer_{lang}"})
    with pytest.raises(ValueError, match=r"row 1 has no answer \(null or empty\)"):
        MultilingualPairDataset.from_hf(Dataset.from_list([LONG[0], {**LONG[1], "answer": ""}]))
    with pytest.raises(ValueError, match=r"splits \['a', 'b'\]; choose one with split="):
        MultilingualPairDataset.from_hf(DatasetDict({"a": Dataset.from_list(LONG), "b": Dataset.from_list(LONG)}))
    with pytest.raises(ValueError, match=r"each entry must read ROLE=COLUMN"):
        MultilingualPairDataset.from_hf(Dataset.from_list(LONG), columns="text=q")
    with pytest.raises(ValueError, match=r"lists negative id 'nobody', which no example has"):
        MultilingualPairDataset.from_hf(Dataset.from_list([{**r, "negatives": ["nobody"]} for r in LONG]))


def test_language_codes_in_every_form_name_one_language():
    assert normalise_languages(["deu_Latn", "en-US", "cmn", "spa"]) == {"deu_Latn": "de", "en-US": "en", "cmn": "zh",
                                                                        "spa": "es"}
    assert normalise_languages(["zho_Hans", "zho_Hant", "en"]) == {"zho_Hans": "zh-Hans", "zho_Hant": "zh-Hant",
                                                                   "en": "en"}
    assert canonical_language("deu_Latn") == canonical_language("de-AT") == "de"
    with pytest.raises(ValueError, match="unknown language code.*'qq-notacode'"):
        normalise_languages(["en", "qq-notacode"])
    records = [{**r, "lang": {"en": "eng_Latn", "de": "deu", "es": "es-ES"}[r["lang"]]} for r in LONG]
    pairs = MultilingualPairDataset.from_hf(Dataset.from_list(records), languages=["en", "deu_Latn"])
    assert pairs.languages == ["en", "de"] and len(pairs) == 8
    with pytest.raises(ValueError, match=r"unknown language code 'english'; use ISO 639-1 or 639-3 codes"):
        MultilingualPairDataset.from_hf(Dataset.from_list([{**LONG[0], "lang": "english"}]))


def test_train_reads_hf_data_from_the_command_line(tiny_model_dir, tmp_path):
    wide = Dataset.from_dict({"qid": [f"q{i}" for i in range(12)],
                              **{f"{side}_{lang}": [f"{lang} {side} {i}" for i in range(12)]
                                 for lang in ("en", "de") for side in ("question", "answer")}})
    wide.save_to_disk(str(tmp_path / "wide"))
    args = ["train", "--model", str(tiny_model_dir), "--train", f"hf:{tmp_path / 'wide'}", "--steps", "2",
            "--batch-size", "4", "--eval", "", "--output", str(tmp_path / "run")]
    assert main(args + ["--hf-columns", "id=qid,question=question_{lang},answer=answer_{lang}"]) == 0
    assert (tmp_path / "run" / "model" / "modules.json").is_file()
    assert main(args + ["--hf-columns", "question=q_{lang}", "--overwrite"]) == 2  # one line naming the column
