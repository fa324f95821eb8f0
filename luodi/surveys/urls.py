from __future__ import annotations

from django.urls import URLPattern, path

from luodi.surveys import views

app_name = "surveys"

urlpatterns: list[URLPattern] = [
    path("event/<int:event_pk>/", views.for_event, name="for-event"),
    path("<int:pk>/", views.survey_page, name="survey"),
    path("<int:pk>/settings/", views.edit_settings, name="settings"),
    path("<int:pk>/questions/new/", views.add_question, name="add-question"),
    path("<int:pk>/questions/<int:qpk>/", views.edit_question, name="edit-question"),
    path("<int:pk>/questions/<int:qpk>/change/", views.change_question, name="change-question"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/results/", views.results_page, name="results"),
    path("<int:pk>/results.xlsx", views.export, name="export"),
    # The attendee's private link (masked in the logs: luodi/logfilters.py).
    path("r/<str:token>/", views.answer, name="answer"),
]
