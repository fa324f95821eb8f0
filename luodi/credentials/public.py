"""Public pages, no account: the verification page of a certificate (name, event, kind,
date and whether it was revoked — nothing else) and a registrant's own attendance certificate
from their ticket link (the ticket code is the secret, as on the ticket page)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from luodi import downloads
from luodi.accounts import audit
from luodi.credentials import documents, domain, rules
from luodi.credentials.forms import languages
from luodi.credentials.views import verify_url


@login_not_required
@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(
        rules.verifiable_certificates().select_related("event"), serial=code.strip().upper()
    )
    response = render(request, "credentials/verify.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@never_cache
def ticket_certificate(request: HttpRequest, event_pk: int, code: str) -> FileResponse:
    """The registrant's attendance certificate: confirmed and checked in, else 404; issued
    on first download with the serial it keeps; a revoked one is not handed out."""
    reg = rules.own_attendance_certificate(event_pk, code)
    if reg is None:
        raise Http404
    certificate = domain.own_attendance_certificate(registration=reg, ip=audit.client_ip(request))
    if certificate.revoked_at is not None:
        raise Http404
    content = documents.certificates_pdf(
        [certificate], languages(request.GET.get("lang")), verify_url(request)
    )
    return downloads.attachment(
        io.BytesIO(content), documents.certificate_filename(certificate), "application/pdf"
    )
