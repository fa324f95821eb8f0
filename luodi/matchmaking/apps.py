from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "luodi.matchmaking"
    verbose_name = "Matchmaking"

    def ready(self) -> None:
        # Catalog changes enqueue index refreshes (see signals.py for why signals are used).
        from luodi.matchmaking import signals  # noqa: F401
