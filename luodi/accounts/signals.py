"""Sign-in events go to the audit log; Django's auth raises them, so a receiver is the hook."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from luodi.accounts import audit
from luodi.accounts.models import User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(
        actor=user,
        verb="auth.login",
        target=user,
        ip=audit.client_ip(request) if request else None,
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(
            actor=user,
            verb="auth.logout",
            target=user,
            ip=audit.client_ip(request) if request else None,
        )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted username is recorded as a label, never resolved to a user: the log
    # must not confirm which accounts exist.
    audit.record(
        actor=None,
        verb="auth.login_failed",
        actor_label=str(credentials.get("username", ""))[:150],
        # "otp": the password was right, the second factor's code was not (two_factor_views).
        changes={"factor": credentials["factor"]} if "factor" in credentials else None,
        ip=audit.client_ip(request) if request else None,
    )
