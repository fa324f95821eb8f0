"""SQLite does not enforce max_length; PostgreSQL does. Catch over-long demo values on both."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Length

from luodi import demo

pytestmark = pytest.mark.django_db


def test_every_demo_value_fits_its_column() -> None:
    demo.load(io.StringIO())
    too_long = []
    for model in apps.get_models():
        if not model.__module__.startswith("luodi."):
            continue
        for field in model._meta.fields:
            if isinstance(field, models.CharField) and field.max_length:
                over = model.objects.annotate(_n=Length(field.name)).filter(_n__gt=field.max_length)
                if over.exists():
                    too_long.append(f"{model.__name__}.{field.name}")
    assert too_long == []
