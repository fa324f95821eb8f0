"""Patents from a spreadsheet: the "patents" kind of the import (luodi.ingest), with its
column mapping, dry run, all-or-nothing mode and undo.

The ingest app never imports this module: `PatentsConfig.ready()` calls `register()`, which
adds the kind to ingest's registries (fields, writers, who may import it).

A row gives the office (CNIPA when empty), the type (read from a CNIPA number when empty),
the application number, titles, dates, legal status, the owners (organization names
separated by ";", each one that exists), who pays the fees, the reduction (0, 70 or 85) and
optionally the titles of the achievements the patent backs. Each row goes through
`domain.save_patent`, so it is checked as a form's or the API's would be (a wrong check
character is the row's reason). The same number at the same office again updates that
patent; cells left empty leave its values as they are.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.accounts.models import User
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Achievement, Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.ingest import dedup, fields, tables, writers
from luodi.ingest import rules as ingest_rules
from luodi.ingest.summary import Summary
from luodi.patents import domain, numbers, rules
from luodi.patents.choices import LegalStatus, Office, PatentType, Reduction
from luodi.patents.models import Patent

KIND = "patents"
RECORD_KIND = "patent"
LINKS = ("owners", "inventors", "achievements", "agreements")

# -- cells ----------------------------------------------------------------------------------

_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"  # 2023-01-05, 2023年1月5日
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"  # an Excel date's time
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20230105


def parse_date(raw: str) -> tuple[date | None, str | None]:
    text = raw.strip()
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None, _("not a date (write 2023-01-05 or 2023年1月5日): “%(value)s”") % {
            "value": raw
        }
    return day, None


# Words people write in patent lists, beyond the choices' own codes and labels.
_WORDS: dict[type[Any], dict[str, str]] = {
    Office: {
        "中国": Office.CNIPA,
        "CN": Office.CNIPA,
        "国家知识产权局": Office.CNIPA,
        "中国国家知识产权局": Office.CNIPA,
        "SIPO": Office.CNIPA,
        "WO": Office.PCT,
        "国际申请": Office.PCT,
        "EP": Office.EPO,
        "欧洲": Office.EPO,
        "欧洲专利局": Office.EPO,
        "US": Office.USPTO,
        "美国": Office.USPTO,
        "JP": Office.JPO,
        "日本": Office.JPO,
        "其他": Office.OTHER,
    },
    PatentType: {
        "发明": PatentType.INVENTION,
        "发明专利": PatentType.INVENTION,
        "实用新型": PatentType.UTILITY_MODEL,
        "实用新型专利": PatentType.UTILITY_MODEL,
        "新型": PatentType.UTILITY_MODEL,
        "外观设计": PatentType.DESIGN,
        "外观": PatentType.DESIGN,
        "外观设计专利": PatentType.DESIGN,
        "utility": PatentType.UTILITY_MODEL,
    },
    LegalStatus: {
        "审中": LegalStatus.PENDING,
        "在审": LegalStatus.PENDING,
        "实审": LegalStatus.PENDING,
        "实质审查": LegalStatus.PENDING,
        "公开": LegalStatus.PENDING,
        "申请中": LegalStatus.PENDING,
        "授权": LegalStatus.GRANTED,
        "有效": LegalStatus.GRANTED,
        "已授权": LegalStatus.GRANTED,
        "专利权维持": LegalStatus.GRANTED,
        "失效": LegalStatus.LAPSED,
        "未缴年费": LegalStatus.LAPSED,
        "未缴年费终止": LegalStatus.LAPSED,
        "终止": LegalStatus.LAPSED,
        "期满": LegalStatus.EXPIRED,
        "届满": LegalStatus.EXPIRED,
        "期限届满": LegalStatus.EXPIRED,
        "撤回": LegalStatus.WITHDRAWN,
        "视为撤回": LegalStatus.WITHDRAWN,
        "驳回": LegalStatus.REJECTED,
        "active": LegalStatus.GRANTED,
        "in force": LegalStatus.GRANTED,
    },
}


def _key(text: str) -> str:
    # As the importer compares headers and choices: case, width and spaces do not count.
    return dedup.normalize(text).replace(" ", "")


def choice_parser(choices: type[Any], label: Promise) -> Any:
    lookup: dict[str, str] = {}

    def parse(raw: str) -> tuple[str | None, str | None]:
        if not lookup:  # built on first use, when translations are ready
            lookup.update(tables.choice_lookup(choices))
            lookup.update({_key(k): v for k, v in _WORDS[choices].items()})
        value = lookup.get(_key(raw))
        if value is None:
            return None, _("unknown %(field)s: “%(value)s”") % {"field": label, "value": raw}
        return str(value), None

    return parse


_NO_REDUCTION = {"", "0", "无", "否", "none", "no", "不减缴"}


def parse_reduction(raw: str) -> tuple[int | None, str | None]:
    text = raw.strip().lower().replace("%", "").replace("％", "").replace(" ", "")
    if text in _NO_REDUCTION:
        return Reduction.NONE, None
    if text in ("70", "85"):
        return int(text), None
    return None, _("the fee reduction is 0, 70 or 85 (percent): “%(value)s”") % {"value": raw}


def specs() -> list[fields.Spec]:
    def text(key: str, label: Promise, synonyms: tuple[str, ...], n: int) -> fields.Spec:
        return fields.Spec(key, label, "text", synonyms, max_length=n)

    def day(key: str, label: Promise, synonyms: tuple[str, ...]) -> fields.Spec:
        return fields.Spec(key, label, "text", synonyms, parse=parse_date)

    def choice(key: str, label: Promise, synonyms: tuple[str, ...], of: type[Any]) -> fields.Spec:
        return fields.Spec(key, label, "text", synonyms, parse=choice_parser(of, label))

    return [
        choice(
            "office",
            gettext_lazy("office"),
            ("受理局", "专利局", "国家/地区", "国别", "patent office"),
            Office,
        ),
        choice(
            "kind", gettext_lazy("type"), ("专利类型", "类型", "type", "patent type"), PatentType
        ),
        text(
            "application_number",
            gettext_lazy("application number"),
            ("申请号", "专利申请号", "专利号", "application no", "application no.", "app no"),
            40,
        ),
        text(
            "grant_number",
            gettext_lazy("grant or publication number"),
            ("授权公告号", "公告号", "公开号", "授权号", "grant no", "publication number"),
            40,
        ),
        text("title_zh", gettext_lazy("title (Chinese)"), ("中文名称", "专利名称"), 255),
        text("title_en", gettext_lazy("title (English)"), ("英文名称", "english title"), 255),
        day("filing_date", gettext_lazy("filing date"), ("申请日", "申请日期", "filed")),
        day("priority_date", gettext_lazy("priority date"), ("优先权日", "priority")),
        day("grant_date", gettext_lazy("grant date"), ("授权日", "授权公告日", "授权日期")),
        choice(
            "status",
            gettext_lazy("legal status"),
            ("法律状态", "状态", "status", "legal status"),
            LegalStatus,
        ),
        fields.Spec(
            "owners",
            gettext_lazy("owners"),
            "list",
            ("专利权人", "申请人", "权利人", "申请（专利权）人", "owner", "assignee", "applicant"),
        ),
        fields.Spec(
            "fee_payer",
            gettext_lazy("pays the annual fees"),
            "org",
            ("缴费人", "年费缴纳人", "缴费单位", "fee payer", "paid by"),
        ),
        fields.Spec(
            "reduction",
            gettext_lazy("fee reduction"),
            "text",
            ("费减", "费减比例", "减缴比例", "减缴", "reduction"),
            parse=parse_reduction,
        ),
        fields.Spec(
            "achievements",
            gettext_lazy("achievements it backs"),
            "list",
            ("关联成果", "成果", "成果名称", "achievement", "achievements"),
        ),
        fields.Spec("note", gettext_lazy("note"), "longtext", ("备注", "说明", "notes")),
    ]


# -- rows -----------------------------------------------------------------------------------


def _owners(names: list[str], ctx: writers.Context, patent: Patent | None) -> list[Organization]:
    """The organizations the row names, each known by exactly one of its names; a partner
    may name only its own. A co-owner the partner may not name, already recorded, stays."""
    ids: list[int] = []
    for name in names:
        found = ctx.resolver.orgs.find_exact([name])
        if len(found) > 1:
            raise writers.RowRejected(
                _("owner “%(value)s” matches several organizations") % {"value": name}
            )
        if not found:
            near = ctx.resolver.orgs.find_similar([name])
            hint = _(" (did you mean “%(near)s”?)") % {"near": near.label} if near else ""
            raise writers.RowRejected(_("unknown owner “%(value)s”") % {"value": name} + hint)
        if found[0] not in ids:
            ids.append(found[0])
    current = set(patent.owners.values_list("pk", flat=True)) if patent is not None else set()
    if ctx.actor is not None and not ctx.staff:
        mine = set(rules.owners_choosable_by(ctx.actor).values_list("pk", flat=True))
        for name, org_id in zip(names, ids, strict=False):
            if org_id not in mine and org_id not in current:
                raise writers.RowRejected(
                    _("you may only name your own organizations as owners: “%(value)s”")
                    % {"value": name}
                )
        ids += [pk for pk in current - mine if pk not in ids]
    return list(Organization.objects.filter(pk__in=ids).order_by("pk"))


def _fee_payer(org_id: int, ctx: writers.Context, patent: Patent | None) -> Organization:
    if patent is not None and patent.fee_payer_id == org_id:
        return Organization.objects.get(pk=org_id)
    mine = rules.owners_choosable_by(ctx.actor) if ctx.actor is not None else None
    if mine is not None and not ctx.staff and not mine.filter(pk=org_id).exists():
        raise writers.RowRejected(_("you may only name your own organization as fee payer"))
    return Organization.objects.get(pk=org_id)


def _achievements(
    titles: list[str], ctx: writers.Context, owners: list[Organization]
) -> list[Achievement]:
    """The achievements the row names by title, among those the importer may see; the
    owners' own first, when two organizations have one of the same title."""
    seen = Achievement.objects.all() if ctx.actor is None else achievements_visible_to(ctx.actor)
    out: list[Achievement] = []
    for title in titles:
        hits = list(seen.filter(Q(title_zh=title) | Q(title_en__iexact=title)).order_by("pk"))
        own = [a for a in hits if a.owner_id in {o.pk for o in owners}]
        hits = own or hits
        if not hits:
            raise writers.RowRejected(_("unknown achievement “%(value)s”") % {"value": title})
        if len(hits) > 1:
            raise writers.RowRejected(
                _("“%(value)s” names several achievements") % {"value": title}
            )
        out.append(hits[0])
    return out


def _kind(values: dict[str, Any], office: str, number: str) -> str:
    if values.get("kind"):
        return str(values["kind"])
    found = numbers.type_of(number) if office == Office.CNIPA else None
    if found is None:
        raise writers.RowRejected(_("give the type: invention, utility model or design"))
    return str(found)


def _reason(exc: ValidationError) -> str:
    labels = {spec.key: str(spec.label) for spec in specs()}
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{labels.get(k, k)}: {' '.join(str(m) for m in v)}"
            for k, v in exc.message_dict.items()
        )
    return "; ".join(str(m) for m in exc.messages)


def _unchanged(patent: Patent, values: dict[str, Any], links: dict[str, list[Any]]) -> bool:
    if any(getattr(patent, k) != v for k, v in values.items()):
        return False
    return all(
        {m.pk for m in linked} == set(getattr(patent, k).values_list("pk", flat=True))
        for k, linked in links.items()
    )


def write_patent(values: dict[str, Any], line: int, ctx: writers.Context, summary: Summary) -> str:
    """One row: one patent, created or (the same number at the same office) updated through
    `domain.save_patent`. With a journal, the writes (the patent, its links and its audit
    entry) are recorded so that a failed import undoes them."""
    office = values.get("office") or Office.CNIPA
    raw = str(values["application_number"])
    kind = _kind(values, office, raw)
    if problems := domain.number_errors(office, kind, raw):
        raise writers.RowRejected(
            f"{_('application number')} “{raw}”: {' '.join(str(p) for p in problems)}"
        )
    number = numbers.normalize(raw)
    identity = (KIND, office, number)
    # Only a row written claims its number: a refused row's number may come again, right.
    if identity in ctx.seen and writers.in_file_duplicate(identity, line, number, ctx, summary):
        return "duplicate"
    patent = Patent.objects.filter(office=office, application_number=number).first()
    if patent is not None and ctx.actor is not None:
        if not ctx.actor.has_perm("patents.change_patent", patent):
            raise writers.RowRejected(
                _("%(number)s is recorded already, and not as one you may change")
                % {"number": number}
            )
    elif ctx.actor is not None and not ctx.actor.has_perm("patents.add_patent"):
        raise writers.RowRejected(_("you may not record patents"))
    owners = _owners(list(values["owners"]), ctx, patent)
    scalars = {k: values[k] for k in domain.FIELDS if k in values and k != "fee_payer"}
    scalars.update(office=office, kind=kind, application_number=number)
    if "fee_payer" in values:
        scalars["fee_payer"] = _fee_payer(values["fee_payer"], ctx, patent)
    links: dict[str, list[Any]] = {"owners": list(owners)}
    if "achievements" in values:
        chosen = _achievements(list(values["achievements"]), ctx, owners)
        kept: list[Achievement] = []
        if patent is not None and ctx.actor is not None:  # those hidden from the importer
            kept = list(patent.achievements.exclude(pk__in=achievements_visible_to(ctx.actor)))
        links["achievements"] = chosen + [a for a in kept if a not in chosen]
    if patent is not None:
        for name in LINKS:
            links.setdefault(name, list(getattr(patent, name).all()))
        if _unchanged(patent, scalars, links):
            ctx.seen[identity] = line
            return "unchanged"
    journal = ctx.journal
    old = None
    if patent is not None and journal is not None:
        old = journal.old_values(patent, list(domain.FIELDS), {name: [] for name in LINKS})
    try:
        saved = domain.save_patent(
            actor=_actor(ctx),
            patent=patent,
            values=scalars,
            owners=links["owners"],
            inventors=links.get("inventors", ()),
            achievements=links.get("achievements", ()),
            agreements=links.get("agreements", ()),
        )
    except ValidationError as exc:
        raise writers.RowRejected(_reason(exc)) from exc
    ctx.seen[identity] = line
    if journal is not None:
        journal.wrote(saved, old)
    return "created" if patent is None else "updated"


def _actor(ctx: writers.Context) -> User:
    # save_patent's actor is only recorded (created_by, the audit entry), where a system
    # import (the CLI without --user) has none; both accept None.
    return ctx.actor  # type: ignore[return-value]


# -- registration ---------------------------------------------------------------------------


def may_import(user: AnyUser) -> bool:
    """Whom the importer lets import (staff, partners with an organization) and who may
    record patents; each row is checked again (its owners, an existing patent's rights)."""
    return bool(user.has_perm("ingest.import_table") and user.has_perm("patents.add_patent"))


def register() -> None:
    fields.register_kind(
        KIND,
        label=gettext_lazy("Patents"),
        specs=specs(),
        required=[("application_number",), ("filing_date",), ("owners",)],
        bilingual={
            ("title_zh", "title_en"): ("名称", "标题", "发明名称", "title", "patent title", "name")
        },
    )
    writers.register(KIND, write_patent, RECORD_KIND, gettext_lazy("Patents"))
    ingest_rules.register_kind(KIND, may_import)
