from __future__ import annotations

from django.urls import path

from luodi.assessments import review_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template-copy"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation_pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/summary/", views.summarise, name="summary"),
    path("<int:pk>/reassess/", views.reassess, name="reassess"),
    # The reviewer's page; an external reviewer's token comes as ?token= (masked in logs).
    path("<int:pk>/review/", review_views.review, name="review"),
]
