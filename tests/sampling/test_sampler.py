"""Batch composition of HybridBatchSampler over thousands of batches (no model involved)."""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from hybrid_batch_st import HybridBatchSampler, MultilingualPairDataset
from hybrid_batch_st.data.pair_index import pair_index_of

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


def row_meta(dataset):
    """Example id code, question language and answer language of every row of a pair dataset."""
    index = pair_index_of(dataset)
    example, query_lang, answer_lang = index.describe(np.arange(index.num_rows))
    names = np.array(index.languages)
    return example, names[query_lang], names[answer_lang]


@pytest.fixture(scope="module")
def meta(dataset):
    return row_meta(dataset)


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


@pytest.mark.parametrize("temperature", [1000.0, float("inf")])  # inf: the paper's section 2.2, "equally"
def test_temperature_flattens_and_weights_exclude(dataset, meta, temperature):
    _, q, _ = meta
    hot = HybridBatchSampler(dataset, 4, True, mode="monolingual", temperature=temperature)
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


def test_mixed_batches_hold_both_kinds_and_no_example_twice(dataset, meta):
    sampler = HybridBatchSampler(dataset, 16, True, mode="mixed", seed=2, language_choice="batch", alpha=0.9)
    example, q, a = meta
    both = mono_rows = rows = 0
    for batch in batches_of(sampler):
        ids = example[batch]
        assert len(set(ids.tolist())) == len(ids), "two rows of one parallel example share a batch"
        same = q[batch] == a[batch]
        both += bool(same.any() and not same.all())
        mono_rows, rows = mono_rows + int(same.sum()), rows + len(batch)
    assert both > 0.9 * len(sampler)
    # every row draws its pair by size among all pairs (alpha and language_choice do not apply)
    mono = sum(SIZES.values())
    cross = sum(min(SIZES[x], SIZES[y]) for x in SIZES for y in SIZES if x != y)
    assert abs(mono_rows / rows - mono / (mono + cross)) < 0.03


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
    with caplog.at_level(logging.WARNING, logger="hybrid_batch_st.sampling.sampler"):
        sampler = HybridBatchSampler(pairs.to_dataset(), 16, True)
    assert "sw-sw (5)" in caplog.text and "en-sw (5)" in caplog.text
    _, query_lang, _ = row_meta(pairs.to_dataset())
    seen = {query_lang[r] for b in sampler for r in b}
    assert "sw" not in seen
    # per-example choice keeps them
    sampler = HybridBatchSampler(pairs.to_dataset(), 16, True, language_choice="example", seed=2)
    seen = {query_lang[r] for b in sampler for r in b}
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

    with pytest.raises(ValueError, match=r"needs the dataset of MultilingualPairDataset.to_dataset\(\), unchanged"):
        HybridBatchSampler(Dataset.from_dict({"anchor": ["a"], "positive": ["b"]}), 1, False)
    with pytest.raises(ValueError, match="without select/shuffle/filter"):
        HybridBatchSampler(dataset.shuffle(seed=0), 4, False)
    with pytest.raises(ValueError, match="no monolingual language group can fill a batch of 64"):
        HybridBatchSampler(make_pairs({"en": 10, "de": 10}).to_dataset(), 64, False)


def global_batches(sampler):
    """Consecutive world_size slices, as accelerate hands them to the ranks of one step."""
    slices = batches_of(sampler)
    n = sampler.world_size
    assert len(slices) % n == 0
    for k in range(0, len(slices), n):
        assert len({len(s) for s in slices[k : k + n]}) == 1, "ranks got unequal slices"
    return [[row for s in slices[k : k + n] for row in s] for k in range(0, len(slices), n)]


def test_global_batches_across_ranks_keep_the_composition(dataset, meta):
    sampler = HybridBatchSampler(dataset, 2, drop_last=True, seed=4, alpha=0.3, world_size=2)
    assert len(sampler) == 2 * (sum(SIZES.values()) // 4)
    batches = global_batches(sampler)
    _, q, a = meta
    mono_langs = Counter()
    for batch in batches:
        assert len(batch) == 4
        if classify(batch, meta):  # one type, no example twice across the two ranks
            assert len(set(q[batch])) == 1
            mono_langs[q[batch[0]]] += 1
        else:
            assert len(set(zip(q[batch], a[batch]))) == 1
    n_mono = sum(mono_langs.values())
    assert abs(n_mono / len(batches) - 0.3) <= 0.03
    langs = list(SIZES)
    expected = np.array([SIZES[lang] for lang in langs], dtype=float)
    observed = np.array([mono_langs[lang] for lang in langs], dtype=float)
    assert chisquare(observed, expected / expected.sum() * n_mono).pvalue > 0.001
    per_example = HybridBatchSampler(dataset, 8, False, seed=1, language_choice="example", world_size=3)
    for batch in global_batches(per_example):
        classify(batch, meta)


@pytest.mark.parametrize("drop_last", [False, True])
def test_every_rank_gets_as_many_equal_slices_through_accelerates_shard(drop_last):
    from accelerate.data_loader import BatchSamplerShard

    pairs = make_pairs({"en": 101, "de": 101, "es": 50})  # 252 records: 10 global batches of 24, then 12
    sampler = HybridBatchSampler(pairs.to_dataset(), 8, drop_last, seed=0, world_size=3)
    assert sampler.global_batch_sizes() == [24] * 10 + ([] if drop_last else [12])
    # the trainer shards with even_batches=False: a rank with an extra batch would wait forever in the loss
    shards = [list(BatchSamplerShard(sampler, 3, k, even_batches=False)) for k in range(3)]
    assert [len(s) for s in shards] == [len(BatchSamplerShard(sampler, 3, k, even_batches=False)) for k in range(3)]
    assert len({len(s) for s in shards}) == 1 and len(shards[0]) == (10 if drop_last else 11)
    meta = row_meta(pairs.to_dataset())
    for step in zip(*shards):
        assert len({len(s) for s in step}) == 1
        classify([row for s in step for row in s], meta)
    if not drop_last:
        assert [len(s[-1]) for s in shards] == [4, 4, 4]


def test_global_batch_larger_than_the_data_or_a_group_is_named(caplog):
    pairs = make_pairs({"en": 40, "de": 40, "es": 12})
    with caplog.at_level(logging.WARNING, logger="hybrid_batch_st.sampling.sampler"):
        HybridBatchSampler(pairs.to_dataset(), 8, True, world_size=2)
    assert "fewer examples than a global batch of 16 (2 processes x batch_size=8): en-es (12)" in caplog.text
    assert "es-es (12)" in caplog.text
    with pytest.raises(ValueError, match=r"can fill a global batch of 128 \(4 processes x batch_size=32\)"):
        HybridBatchSampler(pairs.to_dataset(), 32, True, world_size=4)
    with pytest.raises(ValueError, match=r"only 40 distinct examples .* for a global batch of 64"):
        HybridBatchSampler(pairs.to_dataset(), 16, True, world_size=4, language_choice="example")
    with pytest.raises(ValueError, match="world_size=0 must be a positive integer"):
        HybridBatchSampler.configure(world_size=0)


@pytest.mark.parametrize("n", [1, 2, 5, 64, 1000, 4097])
def test_permutation_is_a_bijection_and_cycles_draw_each_member_once_per_pass(n):
    from hybrid_batch_st.sampling.cycles import Cycle, Permutation

    rng = np.random.default_rng(n)
    assert sorted(Permutation(n, rng)(np.arange(n)).tolist()) == list(range(n))
    members = np.arange(100, 100 + n)
    cycle = Cycle(members, rng)
    size = max(1, n // 3)
    drawn = np.concatenate([cycle.take(size) for _ in range(3 * 3)])  # three passes' worth
    for batch in drawn.reshape(-1, size):
        assert len(set(batch.tolist())) == size
    counts = Counter(drawn.tolist())
    assert set(counts) <= set(members.tolist()) and max(counts.values()) - min(counts.values()) <= 1


def test_one_at_a_time_draws_reach_every_member_once_per_pass_despite_skips():
    """A member skipped for being in the batch already (or another row's negative) waits for the next draw."""
    from hybrid_batch_st.sampling.cycles import Cycle

    members = np.arange(12)
    cycle = Cycle(members, np.random.default_rng(0))
    drawn = []
    for draw in range(4 * 12):  # four passes, each draw forbidding the two members drawn before it
        member = cycle.next_not_in(set(drawn[-2:]))
        assert member is not None and member not in drawn[-2:]
        drawn.append(member)
    counts = Counter(drawn)
    assert set(counts) == set(range(12)) and max(counts.values()) - min(counts.values()) <= 1
    assert Cycle(np.arange(3), np.random.default_rng(0)).next_not_in({0, 1, 2}) is None
