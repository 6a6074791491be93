"""The user's files are untouchable, every OS error is a message, and option text stays on the page.

Each case asserts the exit status, the exact message and that nothing of the user's changed.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from briefpack import outputs
from briefpack.cli import cpu_count, main
from briefpack.errors import BuildError
from briefpack.outputs import (
    check_output_path,
    output_lock,
    remove_leftovers,
    write_atomically,
    write_json,
)

from .conftest import DATA, STYLES, data_args

POSIX = os.name == "posix"


def _can_symlink() -> bool:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        try:
            os.symlink(folder, Path(folder) / "link", target_is_directory=True)
        except (OSError, NotImplementedError, AttributeError):
            return False
    return True


needs_symlinks = pytest.mark.skipif(not _can_symlink(), reason="cannot make symbolic links")


def invoke(*args: str, data: Path = DATA, styles: Path = STYLES, env: dict | None = None):
    return CliRunner(env=env).invoke(main, ["--data", str(data), "--styles", str(styles), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as links) with its bytes, to compare before/after."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            files[str(path.relative_to(folder))] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def temporary_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".manifest." in p.name]


# --------------------------------------------------------------------------- --out is checked


def test_binder_onto_a_data_csv_is_refused_and_the_csv_unchanged(data_copy: Path) -> None:
    csv = data_copy / "datasets" / "gdp_nominal.csv"
    before = snapshot(data_copy)
    result = invoke("binder", "relations:kg", "--out", str(csv), data=data_copy)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {csv}: is inside the --data folder {data_copy}: briefpack never writes there; "
        "choose another --out\n"
    )
    assert snapshot(data_copy) == before  # byte for byte, and no .briefpack/ or temp file added


def test_binder_onto_a_pdf_inside_the_styles_folder_is_refused(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    before = snapshot(styles)
    out = styles / "default" / "meeting.pdf"
    result = invoke("binder", "relations:kg", "--out", str(out), styles=styles)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: is inside the --styles folder {styles}: briefpack never writes there; "
        "choose another --out\n"
    )
    assert snapshot(styles) == before


@needs_symlinks
def test_outputs_reaching_the_data_through_a_link_are_refused(
    data_copy: Path, tmp_path: Path
) -> None:
    link = tmp_path / "packs"
    os.symlink(data_copy / "datasets", link, target_is_directory=True)
    before = snapshot(data_copy)
    result = invoke("build", "relations", "kg", "--out", str(link), data=data_copy)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {link}: is inside the --data folder {data_copy}: briefpack never writes there; "
        "choose another --out\n"
    )
    pdf_link = tmp_path / "meeting.pdf"
    os.symlink(data_copy / "places.csv", pdf_link)
    result = invoke("binder", "relations:kg", "--out", str(pdf_link), data=data_copy)
    assert result.exit_code == 1
    assert "is inside the --data folder" in result.stderr
    assert snapshot(data_copy) == before


def test_binder_never_replaces_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_bytes("会議メモ: 大事なこと\n".encode())
    result = invoke("binder", "relations:kg", "--out", str(notes))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {notes}: exists and is not a PDF: briefpack replaces only PDF files; "
        "choose another --out\n"
    )
    assert notes.read_bytes() == "会議メモ: 大事なこと\n".encode()

    report = tmp_path / "report.docx"
    report.write_bytes(b"PK\x03\x04 a document")
    result = invoke("binder", "relations:kg", "--out", str(report))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {report}: the binder's --out must be a file name ending in .pdf\n"
    )
    assert report.read_bytes() == b"PK\x03\x04 a document"

    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    result = invoke("binder", "relations:kg", "--out", str(folder))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {folder}: is a folder: the binder's --out names a .pdf file\n"
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.pdf", "notes.pdf", "report.docx"]


def test_build_out_naming_a_file_is_a_message(tmp_path: Path) -> None:
    existing = tmp_path / "dist"
    existing.write_text("not a folder\n", encoding="utf-8")
    result = invoke("build", "relations", "kg", "--out", str(existing))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {existing}: is a file, not a folder: "
        "--out names the folder the PDFs are written to\n"
    )
    assert existing.read_text(encoding="utf-8") == "not a folder\n"


def test_build_out_under_a_file_is_a_message(tmp_path: Path) -> None:
    existing = tmp_path / "dist"
    existing.write_text("not a folder\n", encoding="utf-8")
    out = existing / "packs"
    result = invoke("build", "relations", "kg", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: a part of this path is a file, not a folder\n"
    assert existing.read_text(encoding="utf-8") == "not a folder\n"


def test_a_binder_may_replace_its_own_pdf(tmp_path: Path) -> None:
    out = tmp_path / "会議 資料" / "binder.pdf"  # Japanese and a space in the path
    first = invoke("binder", "relations:kg", "--out", str(out), "--date", "2026-12-01")
    assert first.exit_code == 0, first.stderr
    second = invoke("binder", "relations:kg", "--out", str(out), "--date", "2026-12-02")
    assert second.exit_code == 0, second.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert not temporary_files(out.parent)


# --------------------------------------------------------------------------- the lock


@needs_symlinks
def test_a_symlinked_lock_never_truncates_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "thesis.txt"
    victim.write_text("三年分の原稿\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / ".briefpack").mkdir(parents=True)
    lock = out / ".briefpack" / "lock"
    os.symlink(victim, lock)
    result = invoke("build", "relations", "kg", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {lock}: the lock file is a symbolic link: briefpack does not write through "
        "links; remove the link and run again\n"
    )
    assert victim.read_text(encoding="utf-8") == "三年分の原稿\n"
    assert lock.is_symlink()
    assert not (out / "relations-kg.pdf").exists()


@needs_symlinks
def test_lock_unit_links_are_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    out = tmp_path / "out"
    lock = out / ".briefpack" / "lock"
    lock.parent.mkdir(parents=True)
    os.symlink(victim, lock)
    with pytest.raises(BuildError, match="the lock file is a symbolic link"), output_lock(out):
        pass
    lock.unlink()
    os.link(victim, lock)  # a hard link: the same file under another name
    with pytest.raises(BuildError, match="has other names"), output_lock(out):
        pass
    assert victim.read_bytes() == b"keep me"
    lock.unlink()
    state = tmp_path / "elsewhere"
    state.mkdir()
    lock.parent.rmdir()
    os.symlink(state, out / ".briefpack", target_is_directory=True)
    with pytest.raises(BuildError, match="the bookkeeping folder is a symbolic link"):
        with output_lock(out):
            pass
    assert list(state.iterdir()) == []


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out) as lock:
        assert lock == out / ".briefpack" / "lock"
        with pytest.raises(BuildError) as caught, output_lock(out):
            pass
        result = invoke("build", "relations", "kg", "--out", str(out))
    message = (
        f"{out}: another briefpack build is writing here (pid {os.getpid()}); "
        "wait for it to finish or use another --out"
    )
    assert str(caught.value) == message
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    with output_lock(out):  # released: the next run may write
        pass


def test_the_lock_works_without_fcntl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows: `import fcntl` fails
    monkeypatch.setitem(sys.modules, "msvcrt", None)  # the exclusive-file lock
    out = tmp_path / "out"
    with output_lock(out) as lock:
        assert lock.read_text() == f"pid {os.getpid()}"
        with pytest.raises(BuildError, match=r"another briefpack build is writing here \(pid"):
            with output_lock(out):
                pass
    assert not lock.exists()
    # A lock left by a run that died is taken over.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    lock.write_text(f"pid {dead.stdout.strip()}")
    with output_lock(out):
        assert lock.read_text() == f"pid {os.getpid()}"


class FakeMsvcrt:
    """msvcrt.locking as Windows does it (a byte range per open file), to run that code here."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self) -> None:
        self.held: dict[tuple[int, int, int], int] = {}

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            self.held.pop(key, None)
        elif key in self.held and self.held[key] != fd:
            raise OSError(errno.EACCES, "Permission denied")
        else:
            self.held[key] = fd


def test_the_windows_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    out = tmp_path / "out"
    with output_lock(out) as lock:
        assert list(fake.held) and lock.read_text() == f"pid {os.getpid()}"
        with pytest.raises(BuildError) as caught, output_lock(out):
            pass
        assert str(caught.value) == (
            f"{out}: another briefpack build is writing here (pid {os.getpid()}); "
            "wait for it to finish or use another --out"
        )
    assert fake.held == {} and lock.read_text() == ""
    with output_lock(out):
        pass


_HOLD_AND_DIE = textwrap.dedent(
    """
    import multiprocessing, os, sys, time
    from pathlib import Path
    from briefpack.outputs import output_lock

    if __name__ == "__main__":
        context = multiprocessing.get_context(sys.argv[3])
        with output_lock(Path(sys.argv[1])):
            worker = context.Process(target=time.sleep, args=(60,))
            worker.start()
            Path(sys.argv[2]).write_text(str(worker.pid))
            os._exit(0)  # the run dies holding the lock; its worker lives on
    """
)


@pytest.mark.skipif(not POSIX, reason="kills the worker with a POSIX signal")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_worker_does_not_keep_the_lock(tmp_path: Path, method: str) -> None:
    import multiprocessing
    import signal

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    out, pid_file = tmp_path / "out", tmp_path / "worker.pid"
    subprocess.run(
        [sys.executable, "-c", _HOLD_AND_DIE, str(out), str(pid_file), method],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=True,
    )
    worker = int(pid_file.read_text())
    try:
        os.kill(worker, 0)  # still running
        with output_lock(out):  # the lock died with the run, not with its worker
            pass
    finally:
        os.kill(worker, signal.SIGKILL)


# --------------------------------------------------------------------------- OS errors


def _drop_file_privileges() -> None:
    """In a child of root: give up overriding file permissions (Linux capabilities).

    Dropped from the bounding set, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER are
    gone after exec, so a read-only folder stops root as it stops anyone.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(97)


def read_only_run(args: list[str], out: Path) -> tuple[int, str]:
    """``briefpack ARGS`` while ``out`` is read-only (as root: without file privileges)."""
    out.chmod(0o555)
    if not os.access(out, os.W_OK):
        result = CliRunner().invoke(main, [*data_args(DATA), *args])
        return result.exit_code, result.stderr
    if not (sys.platform.startswith("linux") and os.geteuid() == 0):
        pytest.skip("cannot make a folder read-only here")
    probe = f"open({str(out / 'probe')!r}, 'w')"
    tried = subprocess.run(
        [sys.executable, "-c", probe], preexec_fn=_drop_file_privileges, capture_output=True
    )
    if tried.returncode == 0 or b"PermissionError" not in tried.stderr:
        pytest.skip("root keeps writing into read-only folders here")
    result = subprocess.run(
        [sys.executable, "-m", "briefpack.cli", *data_args(DATA), *args],
        preexec_fn=_drop_file_privileges,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stderr


def test_read_only_output_folder_is_a_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code, err = read_only_run(["build", "relations", "kg", "--out", str(out)], out)
    out.chmod(0o755)
    assert code == 1
    assert err == f"Error: {out / '.briefpack'}: cannot create the folder: Permission denied\n"
    assert list(out.iterdir()) == []


def test_read_only_output_folder_with_bookkeeping_is_a_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".briefpack").mkdir(parents=True)
    code, err = read_only_run(["build", "relations", "kg", "--out", str(out)], out)
    out.chmod(0o755)
    assert code == 1
    assert err.splitlines()[-1] == (
        f"Error: {out / 'relations-kg.pdf'}: cannot write: Permission denied"
    )
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == [".briefpack"]
    assert not temporary_files(out)


def test_a_full_disk_is_a_message_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = invoke("build", "relations", "kg", "--out", str(out))
    assert first.exit_code == 0, first.stderr
    before = snapshot(out)

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("build", "relations", "kg", "--out", str(out), "--date", "2026-12-01")
    assert result.exit_code == 1
    assert f"Error: {out / 'relations-kg.pdf'}: cannot write: No space left on device" in (
        result.stderr.splitlines()
    )
    assert "Traceback" not in result.stderr
    assert not temporary_files(out)
    assert snapshot(out)["relations-kg.pdf"] == before["relations-kg.pdf"]


def test_an_os_error_reaching_the_command_line_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import briefpack.datalayer

    def unreadable(root, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(root) / "places.csv"))

    monkeypatch.setattr(briefpack.datalayer, "load", unreadable)
    result = invoke("check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {DATA / 'places.csv'}: while checking the data: Permission denied\n"
    )
    verbose = invoke("-v", "check")
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.stderr and verbose.stderr.endswith("Permission denied\n")


# --------------------------------------------------------------------------- options


def test_jobs_are_capped_at_the_number_of_cpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    workers = []
    real = concurrent.futures.ProcessPoolExecutor.__init__

    def spy(self, max_workers=None, *args, **kwargs):
        workers.append(max_workers)
        real(self, max_workers, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", spy)
    result = invoke("build", "--all", "--jobs", "1000", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    limit = cpu_count()
    assert result.stderr.splitlines()[0] == (
        f"note: --jobs 1000 capped at {limit}, the number of CPUs"
    )
    assert all(n is not None and n <= limit for n in workers), workers
    assert "the number of CPUs" in invoke("build", "--help").stdout


@pytest.mark.parametrize("date", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_dates_out_of_range_are_usage_errors(tmp_path: Path, date: str) -> None:
    result = invoke("build", "relations", "kg", "--date", date, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--date': '{date}' is out of range: "
        "give a date from 1900-01-01 to 2100-12-31"
    )
    assert list(tmp_path.iterdir()) == []


def test_dates_at_the_ends_of_the_range_print_their_era(tmp_path: Path) -> None:
    for date, printed in [
        ("1900-01-01", "1900年1月1日（明治33年）"),
        ("1912-07-30", "1912年7月30日（大正元年）"),
        ("2100-12-31", "2100年12月31日（令和82年）"),
    ]:
        result = invoke(
            "build", "relations", "kg", "--meeting", "会談", "--date", date, "--out", str(tmp_path)
        )
        assert result.exit_code == 0, result.stderr
        cover = pypdf.PdfReader(tmp_path / "relations-kg.pdf").pages[0].extract_text()
        assert printed in cover, cover
        assert "（）" not in cover


# --------------------------------------------------------------------------- long option text


def chars_off_the_page(pdf: Path) -> list[tuple[int, str]]:
    """Every character whose box is not wholly inside its page: (page number, character)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    off = []
    try:
        for number in range(len(document)):
            page = document[number]
            width, height = page.get_size()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                left, bottom, right, top = text.get_charbox(i)
                if left < -0.5 or bottom < -0.5 or right > width + 0.5 or top > height + 0.5:
                    off.append((number + 1, text.get_text_range(i, 1)))
    finally:
        document.close()
    return off


LONG_MEETING = "第十回日キルギス外相会談および経済協力に関する合同委員会" * 60
LONG_MARK = "取扱注意・会議終了後回収・複製禁止" * 30
LONG_WATERMARK = "案" * 400


def test_long_meeting_mark_and_watermark_stay_on_the_page(tmp_path: Path) -> None:
    result = invoke(
        "build",
        "relations",
        "kg",
        "--meeting",
        LONG_MEETING,
        "--mark",
        LONG_MARK,
        "--watermark",
        LONG_WATERMARK,
        "--date",
        "2026-12-01",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    pdf = tmp_path / "relations-kg.pdf"
    assert chars_off_the_page(pdf) == []
    reader = pypdf.PdfReader(pdf)
    cover = reader.pages[0].extract_text().replace("\n", "")
    assert LONG_MEETING[:40] in cover and "…" in cover  # wrapped, then shortened
    assert "2026年12月1日（令和8年）" in cover
    for page in reader.pages:
        assert "取扱注意・会議終了後回収" in page.extract_text()
    assert LONG_MARK in reader.metadata.subject  # the whole marking stays in the metadata


def test_long_meeting_on_a_portrait_binder_stays_on_the_page(tmp_path: Path) -> None:
    out = tmp_path / "binder.pdf"
    result = invoke(
        "binder",
        "relations:kg",
        "economy:kg",
        "--style",
        "portrait",
        "--meeting",
        LONG_MEETING,
        "--mark",
        LONG_MARK,
        "--date",
        "2026-12-01",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert chars_off_the_page(out) == []


# --------------------------------------------------------------------------- outputs.py


def test_write_atomically_writes_once_and_skips_identical_content(tmp_path: Path) -> None:
    path = tmp_path / "a" / "relations-kg.pdf"
    assert write_atomically(path, b"%PDF-1.4 one") is True
    assert path.read_bytes() == b"%PDF-1.4 one"
    if POSIX:
        mask = os.umask(0o022)
        os.umask(mask)
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    mtime = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert write_atomically(path, b"%PDF-1.4 one") is False
    assert path.stat().st_mtime_ns == mtime
    assert write_atomically(path, b"%PDF-1.4 two") is True
    assert path.read_bytes() == b"%PDF-1.4 two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["relations-kg.pdf"]


def test_write_atomically_refuses_to_replace_what_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "relations-kg.pdf"
    path.write_bytes(b"name,value\nkg,1\n")
    with pytest.raises(BuildError) as caught:
        write_atomically(path, b"%PDF-1.4 new")
    assert str(caught.value) == (
        f"{path}: exists and is not a PDF: briefpack replaces only PDF files; "
        "move it away or choose another --out"
    )
    assert path.read_bytes() == b"name,value\nkg,1\n"
    folder = tmp_path / "economy-kg.pdf"
    folder.mkdir()
    with pytest.raises(BuildError, match="it is a folder"):
        write_atomically(folder, b"%PDF-1.4 new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["economy-kg.pdf", "relations-kg.pdf"]


@needs_symlinks
def test_write_atomically_replaces_a_link_and_never_writes_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4 someone else's")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "relations-kg.pdf"
    os.symlink(outside, link)
    assert write_atomically(link, b"%PDF-1.4 ours") is True
    assert not link.is_symlink() and link.read_bytes() == b"%PDF-1.4 ours"
    assert outside.read_bytes() == b"%PDF-1.4 someone else's"


@pytest.mark.parametrize("writer", ["pdf", "json"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    path = tmp_path / ("relations-kg.pdf" if writer == "pdf" else "manifest.json")
    path.write_bytes(b"%PDF-1.4 old" if writer == "pdf" else b"{}")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(BuildError) as caught:
        if writer == "pdf":
            write_atomically(path, b"%PDF-1.4 new")
        else:
            write_json(path, {"version": 1, "packs": {}})
    assert str(caught.value) == f"{path}: cannot write: No space left on device"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.read_bytes() in (b"%PDF-1.4 old", b"{}")


def test_a_failed_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(_src, _dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", busy)
    monkeypatch.setattr(outputs, "_REPLACE_RETRIES", (0.0,))
    path = tmp_path / "relations-kg.pdf"
    with pytest.raises(BuildError, match=r"relations-kg\.pdf: cannot replace"):
        write_atomically(path, b"%PDF-1.4 new")
    assert list(tmp_path.iterdir()) == []


def test_remove_leftovers_removes_only_briefpack_temporary_files(tmp_path: Path) -> None:
    state = tmp_path / ".briefpack"
    (state / "charts").mkdir(parents=True)
    ours = [
        tmp_path / ".relations-kg.pdf.a1b2c3d4.tmp",
        tmp_path / ".economy-central-asia-copy03.pdf.x_9y8z7w.tmp",
        state / ".manifest.json.abcdefgh.tmp",
        state / ".manifest.k2j3h4g5",  # written by earlier versions
        state / "charts" / ".0f1e2d3c4b5a.q1w2e3r4",
    ]
    theirs = [
        tmp_path / "relations-kg.pdf",
        tmp_path / ".notes.tmp",
        tmp_path / ".draft.docx.a1b2c3d4.tmp",
        tmp_path / "report.pdf.a1b2c3d4.tmp",
        state / "manifest.json",
        state / "lock",
        state / "charts" / "0f1e2d3c4b5a.json",
    ]
    for path in ours + theirs:
        path.write_bytes(b"x")
    assert remove_leftovers(tmp_path) == []
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)


def test_check_output_path_accepts_ordinary_outputs(tmp_path: Path) -> None:
    check_output_path(tmp_path / "dist", DATA, STYLES)
    check_output_path(tmp_path / "new" / "meeting.pdf", DATA, STYLES, kind="file")
    existing = tmp_path / "old.PDF"
    existing.write_bytes(b"%PDF-1.7 old binder")
    check_output_path(existing, DATA, STYLES, kind="file")
    with pytest.raises(BuildError, match="is inside the --data folder"):
        check_output_path(DATA, DATA, STYLES)
    with pytest.raises(BuildError, match="is inside the --styles folder"):
        check_output_path(STYLES / "x" / ".." / "out", DATA, STYLES)
