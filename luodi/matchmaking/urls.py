from __future__ import annotations

from django.urls import path

from luodi.matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("records/<int:pk>/status/", views.record_status, name="record-status"),
    path("learned/<int:org_pk>/", views.learned, name="learned"),
    path("access/", views.access_list, name="access"),
    path("access/request/<int:achievement_pk>/", views.access_request, name="access-request"),
    path("access/<int:pk>/accept/", views.access_accept, name="access-accept"),
    path("access/<int:pk>/decide/", views.access_decide, name="access-decide"),
    path("viewers/", views.viewers, name="viewers"),
    path("nda/<int:achievement_pk>/", views.nda_invitations, name="nda-invitations"),
    path("nda/invitations/<int:pk>/revoke/", views.nda_revoke, name="nda-revoke"),
    path("needs/<int:pk>/open-call/", views.open_call, name="open-call"),
    path("reports/<int:org_pk>/", views.report, name="report"),
    # Last: the generic source pages would otherwise catch "learned/1/" and "reports/1/".
    path("<slug:kind>/<int:pk>/", views.match_page, name="source"),
    path("<slug:kind>/<int:pk>/act/", views.act, name="act"),
]
