"""docs/operations.md names only environment variables that settings.py reads."""

from __future__ import annotations

import re

from tests.ops.conftest import ROOT


def test_operations_guide_names_only_variables_that_settings_read() -> None:
    guide = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    settings = (ROOT / "luodi/settings.py").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(LUODI_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL)\b", guide))
    read = set(re.findall(r'"(LUODI_[A-Z0-9_]+|DATABASE_URL)"', settings))
    assert "LUODI_PROXY_COUNT" in named
    assert named - read == set()
