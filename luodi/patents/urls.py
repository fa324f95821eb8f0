from __future__ import annotations

from django.urls import path

from luodi.patents import views

app_name = "patents"

urlpatterns = [
    path("", views.patent_list, name="list"),
    path("new/", views.patent_create, name="create"),
    path("<int:pk>/", views.patent_detail, name="detail"),
    path("<int:pk>/edit/", views.patent_edit, name="edit"),
    path("<int:pk>/payments/", views.pay, name="pay"),
    path("<int:pk>/payments/<int:year>/remove/", views.unpay, name="unpay"),
]
