"""Exact ranks in blocks of queries: the same ranks whatever the block size, the query dtype or the exclusion."""

import numpy as np

from hybrid_batch_st.evaluation import ranking


def _by_hand(queries, pool, relevant, names, exclude):
    """Ranks from a full sort in trec_eval's order (score descending, then document id descending)."""
    out = []
    for q, rel in enumerate(relevant):
        scores = pool.astype(np.float64) @ queries[q].astype(np.float32).astype(np.float64)
        keep = [d for d in range(len(pool)) if d != exclude[q]]
        order = sorted(keep, key=lambda d: (-np.float32(scores[d]), tuple(-ord(c) for c in names[d])))
        out.append(np.array([order.index(d) for d in rel]))
    return out


def test_blocked_ranks_match_a_full_sort(monkeypatch):
    rng = np.random.default_rng(3)
    pool = rng.standard_normal((300, 16)).astype(np.float32)
    pool[7] = pool[8]  # an exact tie: the id decides
    queries = rng.standard_normal((50, 16))  # float64, as a user's own arrays may be
    relevant = [rng.choice(300, size=rng.integers(1, 4), replace=False) for _ in range(50)]
    relevant[0] = np.array([7, 8])
    names = np.array([f"d{i:03d}" for i in range(300)], dtype=object)
    exclude = np.where(np.arange(50) % 3 == 0, rng.integers(0, 300, 50), -1)
    exclude[[r[0] == e for r, e in zip(relevant, exclude)]] = -1
    whole = ranking.relevant_ranks(queries, pool, relevant, names, exclude)
    monkeypatch.setattr(ranking, "SCORE_BUDGET", 4 * 300 * 7)  # blocks of 7 queries, the last one short
    assert ranking.query_block(300, ranking.SCORE_BUDGET) == 7
    blocked = ranking.relevant_ranks(queries, pool, relevant, names, exclude)
    expected = _by_hand(queries, pool, relevant, names, exclude)
    for got_whole, got_blocked, want in zip(whole, blocked, expected):
        assert got_whole.tolist() == want.tolist() == got_blocked.tolist()
    run, _ = ranking.exact_run(queries, pool, relevant, [f"q{i}" for i in range(50)], names, top=5, exclude=exclude)
    for q in range(50):  # the blocked run holds each query's own best, not a later block's
        best = sorted(run[f"q{q}"], key=run[f"q{q}"].get, reverse=True)[:1]
        assert ranking.relevant_ranks(queries[q : q + 1], pool, [np.array([int(best[0][1:])])], names,
                                      exclude[q : q + 1])[0].tolist() == [0]


def test_device_ranks_equal_the_numpy_ranks_ties_included():
    """The torch path (what a GPU runs), here with torch on the CPU: the same ranks as numpy, exact ties
    ordered by id, excluded documents, several relevant per query and blocks of any size."""
    rng = np.random.default_rng(5)
    pool = rng.standard_normal((400, 24)).astype(np.float32)
    pool[10] = pool[11] = pool[12]  # three identical documents: the id decides, both ways round
    pool[200] = pool[3]
    queries = rng.standard_normal((60, 24)).astype(np.float32)
    relevant = [rng.choice(400, size=rng.integers(1, 6), replace=False) for _ in range(60)]
    relevant[0], relevant[1], relevant[2] = np.array([11]), np.array([12, 10]), np.array([3, 200, 11])
    names = np.array([f"d{(i * 7919) % 400:03d}" for i in range(400)], dtype=object)  # ids not in row order
    exclude = np.where(np.arange(60) % 4 == 0, rng.integers(0, 400, 60), -1)
    exclude[[np.isin(e, r) for r, e in zip(relevant, exclude)]] = -1
    want = ranking.relevant_ranks(queries, pool, relevant, names, exclude)
    got = ranking.relevant_ranks(queries, pool, relevant, names, exclude, device="cpu")
    assert [g.tolist() for g in got] == [w.tolist() for w in want]


def test_vectorised_measures_equal_their_definitions():
    import ir_measures

    rng = np.random.default_rng(9)
    ranks = [np.sort(rng.choice(50, size=rng.integers(1, 6), replace=False)) for _ in range(40)]
    for text in ("AP", "AP@10", "RR", "RR@3", "P@5", "R@10", "nDCG", "nDCG@5", "Rprec", "Success@1"):
        measure = ir_measures.parse_measure(text)
        qrels = {str(q): {f"d{d}": 1 for d in r} for q, r in enumerate(ranks)}
        run = {str(q): {f"d{d}": float(100 - d) for d in range(50)} for q in range(len(ranks))}
        truth = {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}
        values = ranking.native_values(measure, ranks)
        assert np.allclose(values, [truth[str(q)] for q in range(len(ranks))]), text
