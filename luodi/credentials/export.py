"""The CME credit list for filing (继续医学教育学分登记): one row per person and activity
with credits not revoked, through luodi/sheets.py (typed cells, no formulas, CJK widths)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi import sheets
from luodi.credentials.models import CmeCredit


def headers() -> list[str]:
    return [
        _("full name"),
        _("organization"),
        _("title / position"),
        _("phone"),
        _("email"),
        _("project code (项目编号)"),
        _("credit type"),
        _("credits"),
        _("hours"),
        _("date awarded"),
    ]


def rows(credits: QuerySet[CmeCredit]) -> list[list[object]]:
    live = (
        credits.filter(revoked_at__isnull=True)
        .select_related("activity", "registration")
        .order_by("activity__project_code", "registration__name", "id")
    )
    return [
        [
            c.registration.name,
            c.registration.organization_name,
            c.registration.position,
            c.registration.phone,
            c.registration.email,
            c.activity.project_code,
            c.activity.get_credit_type_display(),
            c.credits,
            c.hours,
            timezone.localtime(c.awarded_at).date(),
        ]
        for c in live
    ]


def workbook(credits: QuerySet[CmeCredit]) -> bytes:
    return sheets.to_xlsx(
        [sheets.Sheet(title=_("CME credits"), rows=rows(credits), headers=headers())]
    )
