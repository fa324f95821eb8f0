"""Issue #16, hole 1: exports obey the field-level disclosure policy (luodi/catalog/disclosure.py).

`GET /import/export/people.csv|xlsx` gave every viewer and partner the email and phone of every
published person; `GET /import/export/achievements.csv` gave patent numbers and IP status of
teaser-only achievements, and of a confidential one to an organization merely invited to its
NDA. A withheld cell is now empty; staff, the record's own organization and a live grantee
still get the value.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from luodi.accounts.models import User
from luodi.catalog import disclosure, exports
from luodi.catalog.models import Achievement, Person
from luodi.disclosure.models import NdaInvitation
from luodi.ingest import export
from luodi.matchmaking import adapters
from tests.catalog_api.factories import AccessGrantFactory
from tests.conftest import Personas, client_for
from tests.factories import (
    AchievementFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EMAIL_A, PHONE_A = "own.person@org-a.example", "028-1111-0001"
EMAIL_B, PHONE_B = "other.person@org-b.example", "028-2222-0002"
TEASER_PATENT, TEASER_IP = "CN2026TEASER001.X", "IP-TEASER-granted"
CONF_PATENT, CONF_IP = "CN2026CONFID002.X", "IP-CONFID-pending"


@pytest.fixture
def people(personas: Personas) -> tuple[Any, Any]:
    a = PersonFactory(
        name_zh="甲员工",
        organization=personas.org_a,
        email=EMAIL_A,
        phone=PHONE_A,
        status="published",
    )
    b = PersonFactory(
        name_zh="乙员工",
        organization=personas.org_b,
        email=EMAIL_B,
        phone=PHONE_B,
        status="published",
    )
    return a, b


@pytest.fixture
def invited_org(personas: Personas) -> Any:
    return OrganizationFactory(name_zh="受邀机构", name_en="Invited Org")


@pytest.fixture
def invited(invited_org: Any) -> User:
    user: Any = UserFactory(username="invited_user")
    MembershipFactory(user=user, organization=invited_org)
    return user


@pytest.fixture
def granted(personas: Personas) -> User:
    org = OrganizationFactory(name_zh="获准机构", name_en="Granted Org")
    user: Any = UserFactory(username="granted_user")
    MembershipFactory(user=user, organization=org)
    return user


@pytest.fixture
def teaser(personas: Personas) -> Achievement:
    a: Any = AchievementFactory(
        owner=personas.org_a,
        title_zh="预告成果",
        disclosure="teaser",
        patent_numbers=TEASER_PATENT,
        ip_status=TEASER_IP,
    )
    return a


@pytest.fixture
def confidential(personas: Personas, invited: User, invited_org: Any, granted: User) -> Achievement:
    a: Any = AchievementFactory(
        owner=personas.org_a,
        title_zh="保密成果",
        disclosure="confidential",
        patent_numbers=CONF_PATENT,
        ip_status=CONF_IP,
    )
    NdaInvitation.objects.create(
        achievement=a,
        organization=invited_org,
        invited_by=personas.partner_a,
        expires_at=timezone.now() + timedelta(days=14),
    )
    AccessGrantFactory(achievement=a, organization=granted.memberships.get().organization)
    return a


def _cells(user: User, kind: str, fmt: str = "csv") -> dict[str, dict[str, Any]]:
    """The export of `kind` as {first column: {accessor: cell}}: columns are named by their
    accessor in export.COLUMNS, not by the (translated) header."""
    resp = client_for(user).get(f"/import/export/{kind}.{fmt}")
    assert resp.status_code == 200, resp.content
    if fmt == "csv":
        header, *rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(resp.content)).active
        assert sheet is not None
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    names = [a if isinstance(a, str) else str(h) for h, a in export.COLUMNS[kind]]
    assert len(header) == len(names)
    return {str(r[0]): dict(zip(names, r, strict=True)) for r in rows}


# -- people: contact details ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["viewer", "partner_a"])
def test_people_export_withholds_other_organizations_contact(
    personas: Personas, people: Any, fmt: str, who: str
) -> None:
    user = getattr(personas, who)
    rows = _cells(user, "people", fmt)
    other = rows["乙员工"]
    assert other["email"] in ("", None)
    assert other["phone"] in ("", None)
    assert other["consent_to_contact"] in ("", None)
    own = rows["甲员工"]
    if who == "partner_a":  # the person's own organization keeps the contact
        assert (own["email"], own["phone"]) == (EMAIL_A, PHONE_A)
    else:
        assert own["email"] in ("", None)
    body = client_for(user).get(f"/import/export/people.{fmt}").content
    if fmt == "csv":
        assert EMAIL_B.encode() not in body and PHONE_B.encode() not in body


def test_staff_people_export_has_every_contact(personas: Personas, people: Any) -> None:
    rows = _cells(personas.staff, "people")
    assert rows["乙员工"]["email"] == EMAIL_B
    assert rows["甲员工"]["phone"] == PHONE_A


def test_people_list_export_withholds_contact_too(personas: Personas, people: Any) -> None:
    """The catalog list's own export (?export=csv) goes through the same policy."""
    text = client_for(personas.partner_a).get("/catalog/people/", {"export": "csv"}).content
    assert "乙员工" in text.decode("utf-8-sig")
    assert EMAIL_B.encode() not in text and PHONE_B.encode() not in text


# -- achievements: the dossier -------------------------------------------------------------------


def _patent_cells(user: User) -> dict[str, tuple[str, str]]:
    rows = _cells(user, "achievements")
    return {title: (r["patent_numbers"], r["ip_status"]) for title, r in rows.items()}


@pytest.mark.parametrize("who", ["viewer", "partner_b"])
def test_teaser_export_has_no_patent_or_ip_status(
    personas: Personas, teaser: Achievement, who: str
) -> None:
    cells = _patent_cells(getattr(personas, who))
    assert cells["预告成果"] == ("", "")
    body = client_for(getattr(personas, who)).get("/import/export/achievements.csv").content
    assert TEASER_PATENT.encode() not in body and TEASER_IP.encode() not in body


def test_invited_but_not_granted_gets_no_confidential_dossier(
    confidential: Achievement, invited: User
) -> None:
    cells = _patent_cells(invited)
    assert cells["保密成果"] == ("", "")  # listed (the invitation), dossier withheld


def test_granted_owner_and_staff_get_the_dossier(
    personas: Personas, confidential: Achievement, teaser: Achievement, granted: User
) -> None:
    assert _patent_cells(granted)["保密成果"] == (CONF_PATENT, CONF_IP)
    for user in (personas.staff, personas.partner_a):
        cells = _patent_cells(user)
        assert cells["保密成果"] == (CONF_PATENT, CONF_IP)
        assert cells["预告成果"] == (TEASER_PATENT, TEASER_IP)


def test_expired_grant_gets_no_dossier(
    personas: Personas, teaser: Achievement, granted: User
) -> None:
    org = granted.memberships.get().organization
    AccessGrantFactory(
        achievement=teaser, organization=org, expires_at=timezone.now() - timedelta(days=1)
    )
    assert _patent_cells(granted)["预告成果"] == ("", "")


# -- the policy itself ----------------------------------------------------------------------------


def test_rows_not_marked_for_a_user_are_read_with_everything_withheld(
    personas: Personas, people: Any
) -> None:
    """An output that forgets to ask shows less, never more: unmarked rows of a policed model
    export with all their groups empty, even for staff's queryset."""
    from luodi.catalog.rules import people_visible_to

    qs = people_visible_to(personas.staff).order_by("pk")
    text = exports.export_rows(qs, export.COLUMNS["people"], "csv").content.decode("utf-8-sig")
    assert EMAIL_A not in text and EMAIL_B not in text and "乙员工" in text
    # Through a related record too: "organization.…" paths are fine, a person's contact is not.
    columns: exports.Columns = [("x", "organization.display_name"), ("y", "email")]
    plain = exports.export_rows(qs, columns, "csv").content.decode("utf-8-sig")
    assert EMAIL_A not in plain


def test_withheld_fields_and_shown(personas: Personas, people: Any, teaser: Achievement) -> None:
    _own, other = people
    assert disclosure.withheld_fields(personas.viewer, other) >= {"email", "phone"}
    assert disclosure.shown(personas.viewer, other, "email") is None
    assert disclosure.shown(personas.partner_b, other, "email") == EMAIL_B
    assert disclosure.shown(personas.staff, other, "legal_basis") == other.legal_basis
    assert "legal_basis" in disclosure.withheld_fields(personas.partner_b, other)
    assert disclosure.withheld_fields(personas.viewer, teaser) >= set(disclosure.DOSSIER_FIELDS)
    assert disclosure.withheld_fields(personas.partner_a, teaser) == frozenset()


def test_match_profile_reads_through_the_policy(personas: Personas, teaser: Achievement) -> None:
    teaser.carrier_needs = ["gmp"]
    teaser.transfer_modes = ["license"]
    teaser.space_needed_m2 = 4321
    teaser.save()
    terms = adapters.Terms()
    hidden = adapters.achievement_profile_for(personas.viewer, teaser, terms)
    assert hidden.space_m2 != 4321 and hidden.transfer_modes == []
    # A preclinical drug's derived needs stand in for the owner's withheld GMP requirement.
    assert hidden.carrier_needs == ["wet_lab"]
    owner = adapters.achievement_profile_for(personas.partner_a, teaser, terms)
    assert owner.space_m2 == 4321 and owner.transfer_modes == ["license"]


def test_search_documents_hold_no_policed_field(
    personas: Personas, people: Any, teaser: Achievement
) -> None:
    """An index document is shared by everyone its audience names, so it may hold no field
    the policy withholds from anyone: snippets and explanations are built from it."""
    from luodi.retrieval.kinds import KINDS

    teaser.dossier_zh = "MKINDEXDOSSIER"
    teaser.save()
    Person.objects.filter(pk=people[1].pk).update(legal_basis="MKINDEXLEGAL")
    secrets = ["MKINDEXDOSSIER", "MKINDEXLEGAL", TEASER_PATENT, TEASER_IP, EMAIL_A, EMAIL_B]
    secrets += [PHONE_A, PHONE_B]
    for kind in KINDS.values():
        if not disclosure.policed_fields(kind.model):
            continue
        text = repr(list(kind.documents(kind.rows())))
        assert kind.rows().exists()
        assert not [s for s in secrets if s in text], kind.name
