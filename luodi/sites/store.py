"""Save a fitted `SiteRanker` to one file and read it back, without pickle.

A fitted ranker is shared between machines through storage that more than this program may
write to (an S3 bucket), so reading one must never run code: arrays go into a NumPy `.npz`
read with `allow_pickle=False`, everything else into JSON stored inside it as bytes.

    dump(ranker, fh, extra={"orgs_of": {...}})   # any JSON-able extra travels along
    ranker, extra = load(fh)

Only what `rank`, `scores`, `features`, `entries` and `site_of` read is kept; the history
trials themselves are not (a loaded ranker cannot be re-fitted, only fitted anew).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import IO, Any

import numpy as np
import scipy.sparse as sp

from .ranker import SiteRanker, _SiteTable
from .text import BM25Matrix

__all__ = ["FORMAT", "dump", "load"]

FORMAT = 1  # bump when the stored fields change; `load` refuses other versions
_BM25 = ("topic", "sponsor_bm25", "name_bm25")
_VECTORS = ("site_country", "site_city", "site_last", "pop")


def _put_csr(arrays: dict[str, np.ndarray], name: str, m: sp.csr_matrix) -> None:
    arrays[f"{name}.data"] = m.data
    arrays[f"{name}.indices"] = m.indices
    arrays[f"{name}.indptr"] = m.indptr
    arrays[f"{name}.shape"] = np.asarray(m.shape, dtype=np.int64)


def _get_csr(arrays: Any, name: str) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}.shape"])
    return sp.csr_matrix(
        (arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]),
        shape=shape,
    )


def dump(ranker: SiteRanker, fh: IO[bytes], extra: dict[str, Any] | None = None) -> None:
    """Write a fitted ranker (and `extra`, which must be JSON-able) to a binary file."""
    if type(ranker) is not SiteRanker:
        # A subclass keeps state of its own that this format would silently drop.
        raise TypeError(f"only SiteRanker can be stored, not {type(ranker).__name__}")
    sites = ranker.sites
    meta: dict[str, Any] = {
        "format": FORMAT,
        "weights": ranker.weights,
        "recency_days": ranker.recency_days,
        "n_history": ranker.n_history,
        "site_keys": sites.keys,
        "site_index": sites.index,
        # Pairs in insertion order: `entries` breaks count ties by first-seen order.
        "site_raw": [list(c.items()) for c in sites.raw],
        "trials_by_lead": ranker.trials_by_lead,
        "trials_by_org": ranker.trials_by_org,
        "place_words": ranker.place_words,
        "n_countries": ranker.n_countries,
        "country_index": ranker.country_index,
        "n_cities": ranker.n_cities,
        "ref_day": ranker.ref_day,
        "bm25": {
            name: {"vocab": getattr(ranker, name).vocab, "n_docs": getattr(ranker, name).n_docs}
            for name in _BM25
        },
        "extra": extra or {},
    }
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        "n_trials": sites.n_trials,
    }
    _put_csr(arrays, "incidence", sites.incidence)
    _put_csr(arrays, "trial_countries", ranker.trial_countries)
    for name in _BM25:
        bm25 = getattr(ranker, name)
        arrays[f"{name}.idf"] = bm25.idf
        _put_csr(arrays, f"{name}.by_term", bm25.by_term)
    for name in _VECTORS:
        arrays[name] = getattr(ranker, name)
    np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]


def load(fh: IO[bytes]) -> tuple[SiteRanker, dict[str, Any]]:
    """A ranker written by `dump`, and its extra. ValueError for another format version."""
    with np.load(fh, allow_pickle=False) as arrays:
        meta = json.loads(arrays["meta"].tobytes().decode())
        if meta.get("format") != FORMAT:
            raise ValueError(f"site ranker format {meta.get('format')!r}, expected {FORMAT}")
        ranker = SiteRanker(weights=meta["weights"], recency_days=meta["recency_days"])
        ranker.n_history = meta["n_history"]
        sites = _SiteTable([])
        sites.keys = list(meta["site_keys"])
        sites.index = {k: int(v) for k, v in meta["site_index"].items()}
        sites.raw = [Counter(dict(pairs)) for pairs in meta["site_raw"]]
        sites.incidence = _get_csr(arrays, "incidence")
        sites.by_site = sites.incidence.T.tocsr()
        sites.n_trials = np.array(arrays["n_trials"])
        ranker.sites, ranker.site_keys = sites, sites.keys
        ranker.trials_by_lead = meta["trials_by_lead"]
        ranker.trials_by_org = meta["trials_by_org"]
        ranker.place_words = meta["place_words"]
        ranker.n_countries, ranker.n_cities = meta["n_countries"], meta["n_cities"]
        # Files written before planned countries existed lack the map (and the weight):
        # they load and rank as before, without that feature, until the next fit.
        ranker.country_index = {k: int(v) for k, v in meta.get("country_index", {}).items()}
        ranker.ref_day = meta["ref_day"]
        ranker.trial_countries = _get_csr(arrays, "trial_countries")
        for name in _BM25:
            bm25 = BM25Matrix([])
            bm25.vocab = meta["bm25"][name]["vocab"]
            bm25.n_docs = meta["bm25"][name]["n_docs"]
            bm25.idf = np.array(arrays[f"{name}.idf"])
            bm25.by_term = _get_csr(arrays, f"{name}.by_term")
            setattr(ranker, name, bm25)
        for name in _VECTORS:
            setattr(ranker, name, np.array(arrays[name]))
    return ranker, meta["extra"]
