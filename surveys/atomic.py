"""Writing files and folders all or nothing: write beside the destination, then rename over it.

The one home of atomic writes for every layer (surveys, reports, projections). A temporary file or folder is
created in the destination's own folder (so the final rename stays on one file system and is atomic) and renamed
into place only once it is complete; any failure removes it and leaves the previous file or folder untouched.

Permissions follow the umask exactly as an ordinary ``open()`` or ``mkdir`` would: temporary files are created
with mode ``0o666`` and folders with ``0o777``, and the kernel clears the umask's bits (``0o644``/``0o755`` under
the usual umask 022). ``tempfile.mkstemp``/``mkdtemp`` are not used because they create ``0o600``/``0o700``
entries, which would leave outputs readable by their owner only.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o666  # before the umask, as open() uses
FOLDER_MODE = 0o777  # before the umask, as mkdir uses
_ATTEMPTS = 100  # fresh random names tried before giving up (a clash needs 48 random bits to repeat)


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
    temporary = _create_beside(path, lambda candidate: os.close(os.open(candidate, _EXCLUSIVE, FILE_MODE)))
    try:
        writer(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_folder(folder: str | Path, *, merge: bool = False) -> Iterator[Path]:
    """A fresh folder beside ``folder`` to write into; on success it is put in place of ``folder``.

    Without ``merge`` the staged folder replaces ``folder`` whole (:func:`replace_folder`). With ``merge`` its files
    are moved into an existing ``folder`` one rename each, replacing files of the same name and leaving other files
    alone (one rename of the whole folder when ``folder`` does not exist yet). On any failure inside the ``with``
    block (or while publishing) the staged folder is removed, and so are the parent folders created for it:
    ``folder`` is left as it was.
    """
    folder = Path(folder).absolute()
    created = [parent for parent in reversed(folder.parents) if not parent.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
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
    backup = folder.with_name(f".{folder.name}.{secrets.token_hex(6)}.old")  # a fresh name: renaming onto it is safe
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


_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _create_beside(path: Path, create: Callable[[Path], object]) -> Path:
    """Create (with ``create``) a new hidden entry named after ``path`` in its folder; return its path.

    ``create`` must fail with ``FileExistsError`` when the name is taken, so two writers never share an entry.
    """
    for _ in range(_ATTEMPTS):
        candidate = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            create(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary name beside {path}")
