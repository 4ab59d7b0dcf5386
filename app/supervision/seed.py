"""Reference tables of enforcement a fresh install needs: provisions an inspector cites (依据条款) and
the criteria of major accident hazards (重大事故隐患判定标准).

Only text that was verified is shipped (sources in docs/enforcement.md); both tables are editable
afterwards (``app.supervision.references``). The migration holds a frozen copy of these lists
(tests/supervision/test_enforcement.py keeps the two equal); rows are added by key when missing.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.supervision.models import MajorHazardCriterion, Provision

SAFETY_LAW = "《中华人民共和国安全生产法》"
ORDER_16 = "《安全生产事故隐患排查治理暂行规定》（国家安全生产监督管理总局令第16号）"
CHEMICALS_121 = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）"

# (law, article, text)
PROVISIONS = [
    (SAFETY_LAW, "第四十一条第一款",
     "生产经营单位应当建立安全风险分级管控制度，按照安全风险分级采取相应的管控措施。"),
    (SAFETY_LAW, "第四十一条第二款",
     "生产经营单位应当建立健全并落实生产安全事故隐患排查治理制度，采取技术、管理措施，及时发现并消除事故隐患。"
     "事故隐患排查治理情况应当如实记录，并通过职工大会或者职工代表大会、信息公示栏等方式向从业人员通报。"
     "其中，重大事故隐患排查治理情况应当及时向负有安全生产监督管理职责的部门和职工大会或者职工代表大会报告。"),
    (ORDER_16, "第四条", "生产经营单位应当建立健全事故隐患排查治理制度。生产经营单位主要负责人对本单位事故隐患排查治理工作全面负责。"),
]

# (industry, standard, clause, text)
CRITERIA = [(("化工和危险化学品", CHEMICALS_121) + row) for row in [
    ("一", "危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格。"),
    ("二", "特种作业人员未持证上岗。"),
    ("三", "涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求。"),
    ("四", "涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能，装备的自动化控制系统、"
           "紧急停车系统未投入使用。"),
    ("五", "构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能；涉及毒性气体、液化气体、剧毒液体的一级、"
           "二级重大危险源的危险化学品罐区未配备独立的安全仪表系统。"),
    ("六", "全压力式液化烃储罐未按国家标准设置注水措施。"),
    ("七", "液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装未使用万向管道充装系统。"),
    ("八", "光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区（包括化工园区、工业园区）外的公共区域。"),
    ("九", "地区架空电力线路穿越生产区且不符合国家标准要求。"),
    ("十", "在役化工装置未经正规设计且未进行安全设计诊断。"),
    ("十一", "使用淘汰落后安全技术工艺、设备目录列出的工艺、设备。"),
    ("十二", "涉及可燃和有毒有害气体泄漏的场所未按国家标准设置检测报警装置，爆炸危险场所未按国家标准安装使用防爆电气设备。"),
]]


def ensure_references() -> None:
    """Add the shipped provisions and criteria that are missing (by key); never overwrite an edit."""

    have = set(db.session.execute(select(Provision.law, Provision.article)).all())
    for law, article, text in PROVISIONS:
        if (law, article) not in have:
            db.session.add(Provision(law=law, article=article, text=text))
    have = set(db.session.execute(select(MajorHazardCriterion.standard, MajorHazardCriterion.clause)).all())
    for industry, standard, clause, text in CRITERIA:
        if (standard, clause) not in have:
            db.session.add(MajorHazardCriterion(industry=industry, standard=standard, clause=clause, text=text))
    db.session.flush()
