"""Learning from outcomes: labelled history (accepted and declined matches) per side.

A side (an organization in matchmaking; a document in `luodi eval retrieval --train`) has
items it accepted or declined, each with its vector. A new item close to one the side
accepted gains, one close to an item it declined loses, and the closest such item is the
explanation ("similar to X, which you accepted"). Matchmaking builds this memory from its
match records (luodi.matchmaking.feedback.outcomes_for); the evaluation replays the
benchmark's labelled queries into it (a document "accepted" every query judged relevant to
it) and ranks with it through the index's "memory" fusion signal. Same memory, same
arithmetic: what the evaluation reports for learning is what the product learns.

Only similarity above `floor` counts: sentence-embedding cosines of unrelated texts are far
from 0 (e5 puts most pairs of one domain between 0.7 and 0.85), and without a floor every
side with any history would gain a little from everything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

__all__ = ["SIMILAR", "Outcome", "OutcomeMemory", "Recall"]

SIMILAR = 0.85  # cosine from which an item counts as similar to a remembered one


@dataclass(frozen=True)
class Outcome:
    side: str
    item: str
    accepted: bool
    title: str = ""


@dataclass(frozen=True)
class Recall:
    """What a side's history says about a new item: gain in [-1, 1] and the closest
    remembered item behind it."""

    gain: float
    item: str
    title: str
    accepted: bool
    similarity: float


class OutcomeMemory:
    def __init__(self, dim: int, floor: float = SIMILAR) -> None:
        self.dim = dim
        self.floor = floor
        self._vectors: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        self.outcomes: list[Outcome] = []

    def __len__(self) -> int:
        return len(self.outcomes)

    def add(
        self, side: str, item: str, vector: np.ndarray, accepted: bool, title: str = ""
    ) -> None:
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        if v.shape[0] != self.dim:
            raise ValueError(f"vector of {v.shape[0]} dimensions, memory holds {self.dim}")
        norm = float(np.linalg.norm(v))
        self._vectors.append(v / norm if norm > 0 else v)
        self._matrix = None
        self.outcomes.append(Outcome(side, item, accepted, title))

    def sides(self) -> set[str]:
        return {o.side for o in self.outcomes}

    def _strength(self, sims: np.ndarray) -> np.ndarray:
        return np.clip((sims - self.floor) / max(1e-6, 1.0 - self.floor), 0.0, 1.0)

    def recall(
        self,
        vector: np.ndarray,
        sides: Collection[str] | None = None,
        exclude_item: str | None = None,
    ) -> dict[str, Recall]:
        """Per side (all, or those in `sides`) with something to say about `vector`: the
        strongest accepted similarity minus the strongest declined one, and the closest
        remembered item on the winning side of that difference. `exclude_item` leaves out
        the item itself (its own outcome is shown as its status, not as a similarity)."""
        if not self.outcomes:
            return {}
        if self._matrix is None:
            self._matrix = np.vstack(self._vectors)
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(q))
        sims = self._matrix @ (q / norm if norm > 0 else q)
        strength = self._strength(sims)
        best: dict[str, list[int | None]] = {}  # side -> [best accepted, best declined]
        for i in np.flatnonzero(strength > 0).tolist():
            o = self.outcomes[i]
            if sides is not None and o.side not in sides:
                continue
            if exclude_item is not None and o.item == exclude_item:
                continue
            slot = best.setdefault(o.side, [None, None])
            j = 0 if o.accepted else 1
            cur = slot[j]
            if cur is None or sims[i] > sims[cur]:
                slot[j] = i
        out: dict[str, Recall] = {}
        for side, (acc, dec) in best.items():
            up = float(strength[acc]) if acc is not None else 0.0
            down = float(strength[dec]) if dec is not None else 0.0
            gain = up - down
            lead = acc if gain > 0 else dec
            if lead is None or gain == 0:
                continue
            o = self.outcomes[lead]
            out[side] = Recall(gain, o.item, o.title, o.accepted, float(sims[lead]))
        return out

    def gains(self, vector: np.ndarray, sides: Collection[str] | None = None) -> dict[str, float]:
        return {s: r.gain for s, r in self.recall(vector, sides).items()}
