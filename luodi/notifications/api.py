"""Notifications API: channels (yours, or a team's with `organization_id`), your email
choices, test messages and recent deliveries. Webhook addresses come back masked and
secrets never come back: `address` shows enough to recognise a robot, `signed` whether a
secret is set."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.control_chars import InputSchema
from luodi.errors import ApiError, Pagination
from luodi.notifications import domain, rules, webhooks
from luodi.notifications.models import Channel, ChannelKind, Delivery

router = Router(tags=["notifications"])

ChannelKindName = Literal["email", "wecom", "dingtalk", "feishu"]
EVENTS_HELP = (
    "event kinds sent to the channel: reminder, match_alert, open_call, event_registration"
)


class ChannelOut(Schema):
    id: int
    kind: str
    name: str
    address: str = Field(description="webhook address masked (its key is a credential), or email")
    signed: bool = Field(description="whether a signing secret is set (it is never returned)")
    events: list[str] = Field(description=EVENTS_HELP)
    language: str
    is_active: bool
    organization_id: int | None = Field(description="the team's organization; empty: yours")
    created_at: datetime
    updated_at: datetime


class ChannelIn(InputSchema):
    kind: ChannelKindName
    name: str = Field(min_length=1, max_length=80)
    target: str = Field(
        max_length=1000,
        description="the robot's webhook address (official hosts, https), or an email address",
    )
    secret: str = Field("", max_length=200, description="DingTalk or Feishu / Lark signing secret")
    events: list[str] = Field(default_factory=list, description=EVENTS_HELP)
    language: str = Field("", max_length=16, description="zh-hans or en; empty: zh-hans")
    is_active: bool = True
    organization_id: int | None = Field(None, description="add to this team instead of yourself")


class ChannelPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=80)
    target: str | None = Field(None, max_length=1000)
    secret: str | None = Field(None, max_length=200, description="empty string removes it")
    events: list[str] | None = Field(None, description=EVENTS_HELP)
    language: str | None = Field(None, max_length=16)
    is_active: bool | None = None


class EmailChoices(Schema):
    """Mail to your account address per event kind."""

    reminder: bool
    match_alert: bool
    open_call: bool
    event_registration: bool


class EmailChoicesPatch(InputSchema):
    reminder: bool | None = None
    match_alert: bool | None = None
    open_call: bool | None = None
    event_registration: bool | None = None


class DeliveryOut(Schema):
    id: int
    event: str = Field(description="the notification's kind (or test)")
    subject: str
    channel: str = Field(description="email, wecom, dingtalk or feishu")
    channel_id: int | None = Field(description="empty for your account email or a deleted channel")
    to: str = Field(description="the channel's name or the email address")
    status: str = Field(description="pending, sending, sent or failed")
    attempts: int
    last_error: str
    sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_event(obj: Delivery) -> str:
        return obj.notification.kind

    @staticmethod
    def resolve_subject(obj: Delivery) -> str:
        return obj.notification.subject

    @staticmethod
    def resolve_channel(obj: Delivery) -> str:
        return obj.kind

    @staticmethod
    def resolve_to(obj: Delivery) -> str:
        return obj.label


def _out(c: Channel) -> ChannelOut:
    return ChannelOut(
        id=c.pk,
        kind=c.kind,
        name=c.name,
        address=c.target if c.kind == ChannelKind.EMAIL else webhooks.mask_url(c.target),
        signed=bool(c.secret),
        events=list(c.events),
        language=c.language,
        is_active=c.is_active,
        organization_id=c.organization_id,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _organization(request: HttpRequest, org_id: int) -> Organization:
    organization = organizations_visible_to(request.user).filter(pk=org_id).first()
    if organization is None:
        raise ApiError(404, "not_found", "Not found.")
    if not rules.manages_organization(request.user, organization):
        raise ApiError(
            403, "forbidden", "Only the organization's admins and association staff may do this."
        )
    return organization


def _channel(request: HttpRequest, channel_id: int) -> Channel:
    channel = rules.channels_visible_to(request.user).filter(pk=channel_id).first()
    if channel is None:
        raise ApiError(404, "not_found", "Not found.")
    return channel


@router.get("/channels", response=list[ChannelOut])
def list_channels(request: HttpRequest, organization_id: int | None = None) -> list[ChannelOut]:
    """Your own channels, or a team's with `organization_id` (its admins and staff)."""
    qs = rules.channels_visible_to(request.user)
    if organization_id is None:
        qs = qs.filter(user=request_user(request))
    else:
        qs = qs.filter(organization=_organization(request, organization_id))
    return [_out(c) for c in qs]


@router.post("/channels", response={201: ChannelOut})
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status[ChannelOut]:
    organization = (
        _organization(request, payload.organization_id) if payload.organization_id else None
    )
    channel = domain.create_channel(
        actor=request_user(request),
        organization=organization,
        kind=payload.kind,
        name=payload.name,
        target=payload.target,
        secret=payload.secret,
        events=payload.events,
        language=payload.language,
        is_active=payload.is_active,
        ip=audit.client_ip(request),
    )
    return Status(201, _out(channel))


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: int) -> ChannelOut:
    return _out(_channel(request, channel_id))


@router.patch("/channels/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: int, payload: ChannelPatch) -> ChannelOut:
    channel = domain.update_channel(
        actor=request_user(request),
        channel=_channel(request, channel_id),
        ip=audit.client_ip(request),
        **payload.dict(exclude_unset=True),
    )
    return _out(channel)


@router.delete("/channels/{channel_id}", response={204: None})
def delete_channel(request: HttpRequest, channel_id: int) -> Status[None]:
    domain.delete_channel(
        actor=request_user(request),
        channel=_channel(request, channel_id),
        ip=audit.client_ip(request),
    )
    return Status(204, None)


@router.post("/channels/{channel_id}/test", response={202: DeliveryOut})
def test_channel(request: HttpRequest, channel_id: int) -> Status[DeliveryOut]:
    """Queue a test message; its delivery says how it went (poll `/deliveries`)."""
    delivery = domain.send_test(
        actor=request_user(request),
        channel=_channel(request, channel_id),
        ip=audit.client_ip(request),
    )
    return Status(202, DeliveryOut.from_orm(delivery))


@router.get("/preferences", response=EmailChoices)
def get_preferences(request: HttpRequest) -> EmailChoices:
    return EmailChoices(**domain.email_choices(request_user(request)))


@router.patch("/preferences", response=EmailChoices)
def update_preferences(request: HttpRequest, payload: EmailChoicesPatch) -> EmailChoices:
    choices = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    after = domain.set_email_choices(
        actor=request_user(request), choices=choices, ip=audit.client_ip(request)
    )
    return EmailChoices(**after)


@router.post("/preferences/test", response={202: DeliveryOut})
def test_email(request: HttpRequest) -> Status[DeliveryOut]:
    """Queue a test message to your account's email address."""
    delivery = domain.send_test(
        actor=request_user(request), channel=None, ip=audit.client_ip(request)
    )
    return Status(202, DeliveryOut.from_orm(delivery))


@router.get("/deliveries", response=list[DeliveryOut])
@paginate(Pagination)
def list_deliveries(request: HttpRequest, organization_id: int | None = None) -> QuerySet[Delivery]:
    """Newest first: yours, or a team's with `organization_id`."""
    qs: QuerySet[Delivery] = rules.deliveries_visible_to(request.user).select_related(
        "notification"
    )
    if organization_id is None:
        qs = qs.filter(
            notification__user=request_user(request), notification__organization__isnull=True
        )
    else:
        qs = qs.filter(notification__organization=_organization(request, organization_id))
    return qs
