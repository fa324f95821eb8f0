from __future__ import annotations

from django.urls import URLPattern, path

from luodi.credentials import public, views, views_cme

app_name = "credentials"

urlpatterns: list[URLPattern] = [
    path("events/<int:event_pk>/", views.hub, name="hub"),
    path("events/<int:event_pk>/session-checkin/", views.session_checkin, name="session-checkin"),
    path("events/<int:event_pk>/badges/", views.badges, name="badges"),
    path("events/<int:event_pk>/certificates/", views.certificates, name="certificates"),
    path("events/<int:event_pk>/certificates/issue/", views.issue, name="issue"),
    path("events/<int:event_pk>/certificates.zip", views.certificates_zip, name="certificates-zip"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate-revoke"),
    path("events/<int:event_pk>/cme/", views_cme.activities, name="cme"),
    path("events/<int:event_pk>/cme/credits.xlsx", views_cme.export_event, name="cme-export"),
    path("cme/<int:pk>/", views_cme.activity, name="cme-activity"),
    path("cme/<int:pk>/award/", views_cme.award, name="cme-award"),
    path("cme/<int:pk>/credits.xlsx", views_cme.export_activity, name="cme-activity-export"),
    path("cme/credits/<int:pk>/revoke/", views_cme.revoke_credit, name="cme-revoke"),
    # Public, no account (secrets in the path: masked in logs, see luodi/logfilters.py):
    path("verify/<str:code>/", public.verify, name="verify"),
    path(
        "ticket/<int:event_pk>/<str:code>/certificate.pdf",
        public.ticket_certificate,
        name="ticket-certificate",
    ),
]
