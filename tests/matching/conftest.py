from __future__ import annotations

import pytest

from luodi.matching import Document, HashingEncoder, MatchingIndex


@pytest.fixture
def docs() -> list[Document]:
    return [
        Document(
            "a1",
            {
                "title": "Insulin resistance in type 2 diabetes",
                "body": "Insulin resistance precedes type 2 diabetes in obese adults.",
            },
            {"kind": "achievement", "area": ["endocrine"], "stage": "preclinical"},
        ),
        Document(
            "a2",
            {
                "title": "PD-1 inhibitor for lung cancer",
                "body": "A PD-1 antibody improved survival in non-small cell lung cancer.",
            },
            {"kind": "achievement", "area": ["oncology"], "stage": "phase II"},
        ),
        Document(
            "n1",
            {"title": "糖尿病足溃疡的治疗需求", "body": "临床需要一种促进糖尿病足溃疡愈合的敷料。"},
            {"kind": "need", "area": ["endocrine"]},
        ),
        Document(
            "p1",
            {
                "title": "GMP plant in Chengdu Medical City",
                "summary": "Wet labs and a GMP workshop for biologics.",
                "body": "成都医学城 GMP 厂房，适合生物药中试生产。",
            },
            {"kind": "carrier", "area": ["oncology", "endocrine"]},
        ),
        Document(
            "a3",
            {
                "title": "Lung cancer screening with low-dose CT",
                "body": "Low-dose CT screening reduces lung cancer mortality.",
            },
            {"kind": "achievement", "area": ["oncology"], "stage": "marketed"},
        ),
    ]


@pytest.fixture
def index(docs: list[Document]) -> MatchingIndex:
    idx = MatchingIndex(encoder=HashingEncoder(dim=64))
    idx.upsert(docs)
    return idx
