"""Catalog: organizations and their profiles, carriers, people, achievements, clinical needs,
the taxonomy, and clinical trials with their sites.

Models stay slim: writes live in `domain.py`, permissions in `rules.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luodi.catalog.choices import (
    AchievementKind,
    AchievementNeed,
    CarrierType,
    Disclosure,
    OrganizationKind,
    ReviewStatus,
    Stage,
    TransferMode,
)
from luodi.catalog.choices import choice_label as choice_label
from luodi.catalog.profile_models import Carrier as Carrier
from luodi.catalog.profile_models import ClinicalCenterProfile as ClinicalCenterProfile
from luodi.catalog.profile_models import CompanyProfile as CompanyProfile
from luodi.catalog.profile_models import ParkProfile as ParkProfile


def _is_en() -> bool:
    return (get_language() or "zh-hans").startswith("en")


class Bilingual(models.Model):
    """Shown in the active language, falling back to the other one."""

    class Meta:
        abstract = True

    def pick(self, zh: str, en: str) -> str:
        return (en or zh) if _is_en() else (zh or en)


class Term(models.Model):
    """A taxonomy term: therapeutic area (ICD-10, MeSH), technology field or specialty."""

    class Scheme(models.TextChoices):
        THERAPEUTIC_AREA = "area", _("Therapeutic area")
        TECHNOLOGY = "tech", _("Technology field")
        SPECIALTY = "specialty", _("Clinical specialty")
        # Codes that point into the area vocabulary (`same_as`); never offered or counted
        # as areas themselves.
        ICD10 = "icd10", _("ICD-10 code")

    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme.choices)
    code = models.CharField(_("code"), max_length=32)
    label_zh = models.CharField(_("label (Chinese)"), max_length=120, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    source = models.CharField(_("source"), max_length=32, default="luodi")
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cross_references",
        verbose_name=_("counted as"),
    )

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="unique_term_code")]

    def __str__(self) -> str:
        return (self.label_en or self.label_zh) if _is_en() else (self.label_zh or self.label_en)


class Reviewed(models.Model):
    """Submissions by partners wait for staff review before others see them."""

    status = models.CharField(
        _("review status"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PUBLISHED,
        db_index=True,
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Incremented by every saved edit; edit forms and API updates send the one they loaded
    # (luodi/concurrency.py), so a second editor gets a conflict instead of a silent revert.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class Organization(Bilingual, Reviewed):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, db_index=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    province = models.CharField(_("province"), max_length=40, blank=True, default="四川省")
    city = models.CharField(_("city"), max_length=40, blank=True, default="成都市")
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    focus_areas = models.ManyToManyField(
        Term, blank=True, related_name="organizations", verbose_name=_("focus areas")
    )
    # Codes of ChainSegment; empty means "derive from kind and products" (insights.layout).
    chain_segments = models.JSONField(_("industry-chain segments"), default=list, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    # Group / subsidiary (集团 / 子公司): a company group, a hospital group or a park operator
    # and the units under it. One level is what users record; cycles are refused by the form,
    # the API and the domain (catalog.domain.check_parent).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
        verbose_name=_("group (parent organization)"),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_zh", "name_en"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.pick(self.name_zh, self.name_en)

    @property
    def other_name(self) -> str:
        """The name in the language the page is not in (shown under the title), "" when
        there is none or it is the same."""
        other = self.pick(self.name_en, self.name_zh)
        return "" if other == self.display_name else other

    @property
    def location(self) -> str:
        """Province, city, district and address, without repeating the region when the
        address already starts with it ("四川省成都市温江区…")."""
        region = [p for p in (self.province, self.city, self.district) if p]
        address = self.address.strip()
        if address and address.replace(" ", "").startswith("".join(region)):
            return address
        return " ".join([*region, address] if address else region)

    @property
    def description(self) -> str:
        return self.pick(self.description_zh, self.description_en)


class LegalBasis(models.TextChoices):
    """Why Luodi may hold a person's record (PIPL art. 13); blank: not yet recorded."""

    CONSENT = "consent", _("Consent of the person")
    CONTRACT = "contract", _("Needed for a contract with the person")
    PUBLIC_INTEREST = "public_interest", _("Legitimate public interest")
    PUBLICLY_DISCLOSED = "published", _("Information the person made public")


class Person(Bilingual, Reviewed):
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title / position"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    expertise = models.TextField(_("expertise"), blank=True)
    # Set on the person's privacy page (privacy/domain.py), which records each change.
    legal_basis = models.CharField(
        _("legal basis"), max_length=16, choices=LegalBasis.choices, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_zh", "name_en"]

    def __str__(self) -> str:
        return self.pick(self.name_zh, self.name_en)


class Achievement(Bilingual, Reviewed):
    """A scientific achievement (科技成果) seeking transformation."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    # The dossier: what a teaser-only or confidential achievement withholds.
    dossier_zh = models.TextField(_("dossier (Chinese)"), blank=True)
    dossier_en = models.TextField(_("dossier (English)"), blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=AchievementKind.choices)
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="achievements",
        verbose_name=_("owner"),
    )
    inventors = models.ManyToManyField(
        Person, blank=True, related_name="achievements", verbose_name=_("inventors")
    )
    therapeutic_areas = models.ManyToManyField(
        Term, blank=True, related_name="achievements_by_area", verbose_name=_("therapeutic areas")
    )
    technology_fields = models.ManyToManyField(
        Term, blank=True, related_name="achievements_by_tech", verbose_name=_("technology fields")
    )
    stage = models.CharField(_("development stage"), max_length=16, choices=Stage.choices)
    patent_numbers = models.CharField(_("patent numbers"), max_length=255, blank=True)
    ip_status = models.CharField(_("IP status"), max_length=160, blank=True)
    transfer_modes = models.JSONField(_("transfer modes sought"), default=list, blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    carrier_needs = models.JSONField(_("carrier requirements"), default=list, blank=True)
    space_needed_m2 = models.PositiveIntegerField(_("space needed (m²)"), null=True, blank=True)
    amount_sought_wan = models.PositiveIntegerField(
        _("investment sought (10k CNY)"), null=True, blank=True
    )
    disclosure = models.CharField(
        _("disclosure tier"), max_length=16, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Every column `rules.achievements_visible_to` and matchmaking's candidate filter
            # read: counting what a partner may see becomes a scan of this index instead of
            # the wide rows (summaries, dossiers). At 100k achievements on SQLite: 80-116 ms
            # -> 38-40 ms per count (bench/scale), paid by every organization-side match page.
            models.Index(
                fields=["status", "archived_at", "disclosure", "owner", "submitted_by"],
                name="catalog_achievement_visible",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    @property
    def summary(self) -> str:
        return self.pick(self.summary_zh, self.summary_en)

    @property
    def dossier(self) -> str:
        return self.pick(self.dossier_zh, self.dossier_en)

    @property
    def transfer_mode_labels(self) -> list[str]:
        return [choice_label(TransferMode, code) for code in self.transfer_modes]

    @property
    def need_labels(self) -> list[str]:
        return [choice_label(AchievementNeed, code) for code in self.needs]

    @property
    def carrier_need_labels(self) -> list[str]:
        return [choice_label(CarrierType, code) for code in self.carrier_needs]


class ClinicalNeed(Bilingual, Reviewed):
    """A clinician's unmet need (临床需求): the demand side of medical-engineering pairing."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    problem = models.TextField(_("problem"))
    current_practice = models.TextField(_("current practice"), blank=True)
    desired_solution = models.TextField(_("desired solution"), blank=True)
    constraints = models.TextField(_("constraints"), blank=True)
    specialty = models.ForeignKey(
        Term,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
        verbose_name=_("specialty"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="clinical_needs",
        verbose_name=_("hospital / organization"),
    )
    clinician = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinical_needs",
        verbose_name=_("clinician"),
    )

    class Meta:
        verbose_name = _("clinical need")
        verbose_name_plural = _("clinical needs")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)


class Trial(models.Model):
    """A clinical trial record (e.g. from a ClinicalTrials.gov export)."""

    registry_id = models.CharField(_("registry id"), max_length=32, unique=True)
    title = models.TextField(_("title"))
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=64, blank=True)
    phase = models.CharField(_("phase"), max_length=64, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    interventions = models.TextField(_("interventions"), blank=True)
    sponsor = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_trials",
        verbose_name=_("sponsor"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=32, default="ctgov")
    sites = models.ManyToManyField(
        Organization, through="TrialSite", related_name="trials", verbose_name=_("sites")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trial")
        verbose_name_plural = _("trials")
        ordering = ["-start_date", "registry_id"]

    def __str__(self) -> str:
        return f"{self.registry_id} {self.title[:80]}"


class TrialSite(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="site_links")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="trial_links"
    )
    location = models.CharField(_("location as listed"), max_length=500)

    class Meta:
        verbose_name = _("trial site")
        verbose_name_plural = _("trial sites")
        constraints = [
            models.UniqueConstraint(fields=["trial", "organization"], name="unique_trial_site")
        ]

    def __str__(self) -> str:
        return self.location


class Revision(models.Model):
    """Changes a partner proposed to a published record. They wait for staff review while
    everybody keeps seeing the published values (catalog/review.py); at most one per record
    is pending. `data` holds only the fields that differ, as JSON (links as ids)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The record's organization when proposed: its members see the revision.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(_("proposed changes"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("review comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("proposed revision")
        verbose_name_plural = _("proposed revisions")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="catalog_revision_record_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="pending"),
                name="one_pending_revision_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} ({self.state})"
