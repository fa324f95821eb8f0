from __future__ import annotations

from django.urls import path

from luodi.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("ctgov/", views.ctgov, name="ctgov"),
    path("merge/", views.merge, name="merge"),
    path("export/<slug:kind>.<slug:fmt>", views.export_kind, name="export"),
    path("runs/<int:pk>/", views.import_run, name="import-run"),
    path("runs/<int:pk>/resume/", views.import_run_resume, name="import-run-resume"),
    path("<str:token>/", views.mapping, name="mapping"),
    path("<str:token>/run/", views.run, name="run"),
]
