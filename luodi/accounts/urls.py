"""Accounts pages mounted at /accounts/: two-factor sign-in, password reset."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from luodi.accounts import two_factor_views, views

urlpatterns = [
    path("login/code/", two_factor_views.login_code, name="login-code"),
    path("two-factor/", two_factor_views.setup, name="two-factor-setup"),
    path(
        "two-factor/backup-codes/",
        two_factor_views.backup_codes,
        name="two-factor-backup-codes",
    ),
    path(
        "password_reset/",
        login_not_required(views.RateLimitedPasswordReset.as_view()),
        name="password_reset",
    ),
]
