from django.apps import AppConfig


class RetrievalConfig(AppConfig):
    name = "luodi.retrieval"
    verbose_name = "Retrieval"

    def ready(self) -> None:
        from luodi.retrieval import signals  # noqa: F401 - connects the index receivers
