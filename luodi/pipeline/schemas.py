"""API schemas of the pipeline (input validated at the edge, output as plain records)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from luodi.control_chars import InputSchema
from luodi.pipeline.choices import (
    REGISTRATION_TRANSITIONS,
    AgreementKind,
    AgreementStatus,
    ObligationKind,
    ProjectStage,
    RegistrationCheck,
    RegistrationStatus,
    allowed_targets,
)
from luodi.pipeline.models import (
    Agreement,
    CompanyRequest,
    ContractRegistration,
    Project,
    RequestCategory,
    Task,
)
from luodi.pipeline.rules import linked_visible, projects_visible_to


class OrgRef(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    id: int
    title: str
    stage: str
    stage_entered_at: datetime
    days_in_stage: int
    stage_reason: str
    allowed_next: list[str]
    achievement_id: int | None
    clinical_need_id: int | None
    owner: OrgRef
    company_id: int | None
    investor_id: int | None
    target_park_id: int | None
    staff_id: int | None
    regulatory_step: str
    is_demo: bool
    created_at: datetime

    @staticmethod
    def resolve_allowed_next(obj: Project) -> list[str]:
        return list(allowed_targets(obj.stage, obj.paused_from))

    @staticmethod
    def resolve_owner(obj: Project) -> OrgRef:
        return OrgRef(id=obj.owner_id, name=obj.owner.display_name)


class ProjectIn(InputSchema):
    achievement_id: int | None = None
    clinical_need_id: int | None = None
    title: str = Field("", max_length=255)
    company_id: int | None = None
    investor_id: int | None = None
    target_park_id: int | None = None
    clinical_center_ids: list[int] = []
    staff_id: int | None = None
    summary: str = ""
    regulatory_step: str = ""
    needed_specialty_id: int | None = None


class TransitionIn(InputSchema):
    to_stage: ProjectStage
    reason: str = Field("", max_length=500)
    note: str = ""
    confirm_warnings: bool = False


class TransitionOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    actor: str = Field(validation_alias="actor_label")
    note: str
    reason: str
    warnings: list[str]
    created_at: datetime


class DocumentOut(Schema):
    id: int
    original_name: str
    doc_type: str
    content_type: str
    size: int
    uploaded_at: datetime


class AgreementIn(InputSchema):
    kind: AgreementKind
    title: str = Field(min_length=1, max_length=255)
    status: AgreementStatus = AgreementStatus.DRAFT
    party_ids: list[int] = []
    signed_on: date | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    notes: str = ""


class OrganizationAgreementIn(AgreementIn):
    """An agreement between organizations (framework, strategic cooperation, MoU,
    co-hosting): no project; at least two parties."""

    party_ids: list[int] = Field(min_length=2, description="At least two organizations.")
    related_project_ids: list[int] = Field(
        default=[], description="Projects carried out under this agreement."
    )


class AgreementOut(Schema):
    id: int
    project_id: int | None = Field(description="null for an agreement between organizations.")
    kind: str
    title: str
    status: str
    party_ids: list[int]
    signed_on: date | None
    effective_from: date | None
    expires_on: date | None
    documents: list[DocumentOut]
    related_project_ids: list[int]

    @staticmethod
    def resolve_party_ids(obj: Agreement) -> list[int]:
        return [p.pk for p in obj.parties.all()]

    @staticmethod
    def resolve_related_project_ids(obj: Agreement, context: dict[str, Any]) -> list[int]:
        # Only the projects the caller may see: a partner never learns of another's project.
        user = context["request"].user
        return list(
            projects_visible_to(user)
            .filter(framework_agreements=obj)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    @staticmethod
    def resolve_documents(obj: Agreement) -> list[DocumentOut]:
        return [DocumentOut.model_validate(d, from_attributes=True) for d in obj.documents.all()]


class ObligationIn(InputSchema):
    kind: ObligationKind
    description: str = Field(min_length=1, max_length=500)
    due_date: date | None = None
    trigger: str = Field("", max_length=255)
    responsible_id: int | None = None
    amount_wan: Decimal | None = None


class ObligationOut(Schema):
    id: int
    agreement_id: int
    kind: str
    description: str
    due_date: date | None
    trigger: str
    responsible_id: int | None
    amount_wan: Decimal | None
    status: str
    task_id: int | None

    @staticmethod
    def resolve_task_id(obj: object) -> int | None:
        task = getattr(obj, "task", None) if hasattr(obj, "task") else None
        return task.pk if task is not None else None


class TaskIn(InputSchema):
    project_id: int | None = None
    title: str = Field(min_length=1, max_length=255)
    owner_id: int
    due_date: date | None = None


class TaskOut(Schema):
    id: int
    project_id: int | None
    obligation_id: int | None
    title: str
    owner_id: int
    due_date: date | None
    status: str
    overdue: bool
    reminded_at: datetime | None

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue


# -- company requests (企业诉求) ---------------------------------------------------------


class RequestOut(Schema):
    id: int
    project_id: int
    category: str
    title: str
    details: str
    raised_on: date
    owner_id: int
    due_date: date
    status: str
    overdue: bool
    escalated_to: str
    escalated_at: datetime | None
    resolution: str
    resolved_at: datetime | None
    satisfaction: int | None
    visit_id: int | None
    meeting_id: int | None
    task_id: int | None
    version: int

    @staticmethod
    def resolve_overdue(obj: CompanyRequest) -> bool:
        return obj.is_overdue

    # The visit or meeting where it was raised, only for a reader who may see it: another
    # party of the project may not have been there.
    @staticmethod
    def resolve_visit_id(obj: CompanyRequest, context: dict[str, Any]) -> int | None:
        return obj.visit_id if linked_visible(context["request"].user, obj, "visit") else None

    @staticmethod
    def resolve_meeting_id(obj: CompanyRequest, context: dict[str, Any]) -> int | None:
        return obj.meeting_id if linked_visible(context["request"].user, obj, "meeting") else None


class CompanyRequestIn(InputSchema):
    category: RequestCategory
    title: str = Field(min_length=1, max_length=255)
    details: str = ""
    owner_id: int = Field(description="Staff, or a member of one of the project's parties.")
    due_date: date
    visit_id: int | None = Field(None, description="The visit where it was raised.")
    meeting_id: int | None = Field(None, description="The meeting where it was raised.")


class EscalateIn(InputSchema):
    to: str = Field(min_length=1, max_length=200, description="Who it was escalated to.")
    version: int | None = None


class ResolveIn(InputSchema):
    resolution: str = Field(min_length=1, description="How it was resolved.")
    satisfaction: int | None = Field(None, ge=1, le=5, description="The company's, 1 to 5.")
    version: int | None = None


# -- technology-contract registration (技术合同认定登记) ------------------------------------

# Money is in fen (1/100 yuan) as integers, with `currency` on the record: never a float.
Fen = Annotated[int, Field(ge=0, le=10**14, description="In fen (1/100 yuan).")]


class ContractRegistrationIn(InputSchema):
    """The registration's editable fields, all of them (PUT replaces them); its status moves
    through the transitions endpoint. `version` (or If-Match) is the version you loaded."""

    registration_number: str = Field("", max_length=64, description="登记编号.")
    registered_on: date | None = Field(None, description="Not in the future.")
    office: str = Field("", max_length=200, description="The registration office (登记机构).")
    transaction_value_fen: Fen | None = Field(None, description="成交额, in fen.")
    technical_income_fen: Fen | None = Field(
        None, description="技术交易额, in fen; at most the transaction value."
    )
    checklist: list[RegistrationCheck] = Field(
        default=[], max_length=20, description="The checklist items ticked."
    )
    note: str = Field("", max_length=5000)
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class RegistrationMoveIn(InputSchema):
    to: RegistrationStatus
    reason: str = Field("", max_length=2000, description="Needed for `returned`.")


class ContractRegistrationOut(Schema):
    agreement_id: int
    status: str
    allowed_next: list[str]
    registration_number: str
    registered_on: date | None
    office: str
    transaction_value_fen: int | None
    technical_income_fen: int | None
    currency: str
    checklist: list[str]
    checklist_missing: list[str] = Field(description="Checklist items not ticked yet.")
    return_reason: str
    note: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_allowed_next(obj: ContractRegistration) -> list[str]:
        return list(REGISTRATION_TRANSITIONS.get(obj.status, ()))

    @staticmethod
    def resolve_checklist_missing(obj: ContractRegistration) -> list[str]:
        return [k for k in RegistrationCheck.values if k not in (obj.checklist or [])]
