"""Administrative division codes (行政区划代码, GB/T 2260) and the town codes built on them (GB/T 10114).

A GB/T 2260 code has six digits: province (2), city (2), county (2). A province ends in ``0000``
(江西省 360000), a city in ``00`` (上饶市 361100), a county in neither (信州区 361102). A town
(乡镇、街道) has nine digits: its county's code and three more (西市街道 361102001).

Rule sets are chosen by code prefix, so a child's code begins with its parent's: a city with its
province's two digits, a county with its city's four, a town with its county's six. GB/T 2260 also
has county-level units directly under a province (省直辖县级行政单位, e.g. 仙桃市 429004 under 湖北省)
and cities without counties whose towns hang directly under them (东莞市 441900 → 441900003).
"""

from __future__ import annotations

from app.organisations.models import RegionLevel

# The first two digits of GB/T 2260: the 34 provincial-level divisions.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})

# Which levels a region of each level may hang under (the GB/T 2260 tree, with its two shortcuts).
PARENT_LEVELS = {
    RegionLevel.province: frozenset(),
    RegionLevel.city: frozenset({RegionLevel.province}),
    RegionLevel.county: frozenset({RegionLevel.city, RegionLevel.province}),
    RegionLevel.town: frozenset({RegionLevel.county, RegionLevel.city}),
}


def is_well_formed(code: str) -> bool:
    """Six digits with a real province prefix (or nine for a town)."""
    return code.isascii() and code.isdigit() and len(code) in (6, 9) and code[:2] in PROVINCES


def level_of(code: str) -> RegionLevel | None:
    """The level a well-formed code denotes."""
    if not is_well_formed(code):
        return None
    if len(code) == 9:
        return RegionLevel.town if code[6:] != "000" else None
    if code[2:] == "0000":
        return RegionLevel.province
    if code[4:] == "00":
        return RegionLevel.city
    return RegionLevel.county


def parent_prefix(parent_code: str, parent_level: RegionLevel, level: RegionLevel) -> str:
    """What a child's code must begin with: 2 digits under a province, 4 under a city, the whole
    six-digit code of the county (or city) a town belongs to."""
    if level == RegionLevel.town:
        return parent_code[:6]
    return parent_code[:2] if parent_level == RegionLevel.province else parent_code[:4]
