"""Masking natural persons' names and phone numbers for publication (公示) and for every non-privileged view.

Framework-free; the rules and their sources are in docs/public-reports.md "Masking". One definition:
lists, exports, logs and public pages all call these functions.

* A name keeps its surname (the first character, or a compound surname of two characters such as 欧阳 when
  something remains after it) and every other character becomes ``*``: 张三 → 张*, 欧阳娜娜 → 欧阳**,
  李 → *. A name in Latin letters keeps its first letter only. Length is kept (the common 公示 practice);
  no more than the surname is ever shown.
* A mobile number keeps its first 3 and last 4 digits: 13812341234 → 138****1234 (+86 and separators
  dropped). Any other number keeps only its last 4 digits when it has at least 8, else nothing.
"""

from __future__ import annotations

import re

# Compound surnames (复姓) in current use; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离",
    "闾丘", "澹台", "公冶", "太史", "端木", "申屠", "南宫", "西门", "独孤", "百里", "呼延", "万俟", "司空", "濮阳", "单于", "拓跋",
    "东郭", "左丘", "第五", "梁丘", "谷梁", "赫连", "淳于", "羊舌",
})
MASK = "*"


def surname_length(name: str) -> int:
    """How many leading characters of ``name`` may be shown: 0, 1 or 2 (a compound surname)."""
    if len(name) <= 1:
        return 0
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return 2
    return 1


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    name = re.sub(r"\s+", " ", name.strip())
    if not name:
        return ""
    if not re.search(r"[\u3400-\u9fff]", name):  # a name in Latin (or other) letters: first letter only
        return name[0] + "".join(" " if c == " " else MASK for c in name[1:]) if len(name) > 1 else MASK
    keep = surname_length(name)
    return name[:keep] + "".join(" " if c == " " else MASK for c in name[keep:])


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + MASK * 4 + digits[-4:]
    if len(digits) >= 8:
        return MASK * (len(digits) - 4) + digits[-4:]
    return MASK * len(digits)
