from __future__ import annotations

from django.urls import path

from luodi.challenges import public, views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("new/", views.challenge_create, name="create"),
    path("<int:pk>/", views.challenge_detail, name="detail"),
    path("<int:pk>/edit/", views.challenge_edit, name="edit"),
    path("<int:pk>/status/", views.set_status, name="status"),
    path("<int:pk>/reviewers/", views.reviewers, name="reviewers"),
    path("<int:pk>/matches/", views.challenge_matches, name="matches"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/score/", views.proposal_score, name="score"),
    path("proposals/<int:pk>/move/", views.proposal_move, name="move"),
    path("proposals/<int:pk>/award/", views.proposal_award, name="award"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    # Public (no account)
    path("public/", public.public_list, name="public_list"),
    path("public/<int:pk>/", public.public_page, name="public"),
    path("p/<str:token>/", public.private, name="private"),
    path("p/<str:token>/withdraw/", public.private_withdraw, name="private_withdraw"),
    path("p/<str:token>/files/<int:pk>/", public.private_attachment, name="private_attachment"),
]
