from __future__ import annotations

from django.urls import path

from luodi.catalog import review_views, trial_views, views

app_name = "catalog"

urlpatterns = [
    path("review/", review_views.review_queue, name="review-queue"),
    path("mine/", review_views.my_submissions, name="my-submissions"),
    path("revisions/<int:pk>/review/", review_views.revision_review, name="revision-review"),
    path("trials/", trial_views.trial_list, name="trials"),
    path("trials/<int:pk>/", trial_views.trial_detail, name="trial"),
    path("organizations/<int:pk>/profile/", views.profile_edit, name="profile-edit"),
    path("<slug:slug>/", views.list_view, name="list"),
    path("<slug:slug>/new/", views.edit_view, name="create"),
    path("<slug:slug>/<int:pk>/", views.detail_view, name="detail"),
    path("<slug:slug>/<int:pk>/edit/", views.edit_view, name="edit"),
    path("<slug:slug>/<int:pk>/archive/", views.archive_view, name="archive"),
    path("<slug:slug>/<int:pk>/review/", review_views.review_view, name="review"),
    path("<slug:slug>/<int:pk>/resubmit/", review_views.resubmit_view, name="resubmit"),
]
