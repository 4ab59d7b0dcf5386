"""Demo data: each demo enterprise's risk register as its safety manager would keep it.

Every enterprise gets a drawn site plan with its four areas and ten risk points that belong to its
industry (a chemical plant's 液氯储罐区, a foundry's 中频感应熔炼炉, a cotton mill's 清梳车间...), each with
its GB/T 13861 hazard factors, GB 6441 accident types, measures in the five categories and an
assessment by the method a professional would choose for it. Everything goes through the services.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

from app import clock
from app.auth.models import Role
from app.extensions import db
from app.organisations.accounts import create_user
from app.organisations.demo import DEMO_PASSWORD
from app.risks import events, maps, objects, service
from workflows.check_tasks import from_utc

# Per accident type (the point's first): training, PPE and emergency measures a professional writes
# for it; the engineering and management measures are the point's own.
BY_ACCIDENT = {
    "19": ("有毒有害气体特性、防护及有限空间作业安全培训，考核合格后上岗", "正压式空气呼吸器、便携式气体检测报警仪",
           "执行中毒窒息事故现场处置方案，严禁盲目施救"),
    "18": ("防火防爆知识、动火作业及泄漏处置培训", "防静电工作服、防爆工具",
           "泄漏时立即切断气源、消除点火源并疏散人员，执行火灾爆炸事故现场处置方案"),
    "17": ("压力容器操作人员持证上岗，岗位操作规程培训", "防护面罩、防护手套", "超压时立即泄压停机，执行压力容器事故现场处置方案"),
    "16": ("锅炉操作人员持证上岗，水质及安全附件知识培训", "防烫手套、防护面罩", "执行锅炉事故现场处置方案，必要时紧急停炉"),
    "08": ("消防安全知识培训，会报警、会使用灭火器材、会组织疏散", "阻燃工作服",
           "初起火灾使用就近灭火器材扑救，执行火灾事故现场处置方案"),
    "07": ("高温作业及防烫安全培训", "隔热服、防护面罩、防烫手套", "立即用清水冲洗降温，执行灼烫事故现场处置方案"),
    "03": ("设备安全操作规程培训，严禁设备运转中清理、调整", "紧袖工作服、工作帽，操作旋转设备严禁戴手套",
           "立即按下急停按钮，执行机械伤害事故现场处置方案"),
    "04": ("起重机械作业人员、司索指挥人员持证上岗", "安全帽、防砸安全鞋", "立即停止吊运，执行起重伤害事故现场处置方案"),
    "05": ("电工持证上岗，电气安全知识培训", "绝缘手套、绝缘鞋", "立即切断电源，执行触电事故现场处置方案"),
    "09": ("高处作业安全培训，登高架设作业人员持证上岗", "安全带、安全帽", "执行高处坠落事故现场处置方案"),
    "02": ("叉车等厂内机动车辆驾驶人员持证上岗，厂内交通安全培训", "反光背心、防砸安全鞋", "执行车辆伤害事故现场处置方案"),
    "10": ("专项施工方案安全技术交底", "安全帽、防砸安全鞋", "发现险情立即撤离作业人员，执行坍塌事故应急预案"),
    "01": ("岗位安全操作规程培训", "安全帽、防砸安全鞋", "执行物体打击事故现场处置方案"),
    "20": ("岗位安全操作规程及职业卫生培训", "防尘口罩、耳塞", "按现场处置方案处置，必要时送医"),
}

PROFILES: dict[str, dict] = {
    # key: industry code (the enterprise's; checked by the demo test), the four areas of the site plan,
    # and the points: (name, area, kind, hazard factors, accident types, method, inputs,
    #                  engineering measures, management measures, consequences)
    "jiangfeng": {"industry": "hazardous_chemicals", "areas": ["罐区", "氯化车间", "危化品仓库", "装卸区"], "points": [
        ("液氯储罐区", "罐区", "equipment", ["2201", "2202", "2101"], ["19", "17"], "direct", {"rules": ["D3"]},
         ["储罐设压力、液位远传及高低限报警", "设氯气泄漏检测报警仪并与事故氯吸收装置联锁"],
         ["落实重大危险源包保责任制", "每2小时巡检一次并记录"], "液氯泄漏可致多人中毒，储罐超压可致容器爆炸"),
        ("氯化反应釜", "氯化车间", "process", ["2201", "2202"], ["19", "18"], "lec", {"L": 3, "E": 6, "C": 40},
         ["反应釜温度、压力与通氯阀门联锁，设紧急冷却系统", "氯化工艺自动化控制系统（DCS）和安全仪表系统（SIS）"],
         ["严格执行工艺操作规程和工艺指标", "工艺变更执行变更管理"], "反应失控可致火灾爆炸和氯气中毒"),
        ("甲苯储罐", "罐区", "equipment", ["2201"], ["08", "18"], "lec", {"L": 3, "E": 6, "C": 15},
         ["储罐设氮封、呼吸阀和阻火器", "防火堤完好，设可燃气体检测报警仪"],
         ["装卸料执行操作票制度", "每班巡检呼吸阀、阻火器"], "甲苯泄漏遇点火源引发火灾爆炸"),
        ("液氯钢瓶库", "危化品仓库", "place", ["2201", "2202"], ["19"], "mes", {"M": 3, "E": 6, "S": 8},
         ["设有毒气体检测报警仪和事故通风", "配备钢瓶泄漏应急处置工具和碱液池"],
         ["钢瓶出入库登记，空重瓶分区存放", "每班检查钢瓶阀门和防震圈"], "钢瓶泄漏造成人员中毒"),
        ("液氯槽车装卸作业", "装卸区", "operation", ["2201", "1202"], ["19", "18"], "ls", {"L": 3, "S": 5},
         ["装卸鹤管设紧急切断阀和拉断阀", "装卸区设静电接地报警器"],
         ["执行装卸作业安全操作规程，专人监护", "核查槽车资质和罐体检验情况"], "装卸过程泄漏造成中毒"),
        ("氯化车间动火作业", "氯化车间", "operation", ["2109", "2201"], ["08", "18"], "lec", {"L": 3, "E": 3, "C": 15},
         ["动火点可燃气体分析合格", "与生产系统可靠隔离，加盲板"],
         ["执行《危险化学品企业特殊作业安全规范》动火作业许可", "动火期间专人监护"], "动火作业引发火灾爆炸"),
        ("反应釜清釜作业", "氯化车间", "operation", ["2202", "1203"], ["19"], "lec", {"L": 1, "E": 2, "C": 40},
         ["强制通风，作业前及作业中气体检测", "切断物料并加盲板，电源挂牌上锁"],
         ["执行受限空间作业许可，先通风、再检测、后作业", "监护人全程监护"], "有毒气体残留或缺氧造成中毒窒息"),
        ("罐区管廊高处作业", "罐区", "operation", ["1202", "2102"], ["09"], "ls", {"L": 3, "S": 3},
         ["管廊设防护栏杆和挂点", "搭设合格脚手架"], ["执行高处作业许可", "作业前检查安全带"], "高处坠落造成人员伤亡"),
        ("氯化车间低压配电柜", "氯化车间", "equipment", ["2103"], ["05"], "ls", {"L": 2, "S": 3},
         ["配电柜防腐型，设漏电保护", "柜前铺设绝缘垫"], ["停送电执行工作票制度", "每月检查接地和漏电保护"], "触电"),
        ("危化品仓库叉车搬运", "危化品仓库", "operation", ["2108", "1202"], ["02"], "mes", {"M": 1, "E": 6, "S": 4},
         ["使用防爆叉车", "库内限速5 km/h并划定行驶通道"], ["叉车每日点检", "人车分流"], "叉车碰撞、碾压"),
    ]},
    "raocheng_steel": {"industry": "metallurgy", "areas": ["高炉区域", "炼钢车间", "轧钢车间", "煤气柜区"], "points": [
        ("1号高炉炉前出铁场", "高炉区域", "operation", ["2110", "2102"], ["07", "18"], "lec", {"L": 3, "E": 6, "C": 40},
         ["出铁场地面保持干燥，设防雨棚", "铁口、渣口设挡渣板和防护屏"], ["执行出铁操作规程", "开口机、泥炮班前点检"],
         "铁水喷溅或遇水爆炸造成多人灼烫伤亡"),
        ("转炉煤气柜", "煤气柜区", "equipment", ["2201", "2202"], ["19", "18"], "direct", {"rules": ["D3"]},
         ["柜区设一氧化碳检测报警仪并远传", "柜顶设放散装置和防雷设施"], ["落实重大危险源包保责任制", "柜区进出登记，携带一氧化碳报警仪"],
         "煤气泄漏造成中毒，遇火源爆炸"),
        ("高炉煤气净化区域", "高炉区域", "place", ["2202", "2201"], ["19", "18"], "lec", {"L": 3, "E": 6, "C": 15},
         ["设固定式一氧化碳检测报警仪", "设风向标和警示标志"], ["进入煤气区域两人以上并携带报警仪", "定期校验报警仪"],
         "煤气泄漏造成中毒"),
        ("铁水罐吊运", "炼钢车间", "operation", ["2108", "2110"], ["04", "07"], "ls", {"L": 3, "S": 5},
         ["使用冶金铸造起重机，设两套制动器", "吊运通道下方禁止站人"], ["吊运前检查吊具和耳轴", "专人指挥"], "铁水倾翻造成灼烫和起重伤害"),
        ("转炉炉口区域", "炼钢车间", "place", ["2110"], ["07"], "mes", {"M": 3, "E": 6, "S": 8},
         ["炉口设挡火门", "氧枪与炉体倾动联锁"], ["冶炼期间禁止人员在炉前停留", "兑铁、加废钢前确认炉内无积水"], "喷溅造成灼烫"),
        ("轧机换辊作业", "轧钢车间", "operation", ["2108", "1202"], ["03", "04"], "lec", {"L": 3, "E": 3, "C": 15},
         ["换辊期间主电机停电挂牌上锁"], ["执行换辊作业指导书", "专人指挥吊运"], "机械伤害、起重伤害"),
        ("加热炉汽化冷却系统", "轧钢车间", "equipment", ["2101", "2110"], ["17", "07"], "ls", {"L": 2, "S": 5},
         ["汽包设水位计、安全阀和低水位报警"], ["安全阀每年校验", "司炉人员持证上岗"], "汽包缺水造成爆炸、蒸汽烫伤"),
        ("煤气管道抽堵盲板作业", "煤气柜区", "operation", ["2202", "1203"], ["19"], "lec", {"L": 1, "E": 2, "C": 40},
         ["作业点保持正压，使用防爆工具"], ["执行煤气设施检修作业许可", "佩戴空气呼吸器，专人监护"], "煤气中毒"),
        ("轧钢车间配电室", "轧钢车间", "place", ["2103"], ["05"], "ls", {"L": 2, "S": 3},
         ["设挡鼠板和绝缘垫"], ["执行两票制度", "每月检查"], "触电"),
        ("成品钢材堆放区", "轧钢车间", "place", ["2108"], ["01"], "mes", {"M": 1, "E": 6, "S": 2},
         ["钢材堆垛设支架，限高2米"], ["划定堆放区和通道"], "钢材滚落造成物体打击"),
    ]},
    "xinzhou_materials": {"industry": "building_materials", "areas": ["粉磨车间", "原料堆棚", "成品库", "包装车间"], "points": [
        ("水泥筒仓清库作业", "成品库", "operation", ["2202", "1203"], ["10", "19"], "lec", {"L": 3, "E": 3, "C": 40},
         ["清库使用专用清库机，禁止人员站在物料上作业", "库顶、库底出入口设强制通风"],
         ["编制清库专项方案，执行受限空间作业许可", "作业人员系安全绳，专人监护"], "积料塌落掩埋、缺氧窒息"),
        ("辊压机", "粉磨车间", "equipment", ["2108", "2102"], ["03"], "lec", {"L": 1, "E": 6, "C": 15},
         ["转动部位设防护罩", "设急停拉绳开关"], ["检修时停电挂牌上锁"], "机械伤害"),
        ("粉磨车间皮带输送机", "粉磨车间", "equipment", ["2102", "2108"], ["03"], "ls", {"L": 3, "S": 4},
         ["头尾轮设防护罩，沿线设拉绳开关"], ["禁止跨越运行中的皮带", "清理积料前停机"], "卷入造成机械伤害"),
        ("散装水泥装车", "成品库", "operation", ["2108", "1202"], ["02", "09"], "mes", {"M": 3, "E": 6, "S": 4},
         ["装车平台设防护栏"], ["车辆限速，专人指挥倒车", "禁止司机攀爬罐顶"], "车辆伤害、高处坠落"),
        ("包装机及码垛", "包装车间", "equipment", ["2108"], ["03", "01"], "ls", {"L": 2, "S": 3},
         ["包装机转盘设防护栏"], ["码垛高度不超过20袋"], "机械伤害、物体打击"),
        ("粉磨车间高压配电室", "粉磨车间", "place", ["2103"], ["05"], "lec", {"L": 1, "E": 6, "C": 40},
         ["高压柜五防联锁完好"], ["执行两票制度", "高压电工持证上岗"], "高压触电"),
        ("原料堆棚装载机作业", "原料堆棚", "operation", ["2108", "1202"], ["02"], "ls", {"L": 3, "S": 5},
         ["装载机设倒车影像和声光报警"], ["人车分流，作业区禁止行人"], "车辆碾压"),
        ("原料堆棚顶棚检修", "原料堆棚", "operation", ["1202", "2102"], ["09"], "lec", {"L": 1, "E": 2, "C": 15},
         ["彩钢瓦屋面铺设防滑走道板"], ["执行高处作业许可"], "踏穿屋面坠落"),
        ("包装车间粉尘作业", "包装车间", "place", ["2202"], ["20"], "mes", {"M": 1, "E": 10, "S": 2},
         ["包装机设集尘罩和除尘器"], ["定期检测粉尘浓度"], "长期吸入粉尘损害健康"),
        ("球磨机检修作业", "粉磨车间", "operation", ["2108", "1203"], ["03", "19"], "lec", {"L": 1, "E": 2, "C": 40},
         ["检修前磨机主电机停电挂牌，慢驱锁定"], ["进入磨内执行受限空间作业许可", "磨内温度降至40℃以下再进入"],
         "误启动造成机械伤害，通风不良造成窒息"),
    ]},
    "hengli": {"industry": "machinery", "areas": ["铸造车间", "机加工车间", "涂装车间", "装配车间"], "points": [
        ("中频感应熔炼炉", "铸造车间", "equipment", ["2110", "2101"], ["07", "18"], "lec", {"L": 3, "E": 6, "C": 40},
         ["冷却水系统设温度、流量监测报警和应急水源", "炉前设防喷溅挡板，地坑保持干燥"],
         ["熔炼作业执行操作规程", "每班检查炉衬和冷却水系统"], "漏炉或铁水遇水爆炸，造成多人灼烫伤亡"),
        ("铁水浇注吊运", "铸造车间", "operation", ["2108", "2110"], ["04", "07"], "lec", {"L": 3, "E": 6, "C": 15},
         ["吊运熔融金属使用冶金铸造起重机", "浇包耳轴定期探伤"], ["吊运路线下方禁止站人", "专人指挥"], "铁水倾翻造成灼烫"),
        ("涂装车间喷漆室", "涂装车间", "place", ["2201", "2109"], ["08", "18"], "mes", {"M": 3, "E": 6, "S": 8},
         ["喷漆室机械排风并与喷枪联锁", "电气设备防爆，设可燃气体检测报警仪"], ["严禁烟火，定期清理漆渣"], "油漆蒸气遇火源燃烧爆炸"),
        ("调漆间", "涂装车间", "place", ["2201", "2202"], ["08", "19"], "ls", {"L": 3, "S": 4},
         ["调漆间独立设置，机械通风"], ["油漆稀释剂存量不超过一昼夜用量"], "火灾、有机溶剂中毒"),
        ("数控车床加工", "机加工车间", "equipment", ["2108", "2102"], ["03"], "ls", {"L": 2, "S": 4},
         ["防护门与主轴联锁"], ["装卸工件停机", "严禁戴手套操作"], "机械伤害"),
        ("砂轮机打磨", "机加工车间", "equipment", ["2102", "2108"], ["03", "01"], "lec", {"L": 3, "E": 6, "C": 3},
         ["砂轮机设防护罩，托架与砂轮间隙不大于3 mm"], ["砂轮更换由专人负责并试运转", "操作时站在砂轮侧面"],
         "砂轮破碎飞出伤人"),
        ("装配车间桥式起重机", "装配车间", "equipment", ["2101", "2108"], ["04"], "lec", {"L": 3, "E": 6, "C": 7},
         ["起升限位、缓冲器、急停完好"], ["起重机定期检验", "司机和司索工持证上岗"], "起重伤害"),
        ("空压机储气罐", "机加工车间", "equipment", ["2101"], ["17"], "mes", {"M": 3, "E": 6, "S": 4},
         ["储气罐设安全阀和压力表"], ["安全阀每年校验", "每班排污"], "储气罐超压爆炸"),
        ("焊接作业", "装配车间", "operation", ["2103", "2109", "2110"], ["05", "07", "08"], "ls", {"L": 3, "S": 3},
         ["焊机外壳接地，二次线绝缘良好"], ["焊工持证上岗", "清除周边可燃物"], "触电、灼烫、火灾"),
        ("砂处理除尘系统", "铸造车间", "equipment", ["2202"], ["20"], "mes", {"M": 1, "E": 6, "S": 2},
         ["除尘器定期清灰"], ["定期检测粉尘浓度"], "粉尘损害健康"),
    ]},
    "raozhou_logistics": {"industry": "commerce", "areas": ["一号仓库", "二号仓库", "装卸平台", "综合楼"], "points": [
        ("一号仓库高位货架区", "一号仓库", "place", ["2108", "2101"], ["01", "10"], "lec", {"L": 3, "E": 6, "C": 7},
         ["货架设防撞护角，标明每层限载"], ["货物上轻下重，超限货物禁止上架", "每月检查货架立柱变形"], "货物坠落、货架倒塌"),
        ("电动叉车作业", "二号仓库", "operation", ["2108", "1202"], ["02"], "lec", {"L": 3, "E": 6, "C": 15},
         ["叉车设蓝光警示灯和倒车报警", "库内划定人车分流通道"], ["叉车司机持证上岗", "库内限速5 km/h"], "叉车碰撞、碾压行人"),
        ("装卸平台货车装卸", "装卸平台", "operation", ["2108", "1202"], ["02", "09"], "ls", {"L": 3, "S": 5},
         ["车辆停靠设止退器"], ["装卸前确认货车熄火、拉手刹", "专人指挥倒车"], "车辆意外移动造成挤压、坠落"),
        ("二号仓库（丙类）储存区", "二号仓库", "place", ["2201", "2103"], ["08"], "direct", {"rules": ["D5"]},
         ["设自动喷水灭火系统和火灾自动报警系统", "库内照明采用冷光源并加防护罩"],
         ["库内严禁烟火，每日闭库前断电检查", "保持防火间距和疏散通道畅通"], "仓库火灾，作业人员多时可致群死群伤"),
        ("叉车充电间", "二号仓库", "place", ["2103", "2201"], ["08", "05"], "mes", {"M": 3, "E": 6, "S": 4},
         ["充电间独立设置，机械通风", "充电机设过充保护"], ["充电时有人值守"], "电池热失控引发火灾"),
        ("装卸平台升降调节板", "装卸平台", "equipment", ["2101", "2108"], ["03", "09"], "ls", {"L": 2, "S": 3},
         ["调节板设安全支撑杆"], ["维修时放下支撑杆"], "挤压、坠落"),
        ("综合楼低压配电室", "综合楼", "place", ["2103"], ["05"], "ls", {"L": 2, "S": 4},
         ["配电柜设漏电保护，柜前铺绝缘垫"], ["非电工禁止入内"], "触电"),
        ("员工食堂燃气灶具", "综合楼", "equipment", ["2201", "2109"], ["08", "18"], "lec", {"L": 1, "E": 6, "C": 15},
         ["设可燃气体报警器并与紧急切断阀联锁"], ["燃气软管定期更换", "下班关闭总阀"], "燃气泄漏引发火灾爆炸"),
        ("一号仓库登高理货", "一号仓库", "operation", ["1202", "2102"], ["09"], "lec", {"L": 1, "E": 6, "C": 7},
         ["使用带护栏的登高车"], ["严禁攀爬货架"], "高处坠落"),
        ("综合楼办公区", "综合楼", "place", ["2103", "31"], ["08"], "mes", {"M": 1, "E": 6, "S": 2},
         ["配置灭火器，疏散指示完好"], ["下班关闭电器电源", "禁止私拉乱接电线"], "电气火灾"),
    ]},
    "guangfeng_textile": {"industry": "textiles", "areas": ["清梳车间", "细纱车间", "织造车间", "原棉仓库"], "points": [
        ("清梳车间", "清梳车间", "place", ["2201", "2109"], ["08"], "direct", {"rules": ["D5"]},
         ["开清棉机组设金属及重杂物分离器、火星探除器", "设自动喷水灭火系统"],
         ["每班清扫飞花，设备定期清洁", "同一班次作业人员不少于10人，保持安全出口畅通"], "棉花火灾蔓延迅速，人员密集时可致群死群伤"),
        ("原棉仓库", "原棉仓库", "place", ["2201", "2109"], ["08"], "lec", {"L": 3, "E": 6, "C": 15},
         ["棉包堆垛留出防火间距", "库内照明防护型，库外设总电源开关"], ["严禁烟火，车辆进库加装防火罩"], "原棉火灾"),
        ("梳棉机", "清梳车间", "equipment", ["2108", "2102"], ["03"], "ls", {"L": 3, "S": 4},
         ["防护罩与主机联锁"], ["严禁运转中掏花、清理"], "卷入造成机械伤害"),
        ("细纱机", "细纱车间", "equipment", ["2108", "2102"], ["03"], "ls", {"L": 2, "S": 4},
         ["车头齿轮、皮带防护罩完好"], ["接头、清洁按操作法进行"], "机械伤害"),
        ("细纱车间吸棉风道", "细纱车间", "place", ["2201", "2202"], ["08"], "mes", {"M": 3, "E": 6, "S": 4},
         ["风道设清扫口，滤网定期清理"], ["每周清理风道积花"], "积花阴燃引发火灾"),
        ("剑杆织机", "织造车间", "equipment", ["2108", "2104"], ["03"], "lec", {"L": 1, "E": 6, "C": 7},
         ["剑杆运动区设防护罩"], ["处理断纱停车进行"], "机械伤害，长期噪声损害听力"),
        ("织造车间配电箱", "织造车间", "equipment", ["2103"], ["05", "08"], "ls", {"L": 3, "S": 3},
         ["配电箱门完好上锁，箱内清洁无积花"], ["电工每周检查"], "触电、电气火灾"),
        ("空压机房", "织造车间", "equipment", ["2101", "2104"], ["17"], "mes", {"M": 1, "E": 6, "S": 4},
         ["储气罐安全阀、压力表完好"], ["安全阀每年校验"], "储气罐超压爆炸"),
        ("原棉仓库叉车搬运", "原棉仓库", "operation", ["2108", "1202"], ["02"], "lec", {"L": 3, "E": 6, "C": 7},
         ["叉车加装防火罩"], ["库内限速，人车分流"], "车辆伤害"),
        ("细纱车间安全出口及疏散通道", "细纱车间", "place", ["31"], ["08"], "ls", {"L": 3, "S": 5},
         ["应急照明和疏散指示完好"], ["疏散通道严禁堆放纱管、棉条筒"], "火灾时人员无法疏散"),
    ]},
    "guangxin_construction": {"industry": "construction", "areas": ["基坑区", "主体结构区", "材料加工区", "生活办公区"], "points": [
        ("深基坑开挖与支护", "基坑区", "operation", ["32", "2101"], ["10"], "lec", {"L": 3, "E": 6, "C": 40},
         ["按专项方案分层开挖、及时支护", "设基坑变形监测点"], ["超过一定规模的危大工程专项方案经专家论证", "每日巡查基坑变形和渗水"],
         "基坑坍塌造成多人伤亡"),
        ("QTZ80塔式起重机", "主体结构区", "equipment", ["2101", "2108"], ["04"], "lec", {"L": 3, "E": 6, "C": 15},
         ["力矩限制器、起重量限制器、高度限位完好", "群塔作业设防碰撞装置"], ["司机、信号工持证上岗", "每日班前检查"], "起重伤害、倒塔"),
        ("高大模板支撑体系", "主体结构区", "process", ["2101"], ["10"], "ls", {"L": 3, "S": 5},
         ["按方案搭设，立杆间距、扫地杆符合要求"], ["浇筑混凝土时专人监测支架变形"], "模板支撑坍塌"),
        ("外墙悬挑脚手架", "主体结构区", "equipment", ["2102", "1202"], ["09", "01"], "lec", {"L": 3, "E": 6, "C": 7},
         ["满挂密目安全网，作业层满铺脚手板"], ["架子工持证上岗", "分段验收合格后使用"], "高处坠落、物体打击"),
        ("施工升降机", "主体结构区", "equipment", ["2101", "2102"], ["09", "04"], "mes", {"M": 3, "E": 6, "S": 4},
         ["防坠安全器在有效标定期内", "楼层门与吊笼联锁"], ["司机持证上岗，严禁超载"], "吊笼坠落"),
        ("施工现场临时用电", "材料加工区", "place", ["2103"], ["05"], "ls", {"L": 3, "S": 4},
         ["三级配电两级保护，一机一闸一漏一箱"], ["电工每日巡查"], "触电"),
        ("钢筋加工机械", "材料加工区", "equipment", ["2108", "2102"], ["03"], "ls", {"L": 2, "S": 3},
         ["传动部位防护罩完好"], ["操作人员经培训上岗"], "机械伤害"),
        ("电焊作业", "材料加工区", "operation", ["2109", "2103"], ["08", "05"], "lec", {"L": 1, "E": 6, "C": 7},
         ["电焊机设二次降压保护"], ["办理动火审批，配备灭火器和看火人"], "火灾、触电"),
        ("生活区临时宿舍", "生活办公区", "place", ["2103", "2201"], ["08"], "mes", {"M": 1, "E": 6, "S": 4},
         ["宿舍采用A级不燃材料板房，设集中充电区"], ["严禁使用大功率电器"], "宿舍火灾"),
        ("基坑临边防护", "基坑区", "place", ["2102"], ["09"], "lec", {"L": 3, "E": 6, "C": 7},
         ["基坑周边设1.2 m防护栏杆和挡脚板"], ["夜间设警示灯"], "人员坠入基坑"),
    ]},
    "raocheng_food": {"industry": "light_industry", "areas": ["生产车间", "冷库", "锅炉房", "污水处理站"], "points": [
        ("液氨制冷机房", "冷库", "equipment", ["2201", "2202", "2101"], ["19", "17"], "lec", {"L": 3, "E": 6, "C": 40},
         ["设氨气浓度报警仪并与事故排风联锁", "设紧急泄氨器和喷淋装置"], ["制冷工持证上岗", "每2小时巡检记录"],
         "液氨泄漏造成多人中毒"),
        ("速冻间", "冷库", "place", ["2111", "31"], ["20", "19"], "ls", {"L": 3, "S": 5},
         ["库门设内开装置和呼救按钮"], ["进入速冻间两人以上，出库清点人数"], "人员被困冻伤"),
        ("燃气蒸汽锅炉", "锅炉房", "equipment", ["2101", "2201"], ["16", "18"], "lec", {"L": 1, "E": 6, "C": 40},
         ["燃烧器熄火保护，设可燃气体报警并联锁切断"], ["司炉工持证上岗", "锅炉定期检验"], "锅炉爆炸、燃气爆炸"),
        ("和面机", "生产车间", "equipment", ["2108", "2102"], ["03"], "ls", {"L": 3, "S": 4},
         ["料斗盖与电机联锁"], ["严禁运行中伸手入料斗"], "卷入造成机械伤害"),
        ("切片机", "生产车间", "equipment", ["2108", "2102"], ["03"], "mes", {"M": 3, "E": 6, "S": 4},
         ["刀具防护罩完好，设急停"], ["清洁刀具停机断电"], "切割伤"),
        ("污水处理站调节池清淤", "污水处理站", "operation", ["2202", "1203"], ["19", "06"], "lec", {"L": 1, "E": 2, "C": 40},
         ["强制通风，检测硫化氢和氧含量"], ["执行受限空间作业许可，专人监护"], "硫化氢中毒、缺氧窒息"),
        ("生产车间配电柜", "生产车间", "equipment", ["2103"], ["05"], "ls", {"L": 2, "S": 3},
         ["设漏电保护，潮湿场所防水型"], ["电工每月检查"], "触电"),
        ("蒸汽管道及分汽缸", "锅炉房", "equipment", ["2110", "2101"], ["07"], "lec", {"L": 1, "E": 6, "C": 7},
         ["管道保温完好，安全阀定期校验"], ["检修前泄压"], "蒸汽烫伤"),
        ("包装机", "生产车间", "equipment", ["2108"], ["03"], "mes", {"M": 1, "E": 6, "S": 2},
         ["封口部位设防护罩"], ["清理卡料停机"], "烫伤、夹伤"),
        ("冷库叉车作业", "冷库", "operation", ["2108", "1202"], ["02"], "ls", {"L": 3, "S": 3},
         ["低温型叉车，库门设防撞栏"], ["人车分流"], "车辆伤害"),
    ]},
    "xinjiang_gas": {"industry": "hazardous_chemicals", "areas": ["储罐区", "钢瓶灌装间", "槽车装卸区", "压缩机房"], "points": [
        ("液化石油气储罐区", "储罐区", "equipment", ["2201", "2101"], ["18", "08"], "direct", {"rules": ["D3"]},
         ["储罐设液位、压力远传和紧急切断阀", "罐区设可燃气体检测报警和喷淋冷却系统"],
         ["落实重大危险源包保责任制", "每2小时巡检"], "泄漏引发火灾爆炸，可能造成重大人员伤亡"),
        ("液化石油气槽车装卸", "槽车装卸区", "operation", ["2201", "1202"], ["18", "08"], "lec", {"L": 3, "E": 6, "C": 15},
         ["装卸臂设拉断阀和紧急切断阀", "静电接地报警器"], ["执行装卸操作规程，司机不得离开", "核查槽车和押运员资质"], "泄漏引发火灾爆炸"),
        ("钢瓶灌装作业", "钢瓶灌装间", "operation", ["2201", "2101"], ["18", "17"], "mes", {"M": 3, "E": 6, "S": 8},
         ["灌装秤超装自动切断", "灌装间防爆电气和可燃气体报警"], ["灌装前检查钢瓶检验期", "严禁超装"], "钢瓶超装爆炸、泄漏着火"),
        ("烃泵及压缩机", "压缩机房", "equipment", ["2201", "2108"], ["18", "03"], "ls", {"L": 3, "S": 4},
         ["压缩机房防爆电气，事故通风与报警联锁"], ["每班检查密封泄漏"], "泄漏爆炸、机械伤害"),
        ("残液回收罐", "储罐区", "equipment", ["2201"], ["18"], "lec", {"L": 1, "E": 6, "C": 15},
         ["设安全阀和液位计"], ["残液严禁随意排放"], "残液泄漏引发火灾"),
        ("储罐区动火作业", "储罐区", "operation", ["2109", "2201"], ["18", "08"], "ls", {"L": 2, "S": 5},
         ["动火前置换、检测合格"], ["执行特级动火作业许可"], "动火引发爆炸"),
        ("钢瓶搬运装车", "钢瓶灌装间", "operation", ["2108", "1202"], ["01", "02"], "ls", {"L": 2, "S": 3},
         ["装车平台设防滑地面"], ["严禁抛、滚、撞钢瓶"], "钢瓶砸伤"),
        ("压缩机房配电室", "压缩机房", "place", ["2103"], ["05"], "mes", {"M": 1, "E": 6, "S": 4},
         ["配电室与压缩机房防火分隔"], ["执行两票制度"], "触电"),
        ("槽车装卸区防雷防静电设施", "槽车装卸区", "equipment", ["2101"], ["18"], "lec", {"L": 1, "E": 3, "C": 15},
         ["接地电阻每半年检测"], ["雷雨天气停止装卸"], "静电火花引发爆炸"),
        ("储罐切水作业", "储罐区", "operation", ["2201", "1202"], ["18"], "lec", {"L": 3, "E": 3, "C": 15},
         ["切水阀设双阀"], ["切水时人员不得离开"], "切水跑气引发火灾爆炸"),
    ]},
}


def controls_for(engineering: list[str], management: list[str], accidents: list[str]) -> dict:
    training, ppe, emergency = BY_ACCIDENT.get(accidents[0], BY_ACCIDENT["20"])
    return {"engineering": engineering, "management": management, "training": [training], "ppe": [ppe],
            "emergency": [emergency]}


def draw_plan(seed: int, areas: list[str], width: int = 1200, height: int = 800) -> tuple[bytes, list[tuple[str, list]]]:
    """A simple site plan (roads, buildings) with the boxes where the areas lie (relative coords)."""
    from PIL import Image, ImageDraw  # lazy: only for images

    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height), (245, 245, 238))
    d = ImageDraw.Draw(img)
    d.rectangle((20, 20, width - 20, height - 20), outline=(60, 60, 60), width=4)
    d.rectangle((0, height // 2 - 25, width, height // 2 + 25), fill=(200, 200, 200))
    d.rectangle((width // 2 - 25, 0, width // 2 + 25, height), fill=(200, 200, 200))
    boxes = []
    cells = [(0.05, 0.05), (0.55, 0.05), (0.05, 0.57), (0.55, 0.57)]
    for name, (x, y) in zip(areas, cells, strict=True):
        w, h = rnd.uniform(0.3, 0.38), rnd.uniform(0.28, 0.36)
        d.rectangle((x * width, y * height, (x + w) * width, (y + h) * height), fill=(225, 225, 215),
                    outline=(90, 90, 90), width=3)
        boxes.append((name, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue(), boxes


def seed(ctx: dict) -> None:
    rnd = random.Random(4)
    points_by_name: dict[tuple[str, str], object] = {}
    for n, (key, enterprise) in enumerate(sorted(ctx.get("enterprises", {}).items())):
        profile = PROFILES.get(key)
        manager = ctx["users"].get(f"{key}_manager")
        if profile is None or manager is None:
            continue
        png, boxes = draw_plan(n, profile["areas"])
        maps.save_site_plan(manager, enterprise, png, "总平面布置图.png")
        depts = {d.name: d for d in enterprise.departments}
        polygons = {}
        for name, polygon in boxes:
            maps.set_polygon(maps.create_area(manager, enterprise, name), polygon)
            polygons[name] = polygon
        for i, (name, area, kind, factors, accidents, method, inputs, eng, mgmt, consequences) in \
                enumerate(profile["points"]):
            point = service.create_point(manager, enterprise, **{
                "name": name, "area": area, "kind": kind, "hazard_factors": factors, "accident_types": accidents,
                "controls": controls_for(eng, mgmt, accidents), "consequences": consequences,
                "responsible_department_id": _department(depts, kind, i),
                "responsible_user_id": manager.id,
            })
            xs, ys = [p[0] for p in polygons[area]], [p[1] for p in polygons[area]]
            maps.place_pin(point, rnd.uniform(min(xs) + 0.03, max(xs) - 0.03),
                           rnd.uniform(min(ys) + 0.03, max(ys) - 0.03))
            service.assess(manager, point, method, inputs, note="年度风险辨识评价")
            points_by_name[(key, name)] = point
    ctx["risk_points"] = points_by_name
    db.session.flush()


def _department(depts: dict, kind: str, i: int) -> int | None:
    """Equipment belongs to the equipment department, the rest to production (or whatever exists)."""
    wanted = "设备部" if kind == "equipment" else "生产部"
    dept = depts.get(wanted) or next(iter(depts.values()), None)
    return dept.id if dept else None


# --- the national model: analysis objects, the chlorine tank farm as a major hazard source ----------------

# GB 18218-2018 §4.3 (the R method of 安监总局令第40号 附件1): R = α · Σ β·q/Q. Liquid chlorine: Q = 5 t
# (GB 18218 表1), β = 4 (毒性气体 表, 氯); 48 t in two storage tanks; 50–99 people live within 500 m of the
# boundary: α = 1.5. R = 1.5 × 4 × 48 / 5 = 57.6, 50 ≤ R < 100: 二级 (docs/risks.md).
CHLORINE_STOCK_T, CHLORINE_CRITICAL_T, CHLORINE_BETA, ALPHA = 48, 5, 4, 1.5
CHLORINE_R = ALPHA * CHLORINE_BETA * CHLORINE_STOCK_T / CHLORINE_CRITICAL_T


def major_hazard_level_of(r: float) -> int:
    """GB 18218-2018 表4: 一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10."""
    return 1 if r >= 100 else 2 if r >= 50 else 3 if r >= 10 else 4


# Objects of the chemical plant: (name, kind, units (risk point names), major-hazard source code or None).
JIANGFENG_OBJECTS = [
    ("液氯储罐区", "储罐区", ["液氯储罐区", "液氯槽车装卸作业"], "361103101-ZD001"),
    ("氯化装置", "生产装置", ["氯化反应釜", "氯化车间动火作业", "反应釜清釜作业", "氯化车间低压配电柜"], None),
    ("甲苯罐区", "储罐区", ["甲苯储罐", "罐区管廊高处作业"], None),
    ("危化品仓库", "仓库", ["液氯钢瓶库"], None),
]

# The chlorine tank's measures (by their text from PROFILES): national sub-class, data source, check content.
CHLORINE_TANK_MEASURES = {
    "储罐设压力、液位远传及高低限报警": ("1-4", "automatic", "DCS 压力、液位显示正常，高低限报警未屏蔽"),
    "设氯气泄漏检测报警仪并与事故氯吸收装置联锁": ("1-4", "manual",
                                           "检测报警仪指示正常、在检定有效期内；事故氯吸收装置碱液浓度和液位正常，联锁投用"),
    "落实重大危险源包保责任制": ("3-4", "manual", "包保责任人按清单履职并签字"),
    "每2小时巡检一次并记录": ("3-2", "manual", "巡检记录完整，罐体、阀门、法兰无泄漏"),
}
# A second scenario of the tank: overpressure (GB 6441 17 容器爆炸), with its own measures.
OVERPRESSURE_EVENT = ("液氯储罐超压容器爆炸", "17", "lec", {"L": 1, "E": 6, "C": 40}, [
    ("储罐设安全阀并定期校验", "1", "1-3", "manual", "安全阀铅封完好、在校验有效期内，根部阀全开"),
    ("储罐充装量不超过容积的 80%，设液位高高联锁", "1", "1-4", "automatic", "液位高高联锁投用，充装记录未超 80%"),
    ("储罐及附件按期检验，测厚", "2", "2-2", "manual", "压力容器定期检验报告在有效期内"),
])


def seed_objects(ctx: dict) -> None:
    """The chemical plant's analysis objects; its 液氯储罐区 is a 二级 major hazard source with its three 包保
    persons, its tank a unit with two risk events and measures with their check content. Through the
    services, as the safety manager would enter them."""

    enterprise = ctx.get("enterprises", {}).get("jiangfeng")
    manager = ctx.get("users", {}).get("jiangfeng_manager")
    points = ctx.get("risk_points", {})
    if enterprise is None or manager is None:
        return
    depts = {d.name: d for d in enterprise.departments}
    users = ctx["users"]
    users["jiangfeng_tech"] = create_user(None, username="jiangfeng_tech", display_name="江丰总工程师",
                                          role=Role.enterprise_staff, password=DEMO_PASSWORD, enterprise=enterprise,
                                          department=depts.get("生产部"))
    users["jiangfeng_operator"] = create_user(None, username="jiangfeng_operator", display_name="罐区主任",
                                              role=Role.enterprise_staff, password=DEMO_PASSWORD,
                                              enterprise=enterprise, department=depts.get("操作岗"))
    created = {}
    for name, kind, units, code in JIANGFENG_OBJECTS:
        fields = {"name": name, "kind": kind}
        if code:
            fields.update(hazard_source_code=code, major_hazard_level=major_hazard_level_of(CHLORINE_R),
                          principal_user_id=users["jiangfeng_principal"].id,
                          technical_user_id=users["jiangfeng_tech"].id,
                          operator_user_id=users["jiangfeng_operator"].id,
                          description=f"液氯最大储存量 {CHLORINE_STOCK_T} t（2 台储罐），临界量 {CHLORINE_CRITICAL_T} t；"
                                      f"R = {ALPHA} × {CHLORINE_BETA} × {CHLORINE_STOCK_T}/{CHLORINE_CRITICAL_T} = "
                                      f"{CHLORINE_R:g}（GB 18218-2018）")
        obj = objects.create_object(manager, enterprise, **fields)
        created[name] = obj
        for unit in units:
            point = points.get(("jiangfeng", unit))
            if point is not None:
                service.update_point(manager, point, object_id=obj.id)
    tank = points.get(("jiangfeng", "液氯储罐区"))
    if tank is not None:
        first = events.events_of(tank)[0]
        events.update_event(manager, first, name="液氯储罐泄漏中毒", accident_type="19",
                            description="储罐、管线或阀门泄漏，氯气扩散致人员中毒")
        for measure in events.measures_of(tank):
            national = CHLORINE_TANK_MEASURES.get(measure.description)
            if national:
                sub, source, content = national
                events.update_measure(manager, measure, classify1=sub[0], classify2=sub, data_source=source,
                                      check_content=content)
        name, accident, method, inputs, measures = OVERPRESSURE_EVENT
        second = events.create_event(manager, tank, name=name, accident_type=accident,
                                     description="储罐超装或受热超压，安全附件失效致容器爆炸")
        for description, c1, c2, source, content in measures:
            events.create_measure(manager, second, description=description, classify1=c1, classify2=c2,
                                  data_source=source, check_content=content)
        service.assess(manager, tank, method, inputs, note="风险事件辨识评价", event_id=second.id)
    ctx["risk_objects"] = created
    loading = points.get(("jiangfeng", "液氯槽车装卸作业"))
    if loading is not None:
        story = ctx["story"]

        def maintenance():
            start = from_utc(clock.utcnow()).replace(minute=0, second=0, microsecond=0)
            objects.add_suspension(manager, risk_point_id=loading.id, starts_at=start,
                                   ends_at=start + timedelta(days=2), reason="装卸鹤管紧急切断阀检修，停止装卸作业")

        story.at(12, "09:00", maintenance)
    db.session.flush()
