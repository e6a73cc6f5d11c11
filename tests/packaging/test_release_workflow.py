"""The release workflow (.github/workflows/release.yml): valid by the workflow schema,
and running the same steps as `make bundle` / `make bundle-smoke` (tools/bundle.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
LINT = [
    str(Path(sysconfig.get_path("scripts")) / "check-jsonschema"),
    "--builtin-schema",
    "vendor.github-workflows",
]


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LINT, str(path)], capture_output=True, text=True, timeout=120)


def _workflow() -> dict[str, Any]:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def _run_lines(job: dict[str, Any]) -> list[str]:
    return [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines()]


def test_the_workflow_passes_the_linter_of_make_lint() -> None:
    result = _lint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check-jsonschema --builtin-schema vendor.github-workflows" in (
        ROOT / "Makefile"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        (lambda t: t.replace("    runs-on: ${{ matrix.os }}\n", ""), "runs-on"),
        (lambda t: t.replace("      - uses: actions/checkout@v4", "      - usez: x", 1), "usez"),
        (lambda t: t.replace("timeout-minutes: 60", "timeout-minutes: soon"), "soon"),
    ],
    ids=["job-without-runs-on", "misspelt-step-key", "wrong-type"],
)
def test_the_linter_fails_on_a_broken_workflow(tmp_path: Path, broken: Any, why: str) -> None:
    text = broken(WORKFLOW.read_text(encoding="utf-8"))
    assert text != WORKFLOW.read_text(encoding="utf-8")
    path = tmp_path / "release.yml"
    path.write_text(text, encoding="utf-8")
    result = _lint(path)
    assert result.returncode == 1, result.stdout
    assert "validation errors" in result.stdout


def test_windows_and_linux_build_with_the_make_bundle_smoke_steps() -> None:
    flow = _workflow()
    job = flow["jobs"]["bundle"]
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "ubuntu-latest"}
    assert job["env"]["QT_QPA_PLATFORM"] == "offscreen"
    lines = _run_lines(job)
    assert 'python -m pip install -e ".[dev,build]"' in lines  # from pyproject.toml
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    # What `make bundle-smoke` runs, the workflow runs (the budget is the script's default).
    for step in ("build", "smoke"):
        assert f"python tools/bundle.py {step}" in lines
        assert re.search(rf"^\t\$\(PY\) tools/bundle\.py {step}\b", makefile, re.M), step
    assert "python tools/bundle.py zip" in lines
    assert "python tools/bundle.py installer" in lines
    installer = next(s for s in job["steps"] if "installer" in s.get("run", ""))
    assert installer["if"] == "runner.os == 'Windows'"
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert any(u["with"]["path"].strip() == "dist/gridvisit/" for u in uploads)


def test_a_tag_attaches_the_zips_and_the_installer_to_a_release() -> None:
    flow = _workflow()
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on["push"]["tags"] == ["v*"]
    release = flow["jobs"]["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/')"
    assert release["needs"] == "bundle"
    assert release["permissions"] == {"contents": "write"}
    assert any(
        line.startswith('gh release create "$GITHUB_REF_NAME" out/*')
        for line in _run_lines(release)
    )
    assert flow["permissions"] == {"contents": "read"}  # only the release job may write


def _tool() -> Any:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import bundle
    finally:
        sys.path.pop(0)
    return bundle


def test_the_bundle_script_names_what_build_spec_makes() -> None:
    bundle = _tool()
    name, version = bundle.project()
    assert (name, version) == ("gridvisit", __import__("gridvisit").__version__)
    assert bundle.executables(name, "win32") == ("gridvisit.exe", "gridvisit-cli.exe")
    assert bundle.executables(name, "linux") == ("gridvisit", "gridvisit")
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert 'executable(f"{NAME}-cli", console=True)' in spec
    assert "executable(NAME, console=not WINDOWS)" in spec
    assert bundle.zip_name(name, version, "win32") == f"gridvisit-{version}-windows.zip"
    assert bundle.zip_name(name, version, "linux") == f"gridvisit-{version}-linux.zip"


def test_the_installer_gets_the_package_version() -> None:
    bundle = _tool()
    cmd = bundle.iscc_command("ISCC.exe", "9.8.7")
    assert "/DAppVersion=9.8.7" in cmd
    assert Path(cmd[-1]) == ROOT / "packaging" / "windows" / "gridvisit.iss"


def test_smoke_refuses_a_missing_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = _tool()
    monkeypatch.setattr(bundle, "DIST", tmp_path)
    assert bundle.smoke(200) == 1
