from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "luodi.rewards"
    verbose_name = _("Reward distribution")
