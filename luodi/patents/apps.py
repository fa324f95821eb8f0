"""Patents as records: numbers, offices, dates, legal status, owners and inventors, the
achievements and agreements they back, and the annual fees that keep them alive."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "luodi.patents"
    verbose_name = _("Patents")

    def ready(self) -> None:
        # The permissions (rules.py) load as every app's do, by AutodiscoverRulesConfig.
        from luodi.patents import importing

        # The "patents" import kind: ingest keeps registries, it never imports patents.
        importing.register()
