"""Demo records are marked by their `is_demo` flag, never by their text (#23): a marker in
every demo record's text would match every query, and ranking had to special-case it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import models

from luodi import demo
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalCenterProfile,
    ClinicalNeed,
    CompanyProfile,
    Organization,
    ParkProfile,
    Person,
)

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"演示|\bdemo\b", re.IGNORECASE)
CATALOG = (Organization, Person, Achievement, ClinicalNeed)
# Catalog rows without a flag of their own, part of a flagged organization's record.
PROFILES = (ClinicalCenterProfile, CompanyProfile, ParkProfile, Carrier)


def _flagged() -> list[type[models.Model]]:
    """Every model with an `is_demo` flag (catalog, pipeline, engagements, aftercare …)."""
    return [m for m in apps.get_models() if any(f.name == "is_demo" for f in m._meta.fields)]


def _texts(obj: models.Model) -> Iterator[tuple[str, str]]:
    """(field, text) of every free-text field; addresses under demo.luodi.invalid are the
    demo's on purpose (mail to them goes nowhere)."""
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.EmailField | models.URLField) or f.choices:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.CharField | models.TextField) and value:
            yield f.name, value
        elif isinstance(f, models.JSONField) and value:
            yield f.name, json.dumps(value, ensure_ascii=False)


def test_demo_records_carry_the_flag_and_no_marker() -> None:
    demo.load(io.StringIO())

    flagged = _flagged()
    assert set(CATALOG) <= set(flagged)
    for model in flagged:
        # On an empty database everything with a flag was loaded by the demo.
        assert not model._default_manager.filter(is_demo=False).exists(), model.__name__
    for model in CATALOG:
        assert model._default_manager.exists(), model.__name__
    for model in (*flagged, *PROFILES):
        for obj in model._default_manager.all():
            for name, text in _texts(obj):
                assert not MARKER.search(text), (model.__name__, obj.pk, name, text)
