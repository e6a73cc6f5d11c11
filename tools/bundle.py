"""Build, smoke-test and package the standalone bundle; the one script that both
`make bundle` / `make bundle-smoke` and the release workflow
(.github/workflows/release.yml) run, so what CI does on Windows is what a developer
does on Linux.

    python tools/bundle.py build                 # .qm catalogue, then PyInstaller build.spec
    python tools/bundle.py smoke [--budget-mib N] # the bundled --self-test offscreen, size budget
    python tools/bundle.py zip                   # dist/gridvisit-VERSION-OS.zip of the folder
    python tools/bundle.py installer             # Windows: Inno Setup, dist/gridvisit-VERSION-setup.exe

Run it with the Python of the environment the project is installed in (.venv): it
finds pyside6-lrelease and PyInstaller beside that interpreter.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
ISS = ROOT / "packaging" / "windows" / "gridvisit.iss"
DEFAULT_BUDGET_MIB = 200
# Where Chocolatey's `innosetup` package (preinstalled on hosted Windows runners) and
# the Inno Setup installer put the compiler, when it is not on PATH.
ISCC_CANDIDATES = (
    r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
    r"C:\Program Files\Inno Setup 6\ISCC.exe",
)


def project() -> tuple[str, str]:
    """Name and version, from pyproject.toml as build.spec reads them."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return meta["name"], meta["version"]


def os_label(platform: str = sys.platform) -> str:
    return {"win32": "windows", "darwin": "macos"}.get(platform, "linux")


def executables(name: str, platform: str = sys.platform) -> tuple[str, str]:
    """(the one double-clicked, the one with a console) as build.spec names them."""
    if platform == "win32":
        return f"{name}.exe", f"{name}-cli.exe"
    return name, name


def bundle_dir(name: str) -> Path:
    return DIST / name


def scripts_dir() -> Path:
    return Path(sysconfig.get_path("scripts"))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(scripts_dir())) or shutil.which(name)
    if not found:
        sys.exit(f"{name} not found beside {sys.executable}: install the project with .[build]")
    return found


def size_mib(folder: Path) -> int:
    total = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return total // (1 << 20)


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def build() -> int:
    name, _version = project()
    ts = ROOT / "resources" / "translations" / f"{name}_zh_CN.ts"
    qm = ts.with_suffix(".qm")
    if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
        run([_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)])
    start = time.monotonic()
    pyinstaller = [sys.executable, "-m", "PyInstaller", "build.spec"]
    run([*pyinstaller, "--noconfirm", "--clean", "--log-level", "WARN"])
    folder = bundle_dir(name)
    print(
        f"bundle: {folder.relative_to(ROOT)} built in {time.monotonic() - start:.0f} s, "
        f"{size_mib(folder)} MiB"
    )
    return 0


def smoke(budget_mib: int) -> int:
    name, _version = project()
    folder = bundle_dir(name)
    gui, cli = executables(name)
    missing = [exe for exe in {gui, cli} if not (folder / exe).is_file()]
    if missing:
        print(f"bundle {folder} lacks {', '.join(missing)}: run `tools/bundle.py build`")
        return 1
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The console executable: the windowed one would show its report in a dialog.
    result = subprocess.run([str(folder / cli), "--self-test"], env=env, cwd=ROOT)
    if result.returncode != 0:
        print(f"self-test of the bundle failed (exit {result.returncode})", file=sys.stderr)
        return 1
    size = size_mib(folder)
    if size > budget_mib:
        print(f"bundle is {size} MiB, over the {budget_mib} MiB budget", file=sys.stderr)
        return 1
    print(f"bundle size {size} MiB (budget {budget_mib} MiB)")
    return 0


def zip_name(name: str, version: str, platform: str = sys.platform) -> str:
    return f"{name}-{version}-{os_label(platform)}.zip"


def make_zip() -> int:
    name, version = project()
    base = DIST / zip_name(name, version).removesuffix(".zip")
    # The archive holds the folder itself, so unpacking gives gridvisit/gridvisit.exe.
    archive = shutil.make_archive(str(base), "zip", root_dir=DIST, base_dir=name)
    print(f"zip: {Path(archive).relative_to(ROOT)}, {Path(archive).stat().st_size >> 20} MiB")
    return 0


def iscc_command(iscc: str, version: str) -> list[str]:
    """The installer's version is the package's: passed in, never written in the .iss."""
    return [
        iscc,
        "/Q",
        f"/DAppVersion={version}",
        f"/DBundleDir={bundle_dir(project()[0])}",
        f"/DOutDir={DIST}",
        str(ISS),
    ]


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    return found or next((c for c in ISCC_CANDIDATES if Path(c).is_file()), None)


def installer() -> int:
    _name, version = project()
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup's ISCC.exe not found: install Inno Setup 6 (see README)")
        return 1
    run(iscc_command(iscc, version))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("build")
    s = sub.add_parser("smoke")
    s.add_argument("--budget-mib", type=int, default=DEFAULT_BUDGET_MIB)
    sub.add_parser("zip")
    sub.add_parser("installer")
    args = parser.parse_args(argv)
    if args.step == "build":
        return build()
    if args.step == "smoke":
        return smoke(args.budget_mib)
    if args.step == "zip":
        return make_zip()
    return installer()


if __name__ == "__main__":
    sys.exit(main())
