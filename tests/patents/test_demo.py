"""The demo's patents: every state of the fee schedule has an example on a fresh run, the
demo hospital user sees its own, and a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.accounts.models import User
from luodi.patents.choices import FeeState
from luodi.patents.models import FeePayment, Patent
from luodi.patents.rules import patents_visible_to

pytestmark = pytest.mark.django_db


def test_demo_patents_show_every_fee_state() -> None:
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent

    patents = list(Patent.objects.filter(is_demo=True))
    assert len(patents) == 6
    states = {p.next_fee().state for p in patents if p.next_fee() is not None}  # type: ignore[union-attr]
    assert {FeeState.DUE, FeeState.GRACE, FeeState.UPCOMING} <= states
    assert FeePayment.objects.count() == 3
    assert any(p.fee_payer_id for p in patents)
    hospital = User.objects.get(username="hospital")
    own = list(patents_visible_to(hospital))
    assert len(own) >= 2  # West China's: one fee due soon, one overdue
    assert {FeeState.DUE, FeeState.GRACE} <= {p.next_fee().state for p in own if p.next_fee()}  # type: ignore[union-attr]
    assert not patents_visible_to(User.objects.get(username="viewer")).exists()
