from __future__ import annotations

from pathlib import Path

from luodi.api import openapi_text

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_committed_openapi_schema_matches_code() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: run `make schema` and commit it."
    )
