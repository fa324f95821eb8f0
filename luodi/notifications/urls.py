from django.urls import path

from luodi.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.my_settings, name="settings"),
    path("deliveries/", views.my_deliveries, name="deliveries"),
    path("email/", views.email_choices, name="email-choices"),
    path("email/test/", views.email_test, name="email-test"),
    path("organizations/<int:org_id>/", views.organization_settings, name="organization"),
    path(
        "organizations/<int:org_id>/deliveries/",
        views.organization_deliveries,
        name="organization-deliveries",
    ),
    path("channels/<int:pk>/", views.channel_edit, name="channel-edit"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel-delete"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel-test"),
]
