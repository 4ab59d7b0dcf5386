"""The numbered 列入安全生产严重失信主体名单决定书 of a listed entry (a documents kind, printed by WeasyPrint)."""

from __future__ import annotations

from app.credit.models import DishonestyEntry, Subject
from app.credit.rules import ListRules
from app.documents import service as documents
from app.documents.models import Document, DocumentKind
from workflows.credit import RESTRICTION_DOMAINS


def _cn(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def context(entry: DishonestyEntry, lr: ListRules) -> dict:
    rs = lr.rules
    if rs.period_months is None:
        period = "本地区规则集未配置管理期限，期满日期由本机关另行书面告知"
    else:
        years, months = divmod(rs.period_months, 12)
        length = f"{years}年" if not months else f"{rs.period_months}个月"
        period = f"{length}（至{_cn(entry.expires_on)}）"
    if rs.early_removal_min_months is None:
        repair = "可以依照有关规定申请信用修复（提前移出的条件由本机关另行告知）。"
    else:
        conditions = "、".join(rs.early_removal_conditions.values())
        repair = (f"列入满{rs.early_removal_min_months}个月后，可以向本机关申请提前移出（信用修复）"
                  + (f"，须满足：{conditions}" if conditions else "") + "。")
    # The notice goes to the enterprise: its principal is named in full there (it is not published).
    subject = entry.enterprise.name if entry.subject == Subject.enterprise else \
        f"{entry.enterprise.name}主要负责人{entry.person_name}"
    return {"addressee": entry.enterprise.name, "subject_name": subject, "condition": entry.condition_text,
            "penalty_decision": entry.penalty_decision, "listed_on": _cn(entry.listed_on), "period": period,
            "repair": repair, "facts": entry.facts,
            "domains": [RESTRICTION_DOMAINS[d] for d in entry.restriction_domains if d in RESTRICTION_DOMAINS],
            "notified_on": _cn(entry.notified_on) if entry.notified_on else ""}


def issue(actor, entry: DishonestyEntry, lr: ListRules) -> Document:
    return documents.issue(DocumentKind.dishonesty_notice, actor=actor, context=context(entry, lr),
                           authority=entry.authority, enterprise=entry.enterprise)

