"""Shuffled cycles over a language group's examples, without materialising a permutation.

A group can hold a million examples and a run touches every group, so a stored
shuffle per group costs memory (4 bytes x examples x groups) and a pause the
first time a group is drawn. :class:`Permutation` is a keyed pseudo-random
bijection of ``[0, n)`` (a 4-round Feistel network on the next power of four,
with cycle walking) evaluated only at the positions a batch needs;
:class:`Cycle` walks it and starts a new one, with new keys, when it runs out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Permutation", "Cycle"]

_ROUNDS = 4
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


class Permutation:
    """A pseudo-random bijection of ``[0, n)`` drawn from ``rng``; ``perm(positions)`` maps positions."""

    def __init__(self, n: int, rng: np.random.Generator):
        self.n = n
        half_bits = max(1, ((max(n, 2) - 1).bit_length() + 1) // 2)  # domain 4**half_bits >= n, < 4 n
        self.half_bits = np.uint64(half_bits)
        self.mask = np.uint64((1 << half_bits) - 1)
        self.keys = rng.integers(0, 2**63, size=_ROUNDS, dtype=np.uint64)

    def _once(self, x: np.ndarray) -> np.ndarray:
        left, right = x >> self.half_bits, x & self.mask
        for key in self.keys:
            mixed = (right ^ key) * _MIX
            mixed ^= mixed >> np.uint64(29)
            mixed *= _MIX2
            mixed ^= mixed >> np.uint64(32)
            left, right = right, left ^ (mixed & self.mask)
        return (left << self.half_bits) | right

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        out = self._once(np.asarray(positions, dtype=np.uint64))
        outside = out >= self.n
        while outside.any():  # cycle walking: the domain is a power of four, at most 4x larger than n
            out[outside] = self._once(out[outside])
            outside = out >= self.n
        return out.astype(np.int64)


class Cycle:
    """The members of one group in a shuffled order, reshuffled each time they run out.

    Members skipped because they were already in the batch being built wait in a queue and are
    served first next time, so every member is drawn once per pass.
    """

    __slots__ = ("members", "rng", "perm", "pos", "waiting", "buffer")

    def __init__(self, members: np.ndarray, rng: np.random.Generator):
        self.members, self.rng = members, rng
        self.perm = Permutation(len(members), rng)
        self.pos = 0
        self.waiting: list[int] = []
        self.buffer: list[int] = []  # next members, for one-at-a-time draws

    def _next(self, n: int) -> np.ndarray:
        """Up to ``n`` next members of this pass, starting a new pass when this one is done."""
        if self.pos == len(self.members):
            self.perm, self.pos = Permutation(len(self.members), self.rng), 0
        stop = min(len(self.members), self.pos + n)
        fresh = self.members[self.perm(np.arange(self.pos, stop))]
        self.pos = stop
        return fresh

    def take(self, n: int) -> np.ndarray:
        """``n`` distinct members (the group has at least ``n``).

        Members waiting from earlier draws come first, then the pass's next ones, starting new passes as needed.

        Args:
            n: how many members to take.

        Returns:
            An int64 array of ``n`` distinct members.
        """
        pending = list(dict.fromkeys(self.buffer + self.waiting))
        taken, self.waiting, self.buffer = pending[:n], pending[n:], []
        while len(taken) < n:
            fresh = self._next(n - len(taken))
            clash = np.isin(fresh, taken)
            self.waiting.extend(fresh[clash].tolist())
            taken.extend(fresh[~clash].tolist())
        return np.asarray(taken, dtype=np.int64)

    def next_not_in(self, seen: set[int]) -> int | None:
        """The next member not in ``seen``, or None when every member of the group is in it.

        Members passed over because they are in ``seen`` wait in the queue and are served first by the next
        draw they fit, so one-at-a-time draws also reach every member once per pass.

        Args:
            seen: members that may not be drawn (the batch's examples and, with hard negatives, theirs).

        Returns:
            A member, or None.
        """
        for i, member in enumerate(self.waiting):
            if member not in seen:
                return self.waiting.pop(i)
        for _ in range(2 * len(self.members)):  # two passes' worth of draws hold one whole pass
            if not self.buffer:
                self.buffer = self._next(64).tolist()[::-1]
            member = self.buffer.pop()
            if member not in seen:
                return member
            if member not in self.waiting:
                self.waiting.append(member)
        return None
