"""The channel in: apply for an account (public), staff approve or reject.

Approval creates the user (no password yet), a membership in the chosen or newly created
organization, and emails a link to set the password; one audit entry per decision.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.domain import add_membership
from luodi.accounts.models import AccountApplication, MembershipRole, Role, User
from luodi.accounts.ratelimit import claim_slot
from luodi.catalog.choices import ReviewStatus
from luodi.catalog.models import Organization

# Mails to one account holder about applications with their address, per day: someone
# replaying the form must not flood the holder's inbox.
EXISTING_HOLDER_MAILS_PER_DAY = 3


@transaction.atomic
def submit_application(
    *, data: dict[str, str], ip: str | None, base_url: str = ""
) -> AccountApplication | None:
    """Store an application for review. When the address already belongs to an account, no
    application is stored: the holder is told by email how to sign in (it may have been
    them) and the applicant gets the same answer as anybody else, so the form never tells
    who has an account. Returns None then."""
    holder = User.objects.filter(email__iexact=data["email"].strip(), is_active=True).first()
    if holder is not None:
        audit.record(
            actor=None,
            actor_label=data["email"][:150],
            verb="application.existing_account",
            target=holder,
            ip=ip,
        )
        digest = hashlib.sha256(holder.email.lower().encode()).hexdigest()
        if claim_slot(
            f"apply-existing:{digest}", limit=EXISTING_HOLDER_MAILS_PER_DAY, window=86400
        ):
            transaction.on_commit(lambda: _tell_existing_holder(holder, base_url))
        return None
    application = AccountApplication.objects.create(**data)
    audit.record(
        actor=None,
        actor_label=data["email"][:150],
        verb="application.submit",
        target=application,
        ip=ip,
    )
    return application


def _tell_existing_holder(holder: User, base_url: str) -> None:
    with translation.override(holder.preferred_language()):
        send_mail(
            _("Someone applied for a Luodi account with your address"),
            _(
                "Someone asked for a Luodi account with the address %(email)s, which already "
                "belongs to your account %(username)s, so no new account will be made.\n\n"
                "Sign in here: %(login)s\n"
                "Forgot your password? Choose a new one here: %(reset)s\n\n"
                "If it was not you, you can ignore this email."
            )
            % {
                "email": holder.email,
                "username": holder.get_username(),
                "login": base_url + reverse("login"),
                "reset": base_url + reverse("password_reset"),
            },
            settings.DEFAULT_FROM_EMAIL,
            [holder.email],
        )


def _unique_username(email: str) -> str:
    base = email.split("@")[0][:120] or "user"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def approve_application(
    *,
    actor: User,
    application: AccountApplication,
    organization: Organization | None,
    base_url: str,
    ip: str | None = None,
) -> User:
    if application.status != AccountApplication.Status.PENDING:
        raise ValueError("application already decided")
    if organization is None:
        organization = Organization.objects.create(
            name_zh=application.organization_name,
            kind=application.organization_kind,
            status=ReviewStatus.PUBLISHED,
            submitted_by=actor,
        )
        audit.record(
            actor=actor,
            verb="organization.create",
            target=organization,
            ip=ip,
            changes={"from_application": application.pk},
        )
    user = User.objects.create(
        username=_unique_username(application.email),
        email=application.email,
        display_name=application.name,
        role=Role.PARTNER,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    add_membership(
        actor=actor, user=user, organization=organization, role=MembershipRole.ADMIN, ip=ip
    )
    application.status = AccountApplication.Status.APPROVED
    application.organization, application.user, application.decided_by = organization, user, actor
    application.save(update_fields=["status", "organization", "user", "decided_by"])
    audit.record(
        actor=actor,
        verb="application.approve",
        target=application,
        ip=ip,
        changes={"user": user.get_username(), "organization": str(organization)},
    )
    link = base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    # Sent after commit: a rolled-back approval must not leave a working link in an inbox.
    transaction.on_commit(
        lambda: send_mail(
            _("Your Luodi account is ready"),
            _(
                "Your account %(username)s for %(organization)s was approved. "
                "Choose your password here: %(link)s"
            )
            % {"username": user.get_username(), "organization": organization, "link": link},
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )
    return user


@transaction.atomic
def reject_application(
    *, actor: User, application: AccountApplication, note: str, ip: str | None = None
) -> None:
    if application.status != AccountApplication.Status.PENDING:
        raise ValueError("application already decided")
    application.status = AccountApplication.Status.REJECTED
    application.decision_note, application.decided_by = note, actor
    application.save(update_fields=["status", "decision_note", "decided_by"])
    audit.record(
        actor=actor, verb="application.reject", target=application, ip=ip, changes={"note": note}
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Your Luodi account application"),
            _("Your application could not be approved: %(note)s") % {"note": note},
            settings.DEFAULT_FROM_EMAIL,
            [application.email],
        )
    )
