from __future__ import annotations

from django.urls import path

from luodi.insights import views, views_after, views_annual, views_attribution

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
    path("after-landing/", views_after.after_landing, name="after-landing"),
    path(
        "after-landing/charts/<str:key>.<str:fmt>",
        views_after.after_landing_export,
        name="after-landing-export",
    ),
    path("reports/government/", views_after.government_report, name="gov-report"),
    path("reports/annual/", views_annual.annual, name="annual"),
    path("reports/annual/<int:pk>/", views_annual.annual_draft, name="annual-draft"),
    path("attribution/", views_attribution.attribution_page, name="attribution"),
    path(
        "attribution/export.xlsx", views_attribution.attribution_export, name="attribution-export"
    ),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_status, name="report-status"),
    path("reports/<int:pk>/<str:fmt>/", views.report_download, name="report-download"),
]
