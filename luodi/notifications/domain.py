"""Writes in notifications: channels, email preferences, test messages, and `notify`, the
one entry point other apps call when something happened that people should hear about.

Each write takes keyword-only arguments and an explicit actor, and leaves one audit entry.
Audit entries never hold a webhook address or a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.notifications import tasks, webhooks
from luodi.notifications.models import (
    EMAIL_DEFAULTS,
    SIGNED_KINDS,
    TEST_KIND,
    WEBHOOK_KINDS,
    Channel,
    ChannelKind,
    Delivery,
    EmailPreference,
    EventKind,
    Notification,
)


@dataclass(frozen=True)
class Message:
    """What to say: a one-line subject, a plain-text body, optionally a link to the page."""

    subject: str
    body: str
    link: str = ""


# Writes the message for one recipient in one language (already active when called): the
# user, or None for a team's channels.
Compose = Callable[[User | None, str], Message]

_EXAMPLES = {
    ChannelKind.WECOM: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    ChannelKind.DINGTALK: "https://oapi.dingtalk.com/robot/send?access_token=…",
    ChannelKind.FEISHU: "https://open.feishu.cn/open-apis/bot/v2/hook/…",
}


def extra_hosts() -> list[str]:
    return list(settings.LUODI_WEBHOOK_EXTRA_HOSTS)


def target_errors(kind: str, target: str) -> list[str]:
    """Why `target` cannot be used for a channel of `kind` (empty: it can)."""
    target = target.strip()
    if kind == ChannelKind.EMAIL:
        try:
            validate_email(target)
        except ValidationError:
            return [_("Enter a valid email address.")]
        return []
    if kind not in WEBHOOK_KINDS:
        return [_("Choose a channel.")]
    try:
        webhooks.check_url(kind, target, extra_hosts())
    except webhooks.UrlNotAllowed as exc:
        if exc.code == "credentials":
            return [_("The address may not contain a user name or password.")]
        if exc.code == "scheme" and target.startswith("http://"):
            return [_("The address must start with https://.")]
        return [
            _(
                "Paste the robot’s webhook address exactly as the group settings show it; it "
                "looks like %(example)s"
            )
            % {"example": _EXAMPLES[ChannelKind(kind)]}
        ]
    return []


def channel_errors(
    *, kind: str, name: str, target: str, secret: str, events: list[str], language: str
) -> dict[str, list[str]]:
    """Every problem with a channel's values, by field; the pages and the API share it."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the channel a name.")]
    if problems := target_errors(kind, target):
        errors["target"] = problems
    if secret.strip() and kind not in SIGNED_KINDS:
        errors["secret"] = [_("Only DingTalk and Feishu / Lark robots sign messages.")]
    if unknown := sorted(set(events) - set(EventKind.values)):
        errors["events"] = [_("Unknown events: %(kinds)s") % {"kinds": ", ".join(unknown)}]
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a language.")]
    return errors


def _check(**values: Any) -> None:
    if errors := channel_errors(**values):
        raise ValidationError(errors)


def _ordered(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    return [kind for kind in EventKind.values if kind in chosen]


@transaction.atomic
def create_channel(
    *,
    actor: User,
    kind: str,
    name: str,
    target: str,
    events: Iterable[str],
    secret: str = "",
    language: str = "",
    organization: Organization | None = None,
    is_active: bool = True,
    ip: str | None = None,
) -> Channel:
    """A channel of the actor's own, or of `organization` (the caller checked the right).
    Without a language, the site's default (zh-hans) is used."""
    events = list(events)
    language = language or settings.LANGUAGE_CODE
    chosen = _ordered(events)
    _check(kind=kind, name=name, target=target, secret=secret, events=events, language=language)
    channel = Channel.objects.create(
        user=None if organization else actor,
        organization=organization,
        kind=kind,
        name=name.strip(),
        target=target.strip(),
        secret=secret.strip(),
        events=chosen,
        language=language,
        is_active=is_active,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="notification_channel.create",
        target=channel,
        changes={
            "kind": kind,
            "events": chosen,
            "organization": organization.pk if organization else None,
            "signed": bool(channel.secret),
        },
        ip=ip,
    )
    return channel


@transaction.atomic
def update_channel(
    *,
    actor: User,
    channel: Channel,
    name: str | None = None,
    target: str | None = None,
    secret: str | None = None,
    events: Iterable[str] | None = None,
    language: str | None = None,
    is_active: bool | None = None,
    ip: str | None = None,
) -> Channel:
    """Change what is given; None keeps a value. An empty `secret` removes the signature;
    the address and the secret are never written to the audit log, only that they changed."""
    plain = ["name", "events", "language", "is_active"]
    before = audit.snapshot(channel, plain)
    new_target = channel.target if target is None or not target.strip() else target.strip()
    new_secret = channel.secret if secret is None else secret.strip()
    events = None if events is None else list(events)
    new_events = channel.events if events is None else _ordered(events)
    _check(
        kind=channel.kind,
        name=channel.name if name is None else name,
        target=new_target,
        secret=new_secret,
        events=new_events if events is None else events,
        language=channel.language if language is None else language,
    )
    changes: dict[str, Any] = {}
    if new_target != channel.target:
        changes["target"] = "changed"
    if new_secret != channel.secret:
        changes["secret"] = "changed" if new_secret else "removed"
    channel.target, channel.secret, channel.events = new_target, new_secret, new_events
    if name is not None:
        channel.name = name.strip()
    if language is not None:
        channel.language = language
    if is_active is not None:
        channel.is_active = is_active
    channel.save(update_fields=[*plain, "target", "secret", "updated_at"])
    changes.update(audit.field_changes(before, channel, plain))
    audit.record(
        actor=actor, verb="notification_channel.update", target=channel, changes=changes, ip=ip
    )
    return channel


@transaction.atomic
def delete_channel(*, actor: User, channel: Channel, ip: str | None = None) -> None:
    """Delete the channel; its past deliveries stay (without it) as a record."""
    audit.record(
        actor=actor,
        verb="notification_channel.delete",
        target=channel,
        changes={"kind": channel.kind, "organization": channel.organization_id},
        ip=ip,
    )
    channel.delete()


def email_choices(user: User) -> dict[str, bool]:
    """Mail to the account address, per event kind: the user's choice or the default."""
    stored = dict(EmailPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: stored.get(kind, EMAIL_DEFAULTS[kind]) for kind in EventKind.values}


@transaction.atomic
def set_email_choices(
    *, actor: User, choices: dict[str, bool], ip: str | None = None
) -> dict[str, bool]:
    """Store the actor's own choices (kinds not given keep theirs)."""
    unknown = sorted(set(choices) - set(EventKind.values))
    if unknown:
        raise ValidationError(
            {"email": [_("Unknown events: %(kinds)s") % {"kinds": ", ".join(unknown)}]}
        )
    before = email_choices(actor)
    for kind, enabled in choices.items():
        EmailPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"enabled": bool(enabled)}
        )
    after = email_choices(actor)
    audit.record(
        actor=actor,
        verb="notification_preferences.update",
        target=actor,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        ip=ip,
    )
    return after


def _test_message(name: str) -> Message:
    return Message(
        subject=_("Luodi test message"),
        body=_(
            "This is a test message from Luodi for “%(name)s”. If you can read it, the "
            "channel works."
        )
        % {"name": name},
    )


@transaction.atomic
def send_test(*, actor: User, channel: Channel | None, ip: str | None = None) -> Delivery:
    """Queue a test message to `channel`, or to the actor's account address (None). An
    inactive channel is tested too, so that it can be checked before it is turned on."""
    if channel is None:
        if not actor.email:
            raise ValidationError({"email": [_("Your account has no email address.")]})
        language = actor.preferred_language()
        with translation.override(language):
            message = _test_message(actor.email)
        notification = _notification(TEST_KIND, message, language, user=actor)
        delivery = _delivery(notification, None, actor.email)
    else:
        language = channel.language
        with translation.override(language):
            message = _test_message(channel.name)
        owner = (
            {"organization": channel.organization} if channel.organization_id else {"user": actor}
        )
        notification = _notification(TEST_KIND, message, language, **owner)
        delivery = _delivery(notification, channel, "")
    audit.record(
        actor=actor,
        verb="notification_channel.test",
        target=channel if channel is not None else actor,
        changes={"delivery": delivery.pk},
        ip=ip,
    )
    tasks.deliver.enqueue(delivery.pk)
    delivery.refresh_from_db()  # a synchronous run (tests) has already sent it
    return delivery


def _notification(
    kind: str,
    message: Message,
    language: str,
    *,
    user: User | None = None,
    organization: Organization | None = None,
) -> Notification:
    return Notification.objects.create(
        kind=kind,
        user=user,
        organization=organization,
        language=language,
        # A subject is one line (mail headers, robot titles).
        subject=" ".join(message.subject.split())[:255],
        body=message.body,
        link=message.link[:500],
    )


def _delivery(notification: Notification, channel: Channel | None, address: str) -> Delivery:
    if channel is None:
        return Delivery.objects.create(
            notification=notification, kind=ChannelKind.EMAIL, label=address, address=address
        )
    return Delivery.objects.create(
        notification=notification,
        channel=channel,
        kind=channel.kind,
        label=channel.name,
        address=channel.target if channel.kind == ChannelKind.EMAIL else "",
    )


@transaction.atomic
def notify(
    *,
    kind: str,
    compose: Compose,
    users: Iterable[User] = (),
    organizations: Iterable[Organization] = (),
    about: models.Model | None = None,
    actor: User | None = None,
    actor_label: str = "",
) -> int:
    """Tell `users` (account email if they want it, and their own channels) and the teams
    `organizations` (their channels) about an event of `kind`; each recipient gets one
    notification in their language and one delivery per channel, each sent by a
    `notifications.deliver` job. Returns how many deliveries were queued.

    The jobs are queued in the caller's transaction: a rolled-back write sends nothing."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {u.pk: u for u in users if u.is_active}
    teams = {o.pk: o for o in organizations}
    wanted = {
        user_id: enabled
        for user_id, enabled in EmailPreference.objects.filter(
            user_id__in=list(people), kind=kind
        ).values_list("user_id", "enabled")
    }
    channels = [
        c
        for c in Channel.objects.filter(
            Q(user_id__in=list(people)) | Q(organization_id__in=list(teams)), is_active=True
        ).order_by("pk")
        if c.receives(kind)
    ]
    deliveries: list[Delivery] = []
    for user in people.values():
        own = [c for c in channels if c.user_id == user.pk]
        by_mail = bool(user.email) and wanted.get(user.pk, EMAIL_DEFAULTS[kind])
        if not own and not by_mail:
            continue
        language = user.preferred_language()
        with translation.override(language):
            message = compose(user, language)
        notification = _notification(kind, message, language, user=user)
        if by_mail:
            deliveries.append(_delivery(notification, None, user.email))
        deliveries += [_delivery(notification, c, "") for c in own]
    for org in teams.values():
        theirs = [c for c in channels if c.organization_id == org.pk]
        for language in sorted({c.language for c in theirs}):
            with translation.override(language):
                message = compose(None, language)
            notification = _notification(kind, message, language, organization=org)
            deliveries += [_delivery(notification, c, "") for c in theirs if c.language == language]
    if not deliveries:
        return 0
    audit.record(
        actor=actor,
        actor_label=actor_label or ("" if actor else "notifications"),
        verb=f"notification.{kind}",
        target=about,
        changes={
            "users": sorted({d.notification.user_id for d in deliveries if d.notification.user_id}),
            "organizations": sorted(
                {
                    d.notification.organization_id
                    for d in deliveries
                    if d.notification.organization_id
                }
            ),
            "deliveries": len(deliveries),
        },
    )
    for delivery in deliveries:
        tasks.deliver.enqueue(delivery.pk)
    return len(deliveries)
