from __future__ import annotations

from django.urls import path

from luodi.pipeline.views import (
    agreement_pages,
    agreements,
    board,
    projects,
    registration,
    requests,
    tasks,
)

app_name = "pipeline"

urlpatterns = [
    path("", projects.project_list, name="list"),
    path("board/", board.board, name="board"),
    path("new/", projects.edit, name="create"),
    path("<int:pk>/", projects.detail, name="detail"),
    path("<int:pk>/edit/", projects.edit, name="edit"),
    path("<int:pk>/move/", board.move, name="move"),
    path("<int:pk>/notes/", projects.add_note, name="add-note"),
    path("<int:pk>/archive/", projects.archive, name="archive"),
    path("<int:pk>/agreements/new/", agreements.agreement_edit, name="agreement-create"),
    path(
        "<int:pk>/agreements/<int:agreement_id>/edit/",
        agreements.agreement_edit,
        name="agreement-edit",
    ),
    path("agreements/", agreement_pages.agreement_list, name="agreements"),
    path(
        "agreements/new/",
        agreements.organization_agreement_new,
        name="organization-agreement-create",
    ),
    path("agreements/<int:agreement_id>/", agreement_pages.agreement_detail, name="agreement"),
    path(
        "agreements/<int:agreement_id>/edit/",
        agreements.agreement_change,
        name="agreement-change",
    ),
    path(
        "agreements/<int:agreement_id>/registration/",
        registration.registration_save,
        name="registration-save",
    ),
    path(
        "agreements/<int:agreement_id>/registration/move/",
        registration.registration_move,
        name="registration-move",
    ),
    path("requests/", requests.request_list, name="requests"),
    path("requests/<int:pk>/", requests.request_detail, name="request"),
    path("requests/<int:pk>/escalate/", requests.request_escalate, name="request-escalate"),
    path("requests/<int:pk>/resolve/", requests.request_resolve, name="request-resolve"),
    path("<int:pk>/requests/", requests.request_add, name="request-add"),
    path("<int:pk>/landing/", agreements.landing_edit, name="landing"),
    path("<int:pk>/tasks/", tasks.task_add, name="add-task"),
    path(
        "agreements/<int:agreement_id>/obligations/",
        agreements.obligation_add,
        name="add-obligation",
    ),
    path(
        "agreements/<int:agreement_id>/documents/",
        agreements.document_upload,
        name="upload-document",
    ),
    path(
        "obligations/<int:obligation_id>/status/",
        agreements.obligation_status,
        name="obligation-status",
    ),
    path("documents/<int:document_id>/", agreements.document_download, name="document"),
    path("tasks/", tasks.my_tasks, name="my-tasks"),
    path("tasks/<int:task_id>/toggle/", tasks.task_toggle, name="task-toggle"),
]
