from __future__ import annotations

from django.urls import path

from luodi.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.drill, name="drill"),
    path("charts/<str:key>.<str:fmt>", views.export_chart, name="export"),
    path("layout/", views.layout, name="layout"),
    path("layout/gap/", views.layout_gap, name="layout-gap"),
    path("map/", views.map_page, name="map"),
    path(
        "organizations/<int:org_pk>/timeline/",
        views.organization_timeline,
        name="organization-timeline",
    ),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_status, name="report-status"),
    path("reports/<int:pk>/<str:fmt>/", views.report_download, name="report-download"),
]
