"""Structural checks of a written .xlsx package, independent of which parts it happens to hold.

`structural_problems` reads the zip as Excel would have to: every XML part and .rels must parse,
[Content_Types].xml must give every part a content type, every relationship must reach a part
(and every r:id a part uses must be one of its relationships), and workbook.xml's sheets must
point at worksheet parts under names Excel accepts. It returns the problems as readable lines,
so a test shows all of them at once; an empty list means the package is sound.

`ooxml_errors` runs openxml-audit, a schema validator for ECMA-376 transitional, and returns its
errors (not its advisory warnings).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_RELS = (f"{R_NS}/worksheet", f"{R_NS}/chartsheet")
SHEET_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml",
)
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
CELL = re.compile(r"([A-Z]{1,3})([0-9]+)")


def structural_problems(path: Path | str, sheet_names: Sequence[str] | None = None) -> list[str]:
    """Everything structurally wrong with the package at `path`.

    `sheet_names`, when given, are the sheets the builder planned: each must be in workbook.xml
    under exactly that name and in that order (other sheets, e.g. hidden helpers, may be added).
    """
    problems: list[str] = []
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if len({n.lower() for n in names}) != len(names):
            problems.append("the zip holds the same part name twice")
        if (bad := zf.testzip()) is not None:
            problems.append(f"{bad}: CRC does not match its content")
        trees = _parse_xml_parts(zf, names, problems)
    # OPC part names are case-insensitive.
    parts = {"/" + n.lower(): "/" + n for n in names if n != "[Content_Types].xml"}
    types = _content_types(trees.get("[Content_Types].xml"), parts, problems)
    rels = _relationships(trees, parts, problems)
    _relationship_ids_used(trees, rels, problems)
    counts = _workbook(trees, types, rels, problems, sheet_names)
    for name, tree in trees.items():
        if types.get("/" + name.lower()) in SHEET_TYPES:
            _sheet_data(name, tree, counts, problems)
    return problems


def _parse_xml_parts(zf: zipfile.ZipFile, names: list[str], problems: list[str]) -> dict[str, ET.Element]:
    # Every part that claims to be XML by its name; the content-type check below catches the rest.
    trees = {}
    for name in names:
        if name.lower().endswith((".xml", ".rels", ".vml")):
            try:
                trees[name] = ET.fromstring(zf.read(name))
            except ET.ParseError as exc:
                problems.append(f"{name}: not well-formed XML ({exc})")
    return trees


def _content_types(root: ET.Element | None, parts: dict[str, str], problems: list[str]) -> dict[str, str]:
    """Each part's content type (keyed by its lower-cased name), naming parts that have none."""
    if root is None:
        problems.append("[Content_Types].xml is missing or does not parse")
        return {}
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "") for d in root.iter(f"{CT}Default")}
    overrides = {o.get("PartName", "").lower(): o.get("ContentType", "") for o in root.iter(f"{CT}Override")}
    types = {}
    for key, name in parts.items():
        ext = key.rsplit(".", 1)[-1] if "." in posixpath.basename(key) else ""
        content_type = overrides.get(key) or defaults.get(ext)
        if content_type:
            types[key] = content_type
        else:
            problems.append(f"{name}: [Content_Types].xml gives it no content type")
    for key in overrides.keys() - parts.keys():
        problems.append(f"[Content_Types].xml declares {key}, which is not in the package")
    return types


def _relationships(
    trees: dict[str, ET.Element], parts: dict[str, str], problems: list[str]
) -> dict[str, dict[str, tuple[str, str]]]:
    """For each source part ('' for the package), its relationships: Id -> (type, target part)."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for name, root in trees.items():
        if not name.lower().endswith(".rels"):
            continue
        folder, file = posixpath.split(name)
        if posixpath.basename(folder) != "_rels":
            problems.append(f"{name}: a .rels part outside a _rels folder")
            continue
        source = posixpath.join(posixpath.dirname(folder), file[: -len(".rels")])
        if source and "/" + source.lower() not in parts:
            problems.append(f"{name}: holds the relationships of {source}, which is not in the package")
        own: dict[str, tuple[str, str]] = {}
        for rel in root.iter(f"{PR}Relationship"):
            rid, kind, target = rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", "")
            if rid in own:
                problems.append(f"{name}: relationship Id {rid} given twice")
            if rel.get("TargetMode") == "External":
                own[rid] = (kind, "")
                continue
            target = unquote(target.split("#", 1)[0])
            base = "/" if target.startswith("/") else "/" + posixpath.dirname(source)
            part = posixpath.normpath(posixpath.join(base, target))
            if part.lower() not in parts:
                problems.append(f"{name}: {rid} points at {part}, which is not in the package")
            own[rid] = (kind, part.lower())
        found[source.lower()] = own
    return found


def _relationship_ids_used(
    trees: dict[str, ET.Element], rels: dict[str, dict[str, tuple[str, str]]], problems: list[str]
) -> None:
    # r:id, r:embed, r:link...: any attribute in the relationships namespace names one of the part's own.
    prefix = "{" + R_NS + "}"
    for name, root in trees.items():
        own = rels.get(name.lower(), {})
        for element in root.iter():
            for attr, value in element.attrib.items():
                if attr.startswith(prefix) and value not in own:
                    problems.append(f"{name}: {attr[len(prefix) :]}={value} is not one of its relationships")


def _workbook(
    trees: dict[str, ET.Element],
    types: dict[str, str],
    rels: dict[str, dict[str, tuple[str, str]]],
    problems: list[str],
    planned: Sequence[str] | None,
) -> dict[str, int]:
    """Checks workbook.xml; returns how many cell styles, dxf styles and shared strings it has."""
    documents = [part for kind, part in rels.get("", {}).values() if kind == f"{R_NS}/officeDocument"]
    if len(documents) != 1:
        problems.append(f"_rels/.rels names {len(documents)} office documents, not 1")
        return {}
    book = documents[0].lstrip("/")
    root = next((tree for name, tree in trees.items() if name.lower() == book), None)
    if root is None:
        problems.append(f"{book}: the workbook part does not parse")
        return {}
    own = rels.get(book, {})
    sheets = list(root.iter(f"{MAIN}sheet"))
    names = [s.get("name", "") for s in sheets]
    seen: set[str] = set()
    used: set[str] = set()
    ids: set[str] = set()
    for sheet, name in zip(sheets, names, strict=True):
        # Excel's rules: at most 31 UTF-16 units, none of []:*?/\, no apostrophe at either end,
        # not "History" (reserved for its change history), unique without regard to case.
        if not name or len(name.encode("utf-16-le")) // 2 > 31:
            problems.append(f"{book}: sheet name {name!r} is empty or longer than 31 characters")
        if BAD_SHEET_CHARS.search(name) or name.startswith("'") or name.endswith("'"):
            problems.append(f"{book}: sheet name {name!r} has a character Excel refuses")
        if name.casefold() == "history":
            problems.append(f"{book}: sheet name {name!r} is reserved by Excel")
        if name.casefold() in seen:
            problems.append(f"{book}: sheet name {name!r} is used twice (Excel ignores case)")
        seen.add(name.casefold())
        sheet_id = sheet.get("sheetId", "")
        if sheet_id in ids:
            problems.append(f"{book}: sheet {name!r} repeats sheetId {sheet_id}")
        ids.add(sheet_id)
        kind, part = own.get(sheet.get(f"{{{R_NS}}}id", ""), ("", ""))
        if kind not in SHEET_RELS or types.get(part) not in SHEET_TYPES:
            problems.append(f"{book}: sheet {name!r} does not point at a worksheet part")
        elif part in used:
            problems.append(f"{book}: sheet {name!r} shares its part {part} with another sheet")
        used.add(part)
    for kind, part in own.values():
        if kind in SHEET_RELS and part not in used:
            problems.append(f"{book}: worksheet part {part} belongs to no sheet")
    visible = [i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"]
    if not visible:
        problems.append(f"{book}: no sheet is visible")
    for view in root.iter(f"{MAIN}workbookView"):
        for attr in ("activeTab", "firstSheet"):
            if visible and int(view.get(attr, "0")) not in visible:
                problems.append(f"{book}: {attr} opens a hidden or missing sheet")
    _defined_names(book, root, names, problems)
    if planned is not None:
        present = [n for n in names if n in set(planned)]
        if present != list(planned):
            problems.append(f"{book}: sheets are {names}, planned {list(planned)}")
    by_part = {"/" + name.lower(): tree for name, tree in trees.items()}
    related = {kind.rsplit("/", 1)[-1]: by_part.get(part) for kind, part in own.values()}
    styles, strings = related.get("styles"), related.get("sharedStrings")
    return {
        "xf": len(styles.findall(f"{MAIN}cellXfs/{MAIN}xf")) if styles is not None else 1,
        "dxf": len(styles.findall(f"{MAIN}dxfs/{MAIN}dxf")) if styles is not None else 0,
        "si": len(strings.findall(f"{MAIN}si")) if strings is not None else 0,
    }


def _defined_names(book: str, root: ET.Element, sheets: list[str], problems: list[str]) -> None:
    known = {s.casefold() for s in sheets}
    for defined in root.iter(f"{MAIN}definedName"):
        label, text = defined.get("name", ""), defined.text or ""
        local = defined.get("localSheetId")
        if local is not None and not 0 <= int(local) < len(sheets):
            problems.append(f"{book}: defined name {label} is local to sheet {local}, which does not exist")
        quoted = [q.replace("''", "'") for q in re.findall(r"'((?:[^']|'')+)'!", text)]
        bare = re.findall(r"(?<![\w.'])([^\W\d][\w.]*)!", text)
        for sheet in quoted + bare:
            if sheet.casefold() not in known:
                problems.append(f"{book}: defined name {label} refers to sheet {sheet!r}, which does not exist")


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _sheet_data(name: str, root: ET.Element, counts: dict[str, int], problems: list[str]) -> None:
    # Excel repairs a sheet whose rows or cells are out of order or repeated, or that points at a
    # style or shared string that does not exist; XlsxWriter's constant_memory mode is where an
    # out-of-order write would go wrong.
    def index(element: ET.Element, attr: str, limit: str) -> None:
        value = element.get(attr)
        if value is not None and not 0 <= int(value) < counts.get(limit, 0):
            problems.append(
                f"{name}: {element.tag.split('}')[1]} {attr}={value}, but the workbook has {counts.get(limit, 0)}"
            )

    for rule in root.iter(f"{MAIN}cfRule"):
        index(rule, "dxfId", "dxf")
    last_row = 0
    for row in root.iter(f"{MAIN}row"):
        number = int(row.get("r", "0"))
        index(row, "s", "xf")
        if number <= last_row:
            problems.append(f"{name}: row {number} comes after row {last_row}")
        last_row = number
        last_col = 0
        for cell in row.iter(f"{MAIN}c"):
            match = CELL.fullmatch(cell.get("r", ""))
            if match is None or int(match[2]) != number:
                problems.append(f"{name}: cell {cell.get('r')!r} is not in row {number}")
                continue
            index(cell, "s", "xf")
            if cell.get("t") == "s":
                shared = cell.find(f"{MAIN}v")
                if shared is None or not 0 <= int(shared.text or "-1") < counts.get("si", 0):
                    problems.append(f"{name}: cell {cell.get('r')} names a shared string that does not exist")
            col = _column(match[1])
            if col <= last_col:
                problems.append(f"{name}: cell {cell.get('r')} is out of order or repeated")
            last_col = col
    merged: list[tuple[int, int, int, int]] = []
    for merge in root.iter(f"{MAIN}mergeCell"):
        corners = [CELL.fullmatch(c) for c in merge.get("ref", "").split(":")]
        if len(corners) != 2 or None in corners:
            problems.append(f"{name}: merge {merge.get('ref')!r} is not a range")
            continue
        (c1, r1), (c2, r2) = [(_column(m[1]), int(m[2])) for m in corners]
        box = (r1, c1, r2, c2)
        for other in merged:
            if box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]:
                problems.append(f"{name}: merge {merge.get('ref')} overlaps another merge")
        merged.append(box)


@cache
def _validator():
    from openxml_audit import FileFormat, OpenXmlValidator

    # Office 2007 is the plainest ECMA-376 transitional profile: nothing of the later extensions.
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2007, max_errors=0)


def ooxml_errors(path: Path | str) -> list[str]:
    """openxml-audit's schema and semantic errors for the package, one line each."""
    from openxml_audit import ValidationSeverity

    result = _validator().validate(path)
    return [
        f"{e.part_uri or ''} {e.path or ''}: {e.description}"
        for e in result.errors
        if e.severity == ValidationSeverity.ERROR
    ]
