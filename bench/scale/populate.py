"""Phase 1, setup: the synthetic catalog, written with bulk_create in one transaction (bulk
writes fire no signals, so nothing is indexed here)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.scale.common import BATCH
from bench.scale.corpus import (
    BRAND,
    CITIES,
    DISTRICTS,
    GIVEN,
    NEED_TOPIC,
    ORG_MIX,
    POSITION,
    PREFIX,
    SUFFIX,
    SURNAME,
    Corpus,
    strip_paren,
)


def _status(rng: random.Random, published: float) -> str:
    from luodi.catalog.choices import ReviewStatus

    if rng.random() < published:
        return ReviewStatus.PUBLISHED
    return rng.choice(
        [ReviewStatus.PENDING, ReviewStatus.PENDING, ReviewStatus.DRAFT, ReviewStatus.RETURNED]
    )


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    model.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _links(model: Any, name: str, pairs: list[tuple[int, int]]) -> int:
    """Many-to-many rows written straight into the through table."""
    f = model._meta.get_field(name)
    through = f.remote_field.through
    src, dst = f.m2m_field_name(), f.m2m_reverse_field_name()
    rows = [through(**{f"{src}_id": a, f"{dst}_id": b}) for a, b in pairs]
    through.objects.bulk_create(rows, batch_size=BATCH * 2)
    return len(rows)


@dataclass
class Ctx:
    """What the writers of one catalog share: the random source (the order of its calls
    makes the catalog, so keep the writers' order), the taxonomy, the text sources, and the
    organizations once written."""

    rng: random.Random
    now: datetime
    corpus: Corpus
    areas: list[Any]  # therapeutic areas with a Chinese label
    techs: list[Any]
    specialties: list[Any]
    specs: list[Any]  # the demo achievements' building blocks
    spec_terms: list[tuple[list[int], list[int]]]  # per spec: area ids, technology ids
    diagnoses: list[str]
    sentences: list[str]
    staff: Any
    counts: Counter[str] = field(default_factory=Counter)
    orgs: list[Any] = field(default_factory=list)
    by_kind: dict[str, list[Any]] = field(default_factory=dict)


def populate(n_ach: int, n_org: int, n_sources: int, corpus: Corpus, seed: int) -> dict[str, int]:
    """The whole catalog in one transaction; returns rows written by table."""
    from django.db import transaction

    with transaction.atomic():
        c = _context(corpus, seed)
        _organizations(c, n_org)
        _profiles(c)
        _people(c, n_org)
        _achievements(c, n_ach)
        _needs_and_trials(c, n_ach)
        _partners(c, n_sources)
    return dict(c.counts)


def _context(corpus: Corpus, seed: int) -> Ctx:
    """The taxonomy (seeded), the demo specs with their terms, and the bench's users."""
    from django.utils import timezone

    from bench.scale.demo_gen import blocks
    from bench.scale.demo_gen.achievements import build_specs
    from bench.scale.demo_gen.common import Loader
    from luodi.accounts.models import Role, User
    from luodi.catalog.models import Term
    from luodi.catalog.taxonomy import seed_taxonomy

    seed_taxonomy()
    ld = Loader()
    areas = list(Term.objects.filter(scheme=Term.Scheme.THERAPEUTIC_AREA).exclude(label_zh=""))
    specs = build_specs()
    spec_terms: list[tuple[list[int], list[int]]] = []
    for spec in specs:
        refs = [r for key in spec.indications for r in blocks.INDICATIONS[key][2:4]]
        try:
            a_ids = [t.pk for t in ld.areas(refs)]
        except KeyError:
            a_ids = []
        spec_terms.append((a_ids, [t.pk for t in ld.tech(spec.tech)]))
    staff = User.objects.create_user("bench-staff", role=Role.STAFF)
    User.objects.create_user("bench-viewer", role=Role.VIEWER)
    return Ctx(
        rng=random.Random(seed),
        now=timezone.now(),
        corpus=corpus,
        areas=areas,
        techs=list(Term.objects.filter(scheme=Term.Scheme.TECHNOLOGY)),
        specialties=list(Term.objects.filter(scheme=Term.Scheme.SPECIALTY)),
        specs=specs,
        spec_terms=spec_terms,
        diagnoses=corpus.zh_diagnoses or [strip_paren(t.label_zh) for t in areas],
        sentences=corpus.en_sentences or [s.body_en for s in specs],
        staff=staff,
    )


def _organizations(c: Ctx, n_org: int) -> None:
    """Organizations of every kind (area weights skewed: a few areas are everybody's
    focus), with their focus areas."""
    from luodi.catalog.choices import ReviewStatus
    from luodi.catalog.models import Organization

    rng, areas, techs, now, counts = c.rng, c.areas, c.techs, c.now, c.counts
    diagnoses, sentences = c.diagnoses, c.sentences

    def pick_areas(k: int) -> list[int]:
        return list({areas[int(len(areas) * rng.random() ** 2)].pk for _ in range(k)})

    orgs: list[Organization] = c.orgs
    focus: dict[int, list[int]] = {}  # index in orgs -> area ids
    left = n_org
    for i, (kind, weight) in enumerate(ORG_MIX):
        n = left if i == len(ORG_MIX) - 1 else round(n_org * weight / 100)
        n = min(n, left)
        left -= n
        for _ in range(n):
            city_zh, city_en, province = rng.choice(CITIES)
            (b1, p1), (b2, p2) = rng.sample(BRAND, 2)
            sfx_zh, sfx_en = rng.choice(SUFFIX[kind])
            ids = pick_areas(rng.randint(1, 3))
            labels = [t for t in areas if t.pk in ids]
            tech = rng.choice(techs)
            areas_zh = "、".join(strip_paren(t.label_zh) for t in labels)
            areas_en = ", ".join(t.label_en for t in labels)
            status = _status(rng, 0.92)
            archived = status == ReviewStatus.PUBLISHED and rng.random() < 0.02
            focus[len(orgs)] = ids
            orgs.append(
                Organization(
                    name_zh=f"{city_zh}{b1}{b2}{sfx_zh}",
                    name_en=f"{city_en} {p1}{p2.lower()} {sfx_en}",
                    kind=kind,
                    province=province,
                    city=f"{city_zh}市" if not city_zh.endswith("市") else city_zh,
                    district=rng.choice(DISTRICTS) if city_zh == "成都" else "",
                    description_zh=(
                        f"{city_zh}{b1}{b2}聚焦{areas_zh}领域，"
                        f"重点布局{strip_paren(tech.label_zh)}。{rng.choice(diagnoses)}相关"
                        "产品与服务。"
                    ),
                    description_en=(
                        f"{p1}{p2.lower()} works on {areas_en}, with a focus on "
                        f"{tech.label_en.lower()}. {rng.choice(sentences)}."
                    ),
                    status=status,
                    archived_at=now - timedelta(days=10) if archived else None,
                )
            )
    _bulk(Organization, orgs)
    counts["organizations"] = len(orgs)
    counts["org_area_links"] = _links(
        Organization, "focus_areas", [(o.pk, a) for i, o in enumerate(orgs) for a in focus[i]]
    )
    by_kind = c.by_kind
    for o in orgs:
        by_kind.setdefault(o.kind, []).append(o)


def _profiles(c: Ctx) -> None:
    """Park, company and clinical-center profiles with their terms, and parks' carriers."""
    from bench.scale.demo_gen.achievements import stages_for_kind
    from luodi.catalog.choices import CarrierType, CompanyNeed, ParkService
    from luodi.catalog.models import (
        Carrier,
        ClinicalCenterProfile,
        CompanyProfile,
        ParkProfile,
    )

    rng, techs, specs, specialties = c.rng, c.techs, c.specs, c.specialties
    now, counts, by_kind = c.now, c.counts, c.by_kind
    parks = [ParkProfile(organization=o) for o in by_kind.get("park", [])]
    for p in parks:
        p.policy_text_zh = f"入驻企业享受前三年租金减免{rng.choice([30, 50, 70])}%，研发投入补贴。"
        p.policy_text_en = "Rent relief for three years and R&D subsidies for new tenants."
        p.rent_subsidy_pct = rng.choice([30, 50, 70])
        p.subsidy_years = rng.choice([1, 2, 3])
        p.max_grant_wan = rng.choice([100, 300, 500, 1000])
        p.services = rng.sample([str(s) for s in ParkService], 3)
    _bulk(ParkProfile, parks)
    counts["park_focus_links"] = _links(
        ParkProfile,
        "industry_focus",
        [(p.pk, t.pk) for p in parks for t in rng.sample(techs, rng.randint(3, 6))],
    )
    carriers = []
    for o in by_kind.get("park", []):
        for n in range(rng.randint(3, 6)):
            ctype = rng.choice([str(c) for c in CarrierType])
            total = rng.randint(2, 50) * 100
            carriers.append(
                Carrier(
                    park=o,
                    name=f"{o.name_zh[:8]}{n + 1}号楼",
                    carrier_type=ctype,
                    area_total_m2=total,
                    area_available_m2=rng.randint(0, total),
                    ready_date=(now + timedelta(days=rng.randint(-200, 300))).date(),
                    certifications=["GMP"] if ctype == "gmp" else [],
                    description=f"{CarrierType(ctype).label}, {total} m²",
                )
            )
    _bulk(Carrier, carriers)
    counts["carriers"] = len(carriers)
    companies = [
        CompanyProfile(organization=o)
        for kind in ("company", "cro", "investor")
        for o in by_kind.get(kind, [])
    ]
    all_stages = [s for k in ("drug", "device", "software") for s in stages_for_kind(k)]
    for c in companies:
        spec = rng.choice(specs)
        c.products = f"{spec.title_zh}；{spec.title_en}"
        c.employees = rng.randint(5, 2000)
        c.needs = rng.sample([str(n) for n in CompanyNeed], rng.randint(1, 2))
        if c.organization.kind == "investor":
            low = rng.choice([100, 300, 500, 1000, 3000])
            c.ticket_min_wan, c.ticket_max_wan = low, low * rng.choice([3, 5, 10])
            c.stage_focus = rng.sample(all_stages, 4)
    _bulk(CompanyProfile, companies)
    counts["company_sector_links"] = _links(
        CompanyProfile,
        "sectors",
        [(c.pk, t.pk) for c in companies for t in rng.sample(techs, rng.randint(1, 3))],
    )
    centers = [ClinicalCenterProfile(organization=o) for o in by_kind.get("hospital", [])]
    for cc in centers:
        cc.grade = rng.choice(["三级甲等", "三级乙等", "二级甲等"])
        cc.phase1_unit = rng.random() < 0.3
        cc.beds = rng.randint(200, 4000)
        cc.annual_trials = rng.randint(0, 300)
    _bulk(ClinicalCenterProfile, centers)
    counts["center_specialty_links"] = _links(
        ClinicalCenterProfile,
        "specialties",
        [(c.pk, t.pk) for c in centers for t in rng.sample(specialties, rng.randint(4, 10))],
    )


def _people(c: Ctx, n_org: int) -> None:
    from luodi.catalog.models import Person

    rng, counts = c.rng, c.counts
    people = []
    for _ in range(n_org // 2):
        (s_zh, s_en), (g_zh, g_en) = rng.choice(SURNAME), rng.choice(GIVEN)
        pos_zh, pos_en = rng.choice(POSITION)
        sp = rng.choice(c.specialties)
        people.append(
            Person(
                name_zh=f"{s_zh}{g_zh}",
                name_en=f"{g_en} {s_en}",
                organization=rng.choice(c.orgs),
                title=f"{pos_zh} {pos_en}",
                expertise=f"{sp.label_zh}；{sp.label_en}",
                status=_status(rng, 0.9),
            )
        )
    _bulk(Person, people)
    counts["people"] = len(people)


def _achievements(c: Ctx, n_ach: int) -> None:
    """Achievements with their areas and technologies (owners skewed: a few institutes and
    companies own many)."""
    from bench.scale.demo_gen.achievements import STAGE_TEXT, stages_for_kind
    from luodi.catalog.choices import AchievementNeed, Disclosure, ReviewStatus, TransferMode
    from luodi.catalog.models import Achievement

    rng, areas, techs, specs, now, counts = c.rng, c.areas, c.techs, c.specs, c.now, c.counts
    corpus, diagnoses, sentences, by_kind = c.corpus, c.diagnoses, c.sentences, c.by_kind
    owners = [
        o for kind in ("company", "institute", "hospital", "cro") for o in by_kind.get(kind, [])
    ]
    rng.shuffle(owners)
    modes = [str(m) for m in TransferMode]
    mode_text = {"assignment": ("转让", "assignment"), "license": ("许可", "licensing")}
    mode_text |= {
        "equity": ("作价入股", "equity"),
        "codevelopment": ("合作开发", "co-development"),
    }
    achievements: list[Achievement] = []
    links_area: list[tuple[int, int]] = []
    links_tech: list[tuple[int, int]] = []
    pending_links: list[tuple[list[int], list[int]]] = []
    for i in range(n_ach):
        s = rng.randrange(len(specs))
        spec = specs[s]
        use = areas[int(len(areas) * rng.random() ** 2)]
        use_zh, use_en = strip_paren(use.label_zh), use.label_en.lower()
        r = rng.random()
        if r < 0.45:
            title_zh = f"{spec.title_zh}及其在{use_zh}中的应用"
            title_en = f"{spec.title_en} and its use in {use_en}"
        elif r < 0.8:
            p_zh, p_en = rng.choice(PREFIX)
            title_zh = f"{p_zh}{spec.title_zh}"
            title_en = f"{p_en} {spec.title_en[:1].lower()}{spec.title_en[1:]}"
        else:
            tech = rng.choice(techs)
            title_zh = f"一种用于{rng.choice(diagnoses)}的{strip_paren(tech.label_zh)}及其制备方法"
            title_en = rng.choice(corpus.en_titles) if corpus.en_titles else spec.title_en
        stage = spec.stage if rng.random() < 0.5 else rng.choice(stages_for_kind(spec.kind))
        st_zh, st_en = (x.format(cls="II") for x in STAGE_TEXT[stage])  # type: ignore[index]
        chosen = rng.sample(modes, rng.randint(1, 2))
        m_zh = "、".join(mode_text[m][0] for m in chosen)
        m_en = " or ".join(mode_text[m][1] for m in chosen)
        summary_zh = (
            f"{spec.body_zh}。可用于{rng.choice(diagnoses)}、{use_zh}等。{st_zh}。"
            f"拟以{m_zh}方式寻求转化合作。"
        )
        summary_en = f"{spec.body_en}. {rng.choice(sentences)}. {st_en}. Open to {m_en}."
        lang = rng.random()
        if lang < 0.10:
            title_en = summary_en = ""
        elif lang < 0.22:
            title_zh = summary_zh = ""
        d = rng.random()
        disclosure = (
            Disclosure.PUBLIC
            if d < 0.75
            else (Disclosure.TEASER if d < 0.90 else Disclosure.CONFIDENTIAL)
        )
        status = _status(rng, 0.86)
        archived = status == ReviewStatus.PUBLISHED and rng.random() < 0.03
        achievements.append(
            Achievement(
                title_zh=title_zh[:255],
                title_en=title_en[:255],
                summary_zh=summary_zh,
                summary_en=summary_en,
                dossier_zh="完整数据包与交易结构" if disclosure != Disclosure.PUBLIC else "",
                dossier_en="Full data package" if disclosure != Disclosure.PUBLIC else "",
                kind=spec.kind,
                owner=owners[int(len(owners) * rng.random() ** 2)],
                stage=stage,
                transfer_modes=chosen,
                needs=rng.sample([str(n) for n in AchievementNeed], rng.randint(1, 3)),
                amount_sought_wan=rng.choice([None, None, 300, 1000, 5000]),
                disclosure=disclosure,
                status=status,
                archived_at=now - timedelta(days=5) if archived else None,
            )
        )
        a_ids, t_ids = c.spec_terms[s]
        pending_links.append(([*a_ids, use.pk], t_ids))
        if len(achievements) >= BATCH * 5 or i == n_ach - 1:
            _bulk(Achievement, achievements)
            for a, (a_ids2, t_ids2) in zip(achievements, pending_links, strict=True):
                links_area += [(a.pk, t) for t in set(a_ids2)]
                links_tech += [(a.pk, t) for t in set(t_ids2)]
            counts["achievements"] += len(achievements)
            achievements, pending_links = [], []
    counts["achievement_area_links"] = _links(Achievement, "therapeutic_areas", links_area)
    counts["achievement_tech_links"] = _links(Achievement, "technology_fields", links_tech)


def _needs_and_trials(c: Ctx, n_ach: int) -> None:
    """Clinical needs of hospitals, and trials (ClinicalTrials.gov rows, sponsors mixed in)."""
    from luodi.catalog.models import ClinicalNeed, Trial

    rng, orgs, counts, diagnoses, sentences = c.rng, c.orgs, c.counts, c.diagnoses, c.sentences
    hospitals = c.by_kind.get("hospital", []) or orgs
    needs = []
    for _ in range(max(1, n_ach // 50)):
        sp = rng.choice(c.specialties)
        diag = rng.choice(diagnoses)
        t_zh, t_en = rng.choice(NEED_TOPIC)
        needs.append(
            ClinicalNeed(
                title_zh=f"{diag}的{t_zh}",
                title_en=f"{t_en} for {sp.label_en.lower()} patients",
                problem=f"{sp.label_zh}临床中，{diag}患者的{t_zh}仍依赖人工经验，效率低。",
                desired_solution=f"{t_en}: {rng.choice(sentences)}.",
                specialty=sp,
                organization=rng.choice(hospitals),
                status=_status(rng, 0.9),
            )
        )
    _bulk(ClinicalNeed, needs)
    counts["needs"] = len(needs)
    trial_rows = c.corpus.trials or [
        {"title": s.title_en, "summary": s.body_en, "conditions": "", "interventions": ""}
        for s in c.specs
    ]
    trials = []
    for i in range(max(1, n_ach // 20)):
        row = trial_rows[i % len(trial_rows)]
        trials.append(
            Trial(
                registry_id=f"NCT9{i:07d}",
                title=row["title"],
                summary=row["summary"],
                conditions=row["conditions"],
                interventions=row["interventions"],
                phase=row.get("phase", ""),
                status=row.get("status", ""),
                sponsor=rng.choice(orgs) if rng.random() < 0.3 else None,
            )
        )
    _bulk(Trial, trials)
    counts["trials"] = len(trials)


def _partners(c: Ctx, n_sources: int) -> None:
    """n_sources members of published parks, companies and investors, each with live access
    grants and NDA invitations on confidential achievements."""
    from luodi.accounts.models import Membership, MembershipRole, Role, User
    from luodi.catalog.choices import Disclosure, ReviewStatus
    from luodi.catalog.models import Achievement
    from luodi.disclosure.models import AccessGrant, NdaInvitation

    rng, now, staff, counts, by_kind = c.rng, c.now, c.staff, c.counts, c.by_kind
    confidential = list(
        Achievement.objects.filter(
            disclosure=Disclosure.CONFIDENTIAL,
            status=ReviewStatus.PUBLISHED,
            archived_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    grants, invitations, memberships = [], [], []
    for flavour in ("park", "company", "investor"):
        eligible = [
            o
            for o in by_kind.get(flavour, [])
            if o.status == ReviewStatus.PUBLISHED and o.archived_at is None
        ]
        for n, org in enumerate(rng.sample(eligible, min(n_sources, len(eligible)))):
            user = User.objects.create_user(f"bench-{flavour}-{n:02d}", role=Role.PARTNER)
            memberships.append(Membership(user=user, organization=org, role=MembershipRole.MEMBER))
            picked = rng.sample(confidential, min(30, len(confidential)))
            for aid in picked[:20]:
                grants.append(
                    AccessGrant(
                        achievement_id=aid,
                        organization=org,
                        nda_version="v1",
                        nda_accepted_at=now,
                        approved_by=staff,
                        approved_at=now,
                        expires_at=now + timedelta(days=60),
                    )
                )
            invitations += [
                NdaInvitation(
                    achievement_id=aid,
                    organization=org,
                    invited_by=staff,
                    expires_at=now + timedelta(days=30),
                )
                for aid in picked[20:]
            ]
    _bulk(Membership, memberships)
    _bulk(AccessGrant, grants)
    _bulk(NdaInvitation, invitations)
    counts["partners"] = len(memberships)
    counts["access_grants"] = len(grants)
    counts["nda_invitations"] = len(invitations)


def catalog_summary() -> dict[str, Any]:
    from django.db.models import Count

    from luodi.catalog.models import Achievement, Organization

    return {
        "achievements_by_status": dict(
            Achievement.objects.values_list("status").annotate(n=Count("id")).order_by()
        ),
        "achievements_by_disclosure": dict(
            Achievement.objects.values_list("disclosure").annotate(n=Count("id")).order_by()
        ),
        "achievements_archived": Achievement.objects.filter(archived_at__isnull=False).count(),
        "organizations_by_kind": dict(
            Organization.objects.values_list("kind").annotate(n=Count("id")).order_by()
        ),
    }
