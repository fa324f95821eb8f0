"""The demo ships a matchmaking history chosen by rule from its catalog: uptakes in a park's
or investor's fields and declines with every recorded reason, so that learning and the
dashboard have something true to show on a fresh `make run`."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import translation

from luodi import cli
from luodi.catalog.choices import Disclosure
from luodi.matchmaking import feedback
from luodi.matchmaking.models import DeclineReason, MatchRecord, MatchStatus

pytestmark = pytest.mark.django_db


def test_demo_history_teaches_each_decline_reason_and_loads_once() -> None:
    cli.main(["demo"])
    records = list(MatchRecord.objects.select_related("achievement"))

    statuses = Counter(r.status for r in records)
    reasons = Counter(r.decline_reason for r in records if r.status == MatchStatus.DECLINED)
    assert statuses[MatchStatus.IN_DISCUSSION] >= 1 and statuses[MatchStatus.INTRODUCED] >= 1
    assert set(reasons) == set(DeclineReason.values) - {DeclineReason.OTHER}
    # Only public achievements appear: the history never names a confidential one.
    assert all(r.achievement.disclosure == Disclosure.PUBLIC for r in records)
    # An uptake shares a field with the park that took it up.
    for r in records:
        if r.status != MatchStatus.DECLINED and r.target_kind == "park":
            assert r.score >= 1

    learned = feedback.learned_for({r.counterparty_id for r in records if r.counterparty_id})
    assert any(x.too_early_upto is not None for x in learned.values())
    assert any(x.wrong_fields for x in learned.values())
    assert any(x.full_carriers for x in learned.values())
    assert any(x.terms_modes for x in learned.values())
    # Deal terms are named by their label, not their code.
    words = [line for x in learned.values() for line in feedback.describe(x)]
    with translation.override("en"):
        words_en = [line for x in learned.values() for line in feedback.describe(x)]
    assert any("转让" in line for line in words) and not any("assignment" in w for w in words)
    assert any("Assignment." in line for line in words_en)

    cli.main(["demo"])
    assert MatchRecord.objects.count() == len(records)
