from __future__ import annotations

from django.urls import URLPattern, path

from luodi.partnering import views

app_name = "partnering"

urlpatterns: list[URLPattern] = [
    path("event/<int:event_pk>/", views.for_event, name="for-event"),
    path("event/<int:event_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.session_page, name="session"),
    path("<int:pk>/agenda/", views.agenda_page, name="agenda"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/settings/", views.session_settings, name="settings"),
    path("<int:pk>/windows/", views.window_add, name="window-add"),
    path("<int:pk>/windows/<int:window_pk>/remove/", views.window_remove, name="window-remove"),
    path("<int:pk>/request/<int:other_pk>/", views.request_meeting, name="request"),
    path("meetings/<int:pk>/accept/", views.accept, name="accept"),
    path("meetings/<int:pk>/decline/", views.decline, name="decline"),
    path("meetings/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("meetings/<int:pk>/follow-up/<str:to>/", views.follow_up, name="follow-up"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
