"""Fixed vocabularies of the catalog (DESIGN §3 stages, §4 disclosure tiers)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    PARK = "park", _("Industrial park")
    HOSPITAL = "hospital", _("Hospital / clinical center")
    COMPANY = "company", _("Company")
    INSTITUTE = "institute", _("University / institute")
    INVESTOR = "investor", _("Investor")
    GOVERNMENT = "government", _("Government agency")
    ASSOCIATION = "association", _("Association")
    CRO = "cro", _("CRO / CDMO")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for review")
    RETURNED = "returned", _("Returned with comments")
    PUBLISHED = "published", _("Published")


class Disclosure(models.TextChoices):
    PUBLIC = "public", _("Public")
    TEASER = "teaser", _("Teaser only")
    CONFIDENTIAL = "confidential", _("Confidential")


class AchievementKind(models.TextChoices):
    PATENT = "patent", _("Patent")
    DRUG = "drug", _("Drug candidate")
    DEVICE = "device", _("Medical device")
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    SOFTWARE = "software", _("Software / digital health")
    METHOD = "method", _("Method")
    MATERIAL = "material", _("Material")


class Stage(models.TextChoices):
    # Drug path
    DISCOVERY = "discovery", _("Discovery")
    PRECLINICAL = "preclinical", _("Preclinical")
    IND_FILED = "ind_filed", _("IND filed")
    PHASE1 = "phase1", _("Phase I")
    PHASE2 = "phase2", _("Phase II")
    PHASE3 = "phase3", _("Phase III")
    NDA = "nda", _("NDA / registration")
    MARKETED = "marketed", _("Marketed")
    # Device path
    CONCEPT = "concept", _("Concept")
    PROTOTYPE = "prototype", _("Prototype")
    TYPE_TESTING = "type_testing", _("Type testing")
    DEVICE_TRIAL = "device_trial", _("Clinical trial (device)")
    REGISTRATION = "registration", _("Registration (class I/II/III)")
    DEVICE_MARKETED = "device_marketed", _("Marketed (device)")
    # Other: technology readiness levels
    TRL1 = "trl1", _("TRL 1: basic principles")
    TRL2 = "trl2", _("TRL 2: concept formulated")
    TRL3 = "trl3", _("TRL 3: proof of concept")
    TRL4 = "trl4", _("TRL 4: validated in lab")
    TRL5 = "trl5", _("TRL 5: validated in relevant setting")
    TRL6 = "trl6", _("TRL 6: demonstrated in relevant setting")
    TRL7 = "trl7", _("TRL 7: demonstrated in operation")
    TRL8 = "trl8", _("TRL 8: complete and qualified")
    TRL9 = "trl9", _("TRL 9: proven in operation")


DRUG_STAGES = [
    Stage.DISCOVERY,
    Stage.PRECLINICAL,
    Stage.IND_FILED,
    Stage.PHASE1,
    Stage.PHASE2,
    Stage.PHASE3,
    Stage.NDA,
    Stage.MARKETED,
]
DEVICE_STAGES = [
    Stage.CONCEPT,
    Stage.PROTOTYPE,
    Stage.TYPE_TESTING,
    Stage.DEVICE_TRIAL,
    Stage.REGISTRATION,
    Stage.DEVICE_MARKETED,
]
TRL_STAGES = [
    Stage.TRL1,
    Stage.TRL2,
    Stage.TRL3,
    Stage.TRL4,
    Stage.TRL5,
    Stage.TRL6,
    Stage.TRL7,
    Stage.TRL8,
    Stage.TRL9,
]


def maturity(stage: str) -> float:
    """Stage as a 0..1 maturity, comparable across the drug, device and TRL paths."""
    for path in (DRUG_STAGES, DEVICE_STAGES, TRL_STAGES):
        if stage in path:
            return path.index(stage) / (len(path) - 1)  # type: ignore[arg-type]
    return 0.0


class CarrierType(models.TextChoices):
    OFFICE = "office", _("Office")
    WET_LAB = "wet_lab", _("Wet lab")
    P2_LAB = "p2_lab", _("P2 lab")
    P3_LAB = "p3_lab", _("P3 lab")
    GMP = "gmp", _("GMP plant")
    CLEANROOM = "cleanroom", _("Cleanroom")
    ANIMAL = "animal", _("Animal facility")
    WAREHOUSE = "warehouse", _("Warehouse")
    INCUBATOR = "incubator", _("Incubator seat")


class TransferMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assignment")
    LICENSE = "license", _("License")
    EQUITY = "equity", _("Equity")
    CODEVELOPMENT = "codevelopment", _("Co-development")


class AchievementNeed(models.TextChoices):
    LICENSEE = "licensee", _("Licensee")
    INVESTMENT = "investment", _("Investment")
    CLINICAL = "clinical", _("Clinical partners")
    SPACE = "space", _("Landing space")


class CompanyNeed(models.TextChoices):
    SPACE = "space", _("Space")
    CLINICAL = "clinical", _("Clinical partners")
    CAPITAL = "capital", _("Capital")
    LICENSING = "licensing", _("Licensing-in")


class ParkService(models.TextChoices):
    CRO = "cro", _("CRO on site")
    CDMO = "cdmo", _("CDMO on site")
    BONDED = "bonded", _("Bonded import")
    PLATFORM = "platform", _("Public technology platforms")
    FINANCE = "finance", _("Financing services")
    TALENT = "talent", _("Talent apartments")


class ChainSegment(models.TextChoices):
    """Industry-chain segments (产业链环节) of the industry-layout map."""

    DISCOVERY = "discovery", _("Discovery R&D")
    CRO = "cro", _("CRO")
    CDMO = "cdmo", _("CDMO / manufacturing")
    CLINICAL = "clinical", _("Clinical")
    DISTRIBUTION = "distribution", _("Distribution")
    SERVICES = "services", _("Services")


def choice_label(choices: type[models.TextChoices], code: str) -> str:
    """The translated label of a stored choice code; unknown codes are shown as they are."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code
