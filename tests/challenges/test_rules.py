"""Who sees challenges and proposals, in the shape of tests/test_authorization_matrix.py:
every GET route of the app (pages and API) × persona, the status each answers and the
markers each must never contain — a proposal's title and summary, an invited challenge's
budget and IP terms. Proposals only to the poster's members, the assigned reviewers, staff
and the proposing applicant; everyone else a 404."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luodi.accounts.models import Role, User
from luodi.challenges import domain, proposals, rules, tokens
from luodi.challenges.choices import Visibility
from luodi.challenges.models import Challenge, Proposal
from tests.challenges.helpers import IP_MARK, make_challenge, proposal_values
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL_MARKS = ("MKPROPOSALTITLEQ7Z", "MKPROPOSALSUMMARYQ7Z")
TERMS_MARKS = (IP_MARK, "1,234,567")
PDF = b"%PDF-1.4 test\n"


@dataclass
class World:
    public: Challenge
    invited: Challenge
    proposal: Proposal  # partner_b's, to the public challenge
    secret: Proposal  # to the invited challenge, from the invitee
    users: dict[str, User | None]


@pytest.fixture
def world(personas: Personas) -> World:
    public = make_challenge(personas.partner_a, personas.org_a)
    invited = make_challenge(personas.partner_a, personas.org_a, visibility=Visibility.INVITED)
    invitee_org = OrganizationFactory()
    invitee = UserFactory(username="invitee")
    MembershipFactory(user=invitee, organization=invitee_org)
    domain.invite(actor=personas.partner_a, challenge=invited, organizations=[invitee_org])
    reviewer = UserFactory(username="reviewer", role=Role.PARTNER)
    domain.add_reviewer(actor=personas.partner_a, challenge=public, reviewer=reviewer)
    domain.add_reviewer(actor=personas.partner_a, challenge=invited, reviewer=reviewer)
    proposal = proposals.submit(
        challenge=public,
        values=proposal_values(),
        actor=personas.partner_b,
        organization=personas.org_b,
        uploads=[SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
    )
    secret = proposals.submit(
        challenge=invited, values=proposal_values(), actor=invitee, organization=invitee_org
    )
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, organization=OrganizationFactory())
    users: dict[str, User | None] = {
        "anonymous": None,
        "viewer": personas.viewer,
        "outsider": outsider,
        "poster": personas.partner_a,
        "applicant": personas.partner_b,
        "reviewer": reviewer,
        "invitee": invitee,
        "staff": personas.staff,
    }
    return World(public, invited, proposal, secret, users)


def _routes(w: World) -> dict[str, str]:
    doc = w.proposal.attachments.get()
    return {
        "page:challenge": f"/challenges/{w.public.pk}/",
        "page:invited": f"/challenges/{w.invited.pk}/",
        "page:proposal": f"/challenges/proposals/{w.proposal.pk}/",
        "page:secret": f"/challenges/proposals/{w.secret.pk}/",
        "page:attachment": f"/challenges/attachments/{doc.pk}/",
        "page:public": f"/challenges/public/{w.public.pk}/",
        "page:public-invited": f"/challenges/public/{w.invited.pk}/",
        "api:challenge": f"/api/challenges/{w.public.pk}",
        "api:invited": f"/api/challenges/{w.invited.pk}",
        "api:proposal": f"/api/challenges/proposals/{w.proposal.pk}",
        "api:secret": f"/api/challenges/proposals/{w.secret.pk}",
        "api:proposals": f"/api/challenges/{w.public.pk}/proposals",
    }


OK, NOT_FOUND, LOGIN, UNAUTH = 200, 404, 302, 401
# What each persona gets, written from the policy (module docstring), not from the code.
EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": {
        "page:challenge": LOGIN,
        "page:invited": LOGIN,
        "page:proposal": LOGIN,
        "page:secret": LOGIN,
        "page:attachment": LOGIN,
        "page:public": OK,
        "page:public-invited": NOT_FOUND,
        "api:challenge": UNAUTH,
        "api:invited": UNAUTH,
        "api:proposal": UNAUTH,
        "api:secret": UNAUTH,
        "api:proposals": UNAUTH,
    },
    "viewer": {
        "page:challenge": OK,
        "page:invited": NOT_FOUND,
        "page:proposal": NOT_FOUND,
        "page:secret": NOT_FOUND,
        "page:attachment": NOT_FOUND,
        "page:public": OK,
        "page:public-invited": NOT_FOUND,
        "api:challenge": OK,
        "api:invited": NOT_FOUND,
        "api:proposal": NOT_FOUND,
        "api:secret": NOT_FOUND,
        "api:proposals": OK,
    },
    "outsider": {
        "page:challenge": OK,
        "page:invited": OK,
        "page:proposal": NOT_FOUND,
        "page:secret": NOT_FOUND,
        "page:attachment": NOT_FOUND,
        "page:public": OK,
        "page:public-invited": NOT_FOUND,
        "api:challenge": OK,
        "api:invited": OK,
        "api:proposal": NOT_FOUND,
        "api:secret": NOT_FOUND,
        "api:proposals": OK,
    },
    "applicant": {
        "page:challenge": OK,
        "page:invited": OK,
        "page:proposal": OK,
        "page:secret": NOT_FOUND,
        "page:attachment": OK,
        "page:public": OK,
        "page:public-invited": NOT_FOUND,
        "api:challenge": OK,
        "api:invited": OK,
        "api:proposal": OK,
        "api:secret": NOT_FOUND,
        "api:proposals": OK,
    },
    "invitee": {
        "page:challenge": OK,
        "page:invited": OK,
        "page:proposal": NOT_FOUND,
        "page:secret": OK,
        "page:attachment": NOT_FOUND,
        "page:public": OK,
        "page:public-invited": NOT_FOUND,
        "api:challenge": OK,
        "api:invited": OK,
        "api:proposal": NOT_FOUND,
        "api:secret": OK,
        "api:proposals": OK,
    },
}
for _who in ("poster", "reviewer", "staff"):
    EXPECTED[_who] = {
        **{k: OK for k in EXPECTED["applicant"]},
        "page:public-invited": NOT_FOUND,
    }
# Markers each persona must not find anywhere: proposals (the applicant's own title is
# theirs to read) and the invited challenge's terms.
SEES_PROPOSALS = {"poster", "reviewer", "staff", "applicant", "invitee"}
SEES_TERMS = {"poster", "reviewer", "staff", "invitee"}


def _get(user: User | None, path: str) -> tuple[int, str]:
    client = client_for(user) if user is not None else Client()
    response = client.get(path)
    body = b"".join(response) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, body.decode("utf-8", "replace")


def test_authorization_matrix_of_challenges(world: World) -> None:
    routes = _routes(world)
    failures = []
    for who, user in world.users.items():
        for name, path in routes.items():
            status, body = _get(user, path)
            want = EXPECTED[who][name]
            if status != want:
                failures.append(f"{who} {name}: {status} (want {want})")
            if who not in SEES_PROPOSALS and any(m in body for m in PROPOSAL_MARKS):
                failures.append(f"{who} {name}: LEAK proposal")
            terms = any(m in body for m in TERMS_MARKS)
            if who not in SEES_TERMS and name in ("page:invited", "api:invited") and terms:
                failures.append(f"{who} {name}: LEAK terms")
    assert failures == []


def test_an_applicant_sees_only_its_own_proposal_in_a_list(
    world: World, personas: Personas
) -> None:
    other = proposals.submit(
        challenge=world.public, values=proposal_values(title="另一份"), actor=None
    )
    seen = set(rules.proposals_visible_to(personas.partner_b).values_list("pk", flat=True))
    assert seen == {world.proposal.pk}
    assert other.pk in set(
        rules.proposals_visible_to(personas.partner_a).values_list("pk", flat=True)
    )
    response = client_for(personas.partner_b).get(f"/api/challenges/{world.public.pk}/proposals")
    assert [p["id"] for p in response.json()["items"]] == [world.proposal.pk]


def test_invited_terms_are_null_in_the_api_for_non_invitees(world: World) -> None:
    body = client_for(world.users["outsider"]).get(f"/api/challenges/{world.invited.pk}").json()
    assert (body["terms_visible"], body["budget_min_fen"], body["ip_terms"]) == (False, None, None)
    body = client_for(world.users["invitee"]).get(f"/api/challenges/{world.invited.pk}").json()
    assert (body["terms_visible"], body["ip_terms"]) == (True, IP_MARK)


def test_private_link_opens_only_its_own_proposal(world: World) -> None:
    anon = proposals.submit(challenge=world.public, values=proposal_values(), actor=None)
    client = Client()
    page = client.get(f"/challenges/p/{tokens.make(anon.pk)}/")
    assert page.status_code == 200 and "MKPROPOSALSUMMARYQ7Z" in page.content.decode()
    forged = tokens.make(anon.pk)[:-3] + "abc"
    assert client.get(f"/challenges/p/{forged}/").status_code == 404
    assert client.get(f"/challenges/p/{anon.pk}/").status_code == 404
    doc = world.proposal.attachments.get()
    # Another proposal's file is not reachable through this link.
    assert client.get(f"/challenges/p/{tokens.make(anon.pk)}/files/{doc.pk}/").status_code == 404


def test_draft_challenge_is_seen_only_by_its_managers_and_staff(personas: Personas) -> None:
    draft = make_challenge(personas.partner_a, personas.org_a, open_it=False)
    assert client_for(personas.partner_b).get(f"/challenges/{draft.pk}/").status_code == 404
    assert Client().get(f"/challenges/public/{draft.pk}/").status_code == 404
    assert client_for(personas.partner_a).get(f"/challenges/{draft.pk}/").status_code == 200
    assert client_for(personas.staff).get(f"/challenges/{draft.pk}/").status_code == 200
