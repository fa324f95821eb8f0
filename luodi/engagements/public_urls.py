"""Public engagement pages, no sign-in (mounted at /public/)."""

from __future__ import annotations

from django.urls import path

from luodi.engagements.views import public

app_name = "engagements_public"

urlpatterns = [
    path("events/", public.event_index, name="events"),
    path("events/<int:pk>/", public.event_page, name="event"),
    path("events/<int:pk>/event.ics", public.event_ics, name="event-ics"),
    path("events/<int:pk>/ticket/<str:code>/", public.ticket, name="ticket"),
    path("events/<int:pk>/ticket/<str:code>/qr.svg", public.ticket_qr, name="ticket-qr"),
    path("news/", public.news_index, name="news-index"),
    path("news/<int:pk>/", public.news_post, name="news"),
]
