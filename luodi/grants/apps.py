from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "luodi.grants"
    verbose_name = _("Ownership and use-right grants")
