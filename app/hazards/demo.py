"""Demo hazards: what each demo enterprise's people and its district's inspectors found over the past
weeks, in every state (general and major, self-found and government-found, some overdue, one extended,
one rejected, one rectified on the spot, one voided), each fitting the enterprise's industry and the
risk point it was found at.

Each hazard has a plot: dated steps (report, plan, approve, confirm, submit, accept...) that the
demo's story plays through the real services with the clock moved to each step's day, so report
dates, deadlines, history and state agree. Photos are generated JPEGs carrying EXIF capture time
(the moment of the step) and GPS.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app import access
from app.auth.models import Role, User
from app.clock import to_local, today, utcnow
from app.extensions import db
from app.hazards import service

# Plots: (days ago, local time, step, argument). A step's argument is the deadline in days from that
# day (confirm, extend, reject). "report" is by an employee, "inspect" by an inspector of the district.
PLOTS: dict[str, list[tuple]] = {
    "reported": [(2, "10:20", "report", None)],
    "planning": [(9, "15:10", "report", None), (6, "16:30", "draft_plan", None)],  # major, plan in preparation
    "gov_reported": [(1, "10:40", "inspect", None)],
    "rectifying": [(8, "09:40", "report", None), (7, "14:00", "confirm", 21)],
    "overdue": [(26, "09:15", "report", None), (25, "15:30", "confirm", 20)],
    "extended": [(33, "10:05", "report", None), (32, "16:00", "confirm", 15), (18, "11:00", "extend", 28)],
    "rejected": [(30, "09:30", "report", None), (29, "14:20", "confirm", 20), (12, "16:10", "submit", None),
                 (10, "10:30", "reject", 14)],
    "major": [(40, "10:00", "report", None), (38, "15:00", "plan", None), (37, "09:30", "approve", None),
              (36, "16:00", "confirm", 60)],
    "gov_overdue": [(50, "10:30", "inspect", None), (50, "11:30", "confirm", 30)],
    "pending": [(21, "08:50", "report", None), (20, "10:00", "confirm", 25), (1, "17:00", "submit", None)],
    "gov_pending": [(31, "10:00", "inspect", None), (31, "11:00", "confirm", 35), (2, "16:40", "submit", None)],
    "closed": [(36, "09:20", "report", None), (35, "11:00", "confirm", 15), (23, "15:00", "submit", None),
               (22, "10:00", "accept", None)],
    "gov_closed": [(62, "10:00", "inspect", None), (62, "11:00", "confirm", 30), (35, "15:00", "submit", None),
                   (33, "09:30", "accept", None)],
    "spot": [(12, "09:10", "report", None), (12, "09:50", "spot", None)],
    "voided": [(16, "14:30", "report", None), (15, "09:00", "void", None)],
}
MAJOR_PLOTS = ("planning", "major")


@dataclass
class Finding:
    """One hazard as the person who found it and the safety manager would write it."""

    plot: str
    title: str
    point: str  # the enterprise's risk point (risks demo) it was found at
    location: str
    description: str
    factor: str  # GB/T 13861
    accident: str  # GB 6441
    nature: str  # unsafe_condition / unsafe_act / management_defect
    measures: str
    rectification: str = ""
    reason: str = ""  # why voided, rejected or extended
    plan: dict = field(default_factory=dict)


def plan(goal, measures, funds, organisation, time_requirements, safety, congress="职工代表大会专题通报并在厂务公开栏公示"):
    return {"goal": goal, "measures": measures, "funds": funds, "organisation": organisation,
            "time_requirements": time_requirements, "safety_and_emergency": safety,
            "workers_congress_how": congress}


C, A, M = "unsafe_condition", "unsafe_act", "management_defect"

FINDINGS: dict[str, list[Finding]] = {
    "jiangfeng": [
        Finding("reported", "甲苯储罐防火堤雨水排放阀常开", "甲苯储罐", "罐区甲苯储罐防火堤",
                "防火堤雨水排放阀处于开启状态，储罐泄漏时物料可经排水阀流出防火堤。", "1202", "08", A,
                "立即关闭排放阀并上锁挂牌，雨水排放执行审批。"),
        Finding("planning", "液氯槽车充装未使用万向管道充装系统", "液氯槽车装卸作业", "装卸区液氯充装台",
                "液氯槽车充装仍使用金属软管连接，未使用万向管道充装系统，属重大事故隐患判定标准第八项情形。",
                "2101", "19", C, "按治理方案改造为万向管道充装系统。",
                plan=plan("消除液氯充装环节泄漏风险，实现万向管道充装", "拆除金属软管充装接头，安装液相、气相万向充装管道系统及紧急切断阀",
                          "", "总经理任组长，设备部负责实施，安全环保部负责监督验收",
                          "45日内完成安装调试并组织验收", "改造期间暂停液氯充装，装卸区设警戒线，现场配备正压式空气呼吸器和事故氯吸收装置")),
        Finding("gov_reported", "液氯钢瓶未配备防震圈", "液氯钢瓶库", "危化品仓库液氯钢瓶库",
                "库内12只液氯钢瓶中有5只未配备防震圈，钢瓶间无固定措施。", "2101", "19", C,
                "为所有钢瓶配齐防震圈，卧放并设防滚动垫木。"),
        Finding("rectifying", "氯化车间低压配电柜接地线松动", "氯化车间低压配电柜", "氯化车间配电柜2#",
                "配电柜PE接地线端子松动，有锈蚀。", "2103", "05", C, "紧固并更换锈蚀端子，测试接地电阻。"),
        Finding("overdue", "甲苯储罐呼吸阀阻火器堵塞", "甲苯储罐", "罐区V-103甲苯储罐顶部",
                "呼吸阀阻火器芯被结晶物堵塞，储罐收发料时存在超压或抽瘪风险。", "2101", "18", C,
                "拆卸清洗阻火器芯，检修呼吸阀并纳入每月检查。"),
        Finding("extended", "罐区可燃气体检测报警仪超期未检定", "甲苯储罐", "罐区防火堤内",
                "罐区4台固定式可燃气体检测报警仪检定有效期已过2个月。", "2112", "18", C,
                "委托计量检定机构检定，检定期间配备便携式检测仪加强巡检。",
                reason="检定机构排期至下月，已配备便携式检测仪每2小时巡检一次，申请延期。"),
        Finding("rejected", "甲苯储罐防火堤穿堤管线孔洞未封堵", "甲苯储罐", "罐区防火堤东侧",
                "防火堤东侧两处穿堤管线孔洞未封堵，泄漏物料可流出防火堤。", "2101", "08", C,
                "用不燃材料封堵穿堤孔洞。", rectification="已用发泡胶封堵两处孔洞。",
                reason="封堵材料为聚氨酯发泡胶，属可燃材料，不符合要求，请改用防火泥或水泥砂浆封堵。"),
        Finding("major", "氯化反应釜紧急停车系统未投入使用", "氯化反应釜", "氯化车间R-201反应釜",
                "氯化工艺装置紧急停车系统（SIS）处于旁路状态，未投入使用，属重大事故隐患判定标准第五项情形。",
                "2101", "19", C, "按治理方案恢复并完善紧急停车系统。",
                rectification="SIS已恢复投用，联锁回路逐一测试合格，旁路管理制度已修订。",
                plan=plan("恢复氯化工艺紧急停车系统功能，确保联锁全部投用", "排查SIS旁路原因，更换故障温度变送器和切断阀，逐一测试联锁回路；修订联锁旁路审批制度",
                          "专项资金18万元，列入年度安全生产费用", "总经理任组长，生产部、设备部实施，安全环保部监督",
                          "60日内完成，完成后组织专家验收", "治理期间降负荷运行，增加人工巡检频次至每小时一次，执行氯气泄漏专项应急预案")),
        Finding("gov_overdue", "动火作业票未进行气体分析即签发", "氯化车间动火作业", "氯化车间",
                "抽查3张动火作业票，其中2张无动火分析数据即签发。", "43", "18", M,
                "重新培训作业票签发人，完善动火分析记录并开展专项检查。"),
        Finding("pending", "液氯钢瓶库事故通风机故障", "液氯钢瓶库", "危化品仓库液氯钢瓶库",
                "事故通风机电机烧毁，无法与有毒气体报警仪联动启动。", "2101", "19", C,
                "更换通风机电机，测试与报警仪的联锁。",
                rectification="已更换通风机电机，联锁测试正常。"),
        Finding("gov_pending", "反应釜清釜作业未办理受限空间作业票", "反应釜清釜作业", "氯化车间R-202反应釜",
                "检查发现R-202反应釜清釜作业未办理受限空间作业票，未进行气体检测。", "43", "19", M,
                "停止作业，补办作业许可并对车间开展特殊作业专项培训。",
                rectification="已组织车间全员特殊作业专项培训并考试，建立清釜作业许可台账。"),
        Finding("closed", "巡检人员未携带防毒面具进入氯化车间", "氯化反应釜", "氯化车间",
                "当班巡检人员进入氯化车间未携带过滤式防毒面具。", "1202", "19", A,
                "现场纠正，对当班人员进行教育。",
                rectification="已对当班人员进行安全教育，巡检路线入口设置防毒面具存放柜。"),
        Finding("gov_closed", "甲苯储罐区防爆接线盒缺少紧固螺栓", "甲苯储罐", "罐区泵房",
                "泵房内2个防爆接线盒缺少紧固螺栓，防爆性能失效。", "2101", "18", C,
                "补齐紧固螺栓，全面排查爆炸危险区域防爆电气。",
                rectification="已补齐螺栓，排查爆炸危险区域防爆电气46处，均已整改。"),
        Finding("spot", "液氯钢瓶库门口通道堆放空托盘", "液氯钢瓶库", "液氯钢瓶库门口",
                "库门口堆放空托盘，影响应急疏散和钢瓶转运。", "31", "19", C, "立即清理。",
                rectification="已清理托盘，通道畅通。"),
        Finding("voided", "甲苯储罐呼吸阀漏气", "甲苯储罐", "罐区V-102甲苯储罐顶部",
                "巡检时听到呼吸阀有排气声，怀疑泄漏。", "2101", "18", C, "",
                reason="经设备部检测，系储罐收料时呼吸阀正常呼气，不构成隐患。"),
    ],
    "hengli": [
        Finding("reported", "数控车床防护门联锁开关失效", "数控车床加工", "机加工车间CK6150车床",
                "防护门打开后主轴仍可启动。", "2102", "03", C, "更换联锁开关并测试。"),
        Finding("planning", "吊运铁水的起重机不符合冶金铸造起重机要求", "铁水浇注吊运", "铸造车间浇注跨",
                "浇注跨使用普通桥式起重机吊运铁水包，不符合冶金铸造起重机技术条件，属工贸行业重大事故隐患。",
                "2101", "04", C, "按治理方案更换为冶金铸造起重机。",
                plan=plan("以符合要求的冶金铸造起重机替换普通桥式起重机", "采购16/3.2 t冶金铸造起重机，拆除原起重机，安装后由特种设备检验机构检验",
                          "", "总经理任组长，设备部实施，安全环保部监督", "90日内完成更换并检验合格",
                          "更换前停止用该起重机吊运铁水，改用地面浇注小车；吊装作业编制专项方案")),
        Finding("gov_reported", "喷漆室照明灯具非防爆型", "涂装车间喷漆室", "涂装车间1号喷漆室",
                "喷漆室内4盏照明灯具为普通型，不符合爆炸危险场所要求。", "2101", "18", C,
                "更换为防爆灯具，全面排查涂装车间电气设备。"),
        Finding("rectifying", "装配车间桥式起重机起升高度限位器失灵", "装配车间桥式起重机", "装配车间10 t桥式起重机",
                "起升高度限位器动作后不能切断上升电源。", "2101", "04", C, "更换限位器并试验，合格前停用。"),
        Finding("overdue", "空压机储气罐安全阀超期未校验", "空压机储气罐", "机加工车间空压站",
                "储气罐安全阀校验标签显示已超期四个月。", "2101", "17", C, "拆下送检，送检期间安装备用安全阀。"),
        Finding("extended", "调漆间防爆排风机损坏", "调漆间", "涂装车间调漆间",
                "调漆间防爆排风机叶轮损坏停转，室内有机溶剂气味明显。", "2101", "19", C,
                "更换防爆排风机，修复前限制调漆量并开窗通风。",
                reason="防爆风机为定制产品，厂家交货期延后，已开窗通风并将调漆量限制在半班用量，申请延期。"),
        Finding("rejected", "焊机二次线绝缘层破损", "焊接作业", "装配车间焊接区",
                "3台电焊机二次线绝缘层破损，导线裸露。", "2103", "05", C, "整根更换破损的二次线。",
                rectification="已对破损处缠绕绝缘胶布。",
                reason="破损二次线只用绝缘胶布缠绕修补，应整根更换。"),
        Finding("major", "熔炼炉炉前平台及炉坑积水", "中频感应熔炼炉", "铸造车间2号中频炉",
                "2号中频炉冷却水管道渗漏，炉前平台和炉坑积水约5 cm，属熔融金属泄漏和喷溅影响范围内存在积水的重大事故隐患。",
                "2110", "18", C, "按治理方案修复渗漏、排除积水并设置防水设施。",
                rectification="冷却水管道已更换，炉坑已做防水并设排水泵，连续一周检查无积水。",
                plan=plan("消除熔炼炉影响范围内积水，防止铁水遇水爆炸", "更换渗漏的冷却水管道，炉坑做防水层并设集水井和自动排水泵，炉前平台加设挡水坎",
                          "专项资金6.5万元", "主要负责人任组长，设备部实施，铸造车间配合，安全环保部监督",
                          "60日内完成（结合停炉检修）", "治理期间2号炉停炉，其余炉熔炼前由班长确认炉坑干燥；执行熔融金属喷溅事故现场处置方案")),
        Finding("gov_overdue", "砂轮机未安装防护罩", "砂轮机打磨", "机加工车间",
                "机加工车间一台砂轮机防护罩被拆除，托架与砂轮间隙约8 mm。", "2102", "03", C,
                "恢复防护罩，调整托架间隙不大于3 mm。"),
        Finding("pending", "砂处理除尘器灰斗堵塞", "砂处理除尘系统", "铸造车间砂处理工部",
                "除尘器灰斗积灰堵塞，除尘效果下降，工部粉尘弥漫。", "2101", "20", C, "清理灰斗，检修卸灰阀。",
                rectification="已清理灰斗并更换卸灰阀，粉尘浓度检测合格。"),
        Finding("gov_pending", "焊工未取得特种作业操作证", "焊接作业", "装配车间焊接区",
                "现场2名焊工无特种作业操作证（焊接与热切割作业）。", "42", "05", M,
                "立即停止无证人员作业，组织取证培训。",
                rectification="2名焊工已停止焊接作业，已报名取证培训，焊接作业由持证焊工承担。"),
        Finding("closed", "操作工戴手套操作数控车床", "数控车床加工", "机加工车间",
                "操作工戴纱手套操作旋转中的车床。", "1202", "03", A, "现场纠正，班组开展安全教育。",
                rectification="已对当事人和班组进行教育，车床旁张贴“禁止戴手套”标志。"),
        Finding("gov_closed", "浇包耳轴未定期探伤", "铁水浇注吊运", "铸造车间浇注跨",
                "铁水浇包耳轴无探伤检测记录。", "2101", "04", C, "委托检测机构对全部浇包耳轴探伤。",
                rectification="6只浇包耳轴探伤合格，建立半年一次的探伤台账。"),
        Finding("spot", "操作工徒手清理车床铁屑", "数控车床加工", "机加工车间CK6150车床",
                "操作工在主轴未完全停止时徒手清理缠绕的铁屑。", "1202", "03", A, "立即停机，使用专用铁屑钩清理。",
                rectification="已配发铁屑钩，对操作工进行现场教育。"),
        Finding("voided", "装配车间行车钢丝绳断丝", "装配车间桥式起重机", "装配车间10 t桥式起重机",
                "钢丝绳有断丝。", "2101", "04", C, "",
                reason="经设备部按GB/T 5972检验，断丝数未达报废标准，已列入日常检查重点，不构成隐患。"),
    ],
    "raocheng_steel": [
        Finding("overdue", "转炉炉口挡火门变形无法关闭", "转炉炉口区域", "炼钢车间2号转炉炉前",
                "挡火门变形卡死，冶炼时无法关闭。", "2102", "07", C, "校正或更换挡火门。"),
        Finding("pending", "加热炉汽包安全阀超期未校验", "加热炉汽化冷却系统", "轧钢车间加热炉汽包",
                "汽包安全阀校验有效期已过。", "2101", "17", C, "送检安全阀。",
                rectification="安全阀已校验合格并铅封。"),
        Finding("gov_closed", "煤气柜区未设置风向标", "转炉煤气柜", "煤气柜区",
                "煤气柜区未设置风向标，泄漏时人员无法判断撤离方向。", "2113", "19", C, "设置风向标。",
                rectification="已在柜区入口和柜顶设置风向标。"),
        Finding("spot", "成品钢材堆垛超高", "成品钢材堆放区", "轧钢车间成品跨",
                "棒材堆垛高度约2.8 m，超过2 m限高。", "2108", "01", C, "立即倒垛至限高以下。",
                rectification="已倒垛，高度1.8 m。"),
    ],
    "xinzhou_materials": [
        Finding("rectifying", "辊压机急停拉绳开关失效", "辊压机", "粉磨车间辊压机",
                "拉动急停拉绳后辊压机未停机。", "2102", "03", C, "检修拉绳开关并试验。"),
        Finding("closed", "散装水泥车司机攀爬罐顶", "散装水泥装车", "成品库散装发运点",
                "散装车司机攀爬罐顶开盖，未系安全带。", "1202", "09", A, "现场制止，由装车工在平台上开盖。",
                rectification="已对司机进行教育，发运点张贴“司机禁止攀爬罐顶”告示。"),
        Finding("voided", "包装车间粉尘浓度超标", "包装车间粉尘作业", "包装车间",
                "包装机周边粉尘较大。", "2202", "20", C, "",
                reason="经第三方检测，包装车间粉尘浓度符合GBZ 2.1限值，不构成隐患。"),
        Finding("reported", "装载机倒车报警器损坏", "原料堆棚装载机作业", "原料堆棚",
                "3号装载机倒车时无声光报警。", "2112", "02", C, "修复倒车报警器。"),
    ],
    "raozhou_logistics": [
        Finding("rectifying", "高位货架立柱被叉车撞击变形", "一号仓库高位货架区", "一号仓库A区12排",
                "货架立柱底部被撞击弯曲，货架承载能力下降。", "2101", "10", C, "卸空该排货架，更换立柱并加装防撞护角。"),
        Finding("closed", "叉车充电时无人值守", "叉车充电间", "二号仓库叉车充电间",
                "夜间叉车充电无人值守，充电间无巡查记录。", "43", "08", M, "落实充电值守和巡查制度。",
                rectification="已修订充电管理制度，夜间充电由保安每小时巡查并记录。"),
        Finding("spot", "二号仓库疏散通道堆放货物", "二号仓库（丙类）储存区", "二号仓库西侧疏散通道",
                "疏散通道堆放纸箱，通道宽度不足。", "31", "08", C, "立即清理。",
                rectification="货物已归位，通道畅通。"),
        Finding("gov_pending", "自动喷水灭火系统末端试水压力不足", "二号仓库（丙类）储存区", "二号仓库",
                "末端试水装置压力0.03 MPa，低于0.05 MPa要求。", "2101", "08", C, "检修消防水泵和稳压设施。",
                rectification="已更换稳压泵，末端试水压力0.12 MPa。"),
    ],
    "guangfeng_textile": [
        Finding("extended", "清梳车间火星探除器失效", "清梳车间", "清梳车间开清棉机组",
                "火星探除器自检故障，不能探测并排除火星。", "2101", "08", C, "修复火星探除器。",
                reason="探除器需返厂维修，已安排每班专人检查金属杂物分离器并增配灭火器，申请延期。"),
        Finding("closed", "挡车工在梳棉机运转中徒手掏花", "梳棉机", "清梳车间",
                "挡车工在梳棉机运转中打开防护罩徒手掏花。", "1202", "03", A, "现场制止，班组安全教育。",
                rectification="已对当事人和班组进行教育，修复防护罩联锁。"),
        Finding("reported", "细纱车间吸棉风道积花严重", "细纱车间吸棉风道", "细纱车间",
                "吸棉风道滤网和清扫口积花严重，超过一周未清理。", "2201", "08", C, "清理积花，落实每周清理制度。"),
        Finding("gov_overdue", "原棉仓库内使用碘钨灯照明", "原棉仓库", "原棉仓库",
                "仓库内使用2盏碘钨灯，距棉包不足0.5 m。", "2110", "08", C, "拆除碘钨灯，更换为防护型冷光源灯具。"),
    ],
    "guangxin_construction": [
        Finding("gov_overdue", "深基坑北侧未按方案设置变形监测点", "深基坑开挖与支护", "1#楼深基坑北侧",
                "基坑北侧支护结构未按专项方案设置水平位移和沉降监测点。", "43", "10", M,
                "按方案补设监测点并委托第三方监测。"),
        Finding("pending", "施工升降机防坠安全器超过标定期", "施工升降机", "2#楼施工升降机",
                "防坠安全器标定日期已超过一年。", "2101", "09", C, "送检防坠安全器，合格前停用。",
                rectification="防坠安全器已标定合格，坠落试验合格。"),
        Finding("rejected", "外墙悬挑脚手架作业层未满铺脚手板", "外墙悬挑脚手架", "3#楼12层",
                "作业层有探头板，未满铺。", "2102", "09", C, "满铺脚手板并设挡脚板。",
                rectification="已补铺脚手板。",
                reason="12层东侧仍有两跨未铺脚手板，请全部铺满并设挡脚板。"),
        Finding("spot", "钢筋加工区开关箱一闸多机", "施工现场临时用电", "钢筋加工区",
                "一个开关箱同时接钢筋切断机和弯曲机。", "2103", "05", C, "增设开关箱，一机一闸一漏一箱。",
                rectification="已增设开关箱。"),
    ],
    "raocheng_food": [
        Finding("rectifying", "氨气浓度报警仪未与事故排风机联锁", "液氨制冷机房", "液氨制冷机房",
                "报警仪报警时事故排风机不能自动启动。", "2112", "19", C, "完善联锁并测试。"),
        Finding("closed", "切片机刀具防护罩缺失", "切片机", "生产车间",
                "切片机刀具防护罩丢失。", "2102", "03", C, "恢复防护罩。", rectification="已安装新防护罩。"),
        Finding("overdue", "锅炉房可燃气体报警器未定期检定", "燃气蒸汽锅炉", "锅炉房",
                "锅炉房可燃气体报警器检定有效期已过。", "2112", "18", C, "送检报警器。"),
        Finding("voided", "速冻间库门内开装置失效", "速冻间", "冷库速冻间",
                "员工反映在库内打不开门。", "2101", "20", C, "",
                reason="经现场复核，内开装置可正常开启，系上报人操作方法不当，已对其进行培训。"),
    ],
    "xinjiang_gas": [
        Finding("major", "全压力式液化石油气储罐未设置注水措施", "液化石油气储罐区", "储罐区V-01、V-02球罐",
                "全压力式液化烃储罐未按国家标准设置注水措施，属重大事故隐患判定标准第七项情形。",
                "2101", "18", C, "按治理方案增设注水设施。",
                rectification="注水设施已安装，注水试验合格。",
                plan=plan("为全压力式液化石油气储罐增设注水措施", "增设注水泵、注水管线和切断阀，与储罐底部连接，注水系统接入DCS",
                          "专项资金25万元", "总经理任组长，设备部实施，安全环保部监督",
                          "60日内完成并组织验收", "施工期间储罐降至安全液位，动火作业执行特级动火许可，执行泄漏专项应急预案")),
        Finding("pending", "钢瓶灌装秤超装自动切断失灵", "钢瓶灌装作业", "钢瓶灌装间3号灌装秤",
                "3号灌装秤达设定重量后不能自动切断。", "2101", "17", C, "检修灌装秤，修复前停用。",
                rectification="已更换电磁阀，超装切断试验合格。"),
        Finding("gov_closed", "槽车装卸区静电接地报警器损坏", "槽车装卸区防雷防静电设施", "槽车装卸区1号鹤位",
                "静电接地报警器显示屏无显示，不能检测接地状态。", "2112", "18", C, "更换静电接地报警器。",
                rectification="已更换报警器并检测合格。"),
        Finding("rectifying", "压缩机房事故排风机未与可燃气体报警联锁", "烃泵及压缩机", "压缩机房",
                "可燃气体报警时事故排风机不能自动启动。", "2112", "18", C, "完善联锁并测试。"),
    ],
}


def photo(seed: int, *, after: bool = False) -> bytes:
    """A made-up site photo: a JPEG with EXIF capture time (a few minutes before now, local time, as
    a phone writes it) and GPS."""
    from PIL import Image, ImageDraw  # lazy: only for images

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
    taken = to_local(utcnow() - timedelta(minutes=rnd.randint(3, 40))).replace(microsecond=0, tzinfo=None)
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (28, rnd.randint(20, 30), 12.5)
    gps[3], gps[4] = "E", (117, rnd.randint(50, 59), 40.25)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif)
    return buf.getvalue()


def local_inspector(enterprise, inspectors: list[User]) -> User | None:
    """The inspector of the most local authority whose region holds the enterprise."""
    fitting = [u for u in inspectors if access.in_jurisdiction(u, enterprise)]
    return max(fitting, key=lambda u: len(u.authority.region.path), default=None)


def people_of(enterprise) -> dict[str, User]:
    """manager, principal, staff (an operator) and staff2 (the equipment department's) of the enterprise."""
    out: dict[str, User] = {}
    staff = []
    for u in db.session.scalars(select(User).where(User.enterprise_id == enterprise.id).order_by(User.id)):
        if u.role == Role.enterprise_manager:
            out.setdefault("manager", u)
        elif u.role == Role.enterprise_principal:
            out.setdefault("principal", u)
        elif u.role == Role.enterprise_staff:
            staff.append(u)
    if staff:
        out["staff"], out["staff2"] = staff[0], staff[-1]
    return out


def schedule(story, finding: Finding, *, enterprise, people: dict, inspector: User | None, point,
             seed: int, made: list) -> None:
    """Add the finding's plot to the story: each step through the service that does it for real."""
    gov = finding.plot.startswith("gov_")
    major = finding.plot in MAJOR_PLOTS
    equipment = point is not None and point.kind == "equipment"
    responsible = people["staff2"] if equipment else people["staff"]
    manager, principal = people["manager"], people["principal"]
    # Who confirms, extends, voids and reviews: the finder's side (docs/design.md's reviewer rule).
    authority_side = inspector if gov or major else manager
    state: dict = {}

    def report(actor, source=None):
        def run():
            hazard = service.create_hazard(
                actor, enterprise=enterprise, title=finding.title, description=finding.description,
                location=finding.location, risk_point=point, nature=finding.nature, hazard_factor=finding.factor,
                accident_type=finding.accident, level="major" if major else None,
                attachments=[("before", f"IMG_{seed:04d}.jpg", photo(seed))])
            state["id"] = hazard.id
            made.append(hazard)
        return run

    def draft_plan():
        service.save_plan(state["id"], manager, **{**finding.plan, "funds": ""})

    def full_plan():
        service.save_plan(state["id"], manager, workers_congress_reported_on=today(), **finding.plan)

    def approve():
        service.approve_plan(state["id"], principal)

    def confirm(days):
        def run():
            service.fire(state["id"], "confirm", inspector if gov else manager, level="major" if major else "general",
                         deadline=today() + timedelta(days=days), responsible_user_id=responsible.id,
                         responsible_department_id=responsible.department_id,
                         measures=finding.measures)
        return run

    def extend(days):
        def run():
            service.fire(state["id"], "extend", authority_side, deadline=today() + timedelta(days=days),
                         reason=finding.reason)
        return run

    def submit():
        service.add_attachment(state["id"], responsible, kind="after", filename=f"IMG_{seed + 5000:04d}.jpg",
                               data=photo(seed, after=True))
        service.fire(state["id"], "submit", responsible, rectification=finding.rectification or "已按要求完成整改。")

    def accept():
        service.fire(state["id"], "accept", authority_side, comment="现场复查，整改合格。")

    def reject(days):
        def run():
            service.fire(state["id"], "reject", authority_side, reason=finding.reason,
                         deadline=today() + timedelta(days=days))
        return run

    def spot():
        service.rectify_on_the_spot(state["id"], manager, responsible_user_id=responsible.id,
                                    measures=finding.measures, rectification=finding.rectification,
                                    attachments=[("after", f"IMG_{seed + 5000:04d}.jpg", photo(seed, after=True))])

    def void():
        service.fire(state["id"], "void", authority_side, reason=finding.reason)

    steps = {
        "report": lambda _arg: report(people["staff"] if seed % 2 else people["staff2"]),
        "inspect": lambda _arg: report(inspector),
        "draft_plan": lambda _arg: draft_plan, "plan": lambda _arg: full_plan, "approve": lambda _arg: approve,
        "confirm": confirm, "extend": extend, "submit": lambda _arg: submit, "accept": lambda _arg: accept,
        "reject": reject, "spot": lambda _arg: spot, "void": lambda _arg: void,
    }
    for days_ago, hhmm, step, arg in PLOTS[finding.plot]:
        story.at(days_ago, hhmm, steps[step](arg))


def seed(ctx: dict) -> None:
    enterprises = ctx.get("enterprises") or {}
    story = ctx.get("story")
    if not enterprises or story is None:
        return
    inspectors = [u for u in (ctx.get("users") or {}).values() if u.role == Role.inspector]
    points = ctx.get("risk_points") or {}
    made = ctx.setdefault("hazards", [])
    for e_index, (key, enterprise) in enumerate(enterprises.items()):
        people = people_of(enterprise)
        if not {"manager", "principal", "staff"} <= set(people):
            continue
        inspector = local_inspector(enterprise, inspectors)
        for n, finding in enumerate(FINDINGS.get(key, ())):
            if inspector is None and (finding.plot.startswith("gov_") or finding.plot in MAJOR_PLOTS):
                continue  # no authority above this enterprise to find or review it
            schedule(story, finding, enterprise=enterprise, people=people, inspector=inspector,
                     point=points.get((key, finding.point)), seed=e_index * 100 + n, made=made)
