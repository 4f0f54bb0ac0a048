"""Translation upkeep.

    python tools/i18n.py update        # scan the sources with pyside6-lupdate into the .ts files
    python tools/i18n.py fill FILE.tsv # take "English<TAB>中文" lines into the zh_CN catalogue
    python tools/i18n.py check         # list texts without a translation (exit 1 if any)
    python tools/i18n.py compile       # build the .qm files (the install step does this)

The ``.ts`` files in ``resources/translations`` are the source of truth and can
be edited with Qt Linguist (``pyside6-linguist``).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_DIR = ROOT / "resources" / "translations"
CATALOGUE = TS_DIR / "griddesk_zh_CN.ts"
SOURCE_DIRS = ("desktop", "views", "services", "models")


def _tool(name: str) -> str:
    import PySide6

    base = Path(PySide6.__file__).parent
    exe = base / (f"{name}.exe" if sys.platform == "win32" else name)
    return str(exe)


def sources() -> list[str]:
    files: list[str] = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files.append(str(path.relative_to(ROOT)))
    return files


def update() -> int:
    result = subprocess.run(
        [
            _tool("lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            *sources(),
            "-ts",
            str(CATALOGUE.relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=False,
    )
    return result.returncode


def _messages(tree: ET.ElementTree) -> list[tuple[str, ET.Element]]:
    out = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            out.append((name, message))
    return out


def fill(paths: list[str]) -> int:
    """Lines are ``English<TAB>中文`` for every context, or ``Context<TAB>English<TAB>中文``
    where the same English word needs another Chinese word in one context."""
    table: dict[str, str] = {}
    by_context: dict[tuple[str, str], str] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) == 2:
                table[parts[0]] = parts[1]
            elif len(parts) == 3:
                by_context[(parts[0], parts[1])] = parts[2]
    tree = ET.parse(CATALOGUE)
    filled = 0
    for context, message in _messages(tree):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        text = by_context.get((context, source), table.get(source))
        if translation is None or text is None:
            continue
        if message.get("numerus") == "yes":
            forms = translation.findall("numerusform") or [
                ET.SubElement(translation, "numerusform")
            ]
            for form in forms:
                form.text = text
        else:
            translation.text = text
        translation.attrib.pop("type", None)
        filled += 1
    _write(tree)
    print(f"filled {filled} translations")
    return 0


def _write(tree: ET.ElementTree) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    CATALOGUE.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


def missing() -> list[tuple[str, str]]:
    tree = ET.parse(CATALOGUE)
    out = []
    for context, message in _messages(tree):
        translation = message.find("translation")
        if translation is None:
            continue
        texts = [f.text for f in translation.findall("numerusform")] or [translation.text]
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(
            t and t.strip() for t in texts
        ):
            out.append((context, message.findtext("source") or ""))
    return out


def check() -> int:
    gaps = missing()
    for context, source in gaps:
        print(f"{context}\t{source}")
    print(f"{len(gaps)} text(s) without a translation", file=sys.stderr)
    return 1 if gaps else 0


def compile_all() -> int:
    for ts in sorted(TS_DIR.glob("griddesk_*.ts")):
        subprocess.run(
            [_tool("lrelease"), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True
        )
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "fill", "check", "compile"):
        print(__doc__)
        return 2
    if argv[0] == "update":
        return update()
    if argv[0] == "fill":
        return fill(argv[1:])
    if argv[0] == "check":
        return check()
    return compile_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
