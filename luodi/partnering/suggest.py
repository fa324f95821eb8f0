"""Counterparts for a participant, ranked by the match engine's pair scoring
(`matchmaking.queries.pair_reasons`: fields, licensing, investment, parks, clinical centers,
learned feedback) plus the overlap of what one seeks with what the other offers.

For a pair (P, Q) every published, listed achievement of P's organization is scored against
Q's organization profile and every one of Q's against P's, and P's clinical needs against
Q; the best pairing is kept with its reasons, each carrying its score delta. Achievements
are read through `catalog.rules.achievements_visible_to(viewer)` and profiled as the viewer
may see them, so an explanation never names or uses what the viewer may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Achievement
from luodi.catalog.rules import achievements_visible_to, needs_visible_to
from luodi.matchmaking import adapters
from luodi.matchmaking.queries import label_map, pair_reasons
from luodi.matchmaking.scoring import Reason, Scored
from luodi.partnering.models import Participant

PER_ORG = 5
TEXT_DELTA = 0.05  # per shared term of seek ↔ offer, at most 0.3


@dataclass
class Suggestion:
    participant: Participant
    score: float
    reasons: list[Reason] = field(default_factory=list)
    via: str = ""  # the record the best pairing is about

    def as_json(self) -> list[dict[str, object]]:
        return [
            {"text": r.text, "ok": r.ok, "delta": round(r.delta, 3)} for r in self.reasons if r.text
        ]


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,}|[\u4e00-\u9fff]{2,}")
_STOP = {"the", "and", "for", "with", "our", "looking"}


def _terms(text: str) -> set[str]:
    """Latin words and Chinese character bigrams (no segmenter needed for an overlap)."""
    out: set[str] = set()
    for w in _WORD.findall(text.lower()):
        if w.isascii():
            if w not in _STOP:
                out.add(w)
        else:
            out |= {w[i : i + 2] for i in range(len(w) - 1)}
    return out


def text_reason(seek: str, offer: str, label: str) -> Reason | None:
    shared = _terms(seek) & _terms(offer)
    if not shared:
        return None
    delta = min(0.3, TEXT_DELTA * len(shared))
    return Reason("text", label % {"terms": "、".join(sorted(shared)[:6])}, True, delta)


def _achievements(viewer: AnyUser, org_ids: set[int]) -> dict[int, list[Achievement]]:
    rows = adapters.achievements_for_matching(
        achievements_visible_to(viewer).filter(owner_id__in=org_ids, archived_at__isnull=True)
    ).order_by("-updated_at", "-id")
    out: dict[int, list[Achievement]] = {}
    for a in rows:
        if len(out.setdefault(a.owner_id, [])) < PER_ORG:
            out[a.owner_id].append(a)
    adapters.with_term_ids(a for kept in out.values() for a in kept)
    return out


def suggestions(viewer: AnyUser, me: Participant, limit: int = 10) -> list[Suggestion]:
    """The other published participants of `me`'s session, best first, explained."""
    others = list(
        Participant.objects.filter(session_id=me.session_id, is_published=True)
        .exclude(pk=me.pk)
        .exclude(organization_id=me.organization_id)
        .select_related("organization", "user")
    )
    if not others:
        return []
    terms = adapters.Terms.cached()
    labels = label_map(terms)
    org_ids = {me.organization_id, *(o.organization_id for o in others)}
    orgs = {
        o.pk: o
        for o in adapters.organizations_for_matching(
            type(me.organization).objects.filter(pk__in=org_ids)
        )
    }
    profiles = {pk: adapters.org_profile(o, terms) for pk, o in orgs.items()}
    items = {
        owner: [adapters.achievement_profile_for(viewer, a, terms) for a in rows]
        for owner, rows in _achievements(viewer, org_ids).items()
    }
    needs = [
        adapters.need_profile(n, terms)
        for n in adapters.needs_for_matching(
            needs_visible_to(viewer).filter(organization_id=me.organization_id)
        )[:PER_ORG]
    ]
    today = timezone.localdate()
    out: list[Suggestion] = []
    for other in others:
        best: Scored | None = None
        via = ""
        pairs = [(i, profiles[other.organization_id]) for i in items.get(me.organization_id, [])]
        pairs += [(i, profiles[other.organization_id]) for i in needs]
        pairs += [(i, profiles[me.organization_id]) for i in items.get(other.organization_id, [])]
        for item, org in pairs:
            s = Scored("participant", other.pk, item.title)
            s.reasons = pair_reasons(item, org, labels, today, None)
            s.finish()
            if not s.blocked and (best is None or s.score > best.score):
                best, via = s, item.title
        reasons = list(best.reasons) if best else []
        for seek, offer, label in (
            (me.seek, other.offer, _("They offer what you seek: %(terms)s")),
            (other.seek, me.offer, _("They seek what you offer: %(terms)s")),
        ):
            if (r := text_reason(seek, offer, label)) is not None:
                reasons.append(r)
        if via:
            reasons.insert(0, Reason("via", _("About: %(title)s") % {"title": via}, None))
        score = round(sum(r.delta for r in reasons), 3)
        out.append(Suggestion(other, score, reasons, via))
    out.sort(key=lambda s: (-s.score, s.participant.pk))
    return out[:limit]
