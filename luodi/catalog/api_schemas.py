"""Request and response schemas of the catalog API (handlers in `api.py`).

Input schemas only check the JSON shape (types, known choice values, no unknown keys); the
business rules live in the web ModelForms (`forms.py`), which the API runs on every write, so
the web and the API validate identically. Create schemas mark the fields the form requires;
patch schemas make every field optional and only the fields sent are changed.

Withheld fields are decided by the one disclosure policy (`disclosure.py`, which owns the
field groups `DOSSIER_FIELDS`, `CONTACT_FIELDS`): the handlers ask it and set `dossier_visible`,
`contact_visible` on each object before serialization, and the groups are nulled here; a
missing flag fails validation instead of disclosing anything.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from luodi.catalog import changes
from luodi.catalog.choices import (
    AchievementKind,
    AchievementNeed,
    CarrierType,
    ChainSegment,
    Disclosure,
    OrganizationKind,
    ReviewStatus,
    Stage,
    TransferMode,
)
from luodi.catalog.disclosure import CONTACT_FIELDS, DOSSIER_FIELDS
from luodi.catalog.models import (
    ClinicalCenterProfile,
    CompanyProfile,
    Organization,
    ParkProfile,
    Revision,
    Term,
    Trial,
    TrialSite,
)
from luodi.control_chars import InputSchema

# -- references to related objects ----------------------------------------------------------


class TermRef(Schema):
    id: int
    scheme: str
    code: str
    label_zh: str
    label_en: str


class OrganizationRef(Schema):
    id: int
    name_zh: str
    name_en: str
    kind: str


class PersonRef(Schema):
    id: int
    name_zh: str
    name_en: str


class ReviewedOut(Schema):
    status: str
    review_comment: str
    is_demo: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(
        description="Incremented by every saved edit; send it back (or the ETag as If-Match) "
        "when you change the record, and a change saved meanwhile is a 409, not lost."
    )


# -- organizations ----------------------------------------------------------------------------


class ParkProfileOut(Schema):
    industry_focus: list[TermRef]
    policy_text_zh: str
    policy_text_en: str
    rent_subsidy_pct: int | None
    subsidy_years: int | None
    max_grant_wan: int | None
    services: list[Any]


class ClinicalCenterProfileOut(Schema):
    grade: str
    specialties: list[TermRef]
    phase1_unit: bool
    beds: int | None
    annual_trials: int | None
    ethics_turnaround_days: int | None
    notable_investigators: str


class CompanyProfileOut(Schema):
    stage: str
    employees: int | None
    products: str
    needs: list[Any]
    sectors: list[TermRef]
    ticket_min_wan: int | None
    ticket_max_wan: int | None
    stage_focus: list[Any]


class OrganizationOut(ReviewedOut):
    id: int
    name_zh: str
    name_en: str
    aliases: list[Any]
    kind: str
    province: str
    city: str
    district: str
    address: str
    latitude: float | None
    longitude: float | None
    website: str
    description_zh: str
    description_en: str
    focus_areas: list[TermRef]
    chain_segments: list[str] = Field(
        default_factory=list,
        description="Industry-chain segment codes; empty means the layout derives one.",
    )
    parent_id: int | None = Field(None, description="The group this organization belongs to.")
    park: ParkProfileOut | None = Field(None, description="Park profile, if the org is a park.")
    clinical_center: ClinicalCenterProfileOut | None = None
    company: CompanyProfileOut | None = None

    # A missing reverse one-to-one raises on access; these read it as null.
    @staticmethod
    def resolve_park(obj: Organization) -> ParkProfile | None:
        return getattr(obj, "park", None)

    @staticmethod
    def resolve_clinical_center(obj: Organization) -> ClinicalCenterProfile | None:
        return getattr(obj, "clinical_center", None)

    @staticmethod
    def resolve_company(obj: Organization) -> CompanyProfile | None:
        return getattr(obj, "company", None)


class _In(InputSchema):
    model_config = ConfigDict(extra="forbid")


def _version() -> Any:
    return Field(
        None,
        description="The `version` you loaded (or send it as If-Match). When the record has "
        "moved on, nothing is saved and the answer is 409 `conflict`.",
    )


class OrganizationFields(_In):
    name_zh: str | None = None
    name_en: str | None = None
    aliases: list[str] | None = None
    kind: OrganizationKind | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    focus_areas: list[int] | None = Field(None, description="Term ids (any scheme).")
    chain_segments: list[ChainSegment] | None = Field(
        None, description="Industry-chain segment codes (产业链环节); [] to derive from kind."
    )
    parent: int | None = Field(
        None,
        description="Organization id of the group it belongs to (集团); never itself or one of "
        "its subsidiaries.",
    )


class OrganizationPatch(OrganizationFields):
    version: int | None = _version()


class OrganizationCreate(OrganizationFields):
    kind: OrganizationKind


class OrganizationFilter(Schema):
    q: str | None = Field(None, description="Words matched in names, aliases and district.")
    show_archived: bool = False
    kind: OrganizationKind | None = None
    district: str | None = None


# -- achievements ----------------------------------------------------------------------------


class AchievementOut(ReviewedOut):
    id: int
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    kind: str
    stage: str
    disclosure: str
    owner: OrganizationRef
    therapeutic_areas: list[TermRef]
    technology_fields: list[TermRef]
    dossier_visible: bool = Field(
        description="False when the dossier fields are withheld (returned as null)."
    )
    dossier_zh: str | None
    dossier_en: str | None
    inventors: list[PersonRef] | None
    patent_numbers: str | None
    ip_status: str | None
    transfer_modes: list[str] | None
    needs: list[str] | None
    carrier_needs: list[str] | None
    space_needed_m2: int | None
    # Not withheld: investor matches explain their ticket fit with it.
    amount_sought_wan: int | None

    @model_validator(mode="after")
    def _withhold_dossier(self) -> Self:
        if not self.dossier_visible:
            for name in DOSSIER_FIELDS:
                setattr(self, name, None)
        return self


class AchievementFields(_In):
    title_zh: str | None = None
    title_en: str | None = None
    summary_zh: str | None = None
    summary_en: str | None = None
    dossier_zh: str | None = None
    dossier_en: str | None = None
    kind: AchievementKind | None = None
    owner: int | None = Field(None, description="Organization id (one of yours, for partners).")
    stage: Stage | None = None
    therapeutic_areas: list[int] | None = Field(None, description="Term ids, scheme `area`.")
    technology_fields: list[int] | None = Field(None, description="Term ids, scheme `tech`.")
    patent_numbers: str | None = None
    ip_status: str | None = None
    transfer_modes: list[TransferMode] | None = None
    needs: list[AchievementNeed] | None = None
    carrier_needs: list[CarrierType] | None = None
    space_needed_m2: int | None = None
    amount_sought_wan: int | None = Field(None, ge=0, description="Investment sought, 10k CNY.")
    disclosure: Disclosure | None = None


class AchievementPatch(AchievementFields):
    version: int | None = _version()


class AchievementCreate(AchievementFields):
    kind: AchievementKind
    owner: int
    stage: Stage
    disclosure: Disclosure


class AchievementFilter(Schema):
    q: str | None = Field(None, description="Words matched in titles, summaries, patents.")
    show_archived: bool = False
    kind: AchievementKind | None = None
    stage: Stage | None = None
    disclosure: Disclosure | None = None
    status: ReviewStatus | None = None
    area: int | None = Field(None, description="Therapeutic area term id.")


# -- clinical needs ----------------------------------------------------------------------------


class ClinicalNeedOut(ReviewedOut):
    id: int
    title_zh: str
    title_en: str
    problem: str
    current_practice: str
    desired_solution: str
    constraints: str
    specialty: TermRef | None
    organization: OrganizationRef
    clinician: PersonRef | None


class ClinicalNeedFields(_In):
    title_zh: str | None = None
    title_en: str | None = None
    organization: int | None = None
    specialty: int | None = Field(None, description="Term id, scheme `specialty`.")
    clinician: int | None = Field(None, description="Person id.")
    problem: str | None = None
    current_practice: str | None = None
    desired_solution: str | None = None
    constraints: str | None = None


class ClinicalNeedPatch(ClinicalNeedFields):
    version: int | None = _version()


class ClinicalNeedCreate(ClinicalNeedFields):
    organization: int
    problem: str


class ClinicalNeedFilter(Schema):
    q: str | None = Field(None, description="Words matched in titles, problem, solution.")
    show_archived: bool = False
    specialty: int | None = None
    status: ReviewStatus | None = None


# -- people ------------------------------------------------------------------------------------


class PersonOut(ReviewedOut):
    id: int
    name_zh: str
    name_en: str
    organization: OrganizationRef | None
    title: str
    expertise: str
    contact_visible: bool = Field(
        description="False when email, phone and consent are withheld (returned as null)."
    )
    email: str | None
    phone: str | None
    consent_to_contact: bool | None

    @model_validator(mode="after")
    def _withhold_contact(self) -> Self:
        if not self.contact_visible:
            for name in CONTACT_FIELDS:
                setattr(self, name, None)
        return self


class PersonFields(_In):
    name_zh: str | None = None
    name_en: str | None = None
    organization: int | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    consent_to_contact: bool | None = None
    expertise: str | None = None


class PersonPatch(PersonFields):
    version: int | None = _version()


class PersonCreate(PersonFields):
    pass


class PersonFilter(Schema):
    q: str | None = Field(None, description="Words matched in names, title, expertise.")
    show_archived: bool = False


# -- carriers ----------------------------------------------------------------------------------


class CarrierOut(Schema):
    id: int
    park: OrganizationRef
    name: str
    carrier_type: str
    area_total_m2: int
    area_available_m2: int
    rent_min: Decimal | None
    rent_max: Decimal | None
    ready_date: date | None
    certifications: list[Any]
    description: str
    archived_at: datetime | None
    version: int = Field(
        description="Incremented by every saved edit; send it back (or the ETag as If-Match) "
        "when you change the record, and a change saved meanwhile is a 409, not lost."
    )


class CarrierFields(_In):
    park: int | None = Field(None, description="Organization id of a park.")
    name: str | None = None
    carrier_type: CarrierType | None = None
    area_total_m2: int | None = None
    area_available_m2: int | None = None
    rent_min: Decimal | None = None
    rent_max: Decimal | None = None
    ready_date: date | None = None
    certifications: list[str] | None = None
    description: str | None = None


class CarrierPatch(CarrierFields):
    version: int | None = _version()


class CarrierCreate(CarrierFields):
    park: int
    name: str
    carrier_type: CarrierType
    area_total_m2: int
    area_available_m2: int


class CarrierFilter(Schema):
    q: str | None = Field(None, description="Words matched in name, description, park name.")
    show_archived: bool = False
    carrier_type: CarrierType | None = None
    min_available: int | None = Field(None, description="Available area at least (m²).")


# -- review ------------------------------------------------------------------------------------


class ReturnIn(_In):
    comment: str = Field(description="Comments for the submitter (required).")


class DecisionIn(_In):
    version: int | None = Field(
        None,
        description="The record's `version` when you read the changes; if the record or the "
        "changes moved on since, nothing is decided (409 `conflict`).",
    )


class RevisionReturnIn(DecisionIn):
    comment: str = Field(description="Comments for the partner (required).")


class ChangeOut(Schema):
    field: str
    label: str = Field(description="The field's name in the active language.")
    current: str = Field(description="The published value, as shown on the record's page.")
    proposed: str


class RevisionOut(Schema):
    id: int
    record_type: str = Field(description="The record's list: organizations, achievements, …")
    record_id: int
    record_version: int = Field(description="The record's current `version`.")
    state: str = Field(description="pending, approved, returned or withdrawn.")
    changes: list[ChangeOut]
    proposed_by: str | None
    comment: str
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None

    # An organization's profile is changed as part of the organization (its fields are
    # named as nested there: "park.rent_subsidy_pct").
    @staticmethod
    def resolve_record_type(obj: Revision) -> str:
        return changes.page_of(obj.record)[0] if obj.record is not None else ""

    @staticmethod
    def resolve_record_id(obj: Revision) -> int:
        return changes.page_of(obj.record)[1] if obj.record is not None else obj.object_id

    @staticmethod
    def resolve_record_version(obj: Revision) -> int:
        return int(getattr(obj.record, "version", 0))

    @staticmethod
    def resolve_changes(obj: Revision, context: dict[str, Any]) -> list[dict[str, str]]:
        record = obj.record
        if record is None:
            return []
        out = [vars(c) for c in changes.changes(obj, record, context["request"].user)]
        return [c | {"field": changes.field_path(record, c["field"])} for c in out]

    @staticmethod
    def resolve_proposed_by(obj: Revision) -> str | None:
        return obj.proposed_by.get_username() if obj.proposed_by is not None else None


class RevisionFilter(Schema):
    state: Revision.State = Revision.State.PENDING


# -- taxonomy and trials (read-only) -------------------------------------------------------------


class TermOut(Schema):
    id: int
    scheme: str
    code: str
    label_zh: str
    label_en: str
    parent_id: int | None
    source: str
    same_as_id: int | None = Field(
        None,
        description="An `icd10` code: the therapeutic area it is counted under (records are "
        "tagged with that area, never with the code).",
    )


class TermFilter(Schema):
    scheme: Term.Scheme | None = None
    q: str | None = Field(None, max_length=200, description="Words matched in code and labels.")
    parent: int | None = Field(None, description="Parent term id.")


class TrialSiteOut(Schema):
    organization: OrganizationRef
    location: str


class TrialOut(Schema):
    id: int
    registry_id: str
    title: str
    summary: str
    status: str
    phase: str
    conditions: str
    interventions: str
    sponsor: OrganizationRef | None
    start_date: date | None
    source: str
    updated_at: datetime
    sites: list[TrialSiteOut]

    @staticmethod
    def resolve_sites(obj: Trial) -> list[TrialSite]:
        return list(obj.site_links.all())


class TrialFilter(Schema):
    q: str | None = Field(
        None, max_length=200, description="Words matched in id, title, conditions, interventions."
    )
    status: str | None = None
    phase: str | None = None
    sponsor: int | None = Field(None, description="Sponsor organization id.")
    site: int | None = Field(None, description="Site organization id.")
