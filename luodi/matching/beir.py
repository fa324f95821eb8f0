"""Reading BEIR-layout folders (corpus.jsonl, queries.jsonl, qrels/test.tsv)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from .fields import Document


@dataclass
class BeirSet:
    name: str
    docs: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> grade (>0 only)


def load_beir(directory: str | Path, split: str = "test") -> BeirSet:
    root = Path(directory)
    docs: list[Document] = []
    with open(root / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            fields = {"title": row.get("title") or "", "body": row.get("text") or ""}
            docs.append(Document(str(row["_id"]), {k: v for k, v in fields.items() if v}))
    queries: dict[str, str] = {}
    with open(root / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                queries[str(row["_id"])] = row.get("text") or ""
    qrels: dict[str, dict[str, int]] = {}
    with open(root / "qrels" / f"{split}.tsv", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        for i, row in enumerate(reader):
            if len(row) < 3 or (i == 0 and not row[2].strip().lstrip("-").isdigit()):
                continue  # header line or blank
            grade = int(float(row[2]))
            if grade > 0:
                qrels.setdefault(row[0], {})[row[1]] = grade
    qrels = {q: r for q, r in qrels.items() if q in queries}
    return BeirSet(root.name, docs, queries, qrels)
