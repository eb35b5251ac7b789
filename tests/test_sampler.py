"""Batch composition of HybridBatchSampler over thousands of batches (no model involved)."""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset

# Partly parallel: example k exists in every language whose size exceeds k.
SIZES = {"en": 3000, "de": 3000, "es": 1500, "fr": 500}


def make_pairs(sizes=SIZES) -> MultilingualPairDataset:
    records = [
        {"id": f"ex{k}", "lang": lang, "question": f"question {k} {lang}", "answer": f"answer {k} {lang}"}
        for lang, n in sizes.items()
        for k in range(n)
    ]
    return MultilingualPairDataset.from_records(records)


@pytest.fixture(scope="module")
def dataset():
    return make_pairs().to_dataset()


@pytest.fixture(scope="module")
def meta(dataset):
    table = dataset.with_format("numpy")[:]
    names = dataset.features["query_lang"].names
    return table["example"], np.array(names)[table["query_lang"]], np.array(names)[table["answer_lang"]]


def batches_of(sampler):
    out = list(sampler)
    assert len(out) == len(sampler)
    return out


def classify(batch, meta):
    example, q, a = meta
    ids = example[batch]
    assert len(set(ids.tolist())) == len(ids), "two rows of one parallel example share a batch"
    same = q[batch] == a[batch]
    assert same.all() or not same.any(), "a batch mixes monolingual and cross-lingual rows"
    return bool(same.all())


def test_hybrid_composition_over_2000_batches(dataset, meta):
    sampler = HybridBatchSampler(dataset, batch_size=4, drop_last=True, seed=3, mode="hybrid", alpha=0.3)
    batches = batches_of(sampler)
    assert len(batches) == 2000
    mono_langs, cross_pairs = Counter(), Counter()
    _, q, a = meta
    for batch in batches:
        assert len(batch) == 4
        if classify(batch, meta):
            assert len(set(q[batch])) == 1, "a monolingual batch mixes languages (language_choice='batch')"
            mono_langs[q[batch[0]]] += 1
        else:
            assert len(set(zip(q[batch], a[batch]))) == 1
            cross_pairs[(q[batch[0]], a[batch[0]])] += 1
    n_mono = sum(mono_langs.values())
    assert abs(n_mono / len(batches) - 0.3) <= 0.03

    # language frequencies follow data size (p ~ n) in monolingual batches ...
    langs = list(SIZES)
    expected = np.array([SIZES[lang] for lang in langs], dtype=float)
    observed = np.array([mono_langs[lang] for lang in langs], dtype=float)
    assert chisquare(observed, expected / expected.sum() * n_mono).pvalue > 0.001
    # ... and language-pair frequencies follow the pair sizes (min of the two sizes here) in cross-lingual ones
    pairs = [(x, y) for x in langs for y in langs if x != y]
    expected = np.array([min(SIZES[x], SIZES[y]) for x, y in pairs], dtype=float)
    observed = np.array([cross_pairs[p] for p in pairs], dtype=float)
    assert chisquare(observed, expected / expected.sum() * observed.sum()).pvalue > 0.001


@pytest.mark.parametrize("mode", ["monolingual", "cross-lingual"])
def test_single_type_modes(dataset, meta, mode):
    sampler = HybridBatchSampler.configure(mode=mode)(dataset, batch_size=8, drop_last=False, seed=0)
    kinds = {classify(b, meta) for b in batches_of(sampler)}
    assert kinds == {mode == "monolingual"}


def test_temperature_flattens_and_weights_exclude(dataset, meta):
    _, q, _ = meta
    hot = HybridBatchSampler(dataset, 4, True, mode="monolingual", temperature=1000.0)
    counts = Counter(q[b[0]] for b in hot)
    assert max(counts.values()) / min(counts.values()) < 1.3  # near uniform, unlike 6:1 sizes
    weighted = HybridBatchSampler(dataset, 4, True, mode="monolingual", language_weights={"en": 0, "fr": 3})
    counts = Counter(q[b[0]] for b in weighted)
    assert "en" not in counts
    expected = {"de": 3000, "es": 1500, "fr": 1500}  # fr: 500 rows x weight 3
    total = sum(counts.values())
    for lang, n in expected.items():
        assert abs(counts[lang] / total - n / 6000) < 0.04


def test_alpha_size_follows_pool_sizes(dataset, meta):
    sampler = HybridBatchSampler(dataset, 4, True, alpha="size")
    mono = sum(SIZES.values())
    cross = sum(min(SIZES[x], SIZES[y]) for x in SIZES for y in SIZES if x != y)
    assert sampler.alpha == pytest.approx(mono / (mono + cross))
    share = np.mean([classify(b, meta) for b in sampler])
    assert abs(share - sampler.alpha) <= 0.03


def test_per_example_language_choice(dataset, meta):
    sampler = HybridBatchSampler(dataset, 16, True, alpha=0.5, language_choice="example", seed=1)
    _, q, a = meta
    mixed = 0
    for batch in batches_of(sampler):
        classify(batch, meta)
        mixed += len(set(q[batch])) > 1
    assert mixed > 0.9 * len(sampler)


def test_deterministic_per_epoch_and_different_across_epochs(dataset):
    a = HybridBatchSampler(dataset, 8, False, seed=5)
    b = HybridBatchSampler(dataset, 8, False, seed=5)
    first = list(a)
    assert first == list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    second = list(a)
    assert second == list(b)
    assert second != first
    assert HybridBatchSampler(dataset, 8, False, seed=6).__iter__().__next__() != first[0]


def test_len_and_drop_last(dataset):
    n = sum(SIZES.values())
    keep = HybridBatchSampler(dataset, 48, drop_last=False)
    drop = HybridBatchSampler(dataset, 48, drop_last=True)
    assert len(keep) == -(-n // 48) and len(drop) == n // 48
    kept = list(keep)
    assert [len(b) for b in kept[:-1]] == [48] * (len(kept) - 1) and len(kept[-1]) == n % 48
    assert all(len(b) == 48 for b in drop)


def test_small_language_groups_are_skipped_with_a_warning(caplog):
    pairs = make_pairs({"en": 300, "de": 300, "sw": 5})
    with caplog.at_level(logging.WARNING, logger="hybrid_batch_st.sampler"):
        sampler = HybridBatchSampler(pairs.to_dataset(), 16, True)
    assert "sw-sw (5)" in caplog.text and "en-sw (5)" in caplog.text
    meta = pairs.to_dataset().with_format("numpy")[:]
    names = np.array(pairs.to_dataset().features["query_lang"].names)
    seen = {names[meta["query_lang"][r]] for b in sampler for r in b}
    assert "sw" not in seen
    # per-example choice keeps them
    sampler = HybridBatchSampler(pairs.to_dataset(), 16, True, language_choice="example", seed=2)
    seen = {names[meta["query_lang"][r]] for b in sampler for r in b}
    assert "sw" in seen


def test_errors_name_the_problem(dataset):
    single = MultilingualPairDataset.from_records(
        [
            {"id": "1", "lang": "en", "question": "q", "answer": "a"},
            {"id": "1", "lang": "de", "question": "q", "answer": "a"},
            {"id": "2", "lang": "en", "question": "q", "answer": "a"},
            {"id": "3", "lang": "de", "question": "q", "answer": "a"},
            {"id": "4", "lang": "de", "question": "q", "answer": "a"},
        ]
    )
    with pytest.raises(ValueError, match=r"3 example id\(s\) exist in one language only \(en: 1, de: 2\)"):
        HybridBatchSampler(single.to_dataset(), 1, False, mode="cross-lingual")
    HybridBatchSampler(single.to_dataset(), 1, False, mode="monolingual")  # fine without cross-lingual batches
    assert len(single.without_single_language_ids()) == 2
    with pytest.raises(ValueError, match="mode='both'"):
        HybridBatchSampler.configure(mode="both")
    with pytest.raises(ValueError, match="alpha=1.5"):
        HybridBatchSampler.configure(alpha=1.5)
    with pytest.raises(ValueError, match="temperature"):
        HybridBatchSampler.configure(temperature=0)
    with pytest.raises(ValueError, match=r"language_weights names \['xx'\]"):
        HybridBatchSampler(dataset, 4, False, language_weights={"xx": 1.0})
    from datasets import Dataset

    with pytest.raises(ValueError, match=r"MultilingualPairDataset.to_dataset\(\).*lacks"):
        HybridBatchSampler(Dataset.from_dict({"anchor": ["a"], "positive": ["b"]}), 1, False)
    with pytest.raises(ValueError, match="no monolingual language group can fill a batch of 64"):
        HybridBatchSampler(make_pairs({"en": 10, "de": 10}).to_dataset(), 64, False)
