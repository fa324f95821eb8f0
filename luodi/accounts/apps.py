from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "luodi.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from luodi.accounts import signals  # noqa: F401  (connects auth signal receivers)
