"""MilvusBackend: the retrieval backend on a Milvus server (or milvus-lite) through pymilvus.

How the in-process engine maps onto one collection (one row per document):
- Lexical. Text is tokenized here by the in-process index's `Tokenizer` (rjieba, stemmed
  English), never by the server; each term is written as an ASCII `term_code` that any
  Milvus analyzer (`standard`, `whitespace`) keeps as one token, in an analyzed VARCHAR
  whose BM25 function fills a sparse field. The server keeps N, df and avgdl.
- BM25F field weights. BM25 over field-weighted tf and length (lexical.py) equals plain BM25
  over the document with each field's terms repeated c·w times, with k1 scaled by c: tf,
  length and avgdl all scale by c, so tf / (tf + k1·norm) is unchanged. With the default
  weights (2, 1.5, 1) c = 2 and the server's k1 is 2.4 (Milvus accepts k1 up to 3).
- Dense. The encoder's normalised passage vectors in a FLOAT_VECTOR field with IP (= cosine).
- Hybrid. Both sides are searched concurrently under the same filter expression; the union
  of their top-`depth` lists is fused by `fusion.fuse_candidates` as MatchingIndex does, with
  dense similarities of lexical-only candidates computed from the vectors lexical search
  returns. BM25 scores of dense-only candidates are fetched only when they can change the
  result (`_need_lexical_scores`: min-max fusion sets any outside the lexical list to 0).
- Filters. Fields declared `filterable` become scalar or ARRAY columns (`m_<name>`), filters
  a boolean expression applied inside each search (no filtered-out document in a top list).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import typing
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, NamedTuple

import numpy as np

from .backend import filter_expression, holders_of
from .embed_cache import EmbeddingCache, encode_with_cache
from .encoders import Encoder
from .fields import DEFAULT_FIELD_WEIGHT, FIELD_WEIGHTS, Document, clean_text
from .filters import Filters
from .fusion import Candidates, FusionConfig, fuse_candidates

# The dense side of a hybrid query runs in the in-process index's side threads: both wait
# on native encoder code or on the network, so they overlap.
from .index import MODES, Explanation, Hit, UpdateStats, _side_pool
from .tokenize import Tokenizer

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MAX_TEXT_BYTES = 65_535  # Milvus's VARCHAR limit
_SCALARS: dict[type, str] = {str: "VARCHAR", int: "INT64", float: "DOUBLE", bool: "BOOL"}
_PLAIN = re.compile(r"[a-y0-9][a-z0-9]{0,39}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")
_LISTS = (list, tuple, set, frozenset)
_GET_CHUNK = 1000  # ids per get/query request: keeps expressions and messages small


@functools.lru_cache(maxsize=1 << 17)
def term_code(term: str) -> str:
    """The term as one [a-z0-9] token that no analyzer splits or changes. Plain terms stay
    readable; others become "z" + hex (no plain term starts with "z", and hex has no "z",
    so codes never collide), and very long ones a 128-bit hash."""
    if _PLAIN.fullmatch(term):
        return term
    raw = term.encode().hex()
    if len(raw) <= 40:
        return "z" + raw
    return "zz" + hashlib.blake2b(term.encode(), digest_size=16).hexdigest()


def _parse_spec(name: str, spec: Any) -> tuple[type, bool]:
    """(element type, is a list) of a `filterable` declaration: str/int/float/bool or
    list[...] of one of them."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"filterable field {name!r} is not a valid identifier")
    if typing.get_origin(spec) is list:
        (elem,) = typing.get_args(spec)
        if elem in _SCALARS:
            return elem, True
    elif spec in _SCALARS:
        return spec, False
    raise ValueError(f"filterable field {name!r}: use str, int, float, bool or list[...] of one")


def _check_value(name: str, elem: type, value: Any) -> Any:
    ok = isinstance(value, elem) and not (elem is int and isinstance(value, bool))
    if elem is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise ValueError(f"metadata {name!r}: {value!r} is not {elem.__name__}")
    return value


class _Found(NamedTuple):  # one search hit
    id: str
    score: float
    entity: dict[str, Any]


class MilvusBackend:
    """The backend interface (backend.py) on a Milvus collection."""

    name = "milvus"

    def __init__(
        self,
        uri: str,
        collection: str,
        encoder: Encoder | None = None,
        tokenizer: Tokenizer | None = None,
        filterable: Mapping[str, Any] | None = None,
        *,
        token: str = "",
        db_name: str = "",
        cache_dir: str | None = None,
        fusion: FusionConfig | None = None,
        field_weights: Mapping[str, float] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        dense_index: Mapping[str, Any] | None = None,
        ef: int = 256,
        consistency_level: str = "Strong",
        analyzer_params: Mapping[str, Any] | None = None,
        array_capacity: int = 256,
        recreate: bool = False,
    ) -> None:
        """Open `collection`, creating it when missing. An existing collection must have
        been built with the same encoder, field weights, BM25 parameters and filterable
        fields (ValueError otherwise); without `tokenizer`, its stored tokenizer
        configuration is used. `dense_index` replaces the vectors' index (HNSW, M 16; e.g.
        {"index_type": "FLAT"} for exact search); `ef` is HNSW's search breadth.
        "Strong" consistency makes every write visible to the next search, as in-process;
        "Bounded" is cheaper on a cluster when a few seconds of staleness are acceptable.
        `recreate` drops an existing collection first (a rebuild)."""
        from pymilvus import MilvusClient

        if not _NAME.fullmatch(collection):
            raise ValueError(f"collection name {collection!r} is not a valid identifier")
        self.client = MilvusClient(uri=uri, token=token, db_name=db_name)
        self.collection = collection
        self.encoder = encoder
        self.fusion = fusion or FusionConfig()
        self.cache = (
            EmbeddingCache(cache_dir, encoder.name, encoder.dim) if encoder and cache_dir else None
        )
        self.ef = ef
        self.filterable = {n: _parse_spec(n, s) for n, s in (filterable or {}).items()}
        weights = {**FIELD_WEIGHTS, **(field_weights or {})}
        self._weights = weights
        # c: the smallest repetition (1 or 2; k1·c must stay within Milvus's 3) that makes
        # every weight a whole number of copies; other weights round to halves.
        exact = all(float(w).is_integer() for w in [*weights.values(), DEFAULT_FIELD_WEIGHT])
        self.scale = 1 if exact else 2
        self._k1_factor = k1 * self.scale + 1.0
        config = {
            "luodi": SCHEMA_VERSION,
            "encoder": None if encoder is None else {"name": encoder.name, "dim": encoder.dim},
            "field_weights": weights,
            "scale": self.scale,
            "k1": k1,
            "b": b,
            "filterable": {
                n: f"{t.__name__}{[] if a else ''}" for n, (t, a) in self.filterable.items()
            },
        }
        if recreate and self.client.has_collection(collection):
            self.client.drop_collection(collection)
        if self.client.has_collection(collection):
            stored = self._stored_config()
            tok_cfg = stored.pop("tokenizer", None)
            if stored != config:
                raise ValueError(
                    f"collection {collection!r} was built with {stored}, not {config}: "
                    "drop it and upsert again"
                )
            if tokenizer is None:
                tokenizer = Tokenizer.from_config(tok_cfg) if tok_cfg else Tokenizer()
            elif tok_cfg is not None and tokenizer.config() != tok_cfg:
                raise ValueError(f"collection {collection!r} was tokenized with {tok_cfg}")
            self.tokenizer = tokenizer
            self.client.load_collection(collection)
        else:
            self.tokenizer = tokenizer or Tokenizer()
            config["tokenizer"] = self.tokenizer.config()
            self._create(
                config, k1, b, dense_index, consistency_level, analyzer_params, array_capacity
            )

    # -- schema -----------------------------------------------------------------------
    def _create(
        self,
        config: dict[str, Any],
        k1: float,
        b: float,
        dense_index: Mapping[str, Any] | None,
        consistency_level: str,
        analyzer_params: Mapping[str, Any] | None,
        array_capacity: int,
    ) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        schema = MilvusClient.create_schema(
            auto_id=False, enable_dynamic_field=False, description="Luodi retrieval backend"
        )
        schema.add_field("doc_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("content_hash", DataType.VARCHAR, max_length=64)
        schema.add_field(
            "lexical",
            DataType.VARCHAR,
            max_length=MAX_TEXT_BYTES,
            enable_analyzer=True,
            analyzer_params=dict(analyzer_params or {"tokenizer": "standard"}),
        )
        schema.add_field("lexical_bm25", DataType.SPARSE_FLOAT_VECTOR)
        if self.encoder is not None:
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.encoder.dim)
        schema.add_field("fields", DataType.JSON)
        schema.add_field("metadata", DataType.JSON)
        for name, (elem, is_list) in self.filterable.items():
            dtype = getattr(DataType, _SCALARS[elem])
            extra: dict[str, Any] = {"max_length": 1024} if elem is str else {}
            if is_list:
                extra.update(element_type=dtype, max_capacity=array_capacity)
            schema.add_field(
                f"m_{name}", DataType.ARRAY if is_list else dtype, nullable=True, **extra
            )
        schema.add_function(
            Function(
                name="lexical_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["lexical"],
                output_field_names=["lexical_bm25"],
            )
        )
        index = self.client.prepare_index_params()
        bm25 = {"bm25_k1": k1 * self.scale, "bm25_b": b}
        # pymilvus sends index parameters as flat key-value pairs, which Milvus reads;
        # milvus-lite 3.2 reads only the legacy JSON "params" entry (which Milvus accepts
        # too), so both are sent: without it the server's k1 would silently be 1.5.
        index.add_index(
            field_name="lexical_bm25",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={**bm25, "params": bm25},
        )
        if self.encoder is not None:
            spec = dict(dense_index or {"index_type": "HNSW", "M": 16, "efConstruction": 200})
            kind = spec.pop("index_type")
            index.add_index("vector", kind, metric_type="IP", params={**spec, "params": spec})
        self.client.create_collection(
            self.collection,
            schema=schema,
            index_params=index,
            consistency_level=consistency_level,
            # Stored with the collection: a later open checks it (see __init__).
            properties={"luodi.config": json.dumps(config, sort_keys=True)},
        )

    def _stored_config(self) -> dict[str, Any]:
        props = self.client.describe_collection(self.collection).get("properties") or {}
        try:
            cfg = json.loads(props.get("luodi.config") or "")
        except ValueError:
            cfg = None
        if not isinstance(cfg, dict) or cfg.get("luodi") != SCHEMA_VERSION:
            raise ValueError(f"collection {self.collection!r} is not a Luodi collection")
        return cfg

    def repeats(self, field: str) -> int:
        """Copies of the field's terms in the lexical text (its BM25F weight × scale)."""
        w = self._weights.get(field, DEFAULT_FIELD_WEIGHT)
        return max(0, round(w * self.scale))

    def lexical_text(self, fields: Mapping[str, str]) -> str:
        """The analyzed text of a document: each field's term codes, repeated by weight.
        Past Milvus's VARCHAR limit the last terms are dropped (logged)."""
        parts: list[str] = []
        for name, text in fields.items():
            n = self.repeats(name)
            codes = " ".join(map(term_code, self.tokenizer.iter_terms(text))) if text else ""
            if codes and n:
                parts += [codes] * n
        out = " ".join(parts)
        if len(out) > MAX_TEXT_BYTES:  # codes are ASCII: characters are bytes
            log.warning("lexical text cut to %d bytes (was %d)", MAX_TEXT_BYTES, len(out))
            out = out[: out.rfind(" ", 0, MAX_TEXT_BYTES + 1)]
        return out

    def _row(self, doc: Document, digest: str) -> dict[str, Any]:
        meta = dict(doc.metadata)
        row: dict[str, Any] = {
            "doc_id": doc.id,
            "content_hash": digest,
            "lexical": self.lexical_text(doc.fields),
            "fields": dict(doc.fields),
            "metadata": meta,
        }
        json.dumps(meta)  # fail here, with the caller's data in view, when not JSON
        for name, (elem, is_list) in self.filterable.items():
            value = meta.get(name)
            if value is None:
                row[f"m_{name}"] = None
            elif is_list:
                vals = value if isinstance(value, _LISTS) else [value]
                row[f"m_{name}"] = [_check_value(name, elem, v) for v in vals]
            elif isinstance(value, _LISTS):
                raise ValueError(f"metadata {name!r} holds a list: declare it list[...]")
            else:
                row[f"m_{name}"] = _check_value(name, elem, value)
        return row

    # -- maintenance ------------------------------------------------------------------
    def _get(self, ids: Sequence[str], fields: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for s in range(0, len(ids), _GET_CHUNK):
            part = list(ids[s : s + _GET_CHUNK])
            if part:
                out += self.client.get(self.collection, ids=part, output_fields=fields)
        return out

    def __len__(self) -> int:
        res = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(res[0]["count(*)"])

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and bool(self._get([doc_id], ["doc_id"]))

    def upsert(self, docs: Iterable[Document], batch_size: int = 256) -> UpdateStats:
        """Add new documents and replace changed ones; documents whose content hash the
        collection already holds are skipped (not tokenized, encoded or sent)."""
        docs = list(docs)
        ids = [d.id for d in docs]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate document id in one upsert")
        stored = {r["doc_id"]: r["content_hash"] for r in self._get(ids, ["content_hash"])}
        stats = UpdateStats()
        todo: list[tuple[Document, str]] = []
        for d in docs:
            digest = d.content_hash()
            if stored.get(d.id) == digest:
                stats.unchanged += 1
                continue
            if d.id in stored:
                stats.updated += 1
            else:
                stats.added += 1
            todo.append((d, digest))
        for s in range(0, len(todo), max(batch_size, 1)):
            part = todo[s : s + batch_size]
            # Rows are checked before the encoder runs, and sent only once it succeeded.
            rows = [self._row(d, digest) for d, digest in part]
            if self.encoder is not None:
                vecs, encoded = encode_with_cache(
                    self.encoder, [d.passage_text() for d, _ in part], "passage", self.cache
                )
                stats.encoded += encoded
                for row, v in zip(rows, vecs, strict=True):
                    row["vector"] = np.asarray(v, dtype=np.float32).tolist()
            self.client.upsert(self.collection, rows)
        return stats

    def delete(self, doc_ids: Iterable[str]) -> int:
        want = list(dict.fromkeys(doc_ids))
        present = [r["doc_id"] for r in self._get(want, ["doc_id"])]
        if present:
            self.client.delete(self.collection, ids=present)
        return len(present)

    def flush(self) -> None:
        """Seal written rows into indexed segments (after a bulk load: no buffer scans)."""
        self.client.flush(self.collection)

    def drop(self) -> None:
        self.client.drop_collection(self.collection)

    def close(self) -> None:
        self.client.close()

    def ids(self) -> Iterator[str]:
        it = self.client.query_iterator(
            self.collection, batch_size=1000, filter="", output_fields=["doc_id"]
        )
        out: list[str] = []
        try:
            while batch := it.next():
                out += [r["doc_id"] for r in batch]
        finally:
            it.close()
        return iter(out)

    def metadata(self, doc_id: str) -> Mapping[str, Any] | None:
        rows = self._get([doc_id], ["metadata"])
        return (rows[0]["metadata"] or {}) if rows else None

    def hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return {r["doc_id"]: r["content_hash"] for r in self._get(list(doc_ids), ["content_hash"])}

    def vector(self, doc_id: str) -> np.ndarray | None:
        if self.encoder is None:
            return None
        rows = self._get([doc_id], ["vector"])
        return np.asarray(rows[0]["vector"], dtype=np.float32) if rows else None

    def vector_dim(self) -> int | None:
        return None if self.encoder is None else int(self.encoder.dim)

    def similarities(self, query_vector: np.ndarray, doc_ids: Sequence[str]) -> list[float | None]:
        if self.encoder is None:
            return [None] * len(doc_ids)
        qv = np.asarray(query_vector, dtype=np.float32)
        found = {r["doc_id"]: r["vector"] for r in self._get(list(set(doc_ids)), ["vector"])}
        return [
            float(np.dot(np.asarray(found[d], np.float32), qv)) if d in found else None
            for d in doc_ids
        ]

    # -- search -----------------------------------------------------------------------
    def _expr(self, filters: Filters | None) -> str:
        for name in filters or {}:
            if name not in self.filterable:
                raise ValueError(f"{name!r} is not filterable in {self.collection!r}")
        cols = {f"m_{name}": want for name, want in (filters or {}).items()}
        arrays = [f"m_{n}" for n, (_, is_list) in self.filterable.items() if is_list]
        return filter_expression(cols, arrays)

    def _search(self, data: Any, field: str, limit: int, expr: str, out: list[str]) -> list[_Found]:
        params: dict[str, Any] = {"metric_type": "BM25" if field == "lexical_bm25" else "IP"}
        if field == "vector":
            params["params"] = {"ef": max(self.ef, limit)}
        res = self.client.search(
            self.collection,
            data=[data],
            anns_field=field,
            limit=limit,
            filter=expr,
            output_fields=out,
            search_params=params,
        )
        return [_Found(h.id, float(h.distance), h.get("entity") or {}) for h in (res or [[]])[0]]

    def _lexical(self, codes: str, limit: int, expr: str, out: list[str]) -> list[_Found]:
        # BM25 scores are positive; milvus-lite 3.2 reports them negated (its internal
        # smaller-is-better distance), Milvus as they are. The server keeps BM25's constant
        # (k1 + 1) factor, which lexical.py drops: divided out, scores are the in-process
        # ones (z-score fusion of a flat list and explanations read the raw values).
        found = self._search(codes, "lexical_bm25", limit, expr, out)
        return [h._replace(score=abs(h.score) / self._k1_factor) for h in found]

    def _dense(
        self, query: str, qv: np.ndarray | None, limit: int, expr: str
    ) -> tuple[np.ndarray, list[_Found]]:
        if qv is None:
            assert self.encoder is not None
            qv = self.encoder.encode_queries([clean_text(query)])[0]
        qv = np.asarray(qv, dtype=np.float32)
        return qv, self._search(qv.tolist(), "vector", limit, expr, ["metadata"])

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        query_vector: np.ndarray | None = None,
        explain: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Hit]:
        """Top-k documents among those passing `filters` (and among `ids`, when given),
        ranked as MatchingIndex ranks. `ids` travels inside the expression: for very large
        sets a filterable field (e.g. a visibility group) is the cheaper way."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.encoder is None:
            mode = "lexical"
        empty = any(isinstance(w, _LISTS) and not w for w in (filters or {}).values())
        if k <= 0 or empty or (ids is not None and not ids):
            return []  # an empty list of wanted values passes no document
        expr = self._expr(filters)
        if ids is not None:
            expr = _and(expr, filter_expression({"doc_id": sorted(ids)}, ()))
        codes = " ".join(term_code(t) for t in self.tokenizer.iter_terms(query))
        depth = max(self.fusion.depth, k) if mode == "hybrid" else k
        lex_out = ["metadata", "vector"] if mode == "hybrid" else ["metadata"]
        dense_job: Future[tuple[np.ndarray, list[_Found]]] | None = None
        if mode != "lexical":
            dense_job = _side_pool().submit(self._dense, query, query_vector, depth, expr)
        lex = self._lexical(codes, depth, expr, lex_out) if codes and mode != "dense" else []
        qv, dense = dense_job.result() if dense_job is not None else (None, [])
        return self._rank(query, codes, mode, k, expr, lex, dense, qv, explain)

    def _rank(
        self,
        query: str,
        codes: str,
        mode: str,
        k: int,
        expr: str,
        lex: list[_Found],
        dense: list[_Found],
        qv: np.ndarray | None,
        explain: bool,
    ) -> list[Hit]:
        meta: dict[str, Any] = {}
        for h in (*lex, *dense):
            meta.setdefault(h.id, h.entity.get("metadata") or {})
        ids = list(meta)  # the lexical list first, then dense-only candidates
        if not ids:
            return []
        pos = {d: i for i, d in enumerate(ids)}
        lex_top = np.asarray([pos[h.id] for h in lex], dtype=np.int64)
        dense_top = np.asarray([pos[h.id] for h in dense], dtype=np.int64)
        lex_s = np.zeros(len(ids), dtype=np.float64)
        lex_s[lex_top] = [h.score for h in lex]
        den_s: np.ndarray | None = None
        if mode != "lexical" and qv is not None:
            den_s = np.zeros(len(ids), dtype=np.float64)
            den_s[dense_top] = [h.score for h in dense]
            # Lexical-only candidates: exact dot product with their returned vectors.
            in_dense = set(dense_top.tolist())
            for i, h in enumerate(lex):
                if i not in in_dense and h.entity.get("vector") is not None:
                    den_s[i] = float(np.dot(np.asarray(h.entity["vector"], np.float32), qv))
        only_dense = ids[len(lex) :]
        need = self._need_lexical_scores(lex_s[: len(lex)], explain)
        if mode == "hybrid" and only_dense and codes and need:
            scoped = _and(expr, filter_expression({"doc_id": only_dense}, ()))
            for h in self._lexical(codes, len(only_dense), scoped, []):
                lex_s[pos[h.id]] = h.score
        c = Candidates(
            mode=mode,
            slots=np.arange(len(ids), dtype=np.int64),
            lex=lex_s.astype(np.float32),
            dense=None if den_s is None else den_s.astype(np.float32),
            in_lex=np.isin(np.arange(len(ids)), lex_top),
            in_dense=np.isin(np.arange(len(ids)), dense_top),
            votes=np.zeros(len(ids), dtype=np.float64),
            qterms={},
            lex_top=lex_top,
            dense_top=dense_top,
        )
        fused, parts, weights, method = fuse_candidates(c, self.fusion)
        order = np.argsort(-fused, kind="stable")[:k]
        matched = self.matched_terms(query, [ids[j] for j in order]) if explain else {}
        hits: list[Hit] = []
        lex_rank = {int(s): r + 1 for r, s in enumerate(lex_top)}
        dense_rank = {int(s): r + 1 for r, s in enumerate(dense_top)}
        for r, j in enumerate(order):
            exp = None
            if explain:
                exp = Explanation(
                    matched_terms=matched.get(ids[j], {}),
                    lexical_score=float(c.lex[j]),
                    dense_similarity=None if c.dense is None else float(c.dense[j]),
                    lexical_rank=lex_rank.get(int(j)),
                    dense_rank=dense_rank.get(int(j)),
                    parts={name: float(p[j]) for name, p in parts.items()},
                    weights=weights,
                    method=method,
                )
            hits.append(Hit(ids[j], float(fused[j]), r + 1, exp, meta[ids[j]]))
        return hits

    def _need_lexical_scores(self, top: np.ndarray, explain: bool) -> bool:
        """Whether BM25 scores of candidates outside the lexical top list can matter.
        RRF reads only ranks. Min-max fusion clips them to 0 (such a candidate scores at
        most the list's lowest score, or 0 when the list holds every match) unless the list
        is flat, where a tie with its top counts as 1. Explanations and z-scores use them."""
        if explain or (self.fusion.method != "rrf" and self.fusion.norm != "minmax"):
            return True
        flat = bool(top.size and float(top.max() - top.min()) < 1e-9)
        return self.fusion.method != "rrf" and flat

    def matched_terms(self, query: str, doc_ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """Per document that contains any query word: field -> those words as the user
        wrote them, in query order, from the stored fields tokenized here."""
        surface: dict[str, str] = {}
        for term, surf in self.tokenizer.analyze(query):
            surface.setdefault(term, surf)
        want = list(dict.fromkeys(doc_ids))
        if not surface or not want:
            return {}
        out: dict[str, dict[str, list[str]]] = {}
        for row in self._get(want, ["fields"]):
            found: dict[str, list[str]] = {}
            for name, text in (row.get("fields") or {}).items():
                terms = set(self.tokenizer.iter_terms(text or ""))
                words = [surf for term, surf in surface.items() if term in terms]
                if words:
                    found[name] = words
            if found:
                out[row["doc_id"]] = found
        return out

    def holders(self, query: str, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        return holders_of(self.matched_terms(query, doc_ids))


def _and(a: str, b: str) -> str:
    return f"({a}) and ({b})" if a and b else (a or b)
