from __future__ import annotations

from django.urls import URLPattern, path

from luodi.conferences import public, views

app_name = "conferences"

urlpatterns: list[URLPattern] = [
    path("", views.conference_list, name="list"),
    path("events/<int:event_pk>/", views.event_link, name="event-link"),
    path("events/<int:event_pk>/setup/", views.setup, name="setup"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/rooms/", views.room_add, name="room-add"),
    path("<int:pk>/timetable/", views.timetable, name="timetable"),
    path("abstracts/<int:pk>/", views.abstract_detail, name="abstract"),
    path("abstracts/<int:pk>/assign/", views.assign, name="assign"),
    path("abstracts/<int:pk>/review/", views.review, name="review"),
    path("abstracts/<int:pk>/decide/", views.decide, name="decide"),
    path("abstracts/<int:pk>/place/", views.place, name="place"),
    path("abstracts/<int:pk>/unplace/", views.unplace, name="unplace"),
    # Public, no account:
    path("public/<int:event_pk>/call/", public.call, name="call"),
    path("public/<int:event_pk>/programme/", public.programme, name="programme"),
    path("public/sessions/<int:pk>/session.ics", public.session_ics, name="session-ics"),
    path("public/abstract/<str:token>/", public.follow, name="follow"),
]
