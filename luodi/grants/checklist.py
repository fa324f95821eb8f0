"""The evidence checklist of a grant: for each part reviewers ask for — the valuation
report, the decision minutes, the public notice, the team agreement — whether the grant
records it and whether its document is attached. The detail page, the API and the evidence
file (PDF, XLSX) read the same list."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from luodi.grants.choices import GrantDocumentType, GrantStatus
from luodi.grants.models import Grant, GrantDocument


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    recorded: bool  # the grant's own fields say it
    document: bool  # a document of its type is attached

    @property
    def present(self) -> bool:
        return self.recorded and self.document


def checklist(grant: Grant, documents: list[GrantDocument], team_bp: int) -> list[Item]:
    """`documents` are the grant's; `team_bp` the sum of its members' shares."""
    types = {d.doc_type for d in documents}
    notice = bool(grant.notice_starts_on and grant.notice_ends_on and grant.notice_place)
    if grant.status == GrantStatus.GRANTED:
        notice = notice and bool(grant.notice_outcome)
    return [
        Item(
            GrantDocumentType.VALUATION,
            _("Valuation report"),
            bool(grant.valuer and grant.valuation_report_on and grant.valuation_fen),
            GrantDocumentType.VALUATION in types,
        ),
        Item(
            GrantDocumentType.MINUTES,
            _("Decision minutes"),
            bool(grant.decision_body and grant.decided_on),
            GrantDocumentType.MINUTES in types,
        ),
        Item(
            GrantDocumentType.NOTICE,
            _("Public notice"),
            notice,
            GrantDocumentType.NOTICE in types,
        ),
        Item(
            GrantDocumentType.AGREEMENT,
            _("Team agreement"),
            team_bp > 0 and team_bp == grant.team_share_bp,
            GrantDocumentType.AGREEMENT in types,
        ),
    ]
