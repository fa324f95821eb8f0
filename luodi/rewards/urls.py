from __future__ import annotations

from django.urls import path

from luodi.rewards import setup_views, views

app_name = "rewards"

urlpatterns = [
    path("", views.distribution_list, name="index"),
    path("payroll/", views.payroll, name="payroll"),
    path("from-entry/<int:entry_pk>/", views.from_entry, name="from-entry"),
    path("policy/<int:institution_pk>/", setup_views.policy_page, name="policy"),
    path("team/<int:achievement_pk>/", setup_views.team_page, name="team"),
    path("<int:pk>/", views.distribution_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.distribution_action, name="action"),
]
