from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "luodi.credentials"
    verbose_name = _("Badges, certificates and CME credit")
