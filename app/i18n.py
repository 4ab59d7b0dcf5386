"""The translation catalog: one, for the whole application (``app/translations``).

Where one English word means different things in different features ("Level" of a hazard, of a
listing, of a region; "Void" a hazard 撤销 but a document 作废), the code says which with a gettext
context: ``pgettext("hazards", "Level")`` (``lazy_pgettext`` at import time, ``pgettext`` in
templates), the context being the feature's name. ``tests/test_i18n.py`` keeps it so: no msgid has two
translations without a context.

``python -m app.i18n update`` extracts the messages of the code and templates and merges them into the
``zh_CN`` .po file (new entries need their Chinese msgstr written); ``python -m app.i18n compile``
builds the .mo file (done by ``make``); ``python -m app.i18n check`` lists untranslated messages.
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
DIRECTORY = APP / "translations"
KEYWORDS = ("_l", "lazy_pgettext:1c,2", "C_:1c,2")  # N_ is a default keyword; C_: workflows/labels.py


def catalogs() -> dict[Path, list[Path]]:
    """translations dir -> the sources it covers (one catalog: every source)."""
    return {DIRECTORY: [APP, ROOT / "templates", ROOT / "workflows"]}


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface  # dev tool only

    CommandLineInterface().run(["pybabel", "-q", *args])


def _extract(sources: list[Path], pot: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    _pybabel("extract", "-F", str(MAPPING), *keywords, "--no-location", "--sort-output", "-o", str(pot),
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
        gaps = []
        if po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh)
            translated = {(m.id, m.context): m for m in catalog if m.id}
            if catalog.fuzzy:  # pybabel compile skips a catalog whose header is fuzzy: nothing translated
                gaps.append("(the catalog's header is marked fuzzy)")
        for msg in template:
            if not msg.id:
                continue
            found = translated.get((msg.id, msg.context))
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
