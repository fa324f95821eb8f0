from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "luodi.pipeline"
    verbose_name = _("Transformation pipeline")
