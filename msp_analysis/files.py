"""Files: reading no more than a limit from a regular file, and writing files and folders whole.

A consultant opens whatever a client e-mails, and saves during a meeting on a
laptop that may run out of disk or be shut. Every reader of the package takes
its bytes through :func:`read_limited`, which

- refuses anything that is not a regular file once symbolic links are
  followed (a device such as ``/dev/zero``, a FIFO, a socket, a folder);
- reads at most the limit plus one byte, whatever ``stat`` says (a device
  reports size 0 and never ends);
- turns every file-system failure into the library's :class:`DataError`
  naming the path.

Every writer goes through :func:`write_atomic` or :func:`atomic_path` (a
temporary file in the same folder, flushed and fsynced, then
``os.replace``): a kill or a full disk leaves the previous file as it was.
A folder of several files (a report) is built under a temporary name and
swapped in whole by :func:`replaced_folder`; :func:`unique_folder` gives each
export a folder of its own.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = write_atomic(Path(d) / "a.txt", "hello\\n")
...     read_limited(p, 100).decode()
'hello\\n'
>>> read_limited("/dev/null", 100)
Traceback (most recent call last):
...
msp_analysis.errors.DataError: /dev/null: is a character device, not a regular file; refusing to read it
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import DataError

__all__ = [
    "MAX_MESSAGE_VALUE",
    "DuplicateKeyError",
    "atomic_path",
    "bounded",
    "contained",
    "fs_error",
    "no_duplicate_keys",
    "read_limited",
    "replaced_folder",
    "staged_files",
    "unique_folder",
    "write_atomic",
]

#: Longest text of a value echoed in an error message: a 100 MB name must not make a 100 MB message.
MAX_MESSAGE_VALUE = 200

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def bounded(text: str, limit: int = MAX_MESSAGE_VALUE) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out.

    Examples
    --------
    >>> bounded("x" * 1000, 10)
    'xxxxxxxxxx… (990 more characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def fs_error(path: str | os.PathLike[str], e: OSError, doing: str = "read") -> DataError:
    """The library's error for a file-system failure on ``path``, in words (no traceback of the OS's)."""
    shown = bounded(os.fspath(path))
    reasons = {
        errno.ENOENT: "no such file or folder",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "is a folder, not a file",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EEXIST: "already exists (and is in the way)",
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the disk is read-only",
        errno.ELOOP: "too many symbolic links (a loop?)",
        errno.ENAMETOOLONG: "the name is too long",
    }
    why = reasons.get(e.errno or 0, e.strerror or type(e).__name__)
    return DataError(f"{shown}: cannot be {doing}: {why}", source=shown)


def read_limited(path: str | os.PathLike[str], limit: int, *, limit_name: str = "max_bytes") -> bytes:
    """The bytes of the regular file at ``path``, refusing it when it holds more than ``limit`` bytes.

    Symbolic links are followed, then anything but a regular file is refused
    (devices, FIFOs, sockets, folders). The limit applies to what is actually
    read, not to the size ``stat`` reports. A FIFO is opened without blocking,
    so that naming one cannot hang the caller.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    limit : int
        Most bytes accepted.
    limit_name : str
        What the caller calls the limit (named in the error, so that the user
        knows what to raise).

    Raises
    ------
    DataError
        Naming the path: not a regular file, too large, or any file-system failure.
    """
    shown = bounded(os.fspath(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise fs_error(path, e) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
            raise DataError(f"{shown}: is {kind}, not a regular file; refusing to read it", source=shown)
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(limit + 1 - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as e:
        raise fs_error(path, e) from None
    finally:
        os.close(fd)
    if got > limit:
        raise DataError(
            f"{shown}: holds more than {limit:,} bytes ({limit / 2**20:,.1f} MiB), the limit for this kind of "
            f"file; if it really is this large, pass a larger {limit_name}=...",
            source=shown,
        )
    return b"".join(chunks)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder; the rename itself is still atomic
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; on success it is fsynced and renamed onto ``path``.

    For libraries that write by file name (openpyxl, python-pptx,
    matplotlib): a reader of ``path`` sees the old file or the new one, never
    a part of one. On an exception the temporary file is removed and ``path``
    is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with atomic_path(Path(d) / "b.txt") as tmp:
    ...         _ = tmp.write_text("new")
    ...     sorted(p.name for p in Path(d).iterdir())
    ['b.txt']
    """
    target = Path(path)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as e:
        raise fs_error(target, e, "written") from None
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # the writer may have closed its own handle without fsync
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise fs_error(target, e, "written") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole: temporary file, flush, fsync, rename.

    Returns the path. Raises DataError naming the path on any file-system failure.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "wb") as f:
        f.write(raw)
        f.flush()
    return target


@contextlib.contextmanager
def replaced_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A new, empty temporary folder beside ``path``; on success it replaces ``path`` as a whole.

    Old and new files never mix: what was in ``path`` before is moved aside
    and removed once the new folder is in place. On an exception the
    temporary folder is removed and ``path`` is left as it was.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "is a file", str(target))
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name[:80]}.", suffix=".tmp", dir=target.parent))
    except OSError as e:
        raise fs_error(target, e, "written") from None
    try:
        yield tmp
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name[:80]}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "previous")
        os.replace(tmp, target)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise fs_error(target, e, "written") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_folder(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def unique_folder(parent: str | os.PathLike[str], stem: str) -> Path:
    """A new folder ``<stem>-<UTC time>-<n>`` under ``parent``, created here (so no two callers share one).

    The counter goes up until ``mkdir`` succeeds: two exports in the same
    second, from two pages, get two folders.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a, b = unique_folder(d, "report"), unique_folder(d, "report")
    ...     a != b and a.is_dir() and b.is_dir()
    True
    """
    base = Path(parent)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    try:
        base.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            folder = base / f"{stem}-{stamp}-{n}"
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder
    except OSError as e:
        raise fs_error(base, e, "written") from None
    raise DataError(f"{bounded(str(base))}: 10,000 exports named {stem}-{stamp}-n already; remove some")


def contained(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """``path`` (relative to ``root``, or absolute) resolved, if it lies inside ``root``; else a DataError.

    ``root`` itself may be a symbolic link (a clients folder kept on another
    disk); nothing inside it may lead out: ``..``, an absolute path elsewhere,
    or a symbolic link pointing outside are refused, naming the path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     contained(d, "acme/scenario.json") == Path(d).resolve() / "acme" / "scenario.json"
    True
    >>> contained("/tmp", "../etc/passwd")
    Traceback (most recent call last):
    ...
    msp_analysis.errors.DataError: ../etc/passwd: is outside the folder /tmp (it resolves to /etc/passwd)
    """
    base = Path(root).resolve()
    given = Path(path).expanduser()
    candidate = given if given.is_absolute() else base / given
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop: RuntimeError before 3.13, OSError after
        raise DataError(f"{bounded(str(path))}: cannot be resolved ({e})", source=bounded(str(path))) from None
    if resolved != base and base not in resolved.parents:
        shown = bounded(str(path))
        raise DataError(
            f"{shown}: is outside the folder {base} (it resolves to {bounded(str(resolved))})", source=shown
        )
    return resolved


class Stage:
    """Files being written for :func:`staged_files`: :meth:`path` names one, :attr:`written` lists them once moved in."""

    def __init__(self, folder: Path, target: Path) -> None:
        self.folder = folder
        self.target = target
        self.names: list[str] = []
        self.written: list[Path] = []

    def path(self, name: str) -> Path:
        """Where to write the file that will become ``target/name``."""
        self.names.append(name)
        return self.folder / name


@contextlib.contextmanager
def staged_files(target: str | os.PathLike[str]) -> Iterator[Stage]:
    """Write several files into ``target`` all or none: each under a hidden temporary folder, then moved in whole.

    For a report of several formats: if one format fails, none is moved in
    and the files already in ``target`` stay as they were; otherwise each
    file is fsynced and renamed over its name in ``target``. Other files in
    ``target`` are left alone (use :func:`replaced_folder` to replace a folder
    as a whole).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with staged_files(Path(d) / "out") as stage:
    ...         _ = stage.path("a.html").write_text("a")
    ...     [p.name for p in stage.written], sorted(p.name for p in (Path(d) / "out").iterdir())
    (['a.html'], ['a.html'])
    """
    folder = Path(target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".staged.", suffix=".tmp", dir=folder))
    except OSError as e:
        raise fs_error(folder, e, "written") from None
    stage = Stage(tmp, folder)
    try:
        yield stage
        for name in stage.names:
            with open(tmp / name, "rb+") as f:
                os.fsync(f.fileno())
        for name in stage.names:
            os.replace(tmp / name, folder / name)
            stage.written.append(folder / name)
    except OSError as e:
        raise fs_error(folder, e, "written") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _fsync_folder(folder)


class DuplicateKeyError(ValueError):
    """A key given twice in one JSON object (:func:`json.loads` would keep the last one silently)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = bounded(key, 80)


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads`: a dict, raising :class:`DuplicateKeyError` for a key given twice.

    Examples
    --------
    >>> import json
    >>> json.loads('{"a": 1, "a": 2}', object_pairs_hook=no_duplicate_keys)
    Traceback (most recent call last):
    ...
    msp_analysis.files.DuplicateKeyError: a
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out
