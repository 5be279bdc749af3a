"""Compare a workbook's stored values with a real engine's recalculation, cell by cell.

Before LibreOffice sees a file, it is checked to be an .xlsx (a sound zip holding an
Excel workbook): a file that is not one is bad input (exit 2), never "LibreOffice
missing" (exit 5). Cells the builder's formula map says hold formulas, and which hold
a constant now, are named too: they would otherwise never be compared.
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from builder import formula_map
from builder.a1 import xl_rowcol_to_cell
from builder.errors import EngineFailed, Problem, ReportError, Source
from builder.verify import libreoffice, xlsxread

TOLERANCE = 1e-9  # relative; LibreOffice and Python may differ in the last bits of a quotient
# Deflate cannot compress better than 1032:1, so a member claiming more is lying about its size
# (a zip bomb, or a damaged directory); stored members are their own size.
_DEFLATE_MAX_RATIO = 1032
# A 100,000-line statement of 12 periods unpacks to about 450 MB; more than this is no
# workbook verify reads.
MAX_UNPACKED = 2 * 1024**3
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: legacy .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Difference:
    sheet: str
    cell: str
    formula: str
    stored: object
    recalculated: object

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.formula}: stored {self.stored!r}, recalculated {self.recalculated!r}"


class Verdict(NamedTuple):
    formulas: int  # formula cells compared
    differences: list[Difference]
    overwritten: list[str]  # "Sheet!C12 should hold a formula, holds 0.99"
    mapped: bool  # the workbook carries the builder's formula map


def same(a: object, b: object) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def _refuse(path: Path, message: str) -> ReportError:
    return ReportError(Problem(Source(str(path)), message))


def check_xlsx(path: Path) -> None:
    """Refuse, with one line saying what it is not, a file that is no sound .xlsx."""
    if not path.is_file():
        raise _refuse(path, "is not a regular file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            if head == _OLE:
                raise _refuse(path, _ole_kind(handle))
    except OSError as exc:
        raise _refuse(path, f"cannot be read: {exc.strerror or exc}") from None
    if not head:
        raise _refuse(path, "is empty, not an .xlsx workbook")
    if not head.startswith(b"PK"):
        raise _refuse(path, "not an .xlsx workbook (it is not even a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(path, archive)
    except ReportError:
        raise
    except RuntimeError:  # zipfile's "password required": zip-level encryption
        raise _refuse(path, "not an .xlsx workbook: its zip entries are encrypted") from None
    except Exception as exc:  # BadZipFile, zlib.error, EOFError...: whatever a damaged zip raises
        raise _refuse(path, f"not an .xlsx workbook: a damaged zip file ({exc})") from None


def _ole_kind(handle) -> str:
    # An encrypted .xlsx is a Compound File whose directory names an EncryptedPackage stream;
    # directory entries are 128-byte records, each starting with its UTF-16 name.
    handle.seek(0)
    offset = 0
    tail = b""
    while chunk := handle.read(1 << 20):
        data = tail + chunk
        at = data.find(_ENCRYPTED)
        while at >= 0:
            if (offset - len(tail) + at) % 128 == 0:
                return "is encrypted (password-protected); save it without a password to verify it"
            at = data.find(_ENCRYPTED, at + 1)
        tail = data[-len(_ENCRYPTED) :]
        offset += len(chunk)
    return "is a legacy Excel 97-2003 (.xls) file, not an .xlsx workbook; save it as .xlsx to verify it"


def _check_archive(path: Path, archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    names = {m.filename for m in members}
    if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
        raise _refuse(path, "is an OpenDocument file (.ods), not an .xlsx workbook")
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _refuse(path, "is a zip file without an Excel workbook in it (no xl/workbook.xml), not an .xlsx")
    total = 0
    for member in members:
        if member.file_size > member.compress_size * _DEFLATE_MAX_RATIO + 1024:
            raise _refuse(
                path,
                f"not an .xlsx workbook: {member.filename} claims {member.file_size:,} bytes packed in "
                f"{member.compress_size:,} (a zip bomb, or a damaged zip)",
            )
        total += member.file_size
    if total > MAX_UNPACKED:
        raise _refuse(path, f"unpacks to {total:,} bytes, more than verify reads ({MAX_UNPACKED:,})")
    # Read every member once: a damaged deflate stream or a wrong CRC is found here, in a
    # second or so, rather than as a traceback from openpyxl after LibreOffice's run.
    for member in members:
        with archive.open(member) as stream:
            while stream.read(1 << 20):
                pass


def formula_cells(path: Path) -> dict[tuple[str, str], tuple[str, object]]:
    """(sheet, cell) -> (formula, stored value) for every formula cell of a workbook."""
    return _read(path)[0]


def _read(path: Path) -> tuple[dict[tuple[str, str], tuple[str, object]], list[str], bool]:
    """Formula cells, the cells the formula map names that hold no formula, whether it has a map.

    Each sheet's XML is streamed once (builder.verify.xlsxread); the map, the last sheet, is
    read first, so that only the cells it names and that hold no formula need be kept."""
    archive, book = xlsxread.open_book(path, lambda reason: _refuse(path, f"not a readable .xlsx workbook ({reason})"))
    with archive:
        try:
            map_rows = None
            if formula_map.SHEET in book.sheets:
                map_rows = list(xlsxread.rows_of(book.cells(formula_map.SHEET, formulas=False)))
            try:
                mapped = None if map_rows is None else formula_map.read(iter(map_rows))
            except ValueError as exc:
                raise _refuse(path, f"its formula map (the {formula_map.SHEET} sheet) is damaged: {exc}") from None
            out = {}
            present: dict[str, set[tuple[int, int]]] = {}
            others: dict[str, dict[tuple[int, int], object]] = {}  # non-formula cells of mapped sheets
            counts: dict[str, int] = {}
            for name in book.sheets:
                here = present[name] = set()
                kept = others[name] = {} if mapped and name in mapped else None
                if kept is None and not book.may_hold_formulas(name):
                    continue  # nothing verify needs: a Data sheet, Inputs
                count = 0
                for row, col, formula, value in book.cells(name, values=kept is not None):
                    count += 1
                    if formula is not None:  # not a text that starts with "=" (Contents has "= Jun 30, ...")
                        out[(name, _a1(row, col))] = (formula, value)
                        here.add((row, col))
                    elif kept is not None:
                        kept[(row, col)] = value
                counts[name] = count
        except ReportError:
            raise
        except Exception as exc:  # the user's file: whatever cannot be parsed is a bad workbook
            raise _refuse(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if mapped is None:
        return out, [], False
    return out, _overwritten(path, mapped, present, others, counts), True


def _overwritten(path: Path, mapped: dict, present: dict, others: dict, counts: dict) -> list[str]:
    found = []
    for name, ranges in mapped.items():
        if name not in present:
            found.append(f"sheet {name!r} should hold formulas, and the workbook has no such sheet")
            continue
        have, kept = present[name], others[name]
        # A real map names only cells the sheet has; one naming far more is damaged, and
        # walking it (A1:XFD1048576) would take hours.
        area = sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in ranges)
        if area > counts[name] + 1_000_000:
            raise _refuse(path, f"its formula map names {area:,} cells of {name!r}, more than it has: it is damaged")
        for r0, c0, r1, c1 in ranges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) not in have:
                        value = kept.get((r, c))
                        holds = "nothing" if value in (None, "") else repr(value) if isinstance(value, str) else value
                        found.append(f"{name}!{_a1(r, c)} should hold a formula, holds {holds}")
    return found


def _a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row - 1, col - 1)


def _differences(cells: dict, recalculated: Path) -> list[Difference]:
    """The formula cells whose stored value differs from the engine's, read from its copy."""
    archive, engine = xlsxread.open_book(
        recalculated, lambda reason: EngineFailed(f"LibreOffice wrote an unreadable workbook ({reason})")
    )
    wanted: dict[str, dict[tuple[int, int], str]] = {}  # sheet -> (row, col) -> "C12"
    for sheet, coord in cells:
        row, col = xlsxread.coordinate(coord)
        wanted.setdefault(sheet, {})[(row, col)] = coord
    again: dict[tuple[str, str], object] = {}
    with archive:
        try:
            for sheet, coords in wanted.items():
                if sheet not in engine.sheets:
                    continue
                for row, col, _, value in engine.cells(sheet, formulas=False, only=set(coords)):
                    again[(sheet, coords[(row, col)])] = value
        except Exception as exc:  # noqa: BLE001 - LibreOffice's own output, not the user's file
            raise EngineFailed(f"LibreOffice wrote an unreadable workbook ({type(exc).__name__}: {exc})") from None
    diffs = []
    for (sheet, coord), (formula, stored) in sorted(cells.items()):
        value = again.get((sheet, coord))
        if not same(stored, value):
            diffs.append(Difference(sheet, coord, formula, stored, value))
    return diffs


def stored_vs_recalculated(path: Path, recalculated: Path) -> tuple[int, list[Difference]]:
    """How many formula cells there are, and those whose stored value differs from the engine's."""
    cells = formula_cells(path)
    return len(cells), _differences(cells, recalculated)


def verify_workbook(path: Path) -> Verdict:
    """Recalculate `path` in LibreOffice and compare every formula cell's stored value;
    name every cell the formula map says should hold a formula and does not."""
    path = Path(path)
    check_xlsx(path)
    cells, overwritten, mapped = _read(path)
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        copies = libreoffice.recalculate([path], Path(tmp))
        return Verdict(len(cells), _differences(cells, copies[path]), overwritten, mapped)
