"""Fixtures for the ingest tests: the browser ones come from tests/browser/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CTGOV = DATA / "ctgov"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ingest/test_browser_" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture(autouse=True)
def _pending_imports_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def ctgov_dir() -> Path:
    if not CTGOV.is_dir():
        pytest.skip(f"{CTGOV} is missing")
    return CTGOV
