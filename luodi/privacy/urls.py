"""A person's privacy page, mounted under /accounts/privacy/ where staff have always found it."""

from __future__ import annotations

from django.urls import path

from luodi.privacy import views

urlpatterns = [
    path("people/<int:pk>/", views.person_privacy, name="person-privacy"),
    path("people/<int:pk>/export/", views.person_export, name="person-export"),
    path("people/<int:pk>/anonymise/", views.person_anonymise, name="person-anonymise"),
]
