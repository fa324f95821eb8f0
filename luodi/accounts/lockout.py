"""Sign-in lockout (django-axes) per user name and address, and per address across users.

Axes counts failures per parameter set (AXES_LOCKOUT_PARAMETERS: [username, address] and
[address]) but compares them all with one limit, AXES_FAILURE_LIMIT. One person mistyping
their own password should be paused after a few tries; one address trying many user names
(password spraying) after more, since an office behind one NAT address shares it. So the
address's count is scaled into the pair's units: it reaches AXES_FAILURE_LIMIT exactly when
the address has made LUODI_LOGIN_ADDRESS_FAILURE_LIMIT failures.

A successful sign-in clears only that user's failures from that address; axes would clear
every row of the address too, and a sprayer could then wipe their record by signing in to
an account of their own between rounds.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def _limit_for(parameters: str | list[str]) -> int:
    """The failures allowed for one parameter set: the address alone has its own limit."""
    if list(parameters) == ["ip_address"] or parameters == "ip_address":
        return int(settings.LUODI_LOGIN_ADDRESS_FAILURE_LIMIT)
    return int(settings.AXES_FAILURE_LIMIT)


class LuodiAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        base = int(settings.AXES_FAILURE_LIMIT)
        counts = []
        parameter_sets = get_lockout_parameters(request, credentials)
        for parameters, attempts in zip(
            parameter_sets, self.get_user_attempts(request, credentials), strict=True
        ):
            total = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # Floor, so that the lockout starts at the set's own limit, not before it.
            counts.append(total * base // _limit_for(parameters))
        return max(counts, default=0)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        )
        count, _ = attempts.delete()
        return int(count)
