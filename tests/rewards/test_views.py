"""The reward pages: who may open what (404 for a viewer and another partner), computing a
split from a received royalty reached from the ledger, the actions of each state, the
policy form refusing a split below the floor beside its field, the contributor-shares page,
the payroll export, and what a member never reads (an agreement it may not see)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from luodi.rewards import domain
from luodi.rewards.models import ContributorShare, RewardDistribution, RewardPolicy
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.ledger.helpers import SECRET, agreement, entry
from tests.pipeline.factories import make_project
from tests.rewards.helpers import TODAY, policy, ready, through_final

pytestmark = pytest.mark.django_db


def test_who_may_open_what(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, title="甲的成果")
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    urls = [
        f"/rewards/{d.pk}/",
        f"/rewards/policy/{personas.org_a.pk}/",
        f"/rewards/team/{s.achievement.pk}/",
        f"/rewards/from-entry/{s.income.pk}/",
        f"/rewards/payroll/?institution={personas.org_a.pk}&start=2000-01-01&end={TODAY}",
    ]
    for user in (personas.staff, personas.partner_a):
        client = client_for(user)
        assert [client.get(u).status_code for u in urls[:3]] == [200, 200, 200]
        assert client.get(urls[3]).status_code == 302  # the split exists: to its page
        assert client.get(urls[4]).status_code == 200
    listing = client_for(personas.partner_b).get("/rewards/")
    assert listing.status_code == 200 and "甲的成果" not in listing.content.decode()
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        assert [client.get(u).status_code for u in urls[:4]] == [404] * 4
        posted = client.post(
            f"/rewards/{d.pk}/approve/", {"approval_body": "会", "approval_reference": "1"}
        )
        assert posted.status_code == 404
    assert client_for(personas.viewer).get("/rewards/").status_code == 404
    assert client_for(personas.viewer).get(urls[4]).status_code == 404
    # partner_b asks for org_a's payroll: org_a is not offered, the form refuses it.
    refused = client_for(personas.partner_b).get(urls[4])
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    d.refresh_from_db()
    assert d.state == "draft"


def test_mark_received_then_compute_the_split_from_the_ledger(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=12_345_67)
    royalty = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        status="expected",
        received_on=None,
        amount_fen=35_600_50,
    )
    client = client_for(personas.partner_a)
    done = client.post(
        f"/ledger/{royalty.pk}/received/", {"received_on": TODAY.isoformat()}, follow=True
    )
    page = done.content.decode()
    assert f'data-testid="reward-split-{royalty.pk}"' in page
    assert f"/rewards/from-entry/{royalty.pk}/" in page
    assert 'data-testid="rewards-link"' in page
    form = client.get(f"/rewards/from-entry/{royalty.pk}/")
    assert form.status_code == 200
    made = client.post(f"/rewards/from-entry/{royalty.pk}/", {"deduction_note": ""}, follow=True)
    d = RewardDistribution.objects.get(entry=royalty)
    assert made.redirect_chain[-1][0] == f"/rewards/{d.pk}/"
    body = made.content.decode()
    assert 'data-testid="split"' in body and "35,600.50 CNY" in body
    assert sum(d.lines.values_list("amount_fen", flat=True)) == 35_600_50
    # The ledger row now links to the split itself.
    again = client.get(f"/ledger/?institution={personas.org_a.pk}").content.decode()
    assert f'href="/rewards/{d.pk}/"' in again


def test_actions_of_each_state_with_field_errors(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    client = client_for(personas.partner_a)
    url = f"/rewards/{d.pk}"
    bad = client.post(f"{url}/approve/", {"approval_body": "", "version": d.version})
    assert bad.status_code == 400 and 'class="field has-error"' in bad.content.decode()
    ok = client.post(
        f"{url}/approve/",
        {"approval_body": "院长办公会", "approval_reference": "12号", "version": d.version},
    )
    assert ok.status_code == 302
    stale = client.post(
        f"{url}/notice/",
        {
            "notice_starts_on": TODAY.isoformat(),
            "notice_ends_on": (TODAY + timedelta(days=20)).isoformat(),
            "notice_where": "公示栏",
            "version": d.version,
        },
    )
    assert stale.status_code == 409 and 'data-testid="conflict"' in stale.content.decode()
    d.refresh_from_db()
    short = client.post(
        f"{url}/notice/",
        {
            "notice_starts_on": TODAY.isoformat(),
            "notice_ends_on": TODAY.isoformat(),
            "notice_where": "公示栏",
            "version": d.version,
        },
    )
    assert short.status_code == 400
    assert (
        client.post(
            f"{url}/notice/",
            {
                "notice_starts_on": TODAY.isoformat(),
                "notice_ends_on": (TODAY + timedelta(days=14)).isoformat(),
                "notice_where": "公示栏",
                "version": d.version,
            },
        ).status_code
        == 302
    )
    d.refresh_from_db()
    assert d.state == "on_notice"
    early = client.post(f"{url}/finalize/", {"version": d.version})
    assert early.status_code == 400
    objection = client.post(f"{url}/objection/", {"objection": "份额有异议", "version": d.version})
    assert objection.status_code == 302
    d.refresh_from_db()
    assert d.state == "draft" and d.objection == "份额有异议"
    assert client.post(f"{url}/unknown/", {}).status_code == 404


def test_the_policy_page_refuses_a_split_below_the_floor(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    url = f"/rewards/policy/{personas.org_a.pk}/"
    form = {
        "effective_from": TODAY.isoformat(),
        "team": "45",
        "main": "60",
        "institution": "40",
        "department": "15",
        "notice_days": "15",
        "version": "0",
    }
    refused = client.post(url, form)
    body = refused.content.decode()
    assert refused.status_code == 400 and "has-error" in body
    assert 'value="45"' in body  # the typed value is kept
    assert not RewardPolicy.objects.exists()
    saved = client.post(url, {**form, "team": "70", "institution": "20", "department": "10"})
    assert saved.status_code == 302
    p = RewardPolicy.objects.get()
    assert (p.team_bp, p.main_bp, p.institution_bp, p.department_bp) == (7000, 6000, 2000, 1000)
    # A second version from a form opened before the first was saved: a conflict.
    later = {
        **form,
        "team": "80",
        "institution": "10",
        "department": "10",
        "effective_from": (TODAY + timedelta(days=1)).isoformat(),
    }
    assert client.post(url, later).status_code == 409
    assert client.post(url, {**later, "version": "1"}).status_code == 302
    assert RewardPolicy.objects.count() == 2


def test_the_contributor_shares_page(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    url = f"/rewards/team/{s.achievement.pk}/"
    page = client.get(url).content.decode()
    assert str(s.people[0]) in page
    p0, p1 = s.people[0], s.people[1]
    data = {
        "shares-TOTAL_FORMS": "2",
        "shares-INITIAL_FORMS": "0",
        "version": "1",
        "shares-0-person": p0.pk,
        "shares-0-share": "60",
        "shares-0-is_main": "on",
        "shares-1-person": p1.pk,
        "shares-1-share": "30",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and 'data-testid="team-errors"' in refused.content.decode()
    assert ContributorShare.objects.count() == 3
    assert client.post(url, {**data, "shares-1-share": "40"}).status_code == 302
    assert sorted(ContributorShare.objects.values_list("share_bp", flat=True)) == [4000, 6000]
    assert client.post(url, {**data, "shares-1-share": "40"}).status_code == 409  # stale


def test_a_member_never_reads_an_agreement_it_may_not_see(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    project = make_project(personas.staff, personas.org_b)
    hidden = agreement(personas.staff, project, [personas.org_b, personas.org_a], SECRET)
    income = entry(personas.staff, personas.org_a, achievement=s.achievement, agreement=hidden)
    d = through_final(
        personas.staff, domain.create_distribution(actor=personas.staff, entry=income)
    )
    mine = client_for(personas.partner_a)
    for url in (
        "/rewards/",
        f"/rewards/{d.pk}/",
        f"/api/rewards/distributions/{d.pk}",
        "/api/rewards/distributions",
    ):
        response = mine.get(url)
        assert response.status_code == 200 and SECRET not in response.content.decode(), url
    export = mine.get(
        f"/rewards/payroll/?institution={personas.org_a.pk}"
        f"&start={TODAY.isoformat()}&end={TODAY.isoformat()}"
    )
    book = load_workbook(io.BytesIO(export.content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]
    assert SECRET not in " ".join(cells)
    staff = client_for(personas.staff).get(f"/rewards/{d.pk}/").content.decode()
    assert SECRET in staff


def test_the_payroll_export_has_final_cash_lines_in_yuan(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=1_000_001)
    final = through_final(
        personas.staff, domain.create_distribution(actor=personas.staff, entry=s.income)
    )
    draft_income = entry(
        personas.staff, personas.org_a, achievement=s.achievement, amount_fen=777_77
    )
    domain.create_distribution(actor=personas.staff, entry=draft_income)
    equity = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        kind="equity",
        amount_fen=500_000_00,
        valuation_fen=600_000_00,
    )
    through_final(personas.staff, domain.create_distribution(actor=personas.staff, entry=equity))
    response = client_for(personas.partner_a).get(
        f"/rewards/payroll/?institution={personas.org_a.pk}&start={TODAY}&end={TODAY}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    body = rows[1:]
    assert len(body) == 3  # the three people of the final cash split, not equity nor draft
    assert {r[9] for r in body} == {final.pk}
    fen = sum(int(r[7]) for r in body)
    people = final.lines.filter(role__in=["main", "contributor"])
    assert fen == sum(people.values_list("amount_fen", flat=True))
    assert all(Decimal(str(r[6])) * 100 == r[7] for r in body)
    assert {r[8] for r in body} == {"CNY"}


def test_the_list_filters_and_htmx_rows(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    b = AchievementFactory(owner=personas.org_b)
    assert b.pk
    policy(personas.staff, personas.org_b)
    client = client_for(personas.staff)
    rows = client.get(
        f"/rewards/?state=draft&institution={personas.org_a.pk}", HTTP_HX_REQUEST="true"
    )
    text = rows.content.decode()
    assert f'data-testid="distribution-{d.pk}"' in text and "<html" not in text
    none = client.get("/rewards/?state=final").content.decode()
    assert f'data-testid="distribution-{d.pk}"' not in none


def test_every_state_renders_its_page(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = through_final(
        personas.staff, domain.create_distribution(actor=personas.staff, entry=s.income)
    )
    client = client_for(personas.partner_a)
    final = client.get(f"/rewards/{d.pk}/").content.decode()
    assert 'data-testid="paid-form"' in final and 'data-state="final"' in final
    assert (
        client.post(
            f"/rewards/{d.pk}/paid/", {"paid_on": TODAY.isoformat(), "version": d.version}
        ).status_code
        == 302
    )
    paid = client.get(f"/rewards/{d.pk}/").content.decode()
    assert 'data-testid="paid"' in paid
    for action in ("approve", "notice", "finalize", "objection", "paid"):
        assert f'data-testid="{action}-form"' not in paid
    equity = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        kind="equity",
        amount_fen=400_00,
        valuation_fen=500_00,
    )
    e = domain.create_distribution(actor=personas.staff, entry=equity)
    page = client.get(f"/rewards/{e.pk}/").content.decode()
    assert 'data-testid="equity-notice"' in page and 'data-testid="approve-form"' in page
    listing = client.get(f"/rewards/?institution={personas.org_a.pk}").content.decode()
    assert f'data-testid="distribution-{d.pk}"' in listing
    assert f'data-testid="distribution-{e.pk}"' in listing
    versions = client.get(f"/rewards/policy/{personas.org_a.pk}/").content.decode()
    assert "70%" in versions and "60%" in versions
    # An income of an institution without a policy: the compute page says so.
    orphan = entry(personas.staff, personas.org_b, amount_fen=5_00)
    refused = client_for(personas.staff).post(f"/rewards/from-entry/{orphan.pk}/", {})
    assert refused.status_code == 400 and "form-errors" in refused.content.decode()
    assert not RewardDistribution.objects.filter(entry=orphan).exists()
