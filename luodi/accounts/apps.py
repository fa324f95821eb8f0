from django.apps import AppConfig

# Imported as a module: a class imported here would count as a config of this app too.
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # Two configs live here; this one is what "luodi.accounts" in INSTALLED_APPS means.
    default = True
    name = "luodi.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from luodi.accounts import signals  # noqa: F401  (connects auth signal receivers)


class LuodiAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Luodi's site (sign-in and second factor: admin_site.py)."""

    default = False
    default_site = "luodi.accounts.admin_site.LuodiAdminSite"
