"""Records of what attendance earned: who was in which session, which badges were printed,
the certificates issued (their serial is the verification code, stable once issued) and
continuing medical education (CME, 继续医学教育) activities with the credits awarded.
Models stay slim: writes live in `domain.py`, permissions in `rules.py`."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.engagements.models import Event, Registration, Session, Speaker

_USER = settings.AUTH_USER_MODEL
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed


def new_serial() -> str:
    """A certificate's serial, also its verification code: printed on the certificate and
    in its QR code. 12 characters of 32 (60 bits) cannot be guessed to reveal a name."""
    return "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(12))


class SessionAttendance(models.Model):
    """A registrant checked in at the door of one agenda session."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="session_attendances"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendances")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="one_attendance_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}@{self.session_id}"


class BadgePrint(models.Model):
    """When a registrant's badge was last printed ("only not yet printed" reads this)."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="badge_print"
    )
    printed_at = models.DateTimeField(_("printed"), default=timezone.now)
    by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("badge print")
        verbose_name_plural = _("badge prints")

    def __str__(self) -> str:
        return str(self.registration_id)


class CertificateKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Certificate of attendance")
    PRESENTATION = "presentation", _("Certificate of presentation")


class Certificate(models.Model):
    """An issued certificate. The name and the presentation titles are copied at issue, so
    the verification page says what the printed paper says even if the record changes later.
    Attendance: of a registration; presentation: of an agenda speaker."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    registration = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.CASCADE, related_name="certificates"
    )
    name = models.CharField(_("full name"), max_length=120)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    titles = models.TextField(_("presentations"), blank=True)
    serial = models.CharField(_("serial"), max_length=16, unique=True, default=new_serial)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="attendance", registration__isnull=False, speaker__isnull=True)
                    | models.Q(
                        kind="presentation", speaker__isnull=False, registration__isnull=True
                    )
                ),
                name="certificate_holder_matches_kind",
            ),
            # One certificate per person and kind: issuing again keeps the serial.
            models.UniqueConstraint(
                fields=["kind", "registration"],
                condition=models.Q(registration__isnull=False),
                name="one_attendance_certificate",
            ),
            models.UniqueConstraint(
                fields=["kind", "speaker"],
                condition=models.Q(speaker__isnull=False),
                name="one_presentation_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def title_list(self) -> list[str]:
        return [t for t in self.titles.splitlines() if t.strip()]


class CreditType(models.TextChoices):
    # 国家级继续医学教育项目 (I类学分) and 省级 (II类学分): the two classes of CME credit.
    CLASS_I = "I", _("Class I (national)")
    CLASS_II = "II", _("Class II (provincial)")


class CmeActivity(models.Model):
    """A continuing medical education activity held at an event: its approved project code,
    credit class and credits, and the sessions one must attend to earn them (none: being
    checked in to the event is enough)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cme_activities")
    project_code = models.CharField(_("project code (项目编号)"), max_length=60)
    title = models.CharField(_("title"), max_length=255, blank=True)
    credit_type = models.CharField(
        _("credit type"), max_length=4, choices=CreditType.choices, default=CreditType.CLASS_I
    )
    credits = models.DecimalField(
        _("credits"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    required_sessions = models.ManyToManyField(
        Session, blank=True, related_name="cme_activities", verbose_name=_("required sessions")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("CME activity")
        verbose_name_plural = _("CME activities")
        ordering = ["event", "project_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "project_code"], name="unique_cme_code"),
            models.CheckConstraint(condition=models.Q(credits__gt=0), name="cme_credits_positive"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="cme_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return self.project_code


class CmeCredit(models.Model):
    """Credits awarded to one registrant for one activity (at most one row each; a revoked
    one stays, with its reason, and is not awarded again by a re-run)."""

    activity = models.ForeignKey(
        CmeActivity, on_delete=models.CASCADE, related_name="credits_awarded"
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="cme_credits"
    )
    credits = models.DecimalField(_("credits"), max_digits=5, decimal_places=1)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    awarded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("CME credit")
        verbose_name_plural = _("CME credits")
        ordering = ["activity", "registration__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "registration"], name="one_cme_credit_each")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.registration_id}"
