"""The two versions ``floorsim diff`` compares, materialised in folders from which their own module names import.

A version is a git revision of a repository (``git archive`` of the revision's top-level package folder and its
``floorsim.yaml``) or a folder holding the package (used in place when its path already matches the module name,
otherwise copied under the module's name). :func:`floorsim.simulations.regression.worker.run_sides` then runs each in a
Python process whose ``PYTHONPATH`` starts with that folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path, PurePosixPath

import yaml

import floorsim.country_packages as bundled_packages
from floorsim.simulations.regression.errors import DiffError
from floorsim.simulations.regression.rules import describe_files

# The folder holding the ``floorsim`` package: floorsim's checkout, or site-packages when floorsim is installed.
ENGINE_ROOT = Path(__file__).resolve().parents[3]
# The package holding floorsim's own country packages, as module path parts: ("floorsim", "country_packages").
BUNDLED = tuple(bundled_packages.__name__.split("."))
# Where they lived before floorsim moved into one namespace (issue 22): older revisions and checkouts hold them here.
LEGACY_BUNDLED = ("country_packages",)


@dataclasses.dataclass
class Side:
    """One version of the package: where its floorsim.yaml is, and the folder its modules import from."""

    ref: str
    label: str
    yaml: Path
    pythonpath: Path
    package_dir: Path
    commit: str | None = None
    bundled: bool = False  # the package is one of floorsim's own (under floorsim.country_packages)

    def files(self) -> dict[str, str]:
        files = describe_files(self.package_dir)
        if not self.yaml.resolve().is_relative_to(self.package_dir.resolve()):
            files[self.yaml.name] = hashlib.sha256(self.yaml.read_bytes()).hexdigest()
        return files


def _module_parts(text: str, where: str) -> list[str]:
    """Module path (as a list) of the TaxBenefitSystem class named by a floorsim.yaml's text."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise DiffError(f"{where}: not valid YAML: {error}") from None
    dotted = raw.get("tax_benefit_system") if isinstance(raw, dict) else None
    if not isinstance(dotted, str) or "." not in dotted:
        raise DiffError(f"{where}: 'tax_benefit_system' must be the dotted path of a TaxBenefitSystem class")
    return dotted.rpartition(".")[0].split(".")


def _prefix_length(folder_parts: tuple[str, ...], module: list[str]) -> int:
    """k such that the folder is the package ``module[:k]`` (its path ends with those names), else 0."""
    for k in range(len(module), 0, -1):
        if len(folder_parts) >= k and tuple(folder_parts[-k:]) == tuple(module[:k]):
            return k
    return 0


def _is_bundled(module: list[str]) -> bool:
    """True for a module inside floorsim's own namespace: the worker must take the engine from the running floorsim
    and only the country packages from the side's folder."""
    return tuple(module[: len(BUNDLED)]) == BUNDLED


def _package_dir(root: Path, module: list[str]) -> Path:
    """The deepest folder of ``root/module...`` that exists (the package holding the TaxBenefitSystem)."""
    path = root
    for part in module:
        if not (path / part).is_dir():
            break
        path = path / part
    return path


def country_relative_path(country: str) -> PurePosixPath:
    """``floorsim/country_packages/NAME/floorsim.yaml`` for a name; the path itself for a ``.yaml`` path."""
    return country_relative_paths(country)[0]


def country_relative_paths(country: str) -> tuple[PurePosixPath, ...]:
    """Where a repository may hold the country's floorsim.yaml, in order: the path itself for a ``.yaml`` path; for a
    name, ``floorsim/country_packages/NAME/floorsim.yaml``, then the same path without the leading ``floorsim/``
    (checkouts and revisions from before the ``floorsim`` namespace)."""
    if Path(country).suffix in (".yaml", ".yml"):
        return (PurePosixPath(Path(country).as_posix()),)
    return tuple(PurePosixPath(*parts, country, "floorsim.yaml") for parts in (BUNDLED, LEGACY_BUNDLED))


def resolve_directory(ref: str, country: str, workdir: Path) -> Side:
    """A folder holding a version of the package: the package folder itself (with its floorsim.yaml), or a checkout
    holding it at the country's path (``floorsim/country_packages/NAME/floorsim.yaml``)."""
    folder = Path(ref).resolve()
    if (folder / "floorsim.yaml").is_file():
        yaml_path = folder / "floorsim.yaml"
    else:
        relative = Path(country)
        candidates = [relative] if relative.is_absolute() and relative.suffix in (".yaml", ".yml") else [
            folder / path for path in country_relative_paths(country)
        ]
        yaml_path = next((path for path in candidates if path.is_file()), candidates[0])
        if not yaml_path.is_file():
            raise DiffError(
                f"'{ref}' holds neither a floorsim.yaml nor {country_relative_path(country)}: give the package "
                "folder, a checkout of the repository, or a git revision"
            )
    module = _module_parts(yaml_path.read_text(encoding="utf-8"), str(yaml_path))
    package_folder = yaml_path.parent
    k = _prefix_length(package_folder.parts, module)
    if k:
        root = package_folder.parents[k - 1]
    elif (package_folder / module[0]).is_dir() or (package_folder / f"{module[0]}.py").is_file():
        root = package_folder
    elif not (package_folder / "__init__.py").is_file():
        raise DiffError(
            f"{yaml_path}: the module {'.'.join(module)} is neither this folder nor beside it; floorsim diff compares "
            "versions of packages whose source is in the folder (not packages installed from an index)"
        )
    else:
        # A copy of the package under another name: recreate the module's folders around it.
        inside = (package_folder / f"{module[-1]}.py").is_file() or (package_folder / module[-1] / "__init__.py").is_file()
        names = module[:-1] if inside and len(module) > 1 else module
        root = workdir / "tree"
        target = root.joinpath(*names)
        shutil.copytree(package_folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for depth in range(1, len(names)):
            (root.joinpath(*names[:depth]) / "__init__.py").touch()
        yaml_path = target / "floorsim.yaml"
    return Side(ref, str(Path(ref)), yaml_path, root, _package_dir(root, module), bundled=_is_bundled(module))


def _git(repo: Path, *args: str) -> bytes:
    completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(f"git {' '.join(args)} failed in {repo}: {message[-1] if message else 'unknown error'}")
    return completed.stdout


def repository_root(repo: str | Path | None) -> Path:
    """The git repository revisions are read from: ``repo``, else the one holding the current folder, else
    floorsim's own checkout."""
    for candidate in ([Path(repo)] if repo else [Path.cwd(), ENGINE_ROOT]):
        completed = subprocess.run(
            ["git", "-C", str(candidate), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
        )
        if completed.returncode == 0:
            return Path(completed.stdout.strip())
        if repo:
            raise DiffError(f"--repo {repo} is not a git repository")
    raise DiffError("not inside a git repository: give --repo PATH, or compare two folders")


def resolve_revision(ref: str, country: str, repo: Path, workdir: Path) -> Side:
    """A git revision: extract the package's top-level folder and its floorsim.yaml with ``git archive``."""
    check = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True, text=True, check=False,
    )
    if check.returncode != 0:
        raise DiffError(f"'{ref}' is neither a folder nor a revision of the git repository {repo}")
    commit = check.stdout.strip()
    candidates = country_relative_paths(country)
    if Path(country).is_absolute():
        try:
            candidates = (PurePosixPath(Path(country).resolve().relative_to(repo.resolve()).as_posix()),)
        except ValueError:
            raise DiffError(f"--country {country} is not inside the repository {repo}") from None
    for relative_yaml in candidates:
        try:
            text = _git(repo, "show", f"{commit}:{relative_yaml}").decode("utf-8")
            break
        except DiffError:
            continue
    else:
        raise DiffError(f"revision '{ref}' ({commit[:9]}) has no {candidates[0]}") from None
    module = _module_parts(text, f"{ref}:{relative_yaml}")
    folder = relative_yaml.parent
    k = _prefix_length(folder.parts, module)
    root = folder.parents[k - 1] if k else folder
    # floorsim's own packages: the country packages only, never the revision's engine (floorsim/simulations...).
    top = PurePosixPath(*module[: len(BUNDLED)]) if _is_bundled(module) else PurePosixPath(module[0])
    paths = sorted({str(root / top) if str(root) != "." else str(top), str(relative_yaml)})
    tree = workdir / "tree"
    tree.mkdir(parents=True)
    archive = _git(repo, "archive", "--format=tar", commit, "--", *paths)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tree, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tar.extractall(tree)
    pythonpath = tree / root
    return Side(ref, f"{ref} ({commit[:9]})", tree / relative_yaml, pythonpath, _package_dir(pythonpath, module), commit,
                bundled=_is_bundled(module))


def resolve_side(ref: str, country: str, repo: str | Path | None, workdir: Path) -> Side:
    """A folder if ``ref`` is one, else a git revision of the repository."""
    workdir.mkdir(parents=True, exist_ok=True)
    if Path(ref).is_dir():
        return resolve_directory(ref, country, workdir)
    return resolve_revision(ref, country, repository_root(repo), workdir)
