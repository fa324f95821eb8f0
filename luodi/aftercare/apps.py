from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "luodi.aftercare"
    verbose_name = _("After landing")

    def ready(self) -> None:
        # The permissions (rules.py) load as every app's do, by AutodiscoverRulesConfig.
        from luodi.aftercare import figures_import

        # The "figures" import kind: ingest keeps registries, it never imports aftercare.
        figures_import.register()
