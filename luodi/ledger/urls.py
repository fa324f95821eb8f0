from __future__ import annotations

from django.urls import path

from luodi.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("export/", views.ledger_export, name="export"),
    path("new/", views.entry_create, name="create"),
    path("from-obligations/", views.from_obligations, name="from-obligations"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/received/", views.entry_received, name="received"),
    path("<int:pk>/cancel/", views.entry_cancel, name="cancel"),
]
