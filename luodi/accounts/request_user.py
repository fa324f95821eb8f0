"""The signed-in user of a request, narrowed to `User` for the type checker.

Every view and API handler behind LoginRequiredMiddleware or token auth reaches here only
for an authenticated user; an anonymous one is a bug in the wiring, hence the assertion.
"""

from __future__ import annotations

from django.http import HttpRequest

from luodi.accounts.models import User


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # auth has run: only authenticated users reach here
    return user
