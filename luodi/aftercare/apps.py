from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "luodi.aftercare"
    verbose_name = _("After landing")

    def ready(self) -> None:
        from luodi.aftercare import (
            figures_import,
            rules,  # noqa: F401  (registers the permissions)
        )

        # The "figures" import kind: ingest keeps registries, it never imports aftercare.
        figures_import.register()
