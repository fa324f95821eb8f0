"""Who may open a confidential achievement beyond its owners: NDA invitations and dossier
access grants.

Both decide what a user may see of an achievement, so the catalog's visibility rules
(`catalog.rules.achievements_visible_to`) and the retrieval layer's audiences read them, and
matchmaking's NDA flow writes them. They live here, below all three, so each imports them
downward. The models refer to catalog records by name only ("catalog.Achievement"): this app
imports nothing of catalog. The tables kept their names from before the move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessGrant(models.Model):
    """Access to a confidential or teaser-only achievement's dossier for one organization
    (or one user), after the NDA was accepted in the platform and the owner or staff approved.
    Live only between approval and `expires_at`."""

    achievement = models.ForeignKey(
        "catalog.Achievement", on_delete=models.CASCADE, related_name="access_grants"
    )
    organization = models.ForeignKey(
        "catalog.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    nda_version = models.CharField(_("NDA version"), max_length=32)
    nda_accepted_at = models.DateTimeField(_("NDA accepted"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "catalog_accessgrant"  # its table from before the move
        verbose_name = _("dossier access grant")
        verbose_name_plural = _("dossier access grants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(user__isnull=False),
                name="grant_has_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.organization_id or self.user_id}"


class NdaInvitation(models.Model):
    """The owner (or staff) invites one organization to the NDA flow of a confidential
    achievement. While live (not revoked, not expired) the organization's members see the
    achievement's teaser (`catalog.rules.achievements_visible_to`) and can request access;
    the dossier still needs an approved AccessGrant."""

    achievement = models.ForeignKey(
        "catalog.Achievement",
        on_delete=models.CASCADE,
        related_name="nda_invitations",
        verbose_name=_("achievement"),
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.CASCADE,
        related_name="nda_invitations",
        verbose_name=_("invited organization"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("invitation expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "matchmaking_ndainvitation"  # its table from before the move
        verbose_name = _("NDA invitation")
        verbose_name_plural = _("NDA invitations")
        ordering = ["-invited_at", "-id"]
        constraints = [
            # One open invitation per pair; revoked ones stay as history.
            models.UniqueConstraint(
                fields=["achievement", "organization"],
                condition=models.Q(revoked_at__isnull=True),
                name="unique_open_nda_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.achievement_id} ⇢ {self.organization_id}"
