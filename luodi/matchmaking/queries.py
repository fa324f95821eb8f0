"""Match lists: the read shared by the pages, the API, the Excel report and the bench.

Candidates are what the catalog's `*_visible_to(user)` querysets allow. While there are at
most SCORE_ALL of them, every one is scored and their ids restrict the index BEFORE ranking.
Beyond that (an organization's deal flow among 100k achievements), the index returns the best
TOP_K among the documents the user may see (who may see a document is stored with it and
filtered before ranking: catalog.rules' audience tokens), and only those are re-read through
the same querysets and scored. Either way a record the user may not see (a confidential
achievement without a live grant) never appears, never displaces another and never shows in
an explanation: the querysets stay the authority.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.assessments.results import AssessedFilter, assessed_ids
from luodi.assessments.rules import results_visible_to
from luodi.catalog import disclosure
from luodi.catalog import rules as catalog_rules
from luodi.catalog.choices import OrganizationKind, ReviewStatus, Stage
from luodi.catalog.models import Achievement, Organization, Trial
from luodi.matching.outcomes import Recall
from luodi.matchmaking import adapters, feedback, scoring, site_model
from luodi.matchmaking.adapters import ItemProfile, OrgProfile, Terms
from luodi.matchmaking.engine import MatchEngine, TextResult, get_engine
from luodi.matchmaking.models import MatchRecord, MatchStatus, SourceKind, TargetKind
from luodi.matchmaking.rules import comparable_parks
from luodi.matchmaking.scoring import Reason, Scored
from luodi.sites import Trial as SiteTrial
from luodi.sites import query as sites_query

TABS: dict[str, tuple[str, ...]] = {
    "achievement": (TargetKind.COMPANY, TargetKind.INVESTOR, TargetKind.PARK, TargetKind.CENTER),
    "park": (TargetKind.ACHIEVEMENT, TargetKind.COMPANY),
    "company": (TargetKind.ACHIEVEMENT,),
    "investor": (TargetKind.ACHIEVEMENT,),
    "need": (TargetKind.ACHIEVEMENT, TargetKind.COMPANY, TargetKind.TEAM),
    "trial": (TargetKind.CENTER,),
}
ORG_KINDS: dict[str, tuple[str, ...]] = {
    TargetKind.COMPANY: adapters.COMPANY_KINDS,
    TargetKind.INVESTOR: (OrganizationKind.INVESTOR,),
    TargetKind.PARK: (OrganizationKind.PARK,),
    TargetKind.CENTER: (OrganizationKind.HOSPITAL,),
    TargetKind.TEAM: adapters.TEAM_KINDS,
}
PHASE_STAGE = {
    "PHASE1": Stage.PHASE1,
    "PHASE2": Stage.PHASE2,
    "PHASE3": Stage.PHASE3,
    "EARLY_PHASE1": Stage.PHASE1,
    "PHASE4": Stage.MARKETED,
}


@dataclass
class Source:
    kind: str  # SourceKind
    obj: Any
    tabs: tuple[str, ...]
    item: ItemProfile | None = None  # achievement, need, trial
    org: OrgProfile | None = None  # organization sources

    @property
    def flavour(self) -> str:
        """Key of TABS: the source kind, or the organization's kind for organizations."""
        if self.kind == SourceKind.ORGANIZATION:
            return (
                "park"
                if self.obj.kind == OrganizationKind.PARK
                else ("investor" if self.obj.kind == OrganizationKind.INVESTOR else "company")
            )
        return self.kind


@dataclass
class MatchList:
    source: Source
    tab: str
    items: list[Scored]
    method: str
    note: str = ""
    total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What several tabs of one computation share: terms, labels, candidate organizations
    and their profiles (loaded once per user and kind)."""

    user: AnyUser
    engine: MatchEngine
    terms: Terms
    today: date
    labels: dict[str, str] = field(default_factory=dict)
    _orgs: dict[str, QuerySet[Organization] | list[Organization]] = field(default_factory=dict)
    _profiles: dict[int, OrgProfile] = field(default_factory=dict)

    @classmethod
    def make(
        cls, user: AnyUser, engine: MatchEngine | None = None, today: date | None = None
    ) -> Context:
        terms = Terms.cached()
        return cls(
            user, engine or get_engine(), terms, today or timezone.localdate(), label_map(terms)
        )

    def orgs(self, tab: str) -> QuerySet[Organization] | list[Organization]:
        """The tab's candidate organizations: a list (loaded once and shared by the tabs of
        one computation) up to SCORE_ALL of them, else the queryset `_candidates` narrows."""
        if tab not in self._orgs:
            qs = candidate_orgs(self.user, tab)
            self._orgs[tab] = list(qs) if qs.count() <= SCORE_ALL else qs
        return self._orgs[tab]

    def profile(self, org: Organization) -> OrgProfile:
        if org.pk not in self._profiles:
            self._profiles[org.pk] = adapters.org_profile(org, self.terms)
        return self._profiles[org.pk]


def label_map(terms: Terms) -> dict[str, str]:
    en = (get_language() or "zh-hans").startswith("en")
    return {
        terms.code[t]: ((lab[1] or lab[0]) if en else (lab[0] or lab[1]))
        for t, lab in terms.labels.items()
    }


# -- sources --------------------------------------------------------------------------------


def trial_item(trial: Trial) -> ItemProfile:
    phase = trial.phase.split("|")[0].strip().upper().replace(" ", "")
    stage = str(PHASE_STAGE.get(phase, ""))
    text = " ".join([trial.title, trial.summary[:300], trial.conditions, trial.interventions])
    return ItemProfile(
        pk=trial.pk,
        kind="trial",
        title=trial.title,
        summary=trial.summary[:300],
        stage=stage,
        maturity=0.5,
        query=text[:700],
    )


def load_source(user: AnyUser, kind: str, pk: int, terms: Terms | None = None) -> Source:
    """The source through the user's visible queryset (DoesNotExist when not visible)."""
    terms = terms or Terms.cached()
    if kind == SourceKind.ACHIEVEMENT:
        a = adapters.achievements_for_matching(catalog_rules.achievements_visible_to(user)).get(
            pk=pk
        )
        item = adapters.achievement_profile_for(user, a, terms)
        return Source(kind, a, TABS["achievement"], item=item)
    if kind == SourceKind.NEED:
        n = adapters.needs_for_matching(catalog_rules.needs_visible_to(user)).get(pk=pk)
        return Source(kind, n, TABS["need"], item=adapters.need_profile(n, terms))
    if kind == SourceKind.TRIAL:
        t = catalog_rules.trials_visible_to(user).get(pk=pk)
        return Source(kind, t, TABS["trial"], item=trial_item(t))
    if kind == SourceKind.ORGANIZATION:
        o = adapters.organizations_for_matching(catalog_rules.organizations_visible_to(user)).get(
            pk=pk
        )
        src = Source(kind, o, (), org=adapters.org_profile(o, terms))
        src.tabs = TABS.get(src.flavour, ())
        return src
    raise ValueError(kind)


# -- candidates -----------------------------------------------------------------------------


SCORE_ALL = 1000  # up to this many candidates, every one is scored
TOP_K = 300  # beyond it, the index's best TOP_K are


def index_filters(user: AnyUser, **extra: Any) -> dict[str, Any]:
    """What a candidate query asks the index for: live, published records the user may see
    (the same rules as the candidate querysets, as audience tokens)."""
    out: dict[str, Any] = {"archived": False, "published": True, **extra}
    audience = catalog_rules.user_audience(user)
    if audience is not None:
        out["audience"] = audience
    return out


def _candidates(
    ctx: Context,
    kind: str,
    rows: QuerySet[Any] | list[Any],
    query: str,
    query_vector: Any,
    filters: dict[str, Any],
) -> tuple[list[Any], TextResult, int]:
    """(rows to score, their text relevance, how many candidates there were)."""
    total = len(rows) if isinstance(rows, list) else rows.count()
    if total <= SCORE_ALL:
        rows = list(rows)
        text = ctx.engine.text_scores(kind, query, [r.pk for r in rows], query_vector)
        return rows, text, total
    text = ctx.engine.top(kind, query, TOP_K, query_vector, filters)
    wanted = set(text.matches)
    if isinstance(rows, list):
        return [r for r in rows if r.pk in wanted], text, total
    return list(rows.filter(pk__in=wanted)), text, total


def candidate_orgs(user: AnyUser, target: str) -> QuerySet[Organization]:
    qs = catalog_rules.organizations_visible_to(user).filter(
        kind__in=ORG_KINDS[target], archived_at__isnull=True, status=ReviewStatus.PUBLISHED
    )
    if target == TargetKind.PARK:
        qs = comparable_parks(user, qs)
    return adapters.organizations_for_matching(qs)


def candidate_achievements(user: AnyUser) -> QuerySet[Achievement]:
    return adapters.achievements_for_matching(
        catalog_rules.achievements_visible_to(user).filter(
            archived_at__isnull=True, status=ReviewStatus.PUBLISHED
        )
    )


def _scored(
    kind: str, obj: Any, title: str, text: TextResult, records: dict[int, MatchRecord]
) -> tuple[Scored, MatchRecord | None]:
    """A candidate before its reasons: its text relevance and where its match record stands."""
    tm = text.matches.get(obj.pk)
    rec = records.get(obj.pk)
    s = Scored(
        kind,
        obj.pk,
        title,
        relevance=tm.relevance if tm else 0.0,
        similarity=tm.similarity if tm else None,
        status=rec.status if rec else "",
        record_id=rec.pk if rec else None,
        demo=obj.is_demo,
    )
    return s, rec


def _records(source: Source, tab: str) -> dict[int, MatchRecord]:
    rows = MatchRecord.objects.filter(
        source_kind=source.kind, source_id=source.obj.pk, target_kind=tab
    )
    return {r.target_id: r for r in rows}


def _record_reasons(rec: MatchRecord | None) -> list[Reason]:
    if rec is None or rec.status == MatchStatus.SUGGESTED:
        return []
    if rec.status == MatchStatus.DECLINED:
        return [
            Reason("declined", str(rec.get_decline_reason_display() or rec.status), False, -1.0)
        ]
    return [Reason("status", str(rec.get_status_display()), True, 0.0)]


def pair_reasons(
    item: ItemProfile,
    org: OrgProfile,
    labels: dict[str, str],
    today: date,
    learned: feedback.Learned | None,
    history: float | None = None,
) -> list[Reason]:
    """The constraints and features of one (item, organization) pair, by organization kind."""
    if item.kind == "need":
        out = scoring.need_fit(item, org)
    elif org.kind == OrganizationKind.INVESTOR:
        out = scoring.investor_fit(item, org, labels)
    elif org.kind == OrganizationKind.PARK:
        full = learned.full_carriers if learned else set()
        out = scoring.park_fit(item, org, labels, today, full)
    elif org.kind == OrganizationKind.HOSPITAL:
        out = scoring.center_fit(item, org, history)
    else:
        out = scoring.company_fit(item, org, labels)
    return out + feedback.adjustments(item, learned, org.kind == OrganizationKind.PARK)


def _vector_of(engine: MatchEngine) -> Callable[[int], Any]:
    """An achievement's stored passage vector (None until it is indexed with vectors)."""
    return lambda pk: engine.stored_vector("achievement", pk)


def _sort(items: list[Scored], k: int) -> list[Scored]:
    _rank_similarity(items)
    items.sort(key=lambda s: (s.blocked, s.status == MatchStatus.DECLINED, -s.score, s.pk))
    return items[:k]


def _rank_similarity(items: list[Scored]) -> None:
    """Where each candidate stands in meaning among all scored: encoder cosines crowd into a
    narrow band (every park showed 0.85-0.88 in the field test), so the raw value told
    users nothing; "2nd closest of 14" does."""
    with_sim = sorted(
        (s for s in items if s.similarity is not None), key=lambda s: -(s.similarity or 0)
    )
    for rank, s in enumerate(with_sim, start=1):
        s.similarity_rank, s.similarity_of = rank, len(with_sim)


# Words that match but explain nothing ("incl", "relates" were shown as reasons in the field
# test): abbreviations and linking verbs of summaries, never a subject.
VAGUE_TERMS = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "incl including include includes included relate relates related relating based using "
        "use used uses via etc also new novel well high low one two first may can per within "
        "without such other others type types method methods system systems"
    ).split()
)


def display_terms(fields: dict[str, list[str]], per_field: int = 6) -> dict[str, list[str]]:
    """Matched terms worth showing: no single CJK characters, no vague words, no repeats."""
    out: dict[str, list[str]] = {}
    for name, terms in fields.items():
        keep: list[str] = []
        for t in terms:
            if not t or t.lower() in VAGUE_TERMS or t in keep:
                continue
            if len(t) < 2 or (t.isascii() and len(t) < 3):
                continue
            keep.append(t)
        if keep:
            out[name] = keep[:per_field]
    return out


def _explain(engine: MatchEngine, index_kind: str, query: str, items: list[Scored]) -> None:
    terms = engine.matched_terms(index_kind, query, [s.pk for s in items])
    for s in items:
        s.matched = display_terms(terms.get(s.pk, {}))


def _orgs_for_item(ctx: Context, source: Source, tab: str, k: int) -> MatchList:
    item, engine = source.item, ctx.engine
    assert item is not None
    orgs: QuerySet[Organization] | list[Organization] = ctx.orgs(tab)
    if item.owner_id:
        orgs = (
            [o for o in orgs if o.pk != item.owner_id]
            if isinstance(orgs, list)
            else orgs.exclude(pk=item.owner_id)
        )
    index_kind = {"achievement": "achievement", "need": "need"}.get(item.kind)
    qvec = engine.stored_vector(index_kind, item.pk) if index_kind else None
    filters = index_filters(ctx.user, org_kind=list(ORG_KINDS[tab]))
    orgs, text, total = _candidates(ctx, "organization", orgs, item.query, qvec, filters)
    learned = feedback.learned_for([o.pk for o in orgs])
    records = _records(source, tab)
    history = site_history(source) if tab == TargetKind.CENTER else {}
    recalled: dict[str, Recall] = {}
    titles: dict[int, str] = {}
    assessed = (
        results_visible_to(ctx.user, [source.obj]).get(item.pk)
        if item.kind == "achievement"
        else None
    )
    if item.kind == "achievement" and qvec is not None:
        memory = feedback.outcomes_for([o.pk for o in orgs], _vector_of(engine))
        if memory is not None:
            recalled = memory.recall(qvec, {str(o.pk) for o in orgs}, exclude_item=str(item.pk))
            titles = feedback.visible_titles(ctx.user, [int(r.item) for r in recalled.values()])
    out = []
    for o in orgs:
        prof = ctx.profile(o)
        s, rec = _scored(tab, o, o.display_name, text, records)
        s.reasons = (
            pair_reasons(item, prof, ctx.labels, ctx.today, learned.get(o.pk), history.get(o.pk))
            + feedback.outcome_reason(recalled.get(str(o.pk)), titles)
            + scoring.assessment_kind_reasons(assessed, o.kind)
            + _record_reasons(rec)
        )
        out.append(s.finish())
    items = _sort(out, k)
    _explain(engine, "organization", item.query, items)
    if tab == TargetKind.CENTER:
        lead = next(
            (
                s
                for s in items
                if not s.blocked
                and s.status != MatchStatus.DECLINED
                and not any(r.code == "phase1" and r.ok is False for r in s.reasons)
            ),
            None,
        )
        for s in items:
            s.role = "lead" if s is lead else "participating"
    note = text.note
    if tab == TargetKind.CENTER:  # without a fitted site ranker, say so beside the text note
        note = " · ".join(n for n in (note, site_model.history_note()) if n)
    return MatchList(source, tab, items, text.method, note, total)


def _achievements_for(
    ctx: Context, source: Source, k: int, only: AssessedFilter | None = None
) -> MatchList:
    """Achievements for an organization (park: to attract; company/investor: deal flow) or
    for a clinical need (who could solve it). `only`: the assessed ones (see AssessedFilter)."""
    engine, terms = ctx.engine, ctx.terms
    rows = candidate_achievements(ctx.user)
    if only is not None:
        rows = rows.filter(pk__in=assessed_ids(only.min_readiness))
    filters = index_filters(ctx.user)
    if source.kind == SourceKind.NEED:
        query, qvec = (
            source.item.query if source.item else "",
            engine.stored_vector("need", source.obj.pk),
        )
    else:
        assert source.org is not None
        query, qvec = source.org.query, engine.stored_vector("organization", source.obj.pk)
        rows = rows.exclude(owner_id=source.obj.pk)
    found, text, total = _candidates(ctx, "achievement", rows, query, qvec, filters)
    if source.kind != SourceKind.NEED:
        found = [a for a in found if a.owner_id != source.obj.pk]
    found = adapters.with_term_ids(found)
    records = _records(source, TargetKind.ACHIEVEMENT)
    learned = (
        feedback.learned_for([source.obj.pk]).get(source.obj.pk) if source.org is not None else None
    )
    side = str(source.obj.pk)
    memory = (
        feedback.outcomes_for([source.obj.pk], _vector_of(engine))
        if source.org is not None
        else None
    )
    recalled: dict[int, Recall] = {}
    if memory is not None:
        for a in found:
            vec = engine.stored_vector("achievement", a.pk)
            hit = None if vec is None else memory.recall(vec, {side}, str(a.pk)).get(side)
            if hit is not None:
                recalled[a.pk] = hit
    titles = feedback.visible_titles(ctx.user, [int(r.item) for r in recalled.values()])
    # Results the user may see only (dossier policy): a hidden one explains, moves, keeps nothing.
    # The policy is asked once per candidate; the profile and the result both read its answer.
    withheld = {a.pk: disclosure.withheld_fields(ctx.user, a) for a in found}
    shown = {pk: disclosure.DOSSIER.names.isdisjoint(w) for pk, w in withheld.items()}
    assessed = results_visible_to(ctx.user, found, shown)
    found = [a for a in found if only is None or a.pk in assessed]
    out = []
    for a in found:
        item = adapters.achievement_profile(a, terms, dossier=True, withheld=withheld[a.pk])
        s, rec = _scored(TargetKind.ACHIEVEMENT, a, a.title, text, records)
        if source.org is not None:
            s.reasons = pair_reasons(item, source.org, ctx.labels, ctx.today, learned)
            s.reasons += feedback.outcome_reason(recalled.get(a.pk), titles)
        else:
            assert source.item is not None
            wanted = scoring.needed_specialties(item) & source.item.specialties
            if wanted:
                s.reasons = [Reason("specialty", _("Addresses the need's specialty"), True, 0.15)]
        kind = source.obj.kind if source.org is not None else ""
        s.reasons += scoring.assessment_reasons(assessed.get(a.pk), kind)
        s.reasons += _record_reasons(rec)
        out.append(s.finish())
    items = _sort(out, k)
    _explain(engine, "achievement", query, items)
    return MatchList(source, TargetKind.ACHIEVEMENT, items, text.method, text.note, total)


def _companies_for_park(ctx: Context, source: Source, k: int) -> MatchList:
    assert source.org is not None
    engine = ctx.engine
    qvec = engine.stored_vector("organization", source.obj.pk)
    filters = index_filters(ctx.user, org_kind=list(ORG_KINDS[TargetKind.COMPANY]))
    orgs, text, total = _candidates(
        ctx, "organization", ctx.orgs(TargetKind.COMPANY), source.org.query, qvec, filters
    )
    records = _records(source, TargetKind.COMPANY)
    out = []
    for o in orgs:
        s, rec = _scored(TargetKind.COMPANY, o, o.display_name, text, records)
        s.reasons = scoring.attract_company_fit(
            source.org, ctx.profile(o), ctx.labels
        ) + _record_reasons(rec)
        out.append(s.finish())
    items = _sort(out, k)
    _explain(engine, "organization", source.org.query, items)
    return MatchList(source, TargetKind.COMPANY, items, text.method, text.note, total)


def matches(
    user: AnyUser,
    source: Source,
    tab: str,
    k: int = 20,
    ctx: Context | None = None,
    assessed: AssessedFilter | None = None,
) -> MatchList:
    """The ranked, explained candidates of one tab for `source`, as `user` may see them."""
    if tab not in source.tabs:
        raise ValueError(f"unknown tab {tab!r}")
    ctx = ctx or Context.make(user)
    if tab == TargetKind.ACHIEVEMENT:
        return _achievements_for(ctx, source, k, assessed)
    if source.kind == SourceKind.ORGANIZATION:
        return _companies_for_park(ctx, source, k)
    return _orgs_for_item(ctx, source, tab, k)


# -- trial history: the site ranker of luodi.sites, fitted by a job (site_model.py), asked
# through the same call `luodi eval sites` measures -----------------------------------------


def site_query(source: Source) -> SiteTrial | None:
    """What the product knows about the study to place, as `luodi eval sites` ranks it: a
    catalog trial with its sponsor, conditions, interventions and phase; a trial planned for
    an achievement with its owner as sponsor, its therapeutic areas as conditions, itself as
    the intervention, its stage as phase, and the owner's country. Never a location."""
    if source.kind == SourceKind.TRIAL:
        t = source.obj
        # As luodi.matchmaking.site_model spells the history's sponsors (not display_name,
        # which depends on the request's language).
        sponsor = (t.sponsor.name_en or t.sponsor.name_zh) if t.sponsor_id else ""
        return sites_query.study(
            f"trial-{t.pk}",
            title=t.title,
            summary=t.summary,
            conditions=t.conditions,
            interventions=t.interventions,
            phases=t.phase,
            sponsor=sponsor,
        )
    if source.kind != SourceKind.ACHIEVEMENT or source.item is None:
        return None
    a, item = source.obj, source.item
    owner = a.owner
    areas = [t.label_en or t.label_zh for t in a.therapeutic_areas.all()]
    phase = sites_query.PHASES.get(item.stage, "")
    return sites_query.study(
        f"achievement-{a.pk}",
        title=item.title,
        summary=item.summary,
        conditions=areas,
        interventions=[item.title],
        phases=[phase] if phase else [],
        sponsor=(owner.name_en or owner.name_zh) if owner is not None else "",
        # Organizations here are addressed by Chinese province and city: a study an
        # owner plans runs in China unless it says otherwise.
        countries=["China"] if owner is not None and owner.province else [],
    )


def site_history(source: Source) -> dict[int, float]:
    """Per clinical center, the site ranker's score for this study scaled to 0..1; empty
    until a job has fitted the ranker (the tab then says so). The study's own locations are
    never used."""
    fitted = site_model.current()
    query = site_query(source)
    if fitted is None or query is None:
        return {}
    ranker, orgs_of = fitted.ranker, fitted.orgs_of
    ranked: Sequence[tuple[str, float, dict[str, float]]] = ranker.rank(query, k=None)
    top = max((r[1] for r in ranked), default=0.0)
    out: dict[int, float] = {}
    if top <= 0:
        return out
    for key, sc, _parts in ranked:
        for entry in ranker.entries(key):
            for org in orgs_of.get(entry, ()):
                out[org] = max(out.get(org, 0.0), sc / top)
    return out
