"""Demo achievements, combined from the building blocks in `blocks.py` with a fixed seed.

Every achievement gets a stage on its kind's path (drug stages for drugs, device stages for
devices, TRL for the rest), carrier needs that follow from its kind and stage, fictional patent
numbers, an owner working in its technology field and inventors from that owner.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.scale.demo_gen import blocks as B
from bench.scale.demo_gen import products as P
from bench.scale.demo_gen.common import Loader
from bench.scale.demo_gen.devices import DEVICES
from bench.scale.demo_gen.people import People
from luodi.catalog.choices import (
    DEVICE_STAGES,
    DRUG_STAGES,
    TRL_STAGES,
    AchievementKind,
    AchievementNeed,
    Disclosure,
    OrganizationKind,
    TransferMode,
    maturity,
)
from luodi.catalog.choices import CarrierType as C
from luodi.catalog.choices import Stage as St
from luodi.catalog.models import Achievement, Organization

K = AchievementKind


def stages_for_kind(kind: str) -> list[str]:
    """The stage path an achievement of this kind moves along."""
    if kind == K.DRUG:
        return [str(s) for s in DRUG_STAGES]
    if kind == K.DEVICE:
        return [str(s) for s in DEVICE_STAGES]
    return [str(s) for s in TRL_STAGES]


@dataclass
class Spec:
    kind: str
    title_zh: str
    title_en: str
    body_zh: str  # what it is and why it is better; the stage sentence is added later
    body_en: str
    indications: list[str]
    tech: list[str]
    biologic: bool = False
    device_class: str = ""
    stage: str = ""
    extra: dict[str, str] = field(default_factory=dict)


STAGE_WEIGHTS: dict[str, list[float]] = {
    K.DRUG: [3, 5, 2, 3, 2, 1, 0.4, 0.3],
    K.DEVICE: [1, 4, 3, 2, 1, 0.6],
    K.DIAGNOSTIC: [0, 0, 1, 3, 3, 3, 2, 1, 0.5],
    K.SOFTWARE: [0, 0, 1, 2, 3, 3, 2, 1, 0.5],
    K.METHOD: [0, 0, 2, 3, 3, 2, 1, 0, 0],
    K.MATERIAL: [0, 1, 3, 3, 2, 1, 0, 0, 0],
    K.PATENT: [0, 2, 3, 2, 0, 0, 0, 0, 0],
}

TCM_WEIGHTS: list[float] = [0, 3, 2, 1, 2, 1, 0, 0]

STAGE_TEXT = {
    St.DISCOVERY: (
        "处于药物发现阶段，已完成体外活性与选择性验证",
        "In discovery: in-vitro potency and selectivity confirmed",
    ),
    St.PRECLINICAL: (
        "已完成药效学研究与非GLP毒理，正在开展IND申报所需的GLP研究",
        "Preclinical: efficacy and non-GLP toxicology done, IND-enabling GLP studies under way",
    ),
    St.IND_FILED: (
        "已向国家药监局药品审评中心递交临床试验申请（IND）",
        "IND submitted to the NMPA Center for Drug Evaluation",
    ),
    St.PHASE1: (
        "正在开展I期剂量递增研究，已完成前三个剂量组",
        "In a phase I dose-escalation study; three cohorts completed",
    ),
    St.PHASE2: (
        "II期临床试验入组中，初步疗效信号积极",
        "Enrolling a phase II trial with encouraging early efficacy",
    ),
    St.PHASE3: ("正在开展多中心III期临床试验", "In a multicentre phase III trial"),
    St.NDA: ("已提交上市许可申请", "Marketing application submitted"),
    St.MARKETED: (
        "已获批上市，寻求新适应症的合作开发",
        "Approved; partners sought for new indications",
    ),
    St.CONCEPT: (
        "已完成概念设计与临床需求论证",
        "Concept design and clinical-need validation completed",
    ),
    St.PROTOTYPE: (
        "已完成功能样机，正在开展动物实验",
        "Working prototype built; animal studies in progress",
    ),
    St.TYPE_TESTING: (
        "正在医疗器械检验机构进行型式检验",
        "In type testing at an accredited device testing centre",
    ),
    St.DEVICE_TRIAL: ("正在开展注册临床试验", "In a registration clinical trial"),
    St.REGISTRATION: ("已提交{cls}类医疗器械注册申请", "Class {cls} registration submitted"),
    St.DEVICE_MARKETED: (
        "已取得{cls}类医疗器械注册证，寻求渠道与产能合作",
        "Class {cls} registration certificate obtained; seeking distribution "
        "and manufacturing partners",
    ),
    St.TRL1: ("已完成基本原理研究（TRL 1）", "Basic principles established (TRL 1)"),
    St.TRL2: ("已形成技术方案（TRL 2）", "Technology concept formulated (TRL 2)"),
    St.TRL3: ("已完成原理验证（TRL 3）", "Proof of concept achieved (TRL 3)"),
    St.TRL4: ("已在实验室环境下完成验证（TRL 4）", "Validated in the laboratory (TRL 4)"),
    St.TRL5: (
        "已在模拟临床环境中完成验证（TRL 5）",
        "Validated in a simulated clinical setting (TRL 5)",
    ),
    St.TRL6: ("已在合作医院完成小规模试用（TRL 6）", "Piloted at a partner hospital (TRL 6)"),
    St.TRL7: ("已在多家医院试运行（TRL 7）", "In trial operation at several hospitals (TRL 7)"),
    St.TRL8: (
        "产品已定型并通过第三方检测（TRL 8）",
        "Finalised and qualified by third-party testing (TRL 8)",
    ),
    St.TRL9: ("已在实际场景中规模化应用（TRL 9）", "Proven in routine use at scale (TRL 9)"),
}

# TRL 6–7 of methods and materials: demonstrated outside the lab, not necessarily in hospitals.
PILOT_TEXT = {
    St.TRL6: (
        "已在相关应用环境中完成示范验证（TRL 6）",
        "Demonstrated in a relevant environment (TRL 6)",
    ),
    St.TRL7: (
        "已在实际应用环境中试运行（TRL 7）",
        "In trial operation in a real-world setting (TRL 7)",
    ),
}

MODE_TEXT = {
    TransferMode.ASSIGNMENT: ("转让", "assignment"),
    TransferMode.LICENSE: ("许可", "licensing"),
    TransferMode.EQUITY: ("作价入股", "equity investment"),
    TransferMode.CODEVELOPMENT: ("合作开发", "co-development"),
}
PREVENT = {"rsv", "zoster"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _a(noun: str) -> str:
    """English indefinite article + noun."""
    head = noun.split()[0].split("-")[0]
    acronym = head.isupper() and head[:1] in "AEFHILMNORSX" and not head.startswith("HER")
    return f"{'an' if acronym or noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _for(name_zh: str, name_en: str, izh: str, ien: str) -> tuple[str, str]:
    """ ", 面向X" / " for X" unless the name already says it."""
    zh = "" if izh in name_zh else f"，面向{izh}"
    named = ien.split()[-1].lower() in name_en.lower() or " for " in name_en
    en = "" if named else f" for {ien}"
    return zh, en


def _ind(key: str) -> tuple[str, str]:
    zh, en, *_ = B.INDICATIONS[key]
    return zh, en


def _specs() -> list[Spec]:
    specs: list[Spec] = []
    for target, mods, inds in B.TARGETS:
        for mkey in mods:
            mod = B.MODALITIES[mkey]
            for ind in inds:
                izh, ien = _ind(ind)
                verb_zh, verb_en = (
                    ("预防", "for prevention of") if ind in PREVENT else ("治疗", "for")
                )
                name_zh, name_en = mod.zh.format(t=target), mod.en.format(t=target)
                specs.append(
                    Spec(
                        K.DRUG,
                        f"{name_zh}{verb_zh}{izh}",
                        f"{name_en[0].upper()}{name_en[1:]} {verb_en} {ien}",
                        f"一种用于{verb_zh}{izh}的{name_zh}，{mod.advantage_zh}",
                        f"{_a(name_en)[0].upper()}{_a(name_en)[1:]} {verb_en} {ien}: "
                        f"{mod.advantage_en}",
                        [ind],
                        list(mod.tech),
                        mod.biologic,
                        extra={"target": target, "modality": mkey},
                    )
                )
    for zh, en, ind, azh, aen in B.TCM_DRUGS:
        izh, ien = _ind(ind)
        specs.append(
            Spec(
                K.DRUG,
                f"{zh}（{izh}）",
                f"{en[0].upper()}{en[1:]} for {ien}",
                f"中药新药{zh}，用于{izh}，{azh}",
                f"A new TCM drug for {ien}: {aen}",
                [ind],
                ["tcm"],
            )
        )
    kinds = [
        (K.DEVICE, DEVICES),
        (K.DIAGNOSTIC, P.DIAGNOSTICS),
        (K.SOFTWARE, P.SOFTWARE),
        (K.METHOD, P.METHODS),
        (K.MATERIAL, P.MATERIALS),
    ]
    for kind, blocks in kinds:
        for blk in blocks:
            uses = blk.uses if kind == K.DEVICE else blk.uses[:1]
            for use in uses:
                izh, ien = _ind(use)
                suffix_zh = f"（{izh}）" if len(uses) > 1 else ""
                suffix_en = f" for {ien}" if len(uses) > 1 else ""
                all_uses = uses if kind == K.DEVICE else blk.uses
                for_zh, for_en = _for(blk.zh, blk.en, izh, ien)
                if kind == K.METHOD and for_zh:
                    for_zh, for_en = f"，应用于{izh}领域", f", applied to {ien}"
                specs.append(
                    Spec(
                        kind,
                        f"{blk.zh}{suffix_zh}",
                        f"{blk.en[0].upper()}{blk.en[1:]}{suffix_en}",
                        f"{blk.zh}{for_zh}，{blk.feature_zh}",
                        f"{_cap(blk.en)}{for_en}: {blk.feature_en}",
                        [use] if kind == K.DEVICE else list(all_uses),
                        list(blk.tech),
                        device_class=blk.device_class,
                    )
                )
    specs += _patent_specs()
    return specs


PATENT_NAMES = {  # modality → (zh title, en title) of a typical composition-of-matter patent
    "sm": (
        "一种{t}抑制剂化合物、其制备方法及用途",
        "{t} inhibitor compounds, their preparation and use",
    ),
    "sm_ago": ("一种{t}激动剂化合物及其用途", "{t} agonist compounds and their use"),
    "protac": (
        "一种{t}降解剂化合物、其制备方法及用途",
        "{t} degrader compounds, their preparation and use",
    ),
    "peptide": ("一种长效{t}多肽激动剂及其用途", "Long-acting {t} peptide agonists and their use"),
    "cart": (
        "一种靶向{t}的嵌合抗原受体及其应用",
        "{t}-targeting chimeric antigen receptors and uses thereof",
    ),
    "sirna": (
        "一种抑制{t}表达的双链RNA及其应用",
        "Double-stranded RNA inhibiting {t} expression and uses thereof",
    ),
    "mrna": (
        "一种编码{t}抗原的mRNA及其疫苗组合物",
        "mRNA encoding {t} antigen and vaccine compositions",
    ),
    "aav": (
        "一种携带{t}基因的重组AAV载体及其应用",
        "Recombinant AAV vectors carrying {t} and uses thereof",
    ),
    "rlt": ("一种靶向{t}的放射性配体及其应用", "{t}-targeting radioligands and uses thereof"),
}
ANTIBODY_PATENT = (
    "一种抗{t}抗体或其抗原结合片段及其应用",
    "Anti-{t} antibodies or antigen-binding fragments and uses thereof",
)
ACTIVE_TECH = {"medical_electronics", "surgical_robotics", "rehab_devices"}


def _patent_specs() -> list[Spec]:
    out: list[Spec] = []
    for target, mods, inds in B.TARGETS[:18]:
        mkey = mods[0]
        zh, en = (s.format(t=target) for s in PATENT_NAMES.get(mkey, ANTIBODY_PATENT))
        izh, ien = _ind(inds[0])
        out.append(
            Spec(
                K.PATENT,
                zh,
                en,
                f"本发明涉及{zh.removeprefix('一种')}，可用于{izh}",
                f"The invention relates to {en[0].lower()}{en[1:]}, for {ien}",
                [inds[0]],
                list(B.MODALITIES[mkey].tech),
            )
        )
    for blk in DEVICES[::3]:
        izh, ien = _ind(blk.uses[0])
        active = bool(ACTIVE_TECH & set(blk.tech))
        zh = f"一种{blk.zh}及其{'控制' if active else '制备'}方法"
        en = f"{_cap(blk.en)} and {'control method' if active else 'method of making'}"
        out.append(
            Spec(
                K.PATENT,
                zh,
                en,
                f"本发明公开了{zh.removeprefix('一种')}，适用于{izh}",
                f"Discloses {_a(blk.en)} and its {'control' if active else 'manufacture'}, "
                f"for {ien}",
                [blk.uses[0]],
                list(blk.tech),
            )
        )
    return out


def _carrier_needs(spec: Spec, rng: random.Random) -> tuple[list[C], int | None]:
    """Space an achievement needs to land, following from its kind and stage."""
    s, k = spec.stage, spec.kind
    cgt = "cell_gene_therapy" in spec.tech
    if k == K.DRUG:
        if s in {St.DISCOVERY, St.PRECLINICAL}:
            needs = [C.P2_LAB] if cgt else [C.WET_LAB]
            if s == St.PRECLINICAL and rng.random() < 0.3:
                needs.append(C.ANIMAL)
            return needs, rng.choice([300, 500, 800])
        if spec.biologic:
            return ([C.GMP, C.P2_LAB] if cgt else [C.GMP]), rng.choice([2000, 3000, 5000])
        if s in {St.PHASE3, St.NDA, St.MARKETED} or "tcm" in spec.tech:
            return [C.GMP, C.WAREHOUSE], rng.choice([3000, 6000])
        return [C.WET_LAB, C.OFFICE], rng.choice([400, 600])
    if k == K.DEVICE:
        table = {
            St.CONCEPT: [C.INCUBATOR],
            St.PROTOTYPE: [C.WET_LAB, C.CLEANROOM],
            St.TYPE_TESTING: [C.CLEANROOM],
            St.DEVICE_TRIAL: [C.CLEANROOM, C.OFFICE],
            St.REGISTRATION: [C.CLEANROOM, C.WAREHOUSE],
            St.DEVICE_MARKETED: [C.CLEANROOM, C.WAREHOUSE],
        }
        size = {St.CONCEPT: 60, St.PROTOTYPE: 400}.get(St(s), rng.choice([1000, 1500, 2500]))
        return table[St(s)], size
    trl = TRL_STAGES.index(St(s)) + 1
    if k == K.SOFTWARE:
        return ([C.INCUBATOR] if trl <= 4 else [C.OFFICE]), (80 if trl <= 4 else 300)
    if k == K.DIAGNOSTIC:
        return ([C.WET_LAB] if trl <= 5 else [C.CLEANROOM, C.WET_LAB]), rng.choice([300, 800])
    if k == K.MATERIAL:
        return [C.WET_LAB, C.CLEANROOM], rng.choice([300, 600, 1000])
    if k == K.METHOD:
        return ([C.P2_LAB] if cgt else [C.WET_LAB]), rng.choice([200, 400])
    return [], None


def _patent_no(rng: random.Random, kind: str) -> str:
    if kind == K.SOFTWARE:
        return f"软著登字 {rng.randint(2019, 2025)}SR{rng.randint(100000, 999999):07d}"
    year = rng.randint(2018, 2025)
    return f"CN{year}1{rng.randint(0, 9999999):07d}.{rng.randint(0, 9)}"


def _ip_status(spec: Spec, rng: random.Random) -> str:
    if spec.kind == K.SOFTWARE:
        return "软件著作权已登记 / software copyright registered"
    if spec.kind == K.METHOD and rng.random() < 0.3:
        return "技术秘密 / trade secret"
    return rng.choice(
        [
            "发明专利已授权 / invention patent granted",
            "发明专利申请，实质审查中 / invention patent pending (substantive examination)",
            "PCT国际申请已进入国家阶段 / PCT application in national phase",
        ]
    )


def _owner(
    ld: Loader,
    spec: Spec,
    rng: random.Random,
    pools: dict[str, list[Organization]],
    hospitals: dict[str, list[Organization]],
) -> Organization:
    clinical = spec.kind in {K.DEVICE, K.DIAGNOSTIC, K.SOFTWARE, K.METHOD}
    specialty = B.INDICATIONS[spec.indications[0]][4]
    if clinical and hospitals.get(specialty) and rng.random() < 0.35:
        return rng.choice(hospitals[specialty])
    # Organizations working in the primary field, else in any of the fields.
    candidates = list(pools.get(spec.tech[0], []))
    if not candidates:
        for code in spec.tech[1:]:
            candidates += [o for o in pools.get(code, []) if o not in candidates]
    if not candidates:
        return ld.get_org("四川大学")
    institutes = [o for o in candidates if o.kind == OrganizationKind.INSTITUTE]
    local = [o for o in institutes if o.province == "四川省"]
    if institutes and rng.random() < 0.55:
        return rng.choice(local if local and rng.random() < 0.85 else institutes)
    return rng.choice(candidates)


def _modes(owner: Organization, rng: random.Random) -> list[str]:
    T = TransferMode
    options = {
        OrganizationKind.INSTITUTE: [
            [T.LICENSE],
            [T.ASSIGNMENT],
            [T.LICENSE, T.EQUITY],
            [T.EQUITY],
            [T.ASSIGNMENT, T.LICENSE],
        ],
        OrganizationKind.HOSPITAL: [[T.LICENSE], [T.CODEVELOPMENT], [T.LICENSE, T.CODEVELOPMENT]],
    }.get(
        OrganizationKind(owner.kind),
        [[T.CODEVELOPMENT], [T.EQUITY], [T.LICENSE, T.EQUITY], [T.CODEVELOPMENT, T.EQUITY]],
    )
    return [str(m) for m in rng.choice(options)]


CLINICAL_STAGES = {
    St.IND_FILED,
    St.PHASE1,
    St.PHASE2,
    St.PHASE3,
    St.TYPE_TESTING,
    St.DEVICE_TRIAL,
    St.TRL5,
    St.TRL6,
    St.TRL7,
}


def _spread(path: list[str], weights: list[float], n: int, rng: random.Random) -> list[str]:
    """n stages distributed along the path in proportion to the weights, shuffled."""
    total = sum(weights)
    exact = [w * n / total for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(path)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    stages = [s for s, c in zip(path, counts, strict=True) for _ in range(c)]
    rng.shuffle(stages)
    return stages


def build_specs(seed: int = 2026) -> list[Spec]:
    """All achievement specs with stages assigned (deterministic for a seed)."""
    rng = random.Random(seed)
    specs = _specs()
    groups: dict[tuple[str, bool], list[Spec]] = {}
    for spec in specs:
        groups.setdefault((spec.kind, "tcm" in spec.tech), []).append(spec)
    for (kind, tcm), group in groups.items():
        weights = TCM_WEIGHTS if tcm and kind == K.DRUG else STAGE_WEIGHTS[kind]
        for spec, stage in zip(
            group, _spread(stages_for_kind(kind), weights, len(group), rng), strict=True
        ):
            spec.stage = stage
    return specs


def _amount_sought(stage: str, needs: list[str], i: int) -> int | None:
    """Investment sought (10k CNY), fictional: for two of three achievements that seek
    investment, a round that grows with maturity (seed, A/B, late). No random draw, so the
    demo's other random choices stay as they were."""
    if AchievementNeed.INVESTMENT not in needs or i % 3 == 2:
        return None
    m = maturity(stage)
    base = 200 if m < 0.2 else (1500 if m < 0.5 else 8000)
    return base * (2, 3, 4, 6)[i % 4] // 2


def load_achievements(
    ld: Loader,
    people: People,
    pools: dict[str, list[Organization]],
    hospitals: dict[str, list[Organization]],
) -> list[Achievement]:
    rng = random.Random(8848)
    specs = build_specs()
    order = list(range(len(specs)))
    rng.shuffle(order)
    n = len(specs)
    tiers = {i: Disclosure.CONFIDENTIAL for i in order[: n // 10]}
    tiers |= {i: Disclosure.TEASER for i in order[n // 10 : n // 10 + n * 15 // 100]}
    out = []
    for i, spec in enumerate(specs):
        owner = _owner(ld, spec, rng, pools, hospitals)
        modes = _modes(owner, rng)
        carriers, m2 = _carrier_needs(spec, rng)
        if rng.random() < 0.3 and spec.kind not in {K.DEVICE, K.DRUG}:
            carriers, m2 = [], None
        needs: list[str] = []
        if {TransferMode.LICENSE, TransferMode.ASSIGNMENT} & set(modes):
            needs.append(AchievementNeed.LICENSEE)
        if TransferMode.EQUITY in modes or owner.kind == OrganizationKind.COMPANY:
            needs.append(AchievementNeed.INVESTMENT)
        if spec.stage in CLINICAL_STAGES and spec.kind not in {K.METHOD, K.PATENT}:
            needs.append(AchievementNeed.CLINICAL)
        if carriers:
            needs.append(AchievementNeed.SPACE)
        if not needs:
            needs.append(AchievementNeed.INVESTMENT)
        stage_zh, stage_en = STAGE_TEXT[St(spec.stage)]
        if spec.kind in {K.METHOD, K.MATERIAL} and spec.stage in PILOT_TEXT:
            stage_zh, stage_en = PILOT_TEXT[St(spec.stage)]
        cls = spec.device_class or "II"
        stage_zh, stage_en = stage_zh.format(cls=cls), stage_en.format(cls=cls)
        modes_zh = "、".join(MODE_TEXT[TransferMode(m)][0] for m in modes)
        modes_en = " or ".join(MODE_TEXT[TransferMode(m)][1] for m in modes)
        patents = "；".join(_patent_no(rng, spec.kind) for _ in range(rng.choice([1, 1, 2])))
        lang = rng.random()
        has_zh, has_en = lang >= 0.10, lang < 0.10 or lang >= 0.22
        tier = tiers.get(i, Disclosure.PUBLIC)
        team = people.of(owner)
        inventors = team[: rng.randint(1, 3)] if team else []
        areas: list[str] = []
        for key in spec.indications:
            _, _, icd, mesh, _ = B.INDICATIONS[key]
            areas += [icd, mesh]
        dossier_zh = dossier_en = ""
        if tier != Disclosure.PUBLIC:
            lead = inventors[0].name_zh if inventors else owner.display_name
            lead_en = inventors[0].name_en if inventors else owner.name_en
            dossier_zh = (
                f"完整数据包：{stage_zh}的原始数据与关键实验报告；专利布局与自由实施分析；"
                f"预期交易结构：首付款加里程碑与销售提成；项目负责人：{lead}"
            )
            dossier_en = (
                f"Full data package: raw data and key study reports ({stage_en}); "
                "patent landscape and freedom-to-operate analysis; expected deal "
                f"structure: upfront plus milestones and royalties; lead: {lead_en}"
            )
        obj = ld.upsert(
            Achievement,
            {
                "title_zh": spec.title_zh if has_zh else "",
                "title_en": spec.title_en if has_en else "",
                "kind": spec.kind,
            },
            {
                "summary_zh": (
                    f"{spec.body_zh}。{stage_zh}。拟以{modes_zh}方式寻求转化合作。"
                    if has_zh
                    else ""
                ),
                "summary_en": (
                    f"{spec.body_en}. {stage_en}. Open to {modes_en}." if has_en else ""
                ),
                "dossier_zh": dossier_zh if has_zh else "",
                "dossier_en": dossier_en if has_en else "",
                "owner": owner,
                "stage": spec.stage,
                "patent_numbers": patents,
                "ip_status": _ip_status(spec, rng),
                "transfer_modes": modes,
                "needs": [str(x) for x in needs],
                "carrier_needs": [str(c) for c in carriers],
                "space_needed_m2": m2,
                "amount_sought_wan": _amount_sought(spec.stage, needs, i),
                "disclosure": tier,
                "is_demo": True,
            },
        )
        ld.m2m(obj, "inventors", inventors)
        ld.m2m(obj, "therapeutic_areas", ld.areas(areas))
        ld.m2m(obj, "technology_fields", ld.tech(spec.tech))
        out.append(obj)
    return out
