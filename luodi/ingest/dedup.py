"""Organization names: normalization, comparison keys, similarity and a lookup index.

Pure functions plus `OrgIndex`, which is built from (id, names) tuples so that callers decide
which organizations it covers. Two keys are produced per name:

- `normalize(name)`: NFKC, case-folded, accents and punctuation removed, common abbreviations
  expanded ("Univ." → "university", "Ctr" → "center"), whitespace collapsed.
- `name_key(name)`: the normalized name without legal-form suffixes (有限公司, Co., Ltd., Inc.,
  GmbH…) and without spaces. Equal keys mean "the same organization".

`similarity` compares keys: 1.0 when equal, high when one is a prefix of the other
("成都医学城" / "成都医学城管委会") or they differ by a character or two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

SIMILAR = 0.86  # at or above: "possible duplicate"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")
_SITE_ID = re.compile(r"(?:\s*/\s*|\s+)id\s*#\s*\d+\s*$", re.IGNORECASE)

_ABBREVIATIONS = {
    "univ": "university", "universitaet": "university", "universitat": "university",
    "hosp": "hospital", "ctr": "center", "cntr": "center", "centre": "center",
    "med": "medical", "inst": "institute", "natl": "national", "dept": "department",
    "sch": "school", "st": "saint", "mt": "mount", "intl": "international",
    "res": "research", "clin": "clinical", "gen": "general", "mem": "memorial",
}  # fmt: skip
_ABBREVIATION = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")
_LEADING_THE = re.compile(r"^the\s+")

# Longest first: stripped repeatedly from the end of a normalized name.
_LEGAL_EN = [
    "co ltd",
    "company limited",
    "co limited",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "llc",
    "l l c",
    "corporation",
    "corp",
    "company",
    "co",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "srl",
    "spa",
    "s p a",
    "plc",
    "bv",
    "nv",
    "pty",
    "kk",
    "ltda",
    "sl",
]
_LEGAL_ZH = [
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "公司",
    "集团",
]

_GENERIC_SITES = re.compile(
    r"^(research|investigational|clinical( trial| research)?|study|local|novartis|gsk|pfizer"
    r"|[a-z]+ investigational)? ?(site|institution|center|facility)( [\w ]*\d[\w ]*)?$"
)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _SITE_ID.sub("", text)
    text = text.replace("&", " and ")
    text = _strip_accents(text)
    text = _PUNCT.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    text = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)
    text = _LEADING_THE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def strip_legal_suffix(normalized: str) -> str:
    text = normalized
    changed = True
    while changed and text:
        changed = False
        for suffix in _LEGAL_ZH:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)].rstrip(), True
        for suffix in _LEGAL_EN:
            if text.endswith(" " + suffix):
                text, changed = text[: -len(suffix) - 1].rstrip(), True
    return text


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    return strip_legal_suffix(normalize(name)).replace(" ", "")


def is_generic_site(name: str) -> bool:
    """Placeholder facility names ("Research Site", "GSK Investigational Site") that say
    nothing about which hospital it is; callers qualify them with the city."""
    return bool(_GENERIC_SITES.match(normalize(name)))


def clean_display(name: str) -> str:
    """The name as shown: sponsor site ids ("/ID# 1234") and extra whitespace removed."""
    return _SPACE.sub(" ", _SITE_ID.sub("", name or "")).strip(" ,;")


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """Similarity of two keys (from `name_key`) in 0..1; below `floor` may be returned as 0
    without computing it exactly (cheap upper bounds first)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    min_len = 3 if has_cjk(short) else 6
    if len(short) >= min_len and long_.startswith(short) and len(short) / len(long_) >= 0.5:
        return 0.9
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def _block(key: str) -> str:
    return key[:2] if has_cjk(key[:1]) else key[:3]


@dataclass
class Match:
    org_id: int
    label: str
    score: float


@dataclass
class OrgIndex:
    """Keys of every name and alias of a set of organizations, for exact and fuzzy lookups."""

    exact: dict[str, list[int]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    blocks: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, orgs: Iterable[tuple[int, str, Iterable[str]]]) -> OrgIndex:
        index = cls()
        for org_id, label, names in orgs:
            index.add(org_id, label, names)
        return index

    def add(self, org_id: int, label: str, names: Iterable[str]) -> None:
        self.labels[org_id] = label
        for name in names:
            key = name_key(name)
            if not key:
                continue
            ids = self.exact.setdefault(key, [])
            if org_id not in ids:
                ids.append(org_id)
            self.blocks.setdefault(_block(key), set()).add((key, org_id))

    def find_exact(self, names: Iterable[str]) -> list[int]:
        found: list[int] = []
        for name in names:
            for org_id in self.exact.get(name_key(name), []):
                if org_id not in found:
                    found.append(org_id)
        return found

    def find_similar(self, names: Iterable[str], threshold: float = SIMILAR) -> Match | None:
        best: Match | None = None
        for name in names:
            key = name_key(name)
            if len(key) < 2:
                continue
            for other, org_id in self.blocks.get(_block(key), ()):
                if abs(len(other) - len(key)) > max(len(other), len(key)) // 2 + 1:
                    continue
                score = similarity(key, other, threshold)
                if score >= threshold and (best is None or score > best.score):
                    best = Match(org_id, self.labels.get(org_id, ""), score)
        return best
