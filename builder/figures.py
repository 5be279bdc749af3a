"""The typed figures of one build, held as columns rather than one object each.

A detailed statement of 100,000 lines and 12 periods has 1.2 million typed figures; as
objects (line, period, value, source) they were most of a large build's memory. Here a
figure costs about 30 bytes: its line id (a shared string), period code, value and source
line in arrays. `figures[i]` still gives a `Figure` for code that wants one.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from builder.errors import Source
from builder.spec import Figure

_NO_LINE = -1


class PercentFigure(Figure):
    """A figure typed with a % sign (86.9%): it belongs on a line shown as a percentage."""

    __slots__ = ()


class Figures:
    """Typed figures in the order they were read, with a (line, period) index."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.periods = array("H")  # index into period_keys
        self.values = array("d")
        self.source_lines = array("q")
        self.source_files = array("H")  # index into files
        self.period_keys: list[str] = []
        self.files: list[str] = []
        self._codes: dict[str, int] = {}
        self._file_codes: dict[str, int] = {}
        self._index: tuple[dict[str, array], dict[int, int]] | None = None
        self.percent: set[int] = set()  # figures typed with a % sign: few, so a set
        # Figures of text lines ("N/A", "~11%"), verbatim: few, so a dict beside the numbers
        # (whose slot holds 0.0).
        self.texts: dict[int, str] = {}
        # Rows of the data file with an empty value (builder.load.data.ToType): figures still to type.
        self.to_type: list = []

    @classmethod
    def of(cls, figures: Iterable[Figure]) -> Figures:
        if isinstance(figures, Figures):
            return figures
        out = cls()
        for fig in figures:
            out.append(fig)
        return out

    def append(self, fig: Figure) -> None:
        if type(fig) is PercentFigure:
            self.percent.add(len(self.lines))
        code = self._codes.get(fig.period)
        if code is None:
            code = self._codes[fig.period] = len(self.period_keys)
            self.period_keys.append(fig.period)
        file = self._file_codes.get(fig.source.file)
        if file is None:
            file = self._file_codes[fig.source.file] = len(self.files)
            self.files.append(fig.source.file)
        self.lines.append(fig.line)
        self.periods.append(code)
        if isinstance(fig.value, str):
            self.texts[len(self.lines) - 1] = fig.value
            self.values.append(0.0)
        else:
            self.values.append(fig.value)
        self.source_lines.append(_NO_LINE if fig.source.line is None else fig.source.line)
        self.source_files.append(file)
        self._index = None

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int) -> Figure:
        return Figure(self.lines[i], self.period_keys[self.periods[i]], self.value(i), self.source(i))

    def value(self, i: int) -> float | str:
        """Figure i: a number, or the text typed on a text line."""
        return self.texts.get(i, self.values[i]) if self.texts else self.values[i]

    def __iter__(self) -> Iterator[Figure]:
        return (self[i] for i in range(len(self.lines)))

    def source(self, i: int) -> Source:
        line = self.source_lines[i]
        return Source(self.files[self.source_files[i]], None if line == _NO_LINE else line)

    def find(self, line: str, period: str) -> int | None:
        """The figure typed for `line` in period key `period` (the first, if given twice)."""
        code = self._codes.get(period)
        slots = self._built()[0].get(line)
        if code is None or slots is None or slots[code] < 0:
            return None
        return slots[code]

    def first_of(self, i: int) -> int | None:
        """For a figure given a second time, the figure it repeats."""
        return self._built()[1].get(i)

    def _built(self) -> tuple[dict[str, array], dict[int, int]]:
        # One small array of figure numbers per line id (one slot per period) rather than a
        # dict entry per figure: a tenth of the memory for a long statement.
        if self._index is None:
            at: dict[str, array] = {}
            repeats: dict[int, int] = {}
            empty = array("q", [-1]) * len(self.period_keys)
            for i, (line, code) in enumerate(zip(self.lines, self.periods, strict=True)):
                slots = at.get(line)
                if slots is None:
                    slots = at[line] = array("q", empty)
                if slots[code] >= 0:
                    repeats[i] = slots[code]
                else:
                    slots[code] = i
            self._index = (at, repeats)
        return self._index
