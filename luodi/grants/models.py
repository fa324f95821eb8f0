"""A grant (赋权): an institution grants its research team a share of the ownership of one
of its achievements, or a long-term use right to it, with the valuation, the decision and
the public notice that make the evidence file; its team members with their shares; and the
documents that prove each part.

Shares are basis points (1 bp = 0.01 %). `team_share_bp` is the team's share of the
ownership (the institution keeps the rest) or of the use right. Each member's `share_bp` is
a share of the WHOLE achievement, and the members' shares sum exactly to `team_share_bp`
(domain.check), so a member's line in the evidence file reads the same as the split
everybody signs ("张三 40 %, 李四 30 %; the institution 30 %"). Money is integer fen.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.grants.choices import GrantDocumentType, GrantKind, GrantStatus

_USER = settings.AUTH_USER_MODEL
FULL_BP = 10_000


class Grant(models.Model):
    institution = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="ownership_grants",
        verbose_name=_("institution"),
    )
    achievement = models.ForeignKey(
        "catalog.Achievement",
        on_delete=models.PROTECT,
        related_name="ownership_grants",
        verbose_name=_("achievement"),
    )
    kind = models.CharField(_("what is granted"), max_length=12, choices=GrantKind.choices)
    team_share_bp = models.PositiveIntegerField(_("team share (basis points)"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)
    use_starts_on = models.DateField(_("use right starts on"), null=True, blank=True)
    # The valuation
    valuer = models.CharField(_("valuer"), max_length=200, blank=True)
    valuation_report_on = models.DateField(_("valuation report date"), null=True, blank=True)
    valuation_fen = models.PositiveBigIntegerField(_("value (fen)"), null=True, blank=True)
    # The decision
    decision_body = models.CharField(_("deciding body"), max_length=120, blank=True)
    decided_on = models.DateField(_("meeting date"), null=True, blank=True)
    minutes_ref = models.CharField(_("minutes reference"), max_length=200, blank=True)
    # The public notice (公示)
    notice_starts_on = models.DateField(_("notice starts on"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends on"), null=True, blank=True)
    notice_place = models.CharField(_("published at"), max_length=255, blank=True)
    objections = models.TextField(_("objections"), blank=True)
    notice_outcome = models.TextField(_("outcome of the notice"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GrantStatus.choices, default=GrantStatus.DRAFT
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("ownership or use-right grant")
        verbose_name_plural = _("ownership and use-right grants")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_share_bp__gt=0, team_share_bp__lte=FULL_BP),
                name="grants_team_share_range",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def day(self) -> date:
        """The day it counts on in reports: decided on, else created on."""
        return self.decided_on or timezone.localdate(self.created_at)


class GrantMember(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "catalog.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    share_bp = models.PositiveIntegerField(_("share (basis points)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "person"], name="grants_member_once"),
            models.CheckConstraint(
                condition=models.Q(share_bp__gt=0, share_bp__lte=FULL_BP),
                name="grants_member_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.share_bp}"


def _document_path(instance: GrantDocument, filename: str) -> str:
    # A random name in the storage: the uploader's file name never becomes a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"grants/{instance.grant_id}/{uuid.uuid4().hex}{suffix}"


class GrantDocument(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(
        _("document type"), max_length=12, choices=GrantDocumentType.choices
    )
    file = models.FileField(_("file"), upload_to=_document_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("grant document")
        verbose_name_plural = _("grant documents")
        ordering = ["doc_type", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
