"""Medical-device building blocks: what each device is, the indications it serves, its
technology fields, its selling point and its NMPA class."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """A device, diagnostic, software, method or material and the indications it serves."""

    zh: str
    en: str
    uses: tuple[str, ...]
    tech: tuple[str, ...]
    feature_zh: str
    feature_en: str
    device_class: str = ""  # for devices: "II" or "III"


def make_block(zh: str, en: str, uses: str, tech: str, fzh: str, fen: str, cls: str = "") -> Block:
    return Block(zh, en, tuple(uses.split()), tuple(tech.split()), fzh, fen, cls)


DEVICES = [
    make_block(
        "可降解镁合金冠状动脉支架",
        "biodegradable magnesium-alloy coronary stent",
        "cad",
        "implants biomaterials",
        "12个月内完全降解，径向支撑力与钴铬支架相当",
        "fully resorbed within 12 months with radial strength comparable to CoCr stents",
        "III",
    ),
    make_block(
        "经导管主动脉瓣置换系统",
        "transcatheter aortic valve replacement system",
        "valve",
        "implants",
        "可回收输送系统，支持14F小鞘管入路",
        "retrievable delivery via a 14F sheath",
        "III",
    ),
    make_block(
        "左心耳封堵器",
        "left atrial appendage occluder",
        "af",
        "implants",
        "双盘结构减少器械相关血栓",
        "a dual-disc design that reduces device-related thrombus",
        "III",
    ),
    make_block(
        "脉冲场消融导管",
        "pulsed-field ablation catheter",
        "af",
        "implants medical_electronics",
        "非热消融，降低食管与膈神经损伤风险",
        "non-thermal ablation sparing oesophagus and phrenic nerve",
        "III",
    ),
    make_block(
        "颅内取栓支架",
        "intracranial thrombectomy stent retriever",
        "stroke",
        "implants",
        "双层网格设计，首过再通率高",
        "a dual-layer mesh for high first-pass recanalisation",
        "III",
    ),
    make_block(
        "骨科手术导航机器人",
        "orthopaedic surgical navigation robot",
        "spine fracture",
        "surgical_robotics",
        "亚毫米级定位精度，术中透视次数减少70%",
        "sub-millimetre accuracy with 70% fewer intra-operative X-rays",
        "III",
    ),
    make_block(
        "血管介入手术机器人",
        "vascular interventional surgical robot",
        "cad stroke",
        "surgical_robotics",
        "术者远程操作，显著降低辐射暴露",
        "remote operation that sharply cuts operator radiation exposure",
        "III",
    ),
    make_block(
        "3D打印多孔钛合金椎间融合器",
        "3D-printed porous titanium interbody fusion cage",
        "spine",
        "implants biomaterials",
        "仿生骨小梁孔隙促进骨长入",
        "trabecular-like pores that promote bone ingrowth",
        "III",
    ),
    make_block(
        "可穿戴动态心电监测贴",
        "wearable ambulatory ECG patch",
        "af",
        "medical_electronics telemedicine",
        "连续监测14天，云端AI自动判读",
        "14-day continuous monitoring with cloud AI reading",
        "II",
    ),
    make_block(
        "上肢康复外骨骼机器人",
        "upper-limb rehabilitation exoskeleton",
        "stroke sci",
        "rehab_devices",
        "肌电意图识别驱动主动训练",
        "EMG-driven active training",
        "II",
    ),
    make_block(
        "闭环脑深部电刺激系统",
        "closed-loop deep brain stimulation system",
        "parkinson",
        "medical_electronics implants",
        "依据局部场电位自适应调节刺激",
        "adapts stimulation to local field potentials",
        "III",
    ),
    make_block(
        "便携式低场磁共振成像系统",
        "portable low-field MRI system",
        "stroke",
        "medical_imaging",
        "床旁成像，无需屏蔽室",
        "bedside imaging without a shielded room",
        "II",
    ),
    make_block(
        "磁控胶囊内镜",
        "magnetically controlled capsule endoscope",
        "gastric",
        "medical_imaging",
        "无痛无麻醉完成全胃检查",
        "painless full-stomach examination without sedation",
        "III",
    ),
    make_block(
        "一次性电子支气管镜",
        "single-use electronic bronchoscope",
        "lung_nodule",
        "medical_imaging",
        "避免交叉感染，外径2.8mm可达外周小气道",
        "no cross-infection; 2.8 mm tip reaches peripheral airways",
        "II",
    ),
    make_block(
        "人工耳蜗植入系统",
        "cochlear implant system",
        "hearing",
        "implants medical_electronics",
        "24通道电极，兼容3.0T磁共振",
        "24-channel electrode array, 3 T MRI compatible",
        "III",
    ),
    make_block(
        "可调焦人工晶状体",
        "accommodating intraocular lens",
        "cataract",
        "ophthalmic_devices",
        "术后远中近全程视力",
        "continuous vision from far to near after surgery",
        "III",
    ),
    make_block(
        "离焦型角膜塑形镜",
        "defocus orthokeratology lens",
        "myopia",
        "ophthalmic_devices",
        "周边离焦设计延缓眼轴增长",
        "peripheral defocus that slows axial elongation",
        "III",
    ),
    make_block(
        "无创连续血糖监测仪",
        "non-invasive continuous glucose monitor",
        "t1d t2d",
        "medical_electronics",
        "光学传感，免指尖采血",
        "optical sensing without finger pricks",
        "II",
    ),
    make_block(
        "智能闭环胰岛素泵",
        "closed-loop insulin pump",
        "t1d",
        "medical_electronics",
        "与CGM联动自动调节基础率",
        "automatically adjusts basal insulin with CGM",
        "III",
    ),
    make_block(
        "表面改性钛种植体",
        "surface-modified titanium dental implant",
        "tooth_loss",
        "dental biomaterials",
        "纳米级表面处理缩短骨结合时间",
        "nanoscale surface treatment that shortens osseointegration",
        "III",
    ),
    make_block(
        "负压伤口治疗系统",
        "negative-pressure wound therapy system",
        "diabetic_foot burn",
        "medical_electronics",
        "压力闭环控制，便携可家用",
        "closed-loop pressure control, portable for home use",
        "II",
    ),
    make_block(
        "便携式高原制氧与血氧监测一体机",
        "portable oxygen concentrator with SpO₂ monitoring",
        "altitude copd",
        "medical_electronics",
        "海拔5000米稳定出氧",
        "stable output up to 5,000 m altitude",
        "II",
    ),
    make_block(
        "光子计数CT探测器模组",
        "photon-counting CT detector module",
        "lung_nodule cad",
        "medical_imaging",
        "能谱成像，辐射剂量降低40%",
        "spectral imaging at 40% lower dose",
        "III",
    ),
    make_block(
        "经皮椎体成形骨水泥输送系统",
        "percutaneous vertebroplasty cement delivery system",
        "fracture",
        "implants",
        "可控推注降低骨水泥渗漏",
        "controlled injection that reduces cement leakage",
        "III",
    ),
]
