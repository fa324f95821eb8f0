"""Browser: the owner invites an organization to a confidential achievement's NDA from the
match list; the invitee requests access and accepts the NDA; the owner approves; the invitee
reads the dossier. Failure path: inviting the same organization twice is a form error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from luodi.retrieval import indexing
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.browser]

DOSSIER = "DOSSIER-机密工艺-NDA-7"


@pytest.fixture
def secret(personas: Personas, eco: Eco) -> Any:
    a = AchievementFactory(
        owner=personas.org_a,
        title_zh="机密：新型KRAS降解剂",
        summary_zh="公开摘要：口服小分子降解剂。",
        disclosure="confidential",
        dossier_zh=DOSSIER,
        kind="drug",
        stage="preclinical",
    )
    a.technology_fields.set([eco.small_molecule])
    indexing.rebuild_all()
    return a


def test_invite_request_approve_and_read_the_dossier(
    page: Any, personas: Personas, eco: Eco, member_of: Any, secret: Any
) -> None:
    member_of(eco.early_vc, "vc_user")
    sign_in(page, "vc_user", PASSWORD)
    assert page.goto(f"/catalog/achievements/{secret.pk}/").status == 404
    page.goto("/matchmaking/")  # the bare 404 page has no menu
    page.click("[data-testid=sign-out]")

    # The owner invites the investor from the achievement's match list.
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/matchmaking/achievement/{secret.pk}/?tab=investor")
    row = page.locator(f'[data-testid=candidate][data-pk="{eco.early_vc.pk}"]')
    row.locator("[data-testid=invite-nda]").click()
    expect(page).to_have_url(re.compile(r"tab=investor"))
    row = page.locator(f'[data-testid=candidate][data-pk="{eco.early_vc.pk}"]')
    expect(row.locator("[data-testid=nda-invited]")).to_be_visible()
    page.click("[data-testid=sign-out]")

    # The invitee sees the teaser, requests access and accepts the NDA.
    sign_in(page, "vc_user", PASSWORD)
    page.goto("/matchmaking/access/")
    invitation = page.locator("[data-testid=my-invitation]")
    expect(invitation).to_contain_text("机密：新型KRAS降解剂")
    invitation.locator("[data-testid=request-invited]").click()
    expect(page.locator("[data-testid=nda-text]")).to_be_visible()
    page.check("input[name=accept_nda]")
    page.click("[data-testid=submit-request]")
    expect(page.locator("[data-testid=access-status]").first).to_contain_text(
        re.compile("NDA|保密")
    )
    page.goto(f"/catalog/achievements/{secret.pk}/")
    expect(page.locator("[data-testid=summary]")).to_contain_text("公开摘要")
    expect(page.locator("[data-testid=teaser-only]")).to_be_visible()
    expect(page.locator("[data-testid=dossier]")).to_have_count(0)
    page.click("[data-testid=sign-out]")

    # The owner approves.
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/matchmaking/access/")
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=access-status]").first).to_contain_text(
        re.compile("Approved|已批准|批准")
    )
    page.click("[data-testid=sign-out]")

    # The invitee reads the dossier.
    sign_in(page, "vc_user", PASSWORD)
    page.goto(f"/catalog/achievements/{secret.pk}/")
    expect(page.locator("[data-testid=dossier]")).to_contain_text(DOSSIER)


def test_inviting_twice_shows_a_form_error_and_revoking_hides_it(
    page: Any, personas: Personas, eco: Eco, member_of: Any, secret: Any
) -> None:
    member_of(eco.onco_co, "buyer")
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/catalog/achievements/{secret.pk}/")
    page.click("[data-testid=nda-invitations]")
    form = page.locator("[data-testid=invite-form]")
    form.locator("select[name=organization]").select_option(str(eco.onco_co.pk))
    form.locator("[data-testid=invite-submit]").click()
    row = page.locator(f'[data-testid=invitation-row][data-org="{eco.onco_co.pk}"]')
    expect(row.locator("[data-testid=invitation-status]")).to_have_attribute("data-status", "live")

    form = page.locator("[data-testid=invite-form]")
    form.locator("select[name=organization]").select_option(str(eco.onco_co.pk))
    form.locator("[data-testid=invite-submit]").click()
    expect(page.locator("[data-testid=invite-form] .field.has-error .error")).to_be_visible()
    expect(page.locator("[data-testid=invitation-row]")).to_have_count(1)

    page.locator("[data-testid=revoke]").click()
    expect(row.locator("[data-testid=invitation-status]")).to_have_attribute(
        "data-status", "revoked"
    )
    page.click("[data-testid=sign-out]")
    sign_in(page, "buyer", PASSWORD)
    assert page.goto(f"/catalog/achievements/{secret.pk}/").status == 404
