"""Demo city: 上饶市 with three districts, their towns, authorities, enterprises, departments, users."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.organisations import service
from app.organisations.accounts import create_user
from app.organisations.credit_code import complete
from app.organisations.models import (
    Authority,
    DepartmentLevel,
    EnterpriseScale,
    RegionLevel,
    StandardisationLevel,
)
from app.organisations.seed import ensure_industries

DEMO_PASSWORD = "demo12345"

REGIONS = [  # code, name, level, parent code
    ("360000", "江西省", RegionLevel.province, None),
    ("361100", "上饶市", RegionLevel.city, "360000"),
    ("361102", "信州区", RegionLevel.county, "361100"),
    ("361103", "广丰区", RegionLevel.county, "361100"),
    ("361104", "广信区", RegionLevel.county, "361100"),
    ("361102001", "西市街道", RegionLevel.town, "361102"),
    ("361102002", "北门街道", RegionLevel.town, "361102"),
    ("361103001", "永丰街道", RegionLevel.town, "361103"),
    ("361103101", "五都镇", RegionLevel.town, "361103"),
    ("361104001", "旭日街道", RegionLevel.town, "361104"),
    ("361104101", "茶亭镇", RegionLevel.town, "361104"),
]

AUTHORITIES = [  # key, region code, name, abbreviation, review body, court
    ("city", "361100", "上饶市应急管理局", "饶", "上饶市人民政府", "上饶市信州区人民法院"),
    ("xinzhou", "361102", "上饶市信州区应急管理局", "信", "上饶市信州区人民政府", "上饶市信州区人民法院"),
    ("guangfeng", "361103", "上饶市广丰区应急管理局", "丰", "上饶市广丰区人民政府", "上饶市广丰区人民法院"),
    ("guangxin", "361104", "上饶市广信区应急管理局", "广信", "上饶市广信区人民政府", "上饶市广信区人民法院"),
]

ENTERPRISES = [  # key, name, industry, town code, org-code stem, scale, standardisation, principal, manager
    ("jiangfeng", "上饶市江丰化工有限公司", "hazardous_chemicals", "361103101", "MA35A1B2", "medium", "level_2",
     "周建国", "李卫东"),
    ("raocheng_steel", "饶城特钢有限公司", "metallurgy", "361104101", "MA35C3D4", "large", "level_2",
     "王志强", "赵明"),
    ("xinzhou_materials", "信州新型建材有限公司", "building_materials", "361102001", "MA35E5F6", "medium",
     "level_3", "陈海涛", "孙丽"),
    ("hengli", "上饶恒力机械制造有限公司", "machinery", "361102002", "MA35G7H8", "medium", "level_3",
     "刘洪波", "黄晓峰"),
    ("raozhou_logistics", "饶州商贸物流有限公司", "commerce", "361102001", "MA35J9K1", "small", "none",
     "吴强", "郑婷"),
    ("guangfeng_textile", "广丰锦绣纺织有限公司", "textiles", "361103001", "MA35L2M3", "small", "level_3",
     "徐建华", "何静"),
    ("guangxin_construction", "广信城建工程有限公司", "construction", "361104001", "MA35N4P5", "large", "level_2",
     "马国庆", "胡斌"),
    ("raocheng_food", "饶城食品有限公司", "light_industry", "361103001", "MA35Q6R7", "small", "none",
     "林秀英", "高峰"),
    ("xinjiang_gas", "信江燃气储运有限公司", "hazardous_chemicals", "361102002", "MA35T8U9", "medium", "level_2",
     "杨帆", "罗军"),
]

DEPARTMENTS = [  # (name, level, parent name)
    ("安全环保部", DepartmentLevel.department, None),
    ("生产部", DepartmentLevel.department, None),
    ("一车间", DepartmentLevel.workshop, "生产部"),
    ("二车间", DepartmentLevel.workshop, "生产部"),
    ("甲班", DepartmentLevel.team, "一车间"),
    ("操作岗", DepartmentLevel.post, "甲班"),
    ("设备部", DepartmentLevel.department, None),
    ("仓储部", DepartmentLevel.department, None),
]
# The production units each enterprise really has, in place of the generic 一车间 / 二车间.
WORKSHOPS = {
    "jiangfeng": ("氯化车间", "罐区"), "raocheng_steel": ("炼钢车间", "轧钢车间"),
    "xinzhou_materials": ("粉磨车间", "包装车间"), "hengli": ("铸造车间", "机加工车间"),
    "raozhou_logistics": ("一号仓库", "二号仓库"), "guangfeng_textile": ("清梳车间", "细纱车间"),
    "guangxin_construction": ("土建施工队", "安装施工队"), "raocheng_food": ("生产车间", "冷库"),
    "xinjiang_gas": ("灌装车间", "储运车间"),
}


def departments_of(key: str) -> list[tuple[str, DepartmentLevel, str | None]]:
    first, second = WORKSHOPS.get(key, ("一车间", "二车间"))
    names = {"一车间": first, "二车间": second}
    return [(names.get(name, name), level, names.get(parent, parent) if parent else None)
            for name, level, parent in DEPARTMENTS]



def seed(ctx: dict) -> None:
    industries = ensure_industries()
    regions = {}
    for code, name, level, parent in REGIONS:
        regions[code] = service.create_region(None, code=code, name=name, level=level,
                                              parent=regions.get(parent) if parent else None)
    authorities: dict[str, Authority] = {}
    for key, rcode, name, abbr, review_body, court in AUTHORITIES:
        authorities[key] = service.create_authority(
            None, region=regions[rcode], name=name, abbreviation=abbr, review_body=review_body, court=court,
            address=f"{regions[rcode].name}行政中心", phone="0793-12345" + str(len(authorities)))
    enterprises = {}
    for key, name, industry, town, stem, scale, std, principal, manager in ENTERPRISES:
        county = town[:6]
        code = complete("91" + county + stem + str(len(enterprises) % 10))
        enterprises[key] = service.create_enterprise(
            None, name=name, credit_code=code, region=regions[town], industry=industries[industry],
            address=f"{regions[county].name}{regions[town].name}工业大道{len(enterprises) * 18 + 6}号",
            legal_representative=principal, principal_name=principal, principal_phone="1390793" + f"{len(enterprises):04d}",
            safety_manager_name=manager, safety_manager_phone="1387930" + f"{len(enterprises):04d}",
            standardisation_level=StandardisationLevel(std), scale=EnterpriseScale(scale))
        depts = {}
        for dname, level, parent in departments_of(key):
            depts[dname] = service.create_department(None, enterprises[key], name=dname, level=level,
                                                     parent=depts.get(parent) if parent else None)
    users = {}

    def add(username, name, role, **kw):
        users[username] = create_user(None, username=username, display_name=name, role=role,
                                      password=DEMO_PASSWORD, **kw)
        return users[username]

    add("admin", "系统管理员", Role.admin)
    gov = [("city", "sr", "上饶市"), ("xinzhou", "xz", "信州区"), ("guangfeng", "gf", "广丰区"),
           ("guangxin", "gx", "广信区")]
    for key, prefix, place in gov:
        a = authorities[key]
        add(f"{prefix}_inspector", f"{place}执法员甲", Role.inspector, authority=a,
            certificate_no=f"36110{len(users):03d}")
        add(f"{prefix}_inspector2", f"{place}执法员乙", Role.inspector, authority=a,
            certificate_no=f"36110{len(users):03d}")
        add(f"{prefix}_supervisor", f"{place}监管负责人", Role.supervisor, authority=a)
        add(f"{prefix}_admin", f"{place}应急管理局管理员", Role.authority_admin, authority=a)
    for key, name, *_rest in ENTERPRISES:
        e = enterprises[key]
        principal, manager = _rest[-2], _rest[-1]
        dept = {d.name: d for d in e.departments}
        add(f"{key}_manager", manager, Role.enterprise_manager, enterprise=e, department=dept["安全环保部"])
        add(f"{key}_principal", principal, Role.enterprise_principal, enterprise=e)
        add(f"{key}_staff", f"{name[:2]}员工", Role.enterprise_staff, enterprise=e, department=dept["操作岗"])
        add(f"{key}_staff2", f"{name[:2]}设备员", Role.enterprise_staff, enterprise=e, department=dept["设备部"])
    db.session.flush()
    ctx.update(regions=regions, authorities=authorities, enterprises=enterprises, users=users,
               password=DEMO_PASSWORD)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, organisation) of the demo accounts worth trying, read from the database
    (printed by a process other than the one that loaded the demo)."""

    wanted = ["admin"]
    for prefix in ("sr", "xz", "gf", "gx"):
        wanted += [f"{prefix}_inspector", f"{prefix}_supervisor", f"{prefix}_admin"]
    for key in ("jiangfeng", "hengli"):
        wanted += [f"{key}_manager", f"{key}_principal", f"{key}_staff"]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(wanted)))}
    rows = []
    for name in wanted:
        if name in users:
            u = users[name]
            who = u.enterprise.name if u.enterprise else (u.authority.name if u.authority else "系统管理员")
            rows.append((name, u.role.value, who))
    return rows

