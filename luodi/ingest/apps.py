from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "luodi.ingest"
    label = "ingest"
    verbose_name = _("Import and merge")

    def ready(self) -> None:
        from luodi.ingest import profiles

        profiles.register()
