"""Translation catalogs, one per feature package (so features never edit the same .po file).

``python -m app.i18n update`` extracts the messages of every catalog and merges them into its
``zh_CN`` .po file (new entries need their Chinese msgstr written); ``python -m app.i18n compile``
builds the .mo files (done by ``make``); ``python -m app.i18n check`` lists untranslated messages.
Flask-Babel merges every ``app/**/translations`` directory at run time.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LOCALE = "zh_Hans_CN"  # how Babel names zh_CN; gettext looks the folder up by this name
MAPPING = ROOT / "babel.cfg"


def catalogs() -> dict[Path, list[Path]]:
    """translations dir -> the sources it covers."""
    result: dict[Path, list[Path]] = {}
    core_sources = sorted(APP.glob("*.py")) + sorted((ROOT / "templates").glob("*.html"))
    core_sources += [ROOT / "templates" / "errors", ROOT / "workflows"]
    for pkg in sorted(p for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        sources = [pkg] + [p for p in [ROOT / "templates" / pkg.name] if p.exists()]
        if (pkg / "translations").exists():
            result[pkg / "translations"] = sources
        else:
            core_sources += sources
    result[APP / "translations"] = core_sources
    return result


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface  # dev tool only

    CommandLineInterface().run(["pybabel", "-q", *args])


def _extract(sources: list[Path], pot: Path) -> None:
    _pybabel("extract", "-F", str(MAPPING), "-k", "_l", "--no-location", "--sort-output", "-o", str(pot),
             *map(str, sources))


def update() -> None:
    for directory, sources in catalogs().items():
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            _extract(sources, pot)
            po = directory / LOCALE / "LC_MESSAGES" / "messages.po"
            cmd = "update" if po.exists() else "init"
            args = ["--no-fuzzy-matching", "--ignore-obsolete"] if cmd == "update" else []
            _pybabel(cmd, "-i", str(pot), "-d", str(directory), "-l", LOCALE, *args)
            _pin_header(po)
            print(f"updated {po.relative_to(ROOT)}")


def _pin_header(po: Path) -> None:
    """Fixed header dates and sorted entries: a catalog changes only when its messages do
    (catalogs of parallel branches then merge without spurious conflicts)."""

    from babel.messages.pofile import read_po, write_po  # dev tool only

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALE)
    catalog.creation_date = catalog.revision_date = datetime(2026, 1, 1)
    with po.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True, omit_header=False)


def compile_all() -> None:
    for directory in catalogs():
        if (directory / LOCALE / "LC_MESSAGES" / "messages.po").exists():
            _pybabel("compile", "-d", str(directory), "-l", LOCALE)


def untranslated() -> dict[str, list[str]]:
    """Messages used in the code that have no Chinese translation, per catalog."""
    from babel.messages.pofile import read_po  # dev tool only

    missing: dict[str, list[str]] = {}
    for directory, sources in catalogs().items():
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            _extract(sources, pot)
            with pot.open("rb") as fh:
                template = read_po(fh)
        po = directory / LOCALE / "LC_MESSAGES" / "messages.po"
        translated = {}
        if po.exists():
            with po.open("rb") as fh:
                translated = {m.id: m for m in read_po(fh) if m.id}
        gaps = []
        for msg in template:
            if not msg.id:
                continue
            found = translated.get(msg.id)
            strings = found.string if found else None
            ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
            if not ok or (found is not None and found.fuzzy):
                gaps.append(msg.id if isinstance(msg.id, str) else msg.id[0])
        if gaps:
            missing[str(directory.relative_to(ROOT))] = gaps
    return missing


def fill(lines: list[str]) -> int:
    """Write translations given as "msgid<TAB>msgstr" lines into whichever catalog holds the msgid."""
    from babel.messages.pofile import read_po, write_po  # dev tool only

    wanted = dict(line.rstrip("\n").split("\t", 1) for line in lines if "\t" in line)
    done = 0
    for directory in catalogs():
        po = directory / LOCALE / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=LOCALE)
        changed = False
        for msg in catalog:
            if isinstance(msg.id, str) and msg.id in wanted:
                msg.string = wanted[msg.id]
                msg.flags.discard("fuzzy")
                changed = True
                done += 1
        if changed:
            with po.open("wb") as fh:
                write_po(fh, catalog, width=0, sort_output=True, omit_header=False)
    return done


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "fill":
        print(f"{fill(sys.stdin.readlines())} translations written")
    elif command == "check":
        gaps = untranslated()
        for catalog, ids in gaps.items():
            print(f"{catalog}: {len(ids)} untranslated")
            for i in ids:
                print(f"  {i}")
        sys.exit(1 if gaps else 0)
