"""Luodi on several machines: what is written through one app is read through the other,
files and rate limits are shared, and no job is lost when a worker dies.

Run with `make test-multinode` (its own CI leg); needs PostgreSQL and Redis on 127.0.0.1."""

from __future__ import annotations

import json
import re
import signal
import time
import uuid

import pytest
import requests

from tests.multinode.cluster import Cluster, wait_for

pytestmark = pytest.mark.multinode

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _hospital(c: Cluster) -> int:
    return int(
        c.sql("SELECT id FROM catalog_organization WHERE kind = 'hospital' ORDER BY id")[0][0]
    )


def _new_achievement(c: Cluster, app: str, word: str) -> int:
    response = c.api(
        app,
        "POST",
        "/catalog/achievements",
        json={
            "kind": "drug",
            "stage": "preclinical",
            "disclosure": "public",
            "owner": _hospital(c),
            "title_zh": f"{word} 多节点测试靶向药",
            "summary_zh": f"用于多节点测试的虚构成果，关键词 {word}。",
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _indexed_ids(c: Cluster, machine: str) -> set[int]:
    """The achievement ids in the index generation `machine` serves (product code path)."""
    ids = c.shell(
        "import json; from luodi.retrieval.engine import get_engine; "
        "b = get_engine().backend('achievement'); "
        "print(json.dumps(list(b.ids()) if b else []))",
        machine=machine,
    )
    return {int(i) for i in ids}


def _search(c: Cluster, app: str, q: str) -> list[tuple[str, int]]:
    body = c.api(app, "GET", "/search/", params={"q": q}).json()
    return [(hit["kind"], hit["id"]) for hit in body["hits"]]


def test_written_through_one_app_read_through_the_other(cluster: Cluster) -> None:
    word = f"MN{uuid.uuid4().hex[:6].upper()}"
    pk = _new_achievement(cluster, "a", word)

    wait_for("its index job", cluster.jobs_idle, timeout=60)
    done = time.monotonic()
    found_b = wait_for("B to find it", lambda: _search(cluster, "b", word), timeout=10)
    staleness = time.monotonic() - done
    path = f"/matchmaking/matches/achievement/{pk}"
    matches_a = cluster.api("a", "GET", path, params={"tab": "park"}).json()
    matches_b = cluster.api("b", "GET", path, params={"tab": "park"}).json()

    assert ("achievements", pk) in found_b and _search(cluster, "a", word) == found_b
    assert matches_a == matches_b and matches_a["items"], matches_a
    assert matches_a["method"] == "hybrid"
    print(json.dumps({"searchable_on_b_after_job_s": round(staleness, 2)}))


def test_document_and_report_download_through_both_apps(cluster: Cluster) -> None:
    session = requests.Session()
    login = f"{cluster.apps['a']}/accounts/login/"
    session.get(login, timeout=30)
    session.post(
        login,
        data={"username": "staff", "password": "luodi-demo-2026"},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": login},
        timeout=30,
    )
    agreement = cluster.sql("SELECT id FROM pipeline_agreement ORDER BY id")[0][0]
    upload = session.post(
        f"{cluster.apps['a']}/projects/agreements/{agreement}/documents/",
        data={"doc_type": "contract"},
        files={"file": ("contract.pdf", PDF, "application/pdf")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": login},
        timeout=30,
    )
    notes = re.findall(r'(?s)class="messages">(.*?)</ul>', upload.text)
    assert upload.status_code == 200 and 'class="success"' in "".join(notes), notes
    document = cluster.sql("SELECT id FROM pipeline_agreementdocument ORDER BY id DESC")[0][0]
    report = cluster.api("a", "POST", "/insights/reports", json={"period": "quarter"})
    assert report.status_code == 201, report.text

    built = wait_for(
        "the report",
        lambda: (
            (r := cluster.api("b", "GET", f"/insights/reports/{report.json()['id']}").json())[
                "status"
            ]
            == "done"
            and r
        ),
        timeout=90,
    )

    for app in ("a", "b"):
        got = session.get(f"{cluster.apps[app]}/projects/documents/{document}/", timeout=30)
        assert (got.status_code, got.content) == (200, PDF), app
        pdf = cluster.api(app, "GET", built["pdf_url"].removeprefix("/api"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), app
    anonymous = requests.get(
        f"{cluster.apps['b']}/projects/documents/{document}/", timeout=30, allow_redirects=False
    )
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]


def test_rate_limit_holds_across_both_apps(cluster: Cluster) -> None:
    statuses = []
    for i in range(12):
        app = cluster.apps["a" if i % 2 == 0 else "b"]
        session = requests.Session()
        session.get(f"{app}/apply/", timeout=30)
        answer = session.post(
            f"{app}/apply/",
            data={},  # invalid on purpose: a refused form still counts as an attempt
            headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{app}/apply/"},
            timeout=30,
        )
        statuses.append(answer.status_code)

    assert statuses == [400] * 5 + [429] * 7


def test_two_workers_updating_one_index_lose_no_update(cluster: Cluster) -> None:
    word = f"MW{uuid.uuid4().hex[:6].upper()}"
    created = [_new_achievement(cluster, "a" if i % 2 else "b", f"{word}{i}") for i in range(24)]

    wait_for("every index job", cluster.jobs_idle, timeout=120)
    publishers = cluster.sql(
        "SELECT count(*) FROM django_q_task WHERE name = 'retrieval.sync_index' AND success"
    )[0][0]

    for machine in ("a", "b"):
        assert set(created) <= _indexed_ids(cluster, machine), machine
    assert publishers >= 2


def _kill_when(cluster: Cluster, worker: str, ready: str, timeout: float = 60) -> None:
    """SIGKILL `worker` (its whole process group) as soon as SQL `ready` returns a row."""
    deadline = time.monotonic() + timeout
    while not cluster.sql(ready):
        if time.monotonic() > deadline:
            raise AssertionError(f"{worker} never started the job:\n{cluster.procs[worker].tail()}")
        time.sleep(0.005)
    cluster.procs[worker].signal(signal.SIGKILL, group=True)
    cluster.procs[worker].popen.wait(10)


def test_a_job_cut_short_by_sigkill_is_finished_by_another_worker(cluster: Cluster) -> None:
    cluster.procs["w2"].stop()  # one worker takes the next jobs: the one we kill
    report = cluster.api("a", "POST", "/insights/reports", json={"period": "quarter"}).json()

    _kill_when(
        cluster,
        "w1",
        f"SELECT 1 FROM insights_reportjob WHERE id = {report['id']} AND status = 'running'",
    )
    still = cluster.sql(f"SELECT status FROM insights_reportjob WHERE id = {report['id']}")[0][0]
    cluster.start_worker("w3")
    finished = wait_for(
        "the report to be finished by w3",
        lambda: (
            cluster.api("b", "GET", f"/insights/reports/{report['id']}").json()["status"] == "done"
        ),
        timeout=90,
    )

    assert still == "running" and finished

    # The same for an index update: w3 dies holding the index lease, w4 takes over.
    pk = _new_achievement(cluster, "b", f"MK{uuid.uuid4().hex[:6].upper()}")
    _kill_when(
        cluster,
        "w3",
        "SELECT 1 FROM jobs_lease WHERE name = 'index:achievement' "
        "AND holder <> '' AND expires_at > now()",
    )
    waiting = cluster.sql(
        "SELECT count(*) FROM retrieval_indexrequest WHERE kind = 'achievement' "
        f"AND object_id = {pk} AND done_at IS NULL"
    )[0][0]
    cluster.start_worker("w4")
    wait_for("w4 to finish the index update", cluster.jobs_idle, timeout=90)

    assert waiting == 1
    assert pk in _indexed_ids(cluster, "a")


def test_worker_stops_cleanly_on_sigterm(cluster: Cluster) -> None:
    proc = cluster.start_worker("w5")
    started = time.monotonic()

    proc.signal(signal.SIGTERM)  # to the main process only, as systemd's KillMode=mixed does
    code = proc.popen.wait(30)

    assert code == 0, proc.tail()
    assert time.monotonic() - started < 15
