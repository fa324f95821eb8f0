"""Notification settings pages: the user's own (`/notifications/`) and one per team
(`/notifications/organizations/<id>/`, for its admins and staff). Thin views: look the object
up with its permission, run the form, call the domain, render the page or its fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.htmx import is_htmx
from luodi.notifications import domain, rules, webhooks
from luodi.notifications.forms import ChannelForm, EmailChoicesForm
from luodi.notifications.models import Channel, ChannelKind, DeliveryStatus, EventKind

RECENT = 20


def _ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def _organization(request: HttpRequest, org_id: int) -> Organization:
    organization = get_object_or_404(organizations_visible_to(request.user), pk=org_id)
    if not request.user.has_perm("notifications.manage_organization", organization):
        raise PermissionDenied
    return organization


def _channel(request: HttpRequest, pk: int) -> Channel:
    # Visible means manageable (rules.py), so no second check is needed.
    qs = rules.channels_visible_to(request.user).select_related("organization")
    return get_object_or_404(qs, pk=pk)


def _home(organization: Organization | None) -> str:
    if organization is None:
        return reverse("notifications:settings")
    return reverse("notifications:organization", args=[organization.pk])


def _rows(channels: list[Channel]) -> list[dict[str, Any]]:
    labels = dict(EventKind.choices)
    return [
        {
            "channel": c,
            "address": c.target if c.kind == ChannelKind.EMAIL else webhooks.mask_url(c.target),
            "events": [labels[e] for e in c.events if e in labels],
        }
        for c in channels
    ]


def _deliveries_context(request: HttpRequest, organization: Organization | None) -> dict[str, Any]:
    qs = rules.deliveries_visible_to(request.user).select_related("notification")
    if organization is None:
        qs = qs.filter(
            notification__user=request_user(request), notification__organization__isnull=True
        )
    else:
        qs = qs.filter(notification__organization=organization)
    deliveries = list(qs[:RECENT])
    waiting = {DeliveryStatus.PENDING, DeliveryStatus.SENDING}
    return {
        "deliveries": deliveries,
        "waiting": any(d.status in waiting for d in deliveries),
        "deliveries_url": (
            reverse("notifications:deliveries")
            if organization is None
            else reverse("notifications:organization-deliveries", args=[organization.pk])
        ),
    }


def _context(
    request: HttpRequest, organization: Organization | None, form: ChannelForm
) -> dict[str, Any]:
    user = request_user(request)
    channels = rules.channels_visible_to(user)
    channels = (
        channels.filter(organization=organization) if organization else channels.filter(user=user)
    )
    context: dict[str, Any] = {
        "organization": organization,
        "form": form,
        "rows": _rows(list(channels)),
        "home": _home(organization),
        **_deliveries_context(request, organization),
    }
    if organization is None:
        context["email_form"] = EmailChoicesForm(initial=domain.email_choices(user))
        context["teams"] = rules.organizations_managed_by(user).filter(
            pk__in=user.memberships.values("organization_id")
        )
    return context


def _settings(request: HttpRequest, organization: Organization | None) -> HttpResponse:
    form = ChannelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            domain.create_channel(
                actor=request_user(request),
                organization=organization,
                kind=data["kind"],
                name=data["name"],
                target=data["target"],
                secret=data["secret"],
                events=data["events"],
                language=data["language"],
                ip=_ip(request),
            )
            if not is_htmx(request):
                messages.success(request, _("Channel added. Send a test message to check it."))
                return redirect(_home(organization))
            form = ChannelForm()
        else:
            status = 400
    context = _context(request, organization, form)
    template = "notifications/_channels.html" if is_htmx(request) else "notifications/settings.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    return _settings(request, None)


@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest, org_id: int) -> HttpResponse:
    return _settings(request, _organization(request, org_id))


@require_GET
def my_deliveries(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_deliveries.html", _deliveries_context(request, None))


@require_GET
def organization_deliveries(request: HttpRequest, org_id: int) -> HttpResponse:
    context = _deliveries_context(request, _organization(request, org_id))
    return render(request, "notifications/_deliveries.html", context)


@require_POST
def email_choices(request: HttpRequest) -> HttpResponse:
    form = EmailChoicesForm(request.POST)
    form.is_valid()  # check boxes: every value is valid, unticked ones are False
    domain.set_email_choices(
        actor=request_user(request), choices=form.cleaned_data, ip=_ip(request)
    )
    if not is_htmx(request):
        messages.success(request, _("Email choices saved."))
        return redirect("notifications:settings")
    context = {"email_form": EmailChoicesForm(initial=form.cleaned_data), "saved": True}
    return render(request, "notifications/_preferences.html", context)


@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        domain.update_channel(
            actor=request_user(request), channel=channel, ip=_ip(request), **form.changes()
        )
        messages.success(request, _("Channel saved."))
        return redirect(_home(channel.organization))
    status = 400 if form.errors else 200
    context = {"channel": channel, "form": form, "home": _home(channel.organization)}
    return render(request, "notifications/channel_edit.html", context, status=status)


@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    organization = channel.organization
    domain.delete_channel(actor=request_user(request), channel=channel, ip=_ip(request))
    if is_htmx(request):
        context = _context(request, organization, ChannelForm())
        return render(request, "notifications/_channels.html", context)
    messages.success(request, _("Channel deleted."))
    return redirect(_home(organization))


@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    domain.send_test(actor=request_user(request), channel=channel, ip=_ip(request))
    return _after_test(request, channel.organization)


@require_POST
def email_test(request: HttpRequest) -> HttpResponse:
    try:
        domain.send_test(actor=request_user(request), channel=None, ip=_ip(request))
    except ValidationError:
        messages.error(request, _("Your account has no email address."))
        return redirect("notifications:settings")
    return _after_test(request, None)


def _after_test(request: HttpRequest, organization: Organization | None) -> HttpResponse:
    if is_htmx(request):
        context = _deliveries_context(request, organization)
        return render(request, "notifications/_deliveries.html", context)
    messages.success(request, _("Test message queued; its delivery is listed below."))
    return redirect(_home(organization))
