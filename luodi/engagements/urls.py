"""Signed-in engagement pages (mounted at /engagements/)."""

from __future__ import annotations

from django.urls import path

from luodi.engagements.views import (
    calendar,
    events,
    meetings,
    news,
    records,
    registration_options,
    visits,
)

app_name = "engagements"

urlpatterns = [
    path("", calendar.calendar_view, name="calendar"),
    path("feed/reset/", calendar.reset_feed, name="feed-reset"),
    path("feed/<str:token>.ics", calendar.feed, name="feed"),
    # visits
    path("visits/", visits.visit_list, name="visits"),
    path("visits/new/", visits.visit_edit, name="visit-create"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", visits.visit_edit, name="visit-edit"),
    path("visits/<int:pk>/stops/", visits.stop_add, name="stop-add"),
    path("visits/<int:pk>/stops/<int:stop_pk>/remove/", visits.stop_remove, name="stop-remove"),
    path("visits/<int:pk>/stops/<int:stop_pk>/move/", visits.stop_move, name="stop-move"),
    path("visits/<int:pk>/stops/<int:stop_pk>/minutes/", visits.stop_minutes, name="stop-minutes"),
    path("visits/<int:pk>/suggest/", visits.suggest, name="visit-suggest"),
    path("visits/<int:pk>/order/", visits.accept_order, name="visit-order"),
    path("visits/<int:pk>/draft-from-fit/", visits.draft_from_fit, name="visit-draft-fit"),
    path("visits/<int:pk>/briefing/", visits.briefing, name="visit-briefing"),
    path("visits/<int:pk>/visit.ics", visits.visit_ics, name="visit-ics"),
    path("visits/<int:pk>/done/", visits.mark_done, name="visit-done"),
    path("visits/<int:pk>/news/", visits.news_draft, name="visit-news"),
    # meetings
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_edit, name="meeting-create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    # events
    path("events/", events.event_list, name="events"),
    path("events/new/", events.event_edit, name="event-create"),
    path("events/<int:pk>/", events.event_detail, name="event"),
    path("events/<int:pk>/edit/", events.event_edit, name="event-edit"),
    path("events/<int:pk>/sessions/", events.session_add, name="session-add"),
    path(
        "events/<int:pk>/sessions/<int:session_pk>/remove/",
        events.session_remove,
        name="session-remove",
    ),
    path(
        "events/<int:pk>/sessions/<int:session_pk>/speakers/<int:speaker_pk>/move/",
        events.speaker_move,
        name="speaker-move",
    ),
    path("events/<int:pk>/status/", events.set_status, name="event-status"),
    path("events/<int:pk>/outcomes/", events.record_outcomes, name="event-outcomes"),
    path("events/<int:pk>/registrations/", events.registrations, name="registrations"),
    path(
        "events/<int:pk>/registrations/<int:reg_pk>/cancel/",
        events.cancel_registration,
        name="registration-cancel",
    ),
    path(
        "events/<int:pk>/registrations/<int:reg_pk>/fee-received/",
        registration_options.fee_received,
        name="registration-fee",
    ),
    # registration options: categories, questions, the personal-information notice
    path(
        "events/<int:pk>/registration-options/",
        registration_options.options_page,
        name="registration-options",
    ),
    path(
        "events/<int:pk>/registration-options/notice/",
        registration_options.notice_save,
        name="registration-notice",
    ),
    path(
        "events/<int:pk>/registration-options/<str:kind>/",
        registration_options.item_add,
        name="registration-option-add",
    ),
    path(
        "events/<int:pk>/registration-options/<str:kind>/<int:item_pk>/edit/",
        registration_options.item_edit,
        name="registration-option-edit",
    ),
    path(
        "events/<int:pk>/registration-options/<str:kind>/<int:item_pk>/remove/",
        registration_options.item_remove,
        name="registration-option-remove",
    ),
    path(
        "events/<int:pk>/registration-options/<str:kind>/<int:item_pk>/move/",
        registration_options.item_move,
        name="registration-option-move",
    ),
    path("events/<int:pk>/checkin/", events.checkin, name="checkin"),
    path("events/<int:pk>/news/", events.news_draft, name="event-news"),
    path("events/<int:pk>/pull-matches/", events.pull_matches, name="event-pull-matches"),
    # participants, outcomes, follow-ups of a visit, meeting or event
    path("<str:kind>/<int:pk>/participants/", records.add_participant, name="participant-add"),
    path(
        "<str:kind>/<int:pk>/participants/<int:person_pk>/remove/",
        records.remove_participant,
        name="participant-remove",
    ),
    path("<str:kind>/<int:pk>/presence/", records.presence, name="presence"),
    path("<str:kind>/<int:pk>/outcomes/add/", records.add_outcome, name="outcome-add"),
    path("<str:kind>/<int:pk>/follow-ups/", records.add_follow_up, name="follow-up-add"),
    path("follow-ups/<int:pk>/toggle/", records.toggle_follow_up, name="follow-up-toggle"),
    # news
    path("news/", news.news_list, name="news-list"),
    path("news/<int:pk>/", news.news_edit, name="news-edit"),
    path("news/<int:pk>/unpublish/", news.news_unpublish, name="news-unpublish"),
]
