from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "luodi.matchmaking"
    verbose_name = "Matchmaking"
