"""Demo hazards: every state, general and major, self-found and government-found, some overdue, with
photos (generated JPEGs carrying EXIF capture time and GPS). Everything goes through the service, so
the history chains are real.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock, policy
from app.auth.models import Role, User
from app.cli import demo_step
from app.clock import today, utcnow
from app.extensions import db
from app.hazards import service
from app.hazards.models import Hazard

PLAN = {
    "goal": "彻底消除储罐区可燃气体泄漏隐患，恢复安全生产条件",
    "measures": "更换老化法兰垫片和阀门；增设可燃气体检测报警仪并接入DCS；完善防火堤",
    "funds": "专项资金12万元已列入年度安全投入计划，备件由设备部采购",
    "organisation": "主要负责人任组长，设备部负责实施，安全环保部负责监督",
    "time_requirements": "30日内完成整改，整改期间每日巡检两次",
    "safety_and_emergency": "整改区域设警戒区，动火作业办理许可；现场配备灭火器、正压呼吸器，执行泄漏专项应急预案",
    "workers_congress_how": "职工代表大会专题通报并张贴公示",
}

# (title, location, description, hazard_factor, accident_type)
FINDINGS = [
    ("储罐区法兰泄漏", "储罐区T-102", "法兰连接处有明显油渍，可燃气体检测仪读数偏高", "2101", "18"),
    ("配电箱箱门未关闭", "二车间", "配电箱门敞开，内部线路裸露", "2103", "05"),
    ("消防通道堆放杂物", "仓库北侧", "消防通道堆放纸箱，宽度不足", "31", "08"),
    ("高处作业未系安全带", "一车间平台", "检修人员在3米平台作业未系安全带", "1202", "09"),
    ("安全阀超期未校验", "锅炉房", "安全阀校验标签显示已超期四个月", "2101", "16"),
    ("有限空间无警示标志", "污水池", "污水池入口无有限空间警示标志", "2113", "19"),
    ("叉车司机无证上岗", "成品库", "叉车司机未取得特种作业操作证", "43", "02"),
    ("砂轮机防护罩缺失", "机修间", "砂轮机防护罩已拆除未恢复", "2102", "03"),
    ("应急预案未演练", "公司", "本年度未组织综合应急预案演练", "45", "20"),
    ("可燃气体报警器失效", "装卸区", "报警器自检故障，未及时维修", "2112", "18"),
]


def photo(seed: int, *, after: bool = False) -> bytes:
    """A made-up site photo: a JPEG with EXIF capture time and GPS (as a phone would write)."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    base = (60, 160, 80) if after else (170, 60, 50)
    img = Image.new("RGB", (640, 480), tuple(min(255, c + rnd.randint(0, 60)) for c in base))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rnd.randint(0, 600), rnd.randint(0, 440)
        draw.rectangle((x, y, x + rnd.randint(20, 160), y + rnd.randint(20, 120)),
                       outline=(255, 255, 255), width=3)
    draw.ellipse((260, 180, 380, 300), outline=(255, 230, 0), width=8)
    exif = Image.Exif()
    taken = (datetime.now() - timedelta(days=rnd.randint(1, 40), minutes=rnd.randint(0, 600))).replace(microsecond=0)
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (28, rnd.randint(20, 30), 12.5)
    gps[3], gps[4] = "E", (117, rnd.randint(50, 59), 40.25)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif)
    return buf.getvalue()


def _local_inspector(enterprise, inspectors: list[User]) -> User | None:
    """The inspector of the most local authority whose region holds the enterprise."""
    fitting = [u for u in inspectors if policy.in_jurisdiction(u, enterprise)]
    return max(fitting, key=lambda u: len(u.authority.region.path), default=None)


def _users(enterprise) -> dict[str, User]:
    out: dict[str, User] = {}
    for u in db.session.scalars(select(User).where(User.enterprise_id == enterprise.id).order_by(User.id)):
        out.setdefault(u.role.value, u)
        if u.role == Role.enterprise_staff:
            out.setdefault("staff_list", []).append(u)  # type: ignore[union-attr]
    return out


def _drive(n: int, enterprise, people: dict, inspector: User | None, *, state: str, level: str = "general",
           gov: bool = False, overdue_days: int = 0, on_the_spot: bool = False) -> Hazard | None:
    if (gov or level == "major" and state == "closed") and inspector is None:
        return None  # no authority above this enterprise to find or review it
    title, location, description, factor, accident = FINDINGS[n % len(FINDINGS)]
    staff = people["staff_list"][n % len(people["staff_list"])]
    manager, principal = people["enterprise_manager"], people["enterprise_principal"]
    reporter = inspector if gov else staff
    confirmer = inspector if gov else manager
    hazard = service.create_hazard(
        reporter, enterprise=enterprise, title=title, description=description, location=location,
        hazard_factor=factor, accident_type=accident,
        nature=["unsafe_condition", "unsafe_act", "management_defect"][n % 3],
        attachments=[("before", f"IMG_{1000 + n}.jpg", photo(n))])
    if on_the_spot:
        return service.rectify_on_the_spot(hazard.id, manager, responsible_user_id=staff.id,
                                           measures="现场立即整改", rectification="已当场整改完毕",
                                           attachments=[("after", f"IMG_{2000 + n}.jpg", photo(n, after=True))])
    if state == "voided":
        service.fire(hazard.id, "void", confirmer, reason="经核实与已登记隐患重复")
        return hazard
    if state == "reported":
        if level == "major":  # a plan in preparation, not yet approved
            service.save_plan(hazard.id, manager, **{**PLAN, "funds": ""})
        return hazard
    if level == "major":
        service.save_plan(hazard.id, manager, workers_congress_reported_on=today() - timedelta(days=2),
                          production_suspension="partial", **PLAN)
        service.approve_plan(hazard.id, principal)
    service.fire(hazard.id, "confirm", confirmer, level=level, deadline=today() + timedelta(days=15 + n % 20),
                 responsible_user_id=staff.id, measures="按治理方案整改" if level == "major" else "立即组织整改",
                 responsible_department_id=staff.department_id)
    if state in ("pending_review", "closed"):
        service.add_attachment(hazard.id, staff, kind="after", filename=f"IMG_{3000 + n}.jpg",
                               data=photo(n, after=True))
        service.fire(hazard.id, "submit", staff, rectification="已按要求完成整改，见整改后照片")
    if state == "closed":
        reviewer = inspector if (gov or level == "major") else manager
        service.fire(hazard.id, "accept", reviewer, comment="现场复查，整改合格")
    return hazard


# (state, level, government-found, days overdue, on the spot)
PLAYBOOK = [
    ("reported", "general", False, 0, False),
    ("reported", "major", False, 0, False),
    ("reported", "general", True, 0, False),
    ("rectifying", "general", False, 0, False),
    ("rectifying", "general", False, 5, False),
    ("rectifying", "major", False, 0, False),
    ("rectifying", "general", True, 20, False),
    ("rectifying", "major", True, 40, False),
    ("pending_review", "general", False, 0, False),
    ("pending_review", "general", True, 0, False),
    ("pending_review", "major", False, 0, False),
    ("closed", "general", False, 0, False),
    ("closed", "general", True, 0, False),
    ("closed", "major", False, 0, False),
    ("closed", "general", False, 0, True),
    ("voided", "general", False, 0, False),
]


@demo_step("hazards")
def seed(ctx: dict) -> None:
    enterprises = list((ctx.get("enterprises") or {}).values())
    if not enterprises:
        return
    inspectors = [u for u in (ctx.get("users") or {}).values() if u.role == Role.inspector]
    made = []
    started = utcnow()
    for e_index, enterprise in enumerate(enterprises):
        people = _users(enterprise)
        if not people.get("staff_list") or "enterprise_manager" not in people or \
                "enterprise_principal" not in people:
            continue
        inspector = _local_inspector(enterprise, inspectors)
        plays = PLAYBOOK if e_index < 2 else PLAYBOOK[e_index % 5::5]  # the first two get everything
        for n, (state, level, gov, overdue, spot) in enumerate(plays):
            number = n + e_index * 3
            # An overdue hazard was confirmed in the past, its deadline (15 + n % 20 days from the
            # confirmation, see _drive) now ``overdue`` days behind us: record it then.
            back = timedelta(days=-(15 + number % 20 + overdue)) if overdue else timedelta(0)
            with clock.shifted(back):
                h = _drive(number, enterprise, people, inspector, state=state, level=level, gov=gov,
                           overdue_days=overdue, on_the_spot=spot)
            if h is not None:
                made.append(h)
    db.session.flush()
    from app.hazards.scan import scan_overdue

    scan_overdue()  # overdue events and reminders for the hazards made overdue above
    ctx["hazards"] = made
    ctx["hazards_seconds"] = (utcnow() - started).total_seconds()
