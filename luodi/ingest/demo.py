"""The catalog's demo ecosystem: parks, hospitals, institutes, companies, investors, people,
achievements and clinical needs centred on Chengdu, imported from the data files in the
repository's demo/catalog/ folder through the importer, as a person's upload would be.

Real names (parks, hospitals, universities, public bodies) are public facts; every person,
company, investor, achievement and need is fictional and flagged by the files' `is_demo`
column (pages show the flag as a badge, the text carries no marker). The importer matches
rows on its natural keys, so a second load creates nothing; a demo row never rewrites a real
record someone entered (see `writers.leaves_alone`).

The files ship with the source repository, not with the package (they are data, not code):
`luodi demo` and `make run` run from a checkout.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction

from luodi.catalog import taxonomy
from luodi.catalog.models import Term
from luodi.catalog.taxonomy import Writer, seed_taxonomy
from luodi.ingest import domain, fields, profiles, tables

__all__ = ["DEMO_DIR", "DemoDataError", "load", "load_catalog"]

# luodi/ingest/demo.py → the repository root.
DEMO_DIR = Path(__file__).resolve().parents[2] / "demo" / "catalog"

# Import order: what a row names (an organization, a person) is imported before it; the
# profiles before the people, as an organization's change re-indexes its people too.
FILES: list[tuple[str, str]] = [
    ("organizations.csv", fields.ORGANIZATIONS),
    ("park_profiles.csv", profiles.PARK_PROFILES),
    ("carriers.csv", profiles.CARRIERS),
    ("clinical_centers.csv", profiles.CLINICAL_CENTERS),
    ("company_profiles.csv", profiles.COMPANY_PROFILES),
    ("people.csv", fields.PEOPLE),
    ("achievements.csv", fields.ACHIEVEMENTS),
    ("needs.csv", fields.NEEDS),
]
MODELS = {
    "organization": "Organization",
    "person": "Person",
    "achievement": "Achievement",
    "clinical_need": "ClinicalNeed",
    profiles.PARK_PROFILES: "ParkProfile",
    profiles.CARRIERS: "Carrier",
    profiles.CLINICAL_CENTERS: "ClinicalCenterProfile",
    profiles.COMPANY_PROFILES: "CompanyProfile",
}
SEPARATOR = "; "  # between the items of a cell, in the demo's files


class DemoDataError(Exception):
    """A demo file is missing or has a row the importer refused."""


def _optional_names() -> set[str]:
    """Names of the therapeutic-area vocabularies a database may lack: MeSH headings (an
    optional package) and ICD-10 codes (areas themselves without MeSH, else cross-references
    that may name no area)."""
    names = {name for top, _zh, kids in taxonomy.mesh_subset() for name in (top, *kids)}
    names.update(Term.objects.filter(source="icd10").values_list("code", flat=True))
    return names


def _drop_unknown_areas(kind: str, table: tables.Table, mapping: list[str]) -> None:
    """The demo names each area by its ICD-10 code and its MeSH heading, so that it loads
    with or without MeSH: the names this database's taxonomy lacks are left out."""
    area_columns = [
        (column, spec)
        for column, key in enumerate(mapping)
        for spec in fields.FIELDS[kind]
        if spec.key == key and spec.kind == "terms" and fields.AREA in spec.schemes
    ]
    if not area_columns:
        return
    resolver = tables.Resolver.load()
    optional = _optional_names()
    for _line, cells in table.rows:
        for column, spec in area_columns:
            parts = [p for p in cells[column].split(SEPARATOR) if p]
            # Known whole: "Diabetes Mellitus, Type 2" is not kept for its ICD-10 part.
            kept = [
                p for p in parts if p not in optional or not resolver.term_ids(spec.schemes, p)[1]
            ]
            cells[column] = SEPARATOR.join(kept)


def _import(path: Path, kind: str) -> dict[str, int]:
    """One file through `import_table`; {record kind: number created}."""
    table = tables.read_table(path.name, path.read_bytes())
    mapping = tables.suggest_mapping(kind, table, system=True)
    unknown = [h for h, key in zip(table.headers, mapping, strict=True) if not key]
    if unknown:
        raise DemoDataError(f"{path}: columns the importer does not know: {unknown}")
    _drop_unknown_areas(kind, table, mapping)
    summary = domain.import_table(actor=None, system=True, kind=kind, table=table, mapping=mapping)
    problems = [f"line {e.line}: {e.reason}" for e in summary.errors]
    problems += [f"line {d.line}: {d.name}: {d.reason}" for d in summary.duplicates]
    if problems:
        raise DemoDataError(f"{path}: " + "; ".join(problems[:10]))
    return {k: counts.get("created", 0) for k, counts in summary.by_kind.items()}


def load(out: Writer) -> None:
    """The demo loader (`luodi.demo.LOADERS`): the taxonomy, then the catalog demo data."""
    load_catalog(out)


@transaction.atomic
def load_catalog(out: Writer, directory: Path | None = None) -> dict[str, int]:
    """Seed the taxonomy, then import the demo files; returns the rows created per model."""
    started = time.monotonic()
    directory = directory or DEMO_DIR
    if not directory.is_dir():
        raise DemoDataError(
            f"The demo data files are missing: {directory} is not a folder. They come with "
            "the source repository (demo/), not with the installed package: run the demo "
            "from a checkout."
        )
    seed_taxonomy(out)
    created: dict[str, int] = {}
    for name, kind in FILES:
        for record_kind, n in _import(directory / name, kind).items():
            if n:
                model = MODELS.get(record_kind, record_kind)
                created[model] = created.get(model, 0) + n
    created = dict(sorted(created.items()))
    summary = ", ".join(f"{n} {m}" for m, n in created.items()) or "nothing new"
    out.write(f"  catalog demo: {summary} ({time.monotonic() - started:.1f} s)\n")
    return created
