"""Stage gates: prerequisites that a move usually needs. They warn, they do not refuse: the
person moving the project confirms, and the warnings are kept on the transition row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from luodi.catalog.choices import AchievementKind, Stage
from luodi.catalog.models import ClinicalCenterProfile
from luodi.pipeline.choices import SIGNED_STATUSES, ProjectStage
from luodi.pipeline.models import LandingRecord, Project
from luodi.pipeline.regulatory import reached


def _trial_warnings(project: Project) -> list[str]:
    out: list[str] = []
    centers = list(project.clinical_centers.values_list("pk", flat=True))
    if not centers:
        out.append(_("No clinical center is a party to this project yet."))
    elif project.needed_specialty_id:
        filed = ClinicalCenterProfile.objects.filter(
            organization_id__in=centers, specialties=project.needed_specialty_id
        ).exists()
        if not filed:
            out.append(
                _(
                    "None of the project's clinical centers is filed with NMPA for the "
                    "needed specialty (%(specialty)s)."
                )
                % {"specialty": project.needed_specialty}
            )
    else:
        out.append(
            _(
                "The trial specialty needed is not set, so the clinical centers' "
                "filings cannot be checked."
            )
        )
    kind, step = project.kind, project.regulatory_step
    if kind == AchievementKind.DRUG and not reached(kind, step, Stage.IND_FILED):
        out.append(_('The drug has not reached "IND filed" on its NMPA path.'))
    if kind in (AchievementKind.DEVICE, AchievementKind.DIAGNOSTIC) and not reached(
        kind, step, Stage.TYPE_TESTING
    ):
        out.append(_("The device has not passed registration type testing on its NMPA path."))
    return out


def check_gates(project: Project, target: str) -> list[str]:
    """Warnings for moving `project` to `target`; empty when every prerequisite is met."""
    out: list[str] = []
    if target == ProjectStage.NEGOTIATION and not (project.company_id or project.investor_id):
        out.append(_("No company or investor is a party yet: with whom is this negotiated?"))
    if (
        target == ProjectStage.AGREEMENT_SIGNED
        and not project.agreements.filter(status__in=SIGNED_STATUSES).exists()
    ):
        out.append(_("No agreement of this project is recorded as signed or in force."))
    if target in (ProjectStage.LANDED, ProjectStage.IN_PRODUCTION) and not (
        LandingRecord.objects.filter(project_id=project.pk).exists()
    ):
        out.append(_("No landing record (registered entity, park, carrier) yet."))
    if target == ProjectStage.IN_TRIALS:
        out += _trial_warnings(project)
    return out
