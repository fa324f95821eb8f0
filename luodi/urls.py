from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from luodi.accounts import views as account_views
from luodi.accounts.auth import LuodiLoginView, switch_language
from luodi.api import api
from luodi.engagements.views import calendar
from luodi.onboarding import views as application_views
from luodi.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("healthz/live", web_views.healthz_live, name="healthz-live"),
    path("i18n/setlang/", login_not_required(switch_language), name="set_language"),
    path("accounts/login/", LuodiLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Before Django's auth URLs: the rate-limited password reset replaces theirs.
    path("accounts/", include("luodi.accounts.urls")),
    path("accounts/privacy/", include("luodi.privacy.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke-token"),
    path("apply/", application_views.apply, name="apply"),
    path("accounts/applications/", application_views.application_list, name="applications"),
    path(
        "accounts/applications/<int:pk>/decide/",
        application_views.decide,
        name="application-decide",
    ),
    path("audit/", account_views.audit_log, name="audit-log"),
    path("catalog/", include("luodi.catalog.urls")),
    path("search/", include("luodi.search.urls")),
    path("import/", include("luodi.ingest.urls")),
    path("projects/", include("luodi.pipeline.urls")),
    # The task feed's former addresses under /projects/, kept so nothing breaks: the reset
    # button of a form left open in a browser, and the subscription calendars still poll (it
    # serves the one personal feed now). The feed is engagements'; only the address is old.
    path("projects/calendar/rotate/", calendar.reset_feed, name="legacy-calendar-rotate"),
    path("projects/calendar/<str:token>.ics", calendar.feed, name="legacy-calendar"),
    path("aftercare/", include("luodi.aftercare.urls")),
    path("patents/", include("luodi.patents.urls")),
    path("ledger/", include("luodi.ledger.urls")),
    path("rewards/", include("luodi.rewards.urls")),
    path("grants/", include("luodi.grants.urls")),
    path("assessments/", include("luodi.assessments.urls")),
    path("challenges/", include("luodi.challenges.urls")),
    path("conferences/", include("luodi.conferences.urls")),
    path("partnering/", include("luodi.partnering.urls")),
    path("credentials/", include("luodi.credentials.urls")),
    path("surveys/", include("luodi.surveys.urls")),
    path("engagements/", include("luodi.engagements.urls")),
    path("matchmaking/", include("luodi.matchmaking.urls")),
    path("insights/", include("luodi.insights.urls")),
    path("notifications/", include("luodi.notifications.urls")),
    path("public/", include("luodi.engagements.public_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
