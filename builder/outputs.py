"""Where a workbook may be written, and writing it so that nothing else is hurt or left behind.

The policy: `--out` names an .xlsx file, or a folder (ending in a path separator, or one
that exists) to hold `<report folder>.xlsx`; it never names a file the build reads. The
workbook is made in a hidden work folder beside the target, which also holds XlsxWriter's
own temporary files, and is renamed over the target only when complete. The work folder
is removed on every ending the process can act on (exceptions, SIGTERM, SIGINT, SIGHUP);
after a kill -9 it stays, named with the host and process id, and the next build into the
same folder removes it once that process is gone.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import Problem, ReportError, Source

WORK_PREFIX = ".report-builder-"
PARTIAL = "partial.xlsx"
# platform.node() is socket.gethostname() (uname's node name) without importing socket, which
# cost every start-up a few milliseconds; click imports platform anyway.
_HOST = re.sub(r"[^A-Za-z0-9.-]+", "_", platform.node()) or "host"
# .report-builder-<host>-<pid>-<8 characters of mkdtemp>.tmp
_WORK_NAME = re.compile(re.escape(WORK_PREFIX) + r"(?P<host>.+)-(?P<pid>\d+)-[a-z0-9_]{8}\.tmp")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def workbook_path(out: Path | str, report_file: Path | str) -> Path:
    """The .xlsx file `out` asks for: a folder (trailing separator, or an existing folder)
    means `<report folder>.xlsx` inside it; any other name must end in .xlsx."""
    text = os.fspath(out)
    if not text:
        raise ReportError(Problem(Source("--out"), "is empty; give an .xlsx file or a folder"))
    if text.endswith(tuple(s for s in (os.sep, os.altsep) if s)) or os.path.isdir(text):
        return Path(text) / f"{Path(report_file).resolve().parent.name}.xlsx"
    path = Path(text)
    if path.suffix.lower() != ".xlsx":
        raise ReportError(
            Problem(Source(text), "is not an .xlsx file name; --out takes NAME.xlsx, or a folder ending in /")
        )
    return path


def refuse_inputs(outputs: Iterable[Path], inputs: Iterable[Path | str]) -> None:
    """Refuse to write any of `outputs` over a file the build reads, compared as the file
    system does: symbolic links resolved, and the same file under another name (a hard
    link, a case-insensitive file system) caught by os.path.samefile."""
    existing = [Path(p) for p in inputs if os.path.isfile(p)]
    problems = []
    for out in outputs:
        if not os.path.exists(out):
            continue  # writing a file that does not exist cannot overwrite one that does
        for given in existing:
            if os.path.samefile(out, given):
                message = f"is an input of this build ({given}); it is not overwritten"
                problems.append(Problem(Source(str(out)), message))
                break
    if problems:
        raise ReportError(problems)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove work folders left in `folder` by this host's processes that no longer exist
    (a kill -9 or a power cut). Another host's folders are left alone: its processes
    cannot be seen from here, and a shared folder may hold its build in progress."""
    removed = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(WORK_PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        match = _WORK_NAME.fullmatch(entry.name)
        if match and match["host"] == _HOST and not _alive(int(match["pid"])) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


class _Terminated(BaseException):
    """A terminating signal arrived while writing; raised so that clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame) -> None:
    for sig in _SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(sig, signal.SIG_IGN)
    raise _Terminated(signum)


def _install() -> dict[int, object]:
    """Catch the terminating signals nobody else handles, in the main thread only (Python
    runs handlers there). A handler someone installed is theirs: it is left in place, and
    if it raises, the exception cleans up like any other."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for sig in _SIGNALS:
        handler = signal.getsignal(sig)
        if handler is signal.SIG_DFL:  # Python's own SIGINT handler raises KeyboardInterrupt: that cleans up
            previous[sig] = signal.signal(sig, _on_signal)
    return previous


def _missing(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, deepest first."""
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        missing.append(parent)
    return missing


@contextmanager
def atomic(out: Path) -> Iterator[Path]:
    """Yield a work folder beside `out`; the caller writes `PARTIAL` there (and may keep
    temporary files there). On success PARTIAL is renamed over `out`, keeping an existing
    file's permissions; on any ending the work folder (and any folder made for `out`) is
    removed, so an existing `out` stays as it was."""
    # A symbolic link at `out` is followed, as a plain write would: the file it points at
    # is replaced and the link stays.
    target = Path(os.path.realpath(out))
    if target.is_file() and not os.access(target, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        # A plain write would be refused too; renaming over it would quietly get round that.
        raise ReportError(Problem(Source(str(out)), "is read-only; it is not replaced"))
    made: list[Path] = []
    work: Path | None = None
    previous: dict[int, object] = {}
    try:
        made = _missing(target.parent)  # removed again unless the workbook is written
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent)
        previous = _install()
        work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{_HOST}-{os.getpid()}-", suffix=".tmp", dir=target.parent))
        yield work
        partial = work / PARTIAL
        # A new file keeps the mode open() gave it (0666 less the umask); a replaced one keeps its own.
        if target.exists():
            os.chmod(partial, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(partial, target)
        made = []
    except OSError as exc:
        raise ReportError(Problem(Source(str(out)), f"cannot write the workbook: {exc.strerror or exc}")) from None
    except _Terminated as exc:
        _cleanup(work, made, previous)
        work, made, previous = None, [], {}
        os.kill(os.getpid(), exc.signum)  # the default action, now that nothing is left behind
        raise
    finally:
        _cleanup(work, made, previous)


def _cleanup(work: Path | None, made: list[Path], previous: dict[int, object]) -> None:
    # A signal arriving now waits until the clean-up is done and the old handlers are back.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, previous) if previous else None
    try:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break  # something else is in it now
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
