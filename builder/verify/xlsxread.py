"""Read a workbook's cells by streaming each sheet's XML once, as verify needs them.

openpyxl builds every cell of a workbook as an object; verify read the workbook it checks
twice that way (formulas, then stored values) and LibreOffice's copy once more, which was
86% of verifying a 20,000-line statement. Here each worksheet part is parsed once with
iterparse, elements are dropped as soon as they are read, and only what verify asks for
is kept. Values are typed as openpyxl types them (its reader's rules, without its date
conversion: the builder writes no date formats), so verdicts and messages stay the same.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_C, _ROW, _F, _V, _IS, _T, _R, _SI = (_MAIN + tag for tag in ("c", "row", "f", "v", "is", "t", "r", "si"))
# The start of an element named f, with any namespace prefix; the overlap carried between
# chunks is longer than any prefix a real workbook uses.
_F_ELEMENT = re.compile(rb"<(?:[A-Za-z_][-.\w]{0,200}:)?f[\s/>]")
_F_OVERLAP = 256
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")

Value = object  # int | float | str | bool | None, as openpyxl gives them


class Book:
    """An open .xlsx: its worksheets in workbook order, its shared strings read on first use."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        rels = _relations(archive, "xl/_rels/workbook.xml.rels")
        self.sheets: dict[str, str] = {}  # name -> part, worksheets only (as openpyxl's .worksheets)
        for _, element in iterparse(archive.open("xl/workbook.xml")):
            if element.tag == _MAIN + "sheet":
                kind, part = rels.get(element.get(_REL + "id"), ("", ""))
                if kind.endswith("/worksheet"):
                    self.sheets[element.get("name")] = part
        self._strings_part = next((part for kind, part in rels.values() if kind.endswith("/sharedStrings")), None)
        self._strings: list[str] | None = None

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if self._strings_part and self._strings_part in self.archive.NameToInfo:
                for _, element in iterparse(self.archive.open(self._strings_part)):
                    if element.tag == _SI:
                        # openpyxl's read_string_table: plain and rich text, phonetic runs left out.
                        self._strings.append(_text(element).replace("x005F_", ""))
                        element.clear()
        return self._strings

    def may_hold_formulas(self, sheet: str) -> bool:
        """False when the sheet's XML has no element named f (with or without a namespace
        prefix): a scan of its bytes, much faster than parsing a large Data sheet."""
        tail = b""
        with self.archive.open(self.sheets[sheet]) as stream:
            while chunk := stream.read(1 << 20):
                if _F_ELEMENT.search(tail + chunk):
                    return True
                tail = chunk[-_F_OVERLAP:]
        return False

    def cells(
        self, sheet: str, formulas: bool = True, values: bool = True, only: set[tuple[int, int]] | None = None
    ) -> Iterator[tuple[int, int, str | None, Value]]:
        """(row, column, formula or None, stored value) of each cell, 1-based, in file order.

        `formula` is "=" + the formula's text, as openpyxl gives it (None when `formulas` is
        False: LibreOffice's copy is read for its values only). With `values` False only
        formula cells get their value (the others None): a Data sheet's text is not needed.
        With `only`, just those cells (row, column) are given."""
        shared: dict[str, object] = {}  # a shared formula's index -> openpyxl's Translator
        row_number = 0
        pending: list[tuple[int | None, int | None, object, Value]] = []  # the current row's cells
        for _, element in iterparse(self.archive.open(self.sheets[sheet])):
            tag = element.tag
            if tag == _C:
                ref = element.get("r")
                row = col = None
                if ref:
                    row, col = coordinate(ref)
                    if only is not None and (row, col) not in only:
                        element.clear()
                        continue
                formula = element.find(_F) if formulas else None
                if formula is not None:
                    formula = (formula.text, formula.get("t"), formula.get("si"))
                value = _value(element, element.get("t", "n"), self) if values or formula is not None else None
                pending.append((row, col, formula, value))
                element.clear()
            elif tag == _ROW:
                # A row's number is known at its end; a cell without a reference takes the
                # next column of its row, as openpyxl counts.
                row_number = int(element.get("r", row_number + 1))
                col = 0
                for row, col_given, formula, value in pending:
                    col = col + 1 if col_given is None else col_given
                    row = row_number if row is None else row
                    if only is not None and col_given is None and (row, col) not in only:
                        continue
                    if formula is not None:
                        formula = _formula(formula, row, col, shared)
                    yield row, col, formula, value
                pending.clear()
                element.clear()


_COLUMNS: dict[str, int] = {}  # "D" -> 4, for the columns seen


def coordinate(ref: str) -> tuple[int, int]:
    """'D12' -> (12, 4); also '$D$12' and lower case, as openpyxl reads them."""
    letters = ref.rstrip("0123456789")
    col = _COLUMNS.get(letters)
    if col is None or len(letters) == len(ref):
        match = _REF.fullmatch(ref)
        if match is None:
            raise ValueError(f"{ref!r} is not a cell reference")
        col = _COLUMNS[letters] = _column(match.group(1))
    return int(ref[len(letters) :]), col


def _formula(formula: tuple, row: int, col: int, shared: dict) -> str:
    """'=' + the formula's text; a cell of a shared formula (Excel writes them, the builder does
    not) gets the formula translated to it, by openpyxl's Translator as openpyxl does."""
    text, kind, index = formula
    value = "=" + (text or "")
    if kind == "shared":
        from openpyxl.formula.translate import Translator

        from builder.a1 import xl_rowcol_to_cell

        here = xl_rowcol_to_cell(row - 1, col - 1)
        if index in shared:
            return shared[index].translate_formula(here)
        if value != "=":
            shared[index] = Translator(value, here)
    return value


def _value(element, kind: str, book: Book) -> Value:
    """The cell's stored value, as openpyxl's reader (data_only) types it."""
    if kind == "inlineStr":
        inline = element.find(_IS)
        return None if inline is None else _text(inline)
    value = element.findtext(_V) or None
    if value is None:
        return None
    if kind == "n":
        return float(value) if ("." in value or "E" in value or "e" in value) else int(value)
    if kind == "s":
        return book.strings()[int(value)]
    if kind == "b":
        return bool(int(value))
    return value  # str (a formula's text result), e (an error such as #DIV/0!)


def _text(element) -> str:
    """A string item's text: its own <t> and those of its rich-text runs, not phonetic ones."""
    if len(element) == 1 and element[0].tag == _T:  # plain text, nearly always
        return element[0].text or ""
    pieces = [element.findtext(_T) or ""]
    pieces += [run.findtext(_T) or "" for run in element.iterfind(_R)]
    return "".join(pieces)


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (relationship type, the target's part name)."""
    found = {}
    for _, element in iterparse(archive.open(part)):
        if element.tag == _PKG + "Relationship":
            target = element.get("Target", "")
            # Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            found[element.get("Id")] = (element.get("Type", ""), name)
    return found


def rows_of(cells: Iterator[tuple[int, int, str | None, Value]]) -> Iterator[tuple]:
    """A sheet's values as openpyxl's iter_rows(values_only=True) gives them: every row from
    the first to the last, each as wide as the widest, None where there is no cell."""
    grid: dict[tuple[int, int], Value] = {(row, col): value for row, col, _, value in cells}
    if not grid:
        return iter(())
    rows = max(r for r, _ in grid)
    cols = max(c for _, c in grid)
    return (tuple(grid.get((r, c)) for c in range(1, cols + 1)) for r in range(1, rows + 1))


def open_book(path, refuse: Callable[[str], Exception]) -> tuple[zipfile.ZipFile, Book]:
    """The archive and its Book; `refuse(reason)` is raised for a workbook that cannot be read."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # noqa: BLE001 - checked as a zip before; anything now is a bad file
        raise refuse(f"{type(exc).__name__}: {exc}") from None
    try:
        return archive, Book(archive)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook.xml or relationships part
        archive.close()
        raise refuse(f"{type(exc).__name__}: {exc}") from None
