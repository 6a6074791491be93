"""Outputs: everything that touches the output filesystem, the same on Linux, macOS and Windows.

- :func:`check_output_path` refuses an ``--out`` that would write onto the user's files: under
  ``--data`` or ``--styles``, onto a file that is not a PDF, or onto a file given as a folder.
- :func:`output_lock` holds ``OUT/.briefpack/lock`` for a run (``fcntl.flock`` on Unix,
  ``msvcrt.locking`` on Windows, an exclusive-create lock file where neither exists); it never
  follows a link at that path, and a process started with ``spawn`` does not inherit it.
- :func:`write_atomically` and :func:`write_json` write through a temporary file in the same
  folder and a rename, never follow a link at the target, and always remove their temporary
  file; :func:`remove_leftovers` removes those of a run that was killed before it could.

Every ``OSError`` becomes a :class:`BuildError` naming the path and what was being done, e.g.
``dist/relations-kg.pdf: cannot write: No space left on device``.  Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from .errors import BuildError

STATE_DIR = ".briefpack"
LOCK_NAME = "lock"
PDF_MAGIC = b"%PDF-"

# A temporary file is ``.NAME.XXXXXXXX.tmp`` next to NAME (XXXXXXXX from tempfile.mkstemp).
_TEMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
# Temporary files of earlier versions inside OUT/.briefpack (``.manifest.XXXXXXXX``, chart cache).
_OLD_TEMP = re.compile(r"^\.[^.]+\.[a-z0-9_]{8}$")

_IS_WINDOWS = os.name == "nt"
_REPLACE_RETRIES = (0.05, 0.1, 0.2, 0.4, 0.8)  # Windows: a viewer may hold the old PDF briefly


# --------------------------------------------------------------------------- messages


def os_error_text(exc: OSError, doing: str, path: Path | str | None = None) -> str:
    """``PATH: DOING: STRERROR``, e.g. ``out/a.pdf: cannot write: No space left on device``."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {doing}: {reason}" if where is not None else f"{doing}: {reason}"


def _error(exc: OSError, doing: str, path: Path | str | None = None) -> BuildError:
    return BuildError(os_error_text(exc, doing, path))


# --------------------------------------------------------------------------- where outputs may go


def check_output_path(
    path: Path,
    data_root: Path,
    styles_root: Path,
    *,
    kind: Literal["folder", "file"] = "folder",
) -> None:
    """Refuse an output that would write onto the user's files (a :class:`BuildError`).

    ``kind="folder"`` is ``build --out DIR``: not under ``--data``/``--styles`` and not an
    existing file.  ``kind="file"`` is ``binder --out FILE``: not under them either, a
    ``.pdf`` name, and if the file exists it is a PDF (``%PDF-``), so a data file, a
    spreadsheet or a document of the user's is never replaced by a PDF.
    """
    path = Path(path)
    for option, root in (("--data", data_root), ("--styles", styles_root)):
        if _inside(path, Path(root)):
            raise BuildError(
                f"{path}: is inside the {option} folder {root}: briefpack never writes there; "
                "choose another --out"
            )
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise BuildError(f"{path}: a part of this path is a file, not a folder") from None
    except OSError as exc:
        raise _error(exc, "cannot use as --out", path) from None
    if kind == "folder":
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise BuildError(
                f"{path}: is a file, not a folder: --out names the folder the PDFs are written to"
            )
        return
    if path.suffix.lower() != ".pdf":
        raise BuildError(f"{path}: the binder's --out must be a file name ending in .pdf")
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        raise BuildError(f"{path}: is a folder: the binder's --out names a .pdf file")
    if not _is_pdf_or_empty(path):
        raise BuildError(
            f"{path}: exists and is not a PDF: briefpack replaces only PDF files; "
            "choose another --out"
        )


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or lies under it, symbolic links resolved.

    Besides comparing resolved paths, each existing folder on the way up is compared with
    ``root`` by identity (device and inode), which also holds on case-insensitive file
    systems and through bind mounts.
    """
    try:
        root_stat = os.stat(root)
    except OSError:
        return False  # no such folder: nothing can be inside it
    try:
        resolved, root_resolved = path.resolve(), root.resolve()
    except (OSError, RuntimeError):
        resolved, root_resolved = path.absolute(), root.absolute()
    norm = os.path.normcase
    if norm(str(resolved)) == norm(str(root_resolved)):
        return True
    if any(norm(str(p)) == norm(str(root_resolved)) for p in resolved.parents):
        return True
    for candidate in (resolved, *resolved.parents):
        try:
            if os.path.samestat(os.stat(candidate), root_stat):
                return True
        except OSError:
            continue
    return False


def _is_pdf_or_empty(path: Path) -> bool:
    """Whether an existing file starts with ``%PDF-`` (or is empty: nothing to lose)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(PDF_MAGIC))
    except OSError as exc:
        raise _error(exc, "cannot read", path) from None
    return head == PDF_MAGIC or head == b""


# --------------------------------------------------------------------------- folders


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if needed, as a message on failure."""
    try:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        raise BuildError(f"{folder}: is a file, not a folder") from None
    except OSError as exc:
        raise _error(exc, "cannot create the folder", exc.filename or folder) from None


def state_dir(out_dir: Path) -> Path:
    """OUT/.briefpack, created; a link there is refused (bookkeeping stays inside --out)."""
    state = Path(out_dir) / STATE_DIR
    _refuse_link(state, "the bookkeeping folder")
    ensure_folder(state)
    _refuse_link(state, "the bookkeeping folder")
    return state


def _is_link(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    reparse = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & reparse)


def _refuse_link(path: Path, what: str) -> None:
    if _is_link(path):
        raise BuildError(
            f"{path}: {what} is a symbolic link: briefpack does not write through links; "
            "remove the link and run again"
        )


# --------------------------------------------------------------------------- writing files

_UMASK: int | None = None


def _umask() -> int:
    """The process umask, read once (os.umask can only be read by setting it)."""
    global _UMASK
    if _UMASK is None:
        try:
            with open("/proc/self/status", encoding="ascii") as f:
                line = next(x for x in f if x.startswith("Umask:"))
            _UMASK = int(line.split()[1], 8)
        except (OSError, StopIteration, ValueError, IndexError):
            mask = os.umask(0o022)
            os.umask(mask)
            _UMASK = mask
    return _UMASK


def write_atomically(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` through a temporary file and a rename; skip if identical.

    Returns False when ``path`` already holds exactly ``content`` (file and mtime stay).
    A link at ``path`` is replaced by the file, never written through; a PDF never replaces
    a file that is not one; the temporary file is removed whatever happens.  On Windows the
    rename is retried for a moment while a viewer holds the old file.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _error(exc, "cannot write", path) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise BuildError(f"{path}: cannot write: it is a folder")
        if stat.S_ISREG(st.st_mode) and not _is_link(path):
            if st.st_size == len(content) and _read(path) == content:
                return False
            if content.startswith(PDF_MAGIC) and not _is_pdf_or_empty(path):
                raise BuildError(
                    f"{path}: exists and is not a PDF: briefpack replaces only PDF files; "
                    "move it away or choose another --out"
                )
    ensure_folder(path.parent)
    try:
        import tempfile  # only when something is written: a no-op run never loads it

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _error(exc, "cannot write", path) from None
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                if not _IS_WINDOWS:  # mkstemp makes 0600; an output is as readable as any file
                    os.fchmod(f.fileno(), 0o666 & ~_umask())
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise _error(exc, "cannot write", path) from None
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise _error(exc, "cannot read", path) from None


def _replace(tmp: str, path: Path) -> None:
    delays = _REPLACE_RETRIES if _IS_WINDOWS else ()
    for delay in (*delays, None):
        try:
            os.replace(tmp, path)
            return
        except PermissionError as exc:
            if delay is None:
                doing = "cannot replace the file (is it open in another program?)"
                raise _error(exc, doing if _IS_WINDOWS else "cannot replace", path) from None
            time.sleep(delay)
        except OSError as exc:
            raise _error(exc, "cannot replace", path) from None


def write_json(path: Path, doc: Any, *, indent: int | None = 1) -> bool:
    """A JSON document (the manifest, a cache entry) written like :func:`write_atomically`.

    ``indent=None`` writes it compact (the chart cache).
    """
    if indent is None:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(doc, ensure_ascii=False, indent=indent)
    return write_atomically(Path(path), text.encode("utf-8"))


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the temporary files of a run that was killed before it could rename them.

    Only briefpack's own are touched: ``.NAME.pdf.XXXXXXXX.tmp`` in OUT, and temporary
    files inside OUT/.briefpack (and its ``charts/``).  Returns those that could not be
    removed (harmless; the caller may warn).
    """
    out_dir = Path(out_dir)
    state = out_dir / STATE_DIR
    folders = [(out_dir, True)]
    if not _is_link(state):
        folders += [(state, False), (state / "charts", False)]
    stuck = []
    for folder, pdf_only in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            match = _TEMP.match(entry.name)
            ours = bool(match) and (not pdf_only or match["name"].lower().endswith(".pdf"))
            if not pdf_only and not ours:
                ours = bool(_OLD_TEMP.match(entry.name))
            if not ours or entry.is_dir(follow_symlinks=False):
                continue
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass
            except OSError:
                stuck.append(Path(entry.path))
    return stuck


# --------------------------------------------------------------------------- one writer at a time

# Descriptors of the locks this process holds.  A forked child closes its copies at once
# (os.register_at_fork), so a worker never keeps the lock alive after the run has ended;
# a ``spawn`` child never inherits them (descriptors are opened non-inheritable).
HELD_LOCKS: list[int] = []


def release_inherited_locks() -> None:
    """Close this process's copies of the held lock descriptors (in a forked child)."""
    for fd in HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=release_inherited_locks)


def _busy(out_dir: Path, holder: str) -> BuildError:
    return BuildError(
        f"{out_dir}: another briefpack build is writing here ({holder or 'another process'}); "
        "wait for it to finish or use another --out"
    )


def _lock_backend() -> str:
    try:
        import fcntl  # noqa: F401
    except ImportError:
        pass
    else:
        return "flock"
    try:
        import msvcrt  # noqa: F401
    except ImportError:
        return "exclusive-file"
    return "msvcrt"


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold OUT/.briefpack/lock for the whole run; a second run is refused with a message.

    Yields the lock's path.  The lock file is never followed through a link, never written
    unless it is briefpack's own plain file, and records the holder (``pid 1234``).
    """
    out_dir = Path(out_dir)
    lock = state_dir(out_dir) / LOCK_NAME
    backend = _lock_backend()
    if backend == "exclusive-file":
        with _exclusive_file_lock(out_dir, lock):
            yield lock
        return
    fd = _open_lock_file(lock)
    try:
        if backend == "flock":
            _flock(fd, out_dir, lock)
        else:
            _msvcrt_lock(fd, out_dir, lock)
    except BaseException:
        os.close(fd)
        raise
    try:
        _write_holder(fd)
    except OSError:
        pass  # the holder's pid is a courtesy for the message; the lock itself is held
    HELD_LOCKS.append(fd)
    owner = os.getpid()
    try:
        yield lock
    finally:
        if os.getpid() == owner:  # a forked child leaving the block does not own the lock
            _release(fd, backend)


def _release(fd: int, backend: str) -> None:
    with contextlib.suppress(ValueError):
        HELD_LOCKS.remove(fd)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    with contextlib.suppress(OSError):
        if backend == "flock":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            import msvcrt

            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    with contextlib.suppress(OSError):
        os.close(fd)


def _open_lock_file(lock: Path) -> int:
    """Open (or create) the lock file without following a link and check it is a plain file."""
    _refuse_link(lock, "the lock file")
    flags = os.O_RDWR | os.O_CREAT
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_NOINHERIT", "O_BINARY"):
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(lock, flags, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or _is_link(lock):
            _refuse_link(lock, "the lock file")
        raise _error(exc, "cannot open the lock file", lock) from None
    try:
        st = os.fstat(fd)
        _refuse_link(lock, "the lock file")  # Windows: no O_NOFOLLOW, so check once it is open
        if not os.path.samestat(st, os.lstat(lock)):
            raise BuildError(f"{lock}: is not a plain file: remove it and run again")
        _check_plain(lock, st)
    except OSError as exc:
        os.close(fd)
        raise _error(exc, "cannot open the lock file", lock) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_plain(lock: Path, st: os.stat_result) -> None:
    """The lock must be briefpack's own file: a plain file with no other name (hard link)."""
    if not stat.S_ISREG(st.st_mode):
        raise BuildError(f"{lock}: is not a plain file: remove it and run again")
    if st.st_nlink != 1:
        raise BuildError(
            f"{lock}: the lock file has other names (hard links): remove it and run again"
        )


def _read_holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it (``pid 1234``)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 100).decode("utf-8", "replace")
    except OSError:
        return ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if re.fullmatch(r"pid \d+", first) else ""


def _write_holder(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"pid {os.getpid()}".encode("ascii"))


def _flock(fd: int, out_dir: Path, lock: Path) -> None:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            raise _busy(out_dir, _read_holder(fd)) from None
        raise _error(exc, "cannot lock", lock) from None


# Windows byte-range locks are mandatory: the locked byte lies far past the holder's text,
# so that a second run can still read who holds the lock.
_WIN_LOCK_OFFSET = 1 << 30


def _msvcrt_lock(fd: int, out_dir: Path, lock: Path) -> None:
    import msvcrt

    try:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)):
            raise _busy(out_dir, _read_holder(fd)) from None
        raise _error(exc, "cannot lock", lock) from None


@contextlib.contextmanager
def _exclusive_file_lock(out_dir: Path, lock: Path) -> Iterator[None]:
    """Where neither flock nor msvcrt exists: the lock file is created exclusively.

    A lock left by a run that died (its process is gone, or an empty file older than a
    minute, as the other backends leave it) is taken over.
    """
    mine = f"pid {os.getpid()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for name in ("O_NOFOLLOW", "O_CLOEXEC", "O_NOINHERIT", "O_BINARY"):
        flags |= getattr(os, name, 0)
    for attempt in range(2):
        _refuse_link(lock, "the lock file")
        try:
            fd = os.open(lock, flags, 0o644)
        except FileExistsError:
            _refuse_link(lock, "the lock file")
            try:
                _check_plain(lock, os.lstat(lock))
            except FileNotFoundError:
                continue  # released meanwhile
            holder = _peek_holder(lock)
            if attempt == 0 and _stale(lock, holder):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(lock)
                continue
            raise _busy(out_dir, holder) from None
        except OSError as exc:
            raise _error(exc, "cannot create the lock file", lock) from None
        try:
            os.write(fd, mine.encode("ascii"))
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(lock)
            raise _error(exc, "cannot write the lock file", lock) from None
        os.close(fd)
        break
    else:  # taken again at once by another run
        raise _busy(out_dir, _peek_holder(lock))
    try:
        yield
    finally:
        if os.getpid() == int(mine.split()[1]) and _peek_holder(lock) == mine:
            with contextlib.suppress(OSError):
                os.unlink(lock)


def _peek_holder(lock: Path) -> str:
    _refuse_link(lock, "the lock file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(lock, flags)
    except OSError:
        return ""
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


def _stale(lock: Path, holder: str) -> bool:
    match = re.fullmatch(r"pid (\d+)", holder)
    if match:
        return not _pid_alive(int(match[1]))
    try:
        age = time.time() - os.lstat(lock).st_mtime
    except OSError:
        return True
    return age > 60


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if _IS_WINDOWS or sys.platform == "win32":
        return True  # os.kill would end the process there; a live lock is assumed
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
