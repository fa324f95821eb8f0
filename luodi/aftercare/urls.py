from __future__ import annotations

from django.urls import path

from luodi.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("", views.board, name="board"),
    path("stalled/", views.stalled_list, name="stalled"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/<str:kind>/", views.milestone_save, name="milestone"),
    path("projects/<int:pk>/figures/", views.figures_add, name="figures-add"),
    path("projects/<int:pk>/figures/<str:month>/", views.figures_edit, name="figures-edit"),
    path(
        "projects/<int:pk>/figures/<str:month>/history/",
        views.figures_history,
        name="figures-history",
    ),
    path("projects/<int:pk>/subsidies/", views.subsidy_add, name="subsidy-add"),
    path(
        "projects/<int:pk>/subsidies/<int:subsidy_id>/",
        views.subsidy_move,
        name="subsidy-move",
    ),
    path("projects/<int:pk>/commitments/", views.commitment_add, name="commitment-add"),
    path(
        "projects/<int:pk>/commitments/<int:commitment_id>/remove/",
        views.commitment_remove,
        name="commitment-remove",
    ),
    path("milestones/<int:milestone_id>/evidence/", views.evidence_download, name="evidence"),
]
