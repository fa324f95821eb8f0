from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "luodi.jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Every app declares its jobs in `tasks.py`; the runner finds them by name, so a
        # worker must have imported them all before it takes the first job.
        autodiscover_modules("tasks")
