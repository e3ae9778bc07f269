"""Writing files and folders all or nothing: write beside the destination, then rename over it.

The one home of atomic writes for every layer (surveys, reports, projections). A temporary file or folder is
created in the destination's own folder (so the final rename stays on one file system and is atomic) and renamed
into place only once it is complete; any failure removes it and leaves the previous file or folder untouched.

Permissions follow the umask exactly as an ordinary ``open()`` or ``mkdir`` would: temporary files are created
with mode ``0o666`` and folders with ``0o777``, and the kernel clears the umask's bits (``0o644``/``0o755`` under
the usual umask 022). ``tempfile.mkstemp``/``mkdtemp`` are not used because they create ``0o600``/``0o700``
entries, which would leave outputs readable by their owner only.

Temporary entries are named ``.<name>.<pid>-<random>.tmp`` (staged files and folders) and ``.<name>.<pid>-<random>.old``
(a replaced folder, until the new one is in place). A process killed by SIGKILL (or by SIGTERM, whose default
action skips ``finally`` blocks) leaves them behind; the next write beside the same destination removes those
whose process is gone (:func:`clean_stale`), and puts back a replaced folder that was moved aside but never
replaced (a kill between the two renames of :func:`replace_folder`), so the destination is always the old complete
folder or the new complete one.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o666  # before the umask, as open() uses
FOLDER_MODE = 0o777  # before the umask, as mkdir uses
_ATTEMPTS = 100  # fresh random names tried before giving up (a clash needs 48 random bits to repeat)
LEGACY_AGE_SECONDS = 3600  # entries named without a process id (older versions) count as stale after this age


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (created or replaced) through a temporary file and one rename; return ``path``."""
    return write_atomic(path, lambda temporary: temporary.write_bytes(data))


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` (created or replaced) through a temporary file and one rename; return ``path``."""
    return write_atomic(path, lambda temporary: temporary.write_text(text, encoding=encoding))


def write_atomic(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Let ``writer`` write a temporary file beside ``path``, then rename it over ``path``; return ``path``.

    ``writer`` receives the temporary file's path (already created, empty, with the umask's permissions) and
    writes the whole content to it, by any library that takes a path. If it raises, the temporary file is removed,
    ``path`` keeps its previous content (or stays absent) and the error propagates.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path)
    temporary = _create_beside(path, lambda candidate: os.close(os.open(candidate, _EXCLUSIVE, FILE_MODE)))
    try:
        writer(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_folder(folder: str | Path, *, merge: bool = False, marker: Marker | None = None) -> Iterator[Path]:
    """A fresh folder beside ``folder`` to write into; on success it is put in place of ``folder``.

    Without ``merge`` the staged folder replaces ``folder`` whole (:func:`replace_folder`). With ``merge`` its files
    are moved into an existing ``folder`` one rename each, replacing files of the same name and leaving other files
    alone (one rename of the whole folder when ``folder`` does not exist yet). On any failure inside the ``with``
    block (or while publishing) the staged folder is removed, and so are the parent folders created for it:
    ``folder`` is left as it was. Stale entries of killed writers beside ``folder`` are cleaned first.

    ``marker`` names the file (or files) that an earlier output of the same command holds (``summary.json``): an
    existing non-empty ``folder`` without one (at its top or one level down) is not replaced, because it is not
    ours to delete (``--out .`` or a typo must never wipe a folder of other files).

    Raises:
        OutputFolderError: ``folder`` is a file, or a non-empty folder without ``marker`` (before anything is
            written).
    """
    folder = Path(folder).absolute()
    check_replaceable(folder, marker)
    created = [parent for parent in reversed(folder.parents) if not parent.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder)
    staging = _create_beside(folder, lambda candidate: os.mkdir(candidate, FOLDER_MODE))
    try:
        yield staging
        if merge:
            merge_folder(staging, folder)
        else:
            replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(created):  # deepest first; stop at the first that is not empty
            try:
                parent.rmdir()
            except OSError:
                break
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def replace_folder(staging: Path, folder: Path) -> None:
    """Put the completed folder ``staging`` in place of ``folder`` (created or replaced) by renames only.

    POSIX cannot rename a folder over a non-empty one, so an existing ``folder`` is first renamed aside, the staged
    folder renamed in, and the old one removed: a reader sees the old folder or the new one, never a half-written
    one (only, for an instant, no folder at all).
    """
    if not folder.exists():
        os.replace(staging, folder)
        return
    backup = folder.with_name(f".{folder.name}.{os.getpid()}-{secrets.token_hex(6)}.old")  # fresh: renaming onto it is safe
    os.replace(folder, backup)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(backup, folder)  # put the previous folder back
        raise
    shutil.rmtree(backup, ignore_errors=True)


def merge_folder(staging: Path, folder: Path) -> None:
    """Move the files of ``staging`` into ``folder``: one rename of the folder when ``folder`` does not exist yet,
    otherwise one rename per file (replacing files of the same name; other files in ``folder`` are left alone)."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = folder / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


class OutputFolderError(FileExistsError):
    """An output path that cannot be (re)placed: a file where a folder is wanted, or a folder of other files."""


Marker = str | tuple[str, ...]
"""The file name (or names: any one will do) that marks a folder as an earlier output of the same command."""


def check_replaceable(folder: Path, marker: Marker | None) -> None:
    """Refuse (:class:`OutputFolderError`) to replace ``folder`` when it is a file, or when ``marker`` is given and
    ``folder`` is a non-empty folder holding none of the ``marker`` files at its top or one level down."""
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder} is a file, not a folder: give the path of a new or earlier output folder")
    if marker is None or not folder.is_dir() or not any(folder.iterdir()):
        return
    names = (marker,) if isinstance(marker, str) else marker
    for name in names:
        if (folder / name).is_file() or any(path.is_file() for path in folder.glob(f"*/{name}")):
            return
    raise OutputFolderError(
        f"{folder} already holds other files (no {' or '.join(names)} of an earlier output): give a new or empty "
        "folder, it would be replaced whole"
    )


def check_output_folder(folder: str | Path, marker: Marker | None) -> Path:
    """Check, before any work, that ``folder`` can receive an output: :func:`check_replaceable`, and its nearest
    existing parent is a writable folder (the staged folder is created beside ``folder``). Returns the absolute path.

    Raises:
        OutputFolderError: ``folder`` is a file or a folder of other files.
        PermissionError: the folder that would hold ``folder`` is not writable (or a file is in the way).
    """
    folder = Path(folder).absolute()
    check_replaceable(folder, marker)
    parent = next(candidate for candidate in folder.parents if candidate.exists())
    if not parent.is_dir():
        raise OutputFolderError(f"{parent} is a file: cannot create the output folder {folder} inside it")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into {parent} (permission denied): choose another output folder")
    return folder


_STAGED = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[0-9a-f]{12}\.(?P<kind>tmp|old)$")


def clean_stale(path: str | Path) -> list[Path]:
    """Remove the temporary entries beside ``path`` left by writers that were killed; return what was removed.

    An entry is stale when the process named in it no longer exists (entries without a process id, from older
    versions, when they are older than ``LEGACY_AGE_SECONDS``). A stale ``.old`` folder whose destination is
    missing was moved aside by a writer killed before its replacement arrived: it is put back instead of removed.
    """
    path = Path(path)
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:  # no folder yet, or not readable: nothing of ours to clean
        return removed
    for entry in entries:
        match = _STAGED.match(entry.name)
        if match is None or match["name"] != path.name or not _abandoned(entry, match["pid"]):
            continue
        if match["kind"] == "old" and not path.exists():
            os.replace(entry, path)  # the previous complete folder comes back
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _abandoned(entry: Path, pid: str | None) -> bool:
    """Whether the writer of ``entry`` is gone: its process does not exist (or, without a pid, it is old)."""
    if pid is None:
        try:
            return time.time() - entry.lstat().st_mtime > LEGACY_AGE_SECONDS
        except OSError:
            return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):  # alive under another user, or not a valid pid
        return False
    return False


_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _create_beside(path: Path, create: Callable[[Path], object]) -> Path:
    """Create (with ``create``) a new hidden entry named after ``path`` in its folder; return its path.

    ``create`` must fail with ``FileExistsError`` when the name is taken, so two writers never share an entry.
    """
    for _ in range(_ATTEMPTS):
        candidate = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
        try:
            create(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary name beside {path}")
