from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from luodi import demo


class Command(BaseCommand):
    help = "Load the demo ecosystem (idempotent: does nothing when it is already loaded)."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.load(self.stdout):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded. Sign in as 'admin' with password '{demo.DEMO_PASSWORD}'."
                )
            )
        else:
            self.stdout.write("Demo data was already present; anything missing was added.")
