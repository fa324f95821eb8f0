"""The income and expense ledger of technology transfer, per institution, achievement and
agreement: entries, period summaries, overdue follow-up and exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "luodi.ledger"
    verbose_name = _("Transfer ledger")
    # The permissions (rules.py) load as every app's do, by AutodiscoverRulesConfig; the
    # daily job (tasks.py) by the job system's autodiscovery.

    def ready(self) -> None:
        from luodi.ledger import fees

        fees.connect()
