"""Reference data: the region tree from the official division list, and merges of entries made twice.

* ``load_divisions``: the administrative-division list (GB/T 2260 codes, as the Ministry of Civil Affairs
  publishes it each year; towns with the nine-digit codes of GB/T 10114) uploaded as CSV or XLSX of
  ``code,name`` rows; one step loads a province, a city or a county with everything below it (and the
  regions above it that the tree still lacks). Existing codes keep their id (a changed name is updated).
* ``merge_regions`` / ``merge_industries`` / ``merge_risk_areas``: a typo'd entry is merged into the right
  one: every row that refers to it (whatever table: enterprises, authorities, transfers, rule-set
  versions, risk points... found through the foreign keys of the schema) then refers to the right one,
  and the typo'd entry is deleted; a region's row is kept instead, invisible (``RegionMerge``), because
  the append-only audit log names it. A region is never merged into its own sub-region, nor across levels.
"""

from __future__ import annotations

import csv
import io
import zipfile

from flask_babel import gettext as _
from sqlalchemy import select, update

from app import access, admin_log, labels
from app.errors import Invalid
from app.extensions import db
from app.imports import service as imports
from app.imports.models import RegionMerge
from app.organisations import division_code
from app.organisations.models import Industry, Region, RegionLevel
from app.risks.models import RiskArea, RiskPoint

MAX_DIVISION_ROWS = 100_000
LEVEL_ORDER = [RegionLevel.province, RegionLevel.city, RegionLevel.county, RegionLevel.town]


# --- reading the division list --------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(fields={"file": _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")})


def read_divisions(data: bytes) -> list[tuple[int, str, str]]:
    """(line, code, name) of every row whose first cell is a code (a header row is skipped)."""
    if not data:
        raise Invalid(fields={"file": _("The file is empty.")})
    rows: list[tuple] = []
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(data)):
        wb = imports._open(data)
        rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    else:
        if b"\x00" in data[:4096]:
            raise Invalid(fields={"file": _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")})
        text = _decode(data)
        dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
        rows = [tuple(r) for r in csv.reader(io.StringIO(text), dialect=dialect)]
    out = []
    for line, row in enumerate(rows, start=1):
        cells = [imports.text(c) for c in row if imports.text(c) != ""]
        if len(cells) < 2 or not cells[0].isdigit():
            continue
        out.append((line, cells[0], cells[1]))
        if len(out) > MAX_DIVISION_ROWS:
            raise Invalid(fields={"file": _("At most %(n)s rows per file; split the file.", n=MAX_DIVISION_ROWS)})
    if not out:
        raise Invalid(fields={"file": _("No “code, name” rows found: the first column holds the division code, "
                                        "the second the name.")})
    return out


def _within(code: str, root: str, root_level: RegionLevel) -> bool:
    prefix = {RegionLevel.province: 2, RegionLevel.city: 4, RegionLevel.county: 6}.get(root_level, len(root))
    return code.startswith(root[:prefix])


def _ancestor_codes(code: str) -> list[str]:
    """The codes a region may hang under, nearest first (county or city for a town, city then province
    for a county, province for a city)."""
    level = division_code.level_of(code)
    six = code[:6]
    candidates = {
        RegionLevel.town: [six, six[:4] + "00"],
        RegionLevel.county: [code[:4] + "00", code[:2] + "0000"],
        RegionLevel.city: [code[:2] + "0000"],
    }.get(level, [])
    return [c for c in candidates if c != code]


def load_divisions(actor, data: bytes, *, root_code: str) -> dict:
    """Load the subtree of ``root_code`` (a province, city or county in the file) in one step.

    All or nothing: a malformed code, a code of the wrong shape, the same code twice with two names or a
    region whose parent is in neither the file nor the tree is an error naming its line."""
    access.require(actor, "reference.edit")
    root_code = (root_code or "").strip()
    root_level = division_code.level_of(root_code)
    if root_level not in (RegionLevel.province, RegionLevel.city, RegionLevel.county):
        raise Invalid(fields={"root_code": _("Give the 6-digit code of a province, city or county (GB/T 2260).")})
    rows = read_divisions(data)
    errors: list[str] = []
    names: dict[str, tuple[int, str]] = {}
    for line, code, name in rows:
        if not division_code.is_well_formed(code) or division_code.level_of(code) is None:
            if _within(code, root_code, root_level) or code[:2] == root_code[:2]:
                errors.append(_("Line %(line)s: %(code)s is not a division code (6 digits, a town's 9).",
                                line=line, code=code))
            continue
        if len(name) > 64:
            errors.append(_("Line %(line)s: at most %(n)s characters.", line=line, n=64))
            continue
        if code in names and names[code][1] != name:
            errors.append(_("Line %(line)s: %(code)s appears twice with different names (also line %(other)s).",
                            line=line, code=code, other=names[code][0]))
            continue
        names.setdefault(code, (line, name))
    if root_code not in names and db.session.scalar(select(Region.id).where(Region.code == root_code)) is None:
        errors.append(_("%(code)s is neither in the file nor in the region tree.", code=root_code))
    wanted = {code for code in names if _within(code, root_code, root_level)}
    # The regions above the root that the tree lacks come from the file too.
    wanted.update(c for c in _ancestor_codes(root_code) + [root_code[:2] + "0000"] if c in names)
    existing = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(
        sorted(wanted | {a for c in wanted for a in _ancestor_codes(c)}))))}
    merged = dict(db.session.execute(select(Region.code, RegionMerge.target_id).join(
        RegionMerge, RegionMerge.source_id == Region.id).where(Region.code.in_(sorted(wanted)))).all())
    for code in sorted(merged):
        target = db.session.get(Region, merged[code])
        errors.append(_("Line %(line)s: %(code)s was merged into %(target)s (%(target_code)s); correct that "
                        "region's code instead.", line=names[code][0], code=code, target=target.name,
                        target_code=target.code))
    plans: dict[RegionLevel, list[tuple[str, str]]] = {level: [] for level in LEVEL_ORDER}
    for code in sorted(wanted):
        level = division_code.level_of(code)
        if code not in existing and level != RegionLevel.province and \
                not any(a in wanted or a in existing for a in _ancestor_codes(code)):
            errors.append(_("Line %(line)s: %(code)s %(name)s has no parent region in the file or the tree.",
                            line=names[code][0], code=code, name=names[code][1]))
        plans[level].append((code, names[code][1]))
    if errors:
        raise Invalid(_("The file has %(n)s errors; nothing was loaded.", n=len(errors)),
                      fields={"file": errors[:200]})
    counts = {"created": 0, "renamed": 0, "unchanged": 0}
    regions = dict(existing)
    for level in LEVEL_ORDER:
        batch = []
        for code, name in plans[level]:
            region = regions.get(code)
            if region is not None:
                if region.name != name:
                    region.name = name
                    counts["renamed"] += 1
                else:
                    counts["unchanged"] += 1
                continue
            parent = next((regions[a] for a in _ancestor_codes(code) if a in regions), None)
            region = Region(code=code, name=name, level=level, parent=parent)
            db.session.add(region)
            batch.append(region)
            regions[code] = region
        db.session.flush()
        for region in batch:
            region.path = (region.parent.path if region.parent else "/") + f"{region.id}/"
        counts["created"] += len(batch)
    db.session.flush()
    admin_log.record(actor, "import", "region", after={"root": root_code, **counts},
                     summary=_("Region tree loaded under %(code)s", code=root_code))
    return counts


# --- merges -------------------------------------------------------------------------------------

def _references(table_name: str) -> list[tuple]:
    """(table, column) of every foreign key of the schema that points at ``table_name``.id."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name == table_name and fk.column.name == "id":
                    found.append((table, column))
    return found


# Rows that keep the id they were written with: the append-only audit log, the merges themselves.
KEPT_TABLES = frozenset({"audit_log", "region_merges"})


def _carry(table_name: str, source_id: int, target_id: int) -> dict[str, int]:
    """Point every reference to ``source_id`` at ``target_id``; {table.column: rows moved}."""
    moved = {}
    for table, column in _references(table_name):
        if table.name in KEPT_TABLES:
            continue
        result = db.session.execute(update(table).where(column == source_id).values({column.name: target_id}))
        if result.rowcount:
            moved[f"{table.name}.{column.name}"] = result.rowcount
    return moved


def merge_regions(actor, source: Region, target: Region) -> dict:
    """Merge ``source`` (a region entered twice or with a typo) into ``target``."""
    access.require(actor, "reference.edit")
    if source.id == target.id:
        raise Invalid(fields={"target_id": _("Choose another region to merge into.")})
    if target.path.startswith(source.path):
        raise Invalid(fields={"target_id": _("%(target)s lies inside %(source)s: a region cannot be merged into "
                                             "its own sub-region.", target=target.name, source=source.name)})
    if source.level != target.level:
        raise Invalid(fields={"target_id": _("Only regions of the same level can be merged (%(a)s, %(b)s).",
                                             a=labels.label(source.level), b=labels.label(target.level))})
    before = {"id": source.id, "code": source.code, "name": source.name, "path": source.path}
    db.session.flush()
    # Sub-regions move under the target, their materialised paths with them.
    old_prefix, new_prefix = source.path, target.path
    for region in db.session.scalars(select(Region).where(Region.path.startswith(old_prefix, autoescape=True),
                                                          Region.id != source.id)):
        region.path = new_prefix + region.path[len(old_prefix):]
    db.session.flush()
    moved = _carry("regions", source.id, target.id)
    db.session.expire_all()
    # The row stays (the audit log's entries name it), out of the tree, invisible: app.imports' scope.
    source = db.session.get(Region, source.id)
    source.parent_id, source.path = None, f"{target.path}{source.id}/"
    db.session.add(RegionMerge(source_id=source.id, target_id=target.id, merged_by_id=actor.id))
    db.session.flush()
    admin_log.record(actor, "merge", target, before=before, after={"into": target.id, "moved": moved},
                     summary=_("%(source)s merged into %(target)s", source=before["name"], target=target.name))
    return moved


def merge_industries(actor, source: Industry, target: Industry) -> dict:
    access.require(actor, "reference.edit")
    if source.id == target.id:
        raise Invalid(fields={"target_id": _("Choose another industry to merge into.")})
    before = {"id": source.id, "code": source.code, "name": source.name}
    moved = _carry("industries", source.id, target.id)
    db.session.expire_all()
    db.session.delete(db.session.get(Industry, source.id))
    db.session.flush()
    admin_log.record(actor, "merge", target, before=before, after={"into": target.id, "moved": moved},
                     summary=_("%(source)s merged into %(target)s", source=before["name"], target=target.name))
    return moved


def merge_risk_areas(actor, source, target) -> dict:
    """Merge an area of an enterprise's site into another area of the same enterprise: its risk points
    (with the area's name they show) move over; the drawn outline is kept if the target has none."""

    if source.enterprise_id != target.enterprise_id:
        raise Invalid(fields={"target_id": _("Both areas must belong to the same enterprise.")})
    access.require(actor, "risk_area.merge", source.enterprise)
    if source.id == target.id:
        raise Invalid(fields={"target_id": _("Choose another area to merge into.")})
    before = {"id": source.id, "name": source.name}
    points = list(db.session.scalars(select(RiskPoint).where(RiskPoint.area_id == source.id)))
    for point in points:  # through the ORM: each point's version moves (concurrent edits see it)
        point.area_id, point.area = target.id, target.name
    if target.polygon is None and source.polygon is not None:
        target.polygon = source.polygon
    db.session.flush()
    moved = _carry("risk_areas", source.id, target.id)
    moved["risk_points.area_id"] = len(points)
    db.session.delete(db.session.get(RiskArea, source.id))
    db.session.flush()
    admin_log.record(actor, "merge", target, before=before, after={"into": target.id, "moved": moved},
                     summary=_("%(source)s merged into %(target)s", source=before["name"], target=target.name))
    return moved
