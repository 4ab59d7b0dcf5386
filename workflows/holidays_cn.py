"""The statutory holiday calendars shipped with shuangkong, in the import format of ``work_calendar``.

Each year is copied date by date from the State Council General Office's notice (国务院办公厅关于YYYY年部分
节假日安排的通知) and names it: title, document number, date of issue and where its text was read.
A year whose notice could not be verified is NOT here (the dashboard then warns the admin); never add
dates from a forecast or from the lunar calendar. docs/calendar.md says how each year was verified.
"""

from __future__ import annotations

STATUTORY_CALENDARS = """\
# 2025: full text as published by Xinhua (新华社北京11月12日电, m.gmw.cn/2024-11/12/content_1303894933.htm);
# the document number from a reprint that prints it and from datasets citing the gov.cn copy (docs/calendar.md).
year 2025
title 国务院办公厅关于2025年部分节假日安排的通知
document 国办发明电〔2024〕12号
issued 2024-11-12
source https://www.gov.cn/zhengce/content/202411/content_6986382.htm
holiday 2025-01-01 2025-01-01 元旦
holiday 2025-01-28 2025-02-04 春节
workday 2025-01-26 春节
workday 2025-02-08 春节
holiday 2025-04-04 2025-04-06 清明节
holiday 2025-05-01 2025-05-05 劳动节
workday 2025-04-27 劳动节
holiday 2025-05-31 2025-06-02 端午节
holiday 2025-10-01 2025-10-08 国庆节、中秋节
workday 2025-09-28 国庆节、中秋节
workday 2025-10-11 国庆节、中秋节

# 2026: full text as published by Xinhua (新华社北京11月4日电, politics.gmw.cn/2025-11/04/content_38391083.htm);
# the document number from datasets citing the gov.cn policy-library copy (docs/calendar.md).
year 2026
title 国务院办公厅关于2026年部分节假日安排的通知
document 国办发明电〔2025〕7号
issued 2025-11-04
source https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm
holiday 2026-01-01 2026-01-03 元旦
workday 2026-01-04 元旦
holiday 2026-02-15 2026-02-23 春节
workday 2026-02-14 春节
workday 2026-02-28 春节
holiday 2026-04-04 2026-04-06 清明节
holiday 2026-05-01 2026-05-05 劳动节
workday 2026-05-09 劳动节
holiday 2026-06-19 2026-06-21 端午节
holiday 2026-09-25 2026-09-27 中秋节
holiday 2026-10-01 2026-10-07 国庆节
workday 2026-09-20 国庆节
workday 2026-10-10 国庆节
"""
