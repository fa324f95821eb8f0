from __future__ import annotations

from django.urls import path

from luodi.grants import views, views_actions

app_name = "grants"

urlpatterns = [
    path("", views.grant_list, name="list"),
    path("new/", views.grant_create, name="create"),
    path("<int:pk>/", views.grant_detail, name="detail"),
    path("<int:pk>/edit/", views.grant_edit, name="edit"),
    path("<int:pk>/start-notice/", views_actions.start_notice, name="start-notice"),
    path("<int:pk>/objection/", views_actions.objection, name="objection"),
    path("<int:pk>/grant/", views_actions.confer, name="grant"),
    path("<int:pk>/withdraw/", views_actions.withdraw, name="withdraw"),
    path("<int:pk>/documents/", views_actions.document_upload, name="upload"),
    path("documents/<int:document_id>/", views_actions.document_download, name="document"),
    path(
        "achievements/<int:achievement_id>/evidence.zip",
        views_actions.evidence_zip,
        name="evidence",
    ),
    path(
        "achievements/<int:achievement_id>/summary.xlsx",
        views_actions.evidence_xlsx,
        name="evidence-xlsx",
    ),
]
