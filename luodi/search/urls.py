from __future__ import annotations

from django.urls import path

from luodi.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_view, name="search"),
]
