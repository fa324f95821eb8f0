"""Fixed vocabularies of the pipeline, and the stage transition table (the ONE place that
says which move is legal; DESIGN §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStage(models.TextChoices):
    LEAD = "lead", _("Lead")
    ASSESSMENT = "assessment", _("Assessment")
    MATCHMAKING = "matchmaking", _("Matchmaking")
    NEGOTIATION = "negotiation", _("Negotiation")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    LANDED = "landed", _("Landed")
    IN_PRODUCTION = "in_production", _("In production")
    IN_TRIALS = "in_trials", _("In trials")
    PAUSED = "paused", _("Paused")
    LOST = "lost", _("Lost")


S = ProjectStage
# The forward path; a project may also step back one stage (e.g. negotiation fails and the
# search for a partner resumes), pause from any live stage, or be lost from any stage.
MAIN_PATH: list[str] = [
    S.LEAD,
    S.ASSESSMENT,
    S.MATCHMAKING,
    S.NEGOTIATION,
    S.AGREEMENT_SIGNED,
    S.LANDED,
]
FINAL_STAGES: list[str] = [S.IN_PRODUCTION, S.IN_TRIALS]
LIVE_STAGES: list[str] = [*MAIN_PATH, *FINAL_STAGES]

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.LEAD: (S.ASSESSMENT, S.PAUSED, S.LOST),
    S.ASSESSMENT: (S.MATCHMAKING, S.LEAD, S.PAUSED, S.LOST),
    S.MATCHMAKING: (S.NEGOTIATION, S.ASSESSMENT, S.PAUSED, S.LOST),
    S.NEGOTIATION: (S.AGREEMENT_SIGNED, S.MATCHMAKING, S.PAUSED, S.LOST),
    S.AGREEMENT_SIGNED: (S.LANDED, S.NEGOTIATION, S.PAUSED, S.LOST),
    S.LANDED: (S.IN_PRODUCTION, S.IN_TRIALS, S.PAUSED, S.LOST),
    S.IN_TRIALS: (S.IN_PRODUCTION, S.PAUSED, S.LOST),
    S.IN_PRODUCTION: (S.IN_TRIALS, S.PAUSED, S.LOST),
    # A paused project resumes where it stopped (see `allowed_targets`) or is lost.
    S.PAUSED: (S.LOST,),
    # A lost project can be reopened as a fresh lead.
    S.LOST: (S.LEAD,),
}
# Moves that need a reason (kept on the transition row and shown on the card).
NEEDS_REASON: frozenset[str] = frozenset({S.PAUSED, S.LOST})
BOARD_COLUMNS: list[str] = [*LIVE_STAGES, S.PAUSED, S.LOST]


def allowed_targets(stage: str, paused_from: str = "") -> tuple[str, ...]:
    """Stages a project in `stage` may move to next."""
    targets = TRANSITIONS.get(stage, ())
    if stage == S.PAUSED and paused_from in LIVE_STAGES:
        return (paused_from, *targets)
    return targets


def is_allowed(stage: str, target: str, paused_from: str = "") -> bool:
    return target in allowed_targets(stage, paused_from)


class AgreementKind(models.TextChoices):
    INTENTION = "intention", _("Cooperation intention")
    STRATEGIC = "strategic", _("Strategic cooperation agreement")
    FRAMEWORK = "framework", _("Framework agreement")
    MOU = "mou", _("Memorandum of understanding")
    COHOSTING = "cohosting", _("Co-hosting agreement")
    LICENSE = "license", _("License")
    INVESTMENT = "investment", _("Investment agreement")
    LEASE = "lease", _("Lease")
    # The technology-contract types of the registration rules (技术合同认定登记); the licence
    # type is LICENSE above. Values fit the kind field's 16 characters.
    DEVELOPMENT = "tech_development", _("Technology development contract")
    TRANSFER = "tech_transfer", _("Technology transfer contract")
    SERVICE = "tech_service", _("Technology service contract")
    CONSULTING = "tech_consulting", _("Technology consulting contract")


# The five types a technology-market office registers; only these get a registration.
REGISTRABLE_KINDS: frozenset[str] = frozenset(
    {
        AgreementKind.DEVELOPMENT,
        AgreementKind.TRANSFER,
        AgreementKind.LICENSE,
        AgreementKind.SERVICE,
        AgreementKind.CONSULTING,
    }
)


# What an agreement between organizations (no project) usually is: listed first in its form.
ORGANIZATION_AGREEMENT_KINDS = [
    (k.value, k.label)
    for k in (
        AgreementKind.STRATEGIC,
        AgreementKind.INTENTION,
        AgreementKind.FRAMEWORK,
        AgreementKind.MOU,
        AgreementKind.COHOSTING,
    )
]


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


SIGNED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE)


class ObligationKind(models.TextChoices):
    MILESTONE_PAYMENT = "milestone_payment", _("Milestone payment")
    ROYALTY = "royalty", _("Royalty")
    REPORT = "report", _("Report")
    RENEWAL = "renewal", _("Renewal")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Fulfilled")
    WAIVED = "waived", _("Waived")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class DocumentType(models.TextChoices):
    CONTRACT = "contract", _("Signed contract")
    DRAFT = "draft", _("Draft")
    ANNEX = "annex", _("Annex")
    MINUTES = "minutes", _("Minutes")
    OTHER = "other", _("Other")


class DeviceClass(models.TextChoices):
    CLASS_I = "I", _("Class I")
    CLASS_II = "II", _("Class II")
    CLASS_III = "III", _("Class III")


class RegistrationStatus(models.TextChoices):
    """A technology contract's registration (技术合同认定登记) at the technology-market office."""

    PREPARING = "preparing", _("Preparing")
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    RETURNED = "returned", _("Returned")


R = RegistrationStatus
# Which status may follow which (the page's buttons, the API and the domain ask this table).
# Preparing may go straight to registered: the office often registers at the counter in one
# visit, or the registration is recorded after the fact. A returned contract is fixed and
# submitted again (or taken back to preparing); a registered one is final.
REGISTRATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    R.PREPARING: (R.SUBMITTED, R.REGISTERED),
    R.SUBMITTED: (R.REGISTERED, R.RETURNED),
    R.RETURNED: (R.SUBMITTED, R.PREPARING),
    R.REGISTERED: (),
}
# Returned needs the office's reason: it is what has to be fixed.
REGISTRATION_NEEDS_REASON: frozenset[str] = frozenset({R.RETURNED})


class RegistrationCheck(models.TextChoices):
    """What the office checks before it registers a contract; ticked one by one while
    preparing, all of them before submitting."""

    SIGNED_TEXT = (
        "signed_text",
        _("The signed contract text, with every party's signature and seal"),
    )
    CONTRACT_TYPE = (
        "contract_type",
        _(
            "The contract is one of the five types: technology development, transfer, licence, "
            "service or consulting"
        ),
    )
    AMOUNT_SEPARATED = (
        "amount_separated",
        _(
            "The technology transaction amount is stated separately from equipment, materials "
            "and other non-technical costs"
        ),
    )
    PARTY_CODES = "party_codes", _("Each party's full name and unified social credit code")
    SUBJECT = (
        "subject",
        _("The technical subject, its deliverables and the acceptance criteria are described"),
    )
    OWNERSHIP = "ownership", _("Ownership of the results and of later improvements is stated")
    PAYMENT_TERMS = "payment_terms", _("Payment terms and schedule are stated")
