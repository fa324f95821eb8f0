from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "luodi.engagements"
    verbose_name = _("Engagements")

    def ready(self) -> None:
        # Pipeline sits below engagements and shows the visits, meetings and events linked
        # to its projects and agreements: it asks engagements' own visibility through this.
        from luodi.engagements.rules import (
            events_visible_to,
            meetings_visible_to,
            visits_visible_to,
        )
        from luodi.pipeline import links

        links.provide("visit", visits_visible_to)
        links.provide("meeting", meetings_visible_to)
        links.provide("event", events_visible_to)
