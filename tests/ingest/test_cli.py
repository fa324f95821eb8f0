from __future__ import annotations

import io
import json
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import Organization, Trial
from tests.conftest import Personas
from tests.ingest.conftest import write_xlsx
from tests.ingest.test_ctgov import MALFORMED

Command = import_module("luodi.ingest.management.commands.import").Command


def run(*args: str, **options: Any) -> tuple[int, dict[str, Any] | None]:
    """Exit status and the JSON summary on the last stdout line (None when none)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(Command(), *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        code = exc.returncode
    lines = out.getvalue().strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else None)


@pytest.fixture
def orgs_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "orgs.xlsx",
        [
            ["机构名称", "Kind"],
            ["甲公司", "Company"],
            ["乙医院", "医院"],
        ],
    )


def test_cli_table_import_prints_summary_and_exits_0(db: None, orgs_xlsx: Path) -> None:
    code, summary = run("table", str(orgs_xlsx), kind="organizations")

    assert code == 0
    assert summary is not None
    assert (summary["created"], summary["updated"], summary["skipped"], summary["errors"]) == (
        2,
        0,
        0,
        [],
    )
    assert Organization.objects.count() == 2
    assert AuditEntry.objects.get(verb="import.table").actor is None


def test_cli_dry_run_writes_nothing(db: None, orgs_xlsx: Path) -> None:
    code, summary = run("table", str(orgs_xlsx), kind="organizations", dry_run=True)
    assert (code, summary and summary["created"]) == (0, 2)
    assert Organization.objects.count() == 0


def test_cli_exits_1_when_rows_are_rejected(db: None, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("Name,Kind\nAcme,company\nBad,spaceship\n", encoding="utf-8")

    code, summary = run("table", str(path), kind="organizations")

    assert code == 1
    assert summary is not None
    assert summary["created"] == 1
    assert [e["line"] for e in summary["errors"]] == [3]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("missing.csv", None, "organizations"),
        ("orgs.csv", "Name,Kind\nAcme,company\n", "spaceships"),
        ("orgs.csv", "Foo,Bar\n1,2\n", "organizations"),
        ("orgs.pdf", "Name,Kind\nAcme,company\n", "organizations"),
    ],
)
def test_cli_exits_2_on_unusable_input(
    db: None, tmp_path: Path, name: str, content: str | None, kind: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, summary = run("table", str(path), kind=kind)
    assert (code, summary) == (2, None)


def test_cli_ctgov_reports_malformed_rows_and_exit_1(db: None, tmp_path: Path) -> None:
    path = tmp_path / "ctgov.csv"
    path.write_text(MALFORMED, encoding="utf-8")

    code, summary = run("ctgov", str(path))

    assert code == 1
    assert summary is not None
    assert summary["created"] == 1 + 1 + 2 + 2  # trial, sponsor, 2 sites, 2 site links
    assert len(summary["errors"]) == 5
    assert Trial.objects.count() == 1


def test_cli_ctgov_not_an_export_exits_2(db: None, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert run("ctgov", str(path))[0] == 2


def test_cli_user_option_checks_permissions(personas: Personas, orgs_xlsx: Path) -> None:
    code, summary = run("table", str(orgs_xlsx), kind="organizations", user="partner_a")
    assert (code, summary) == (2, None)
    code, summary = run("table", str(orgs_xlsx), kind="organizations", user="staff_user")
    assert code == 0
    assert AuditEntry.objects.get(verb="import.table").actor == personas.staff


@pytest.mark.slow
def test_luodi_import_entry_point_end_to_end(tmp_path: Path, orgs_xlsx: Path) -> None:
    """`luodi import …` through the real CLI: progress on stderr, JSON last, exit codes."""
    import os
    import subprocess
    import sys

    luodi = Path(sys.executable).with_name("luodi")
    if not luodi.exists():
        pytest.skip("the luodi command is not installed in this environment")
    env = {
        **os.environ,
        "LUODI_SECRET_KEY": "x",
        "LUODI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def luodi_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(luodi), *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert luodi_run("migrate", "-v0").returncode == 0
    ok = luodi_run("import", "table", str(orgs_xlsx), "--kind", "organizations")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1])["created"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Kind\nAcme,company\nBad,spaceship\n", encoding="utf-8")
    rejected = luodi_run("import", "table", str(bad), "--kind", "organizations")
    assert rejected.returncode == 1
    assert json.loads(rejected.stdout.strip().splitlines()[-1])["errors"][0]["line"] == 3
    assert luodi_run("import", "table", str(bad), "--kind", "planets").returncode == 2
