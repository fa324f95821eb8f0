"""Monthly figures of landed projects from a spreadsheet: the "figures" kind of the import
(luodi.ingest), with its column mapping, dry run, all-or-nothing mode and undo.

The ingest app never imports this module: `AftercareConfig.ready()` calls `register()`, which
adds the kind to ingest's registries (fields, writers, who may import it).

A row names the project by its registered company (登记企业, as on the landing record) or by
its id, the month (2026-09, 2026/9, 2026年9月, an Excel date) and any of the figures. Each
row goes through `domain.record_figures(source="import")`, so every change is in the
figure's history; empty cells leave a figure as it was. A row is rejected, with its line and
reason, when the project is unknown to the importer, has not landed, or is one the importer
may not record (`aftercare.record`: its park or staff).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.accounts.rules import AnyUser
from luodi.aftercare import domain
from luodi.aftercare import rules as aftercare_rules
from luodi.aftercare.choices import METRICS, MONEY_METRICS, Metric
from luodi.aftercare.models import FigureReport, month_start
from luodi.ingest import fields, writers
from luodi.ingest import rules as ingest_rules
from luodi.ingest.summary import Summary
from luodi.pipeline.models import Project
from luodi.pipeline.rules import projects_visible_to

KIND = "figures"
RECORD_KIND = "figure_report"
MAX_MONEY = Decimal("999999999999.99")  # the model's 14 digits, 2 after the point
MAX_COUNT = 2_147_483_647  # a PositiveIntegerField on every database


# -- cells ----------------------------------------------------------------------------------

_MONTH = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月份?)?"  # 2026-09, 2026/9, 2026.9, 2026年9月
    r"(?:\s*[-/.]?\s*\d{1,2}\s*日?)?"  # a day, as in an Excel date: 2026-09-01
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"  # and its time
)
_COMPACT = re.compile(r"(\d{4})(\d{2})")  # 202609


def parse_month(raw: str) -> tuple[date | None, str | None]:
    text = raw.strip()
    match = _MONTH.fullmatch(text) or _COMPACT.fullmatch(text)
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        return None, _("not a month (write 2026-09, 2026/9 or 2026年9月): “%(value)s”") % {
            "value": raw
        }
    period = date(year, month, 1)
    if period > month_start(timezone.localdate()):
        return None, _("the month %(value)s has not begun yet") % {"value": raw}
    return period, None


def _number(label: str, raw: str) -> tuple[Decimal | None, str | None]:
    text = raw.strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        return None, _("%(field)s is not a number: “%(value)s”") % {"field": label, "value": raw}
    if number < 0:
        return None, _("%(field)s must not be negative") % {"field": label}
    return number, None


def _too_large(label: str, raw: str) -> str:
    return _("%(field)s is too large: “%(value)s”") % {"field": label, "value": raw}


def money_parser(metric: Metric) -> Any:
    def parse(raw: str) -> tuple[Decimal | None, str | None]:
        label = str(metric.label)
        number, reason = _number(label, raw)
        if number is None:
            return None, reason
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # to the cent
        if number > MAX_MONEY:
            return None, _too_large(label, raw)
        return number, None

    return parse


def count_parser(metric: Metric) -> Any:
    def parse(raw: str) -> tuple[int | None, str | None]:
        label = str(metric.label)
        number, reason = _number(label, raw)
        if number is None:
            return None, reason
        if number != number.to_integral_value():
            return None, _("%(field)s is not a whole number: “%(value)s”") % {
                "field": label,
                "value": raw,
            }
        if number > MAX_COUNT:
            return None, _too_large(label, raw)
        return int(number), None

    return parse


SYNONYMS: dict[str, tuple[str, ...]] = {
    Metric.CAPITAL: ("到资", "实际到资", "到位资金", "实际到位资金", "capital", "capital arrived"),
    Metric.OUTPUT: ("产值", "总产值", "工业产值", "output", "output value"),
    Metric.TAX: ("税收", "纳税", "纳税额", "税收贡献", "tax", "tax paid", "taxes"),
    Metric.RND: ("研发投入", "研发费用", "研发支出", "r&d", "rnd", "r&d spend"),
    Metric.PATENTS: ("专利申请", "专利申请数", "专利申请量", "专利", "patents", "patent filings"),
    Metric.JOBS: ("就业", "就业人数", "员工人数", "员工数", "从业人数", "jobs", "employees"),
    Metric.AREA: ("使用面积", "面积", "实际使用面积", "floor area", "area", "area used"),
}


def specs() -> list[fields.Spec]:
    out = [
        fields.Spec(
            "project",
            gettext_lazy("project (registered company or id)"),
            "text",
            (
                "登记企业",
                "企业名称",
                "注册企业",
                "企业",
                "公司",
                "公司名称",
                "项目",
                "项目编号",
                "项目id",
                "project",
                "project id",
                "company",
                "registered company",
                "registered entity",
            ),
            max_length=200,
        ),
        fields.Spec(
            "month",
            gettext_lazy("month"),
            "text",
            ("月份", "月", "年月", "期间", "报告期", "统计月份", "period", "reporting month"),
            parse=parse_month,
        ),
    ]
    for metric in Metric:
        parser = money_parser(metric) if metric in MONEY_METRICS else count_parser(metric)
        out.append(fields.Spec(metric.value, metric.label, "text", SYNONYMS[metric], parse=parser))
    out.append(
        fields.Spec("note", gettext_lazy("note"), "text", ("备注", "说明", "notes"), max_length=500)
    )
    return out


# -- rows -----------------------------------------------------------------------------------


def _find_project(text: str, ctx: writers.Context) -> Project:
    """The project a row names: by id, else by its registered company; only among those the
    importer may see (another's project answers as unknown, its existence not confirmed)."""
    projects = Project.objects.select_related("landing")
    if text.isdigit() and len(text) <= 18:
        found = list(projects.filter(pk=int(text)))
    else:
        found = list(projects.filter(landing__entity_name=text)) or list(
            projects.filter(landing__entity_name__iexact=text)
        )
    if found and not ctx.staff and ctx.actor is not None:
        seen = set(
            projects_visible_to(ctx.actor)
            .filter(pk__in=[p.pk for p in found])
            .values_list("pk", flat=True)
        )
        found = [p for p in found if p.pk in seen]
    if not found:
        raise writers.RowRejected(
            _("unknown project “%(value)s”: give its registered company or its id")
            % {"value": text}
        )
    if len(found) > 1:
        raise writers.RowRejected(
            _("“%(value)s” names several projects: give the project's id instead") % {"value": text}
        )
    project = found[0]
    if getattr(project, "landing", None) is None:
        raise writers.RowRejected(
            _("project “%(value)s” has not landed: figures are reported after landing")
            % {"value": text}
        )
    if ctx.actor is not None and not ctx.actor.has_perm("aftercare.record", project):
        raise writers.RowRejected(
            _("you may not record the figures of “%(value)s”: its park and staff do")
            % {"value": text}
        )
    return project


def write_figures(values: dict[str, Any], line: int, ctx: writers.Context, summary: Summary) -> str:
    """One row: the month's figures of one project, through `domain.record_figures`. With a
    journal, the row's writes (the month's report and its history entry) are recorded so
    that a failed import undoes them: a new month deleted, a changed one written back."""
    text = str(values["project"]).strip()
    project = _find_project(text, ctx)
    period: date = values["month"]
    if writers.in_file_duplicate(
        (KIND, project.pk, period), line, f"{text} {period:%Y-%m}", ctx, summary
    ):
        return "duplicate"
    figures = {name: values[name] for name in METRICS if name in values}
    note = values.get("note")
    if not figures and note is None:
        raise writers.RowRejected(_("the row gives no figure"))
    report = FigureReport.objects.filter(project=project, period=period).first()
    journal = ctx.journal
    old = None
    if report is not None and journal is not None:
        names = [*figures, *(["note"] if note is not None else [])]
        old = journal.old_values(report, names, {})
    try:
        saved = domain.record_figures(
            actor=ctx.actor,
            project=project,
            period=period,
            values=figures,
            note=note,
            source="import",
        )
    except ValidationError as exc:
        raise writers.RowRejected(_reason(exc)) from exc
    created = report is None
    if not created and report is not None and saved.version == report.version:
        return "unchanged"  # record_figures wrote nothing
    if journal is not None:
        journal.wrote(saved, old, verb="figures.record")
    return "created" if created else "updated"


def _reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(" ".join(str(m) for m in v) for v in exc.message_dict.values())
    return "; ".join(str(m) for m in exc.messages)


# -- registration ---------------------------------------------------------------------------


def may_import(user: AnyUser) -> bool:
    """Staff, and members of a park (each row is checked against `aftercare.record`)."""
    return bool(aftercare_rules.may_import_figures(user))


def register() -> None:
    fields.register_kind(
        KIND,
        label=gettext_lazy("Monthly figures (after landing)"),
        specs=specs(),
        required=[("project",), ("month",)],
    )
    writers.register(KIND, write_figures, RECORD_KIND, gettext_lazy("Monthly figures"))
    ingest_rules.register_kind(KIND, may_import)
