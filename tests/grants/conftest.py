from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Uploaded documents go to a throwaway MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
