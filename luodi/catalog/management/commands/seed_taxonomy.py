"""`luodi seed_taxonomy`: create or update the taxonomy (ICD-10, MeSH subset, Luodi's own)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from luodi.catalog.taxonomy import seed_taxonomy


class Command(BaseCommand):
    help = "Create or update the taxonomy terms (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_taxonomy(self.stdout)
