"""The demo's grants: West China's granted case (valuation, decision, finished notice, its
four evidence documents, the checklist complete) and a draft use right whose notice cannot
start yet; seen by the demo hospital user; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from luodi import demo
from luodi.accounts.models import User
from luodi.grants import domain, rules
from luodi.grants.checklist import checklist
from luodi.grants.models import Grant, GrantDocument

pytestmark = pytest.mark.django_db


def test_demo_grants() -> None:
    demo.load(io.StringIO())
    count, docs = Grant.objects.count(), GrantDocument.objects.count()
    demo.load(io.StringIO())  # idempotent
    assert (Grant.objects.count(), GrantDocument.objects.count()) == (count, docs) == (2, 4)
    assert not Grant.objects.filter(is_demo=False).exists()
    granted = Grant.objects.get(status="granted")
    assert granted.institution.name_zh == "四川大学华西医院"
    assert granted.achievement.is_demo and granted.achievement.owner == granted.institution
    assert granted.notice_ends_on < granted.granted_on  # type: ignore[operator]
    assert granted.valuation_fen and granted.decided_on and granted.notice_outcome
    team = sum(m.share_bp for m in granted.members.all())
    assert team == granted.team_share_bp == 7000
    documents = list(granted.documents.all())
    assert all(item.present for item in checklist(granted, documents, team))
    valuation = granted.documents.get(doc_type="valuation")
    text = PdfReader(valuation.file.open("rb")).pages[0].extract_text()
    assert "演示数据" in text
    draft = Grant.objects.get(status="draft")
    assert (draft.kind, draft.term_years) == ("use_right", 10)
    assert set(domain.missing_for_notice(draft)) == {
        "valuation_fen",
        "decided_on",
        "notice_starts_on",
    }
    hospital = User.objects.get(username="hospital")
    assert set(rules.grants_visible_to(hospital)) == {granted, draft}
