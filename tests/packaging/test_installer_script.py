"""The Inno Setup script (packaging/windows/gridvisit.iss) keeps its promises: per user
without administrator rights, Chinese shortcuts, an uninstaller that leaves the data
folder alone, the package's version. No Windows here: these read the script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridvisit import APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "windows" / "gridvisit.iss"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _text() -> str:
    return ISS.read_bytes().decode("utf-8-sig")


def _sections(text: str) -> dict[str, list[str]]:
    """Section name (lower case) -> its lines, comments and preprocessor lines dropped."""
    out: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = m[1].lower()
            out.setdefault(current, [])
        elif current:
            out[current].append(line)
    return out


def _setup() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in _sections(_text())["setup"])
    return {k.strip().lower(): v.strip() for k, v in pairs}


def test_it_is_utf8_with_a_bom_so_inno_setup_reads_the_chinese() -> None:
    assert ISS.read_bytes().startswith(b"\xef\xbb\xbf")
    assert CJK.search(_text())


def test_it_installs_per_user_without_admin_rights() -> None:
    setup = _setup()
    assert setup["privilegesrequired"] == "lowest"
    assert "privilegesrequiredoverridesallowed" not in setup  # no "install for all users"
    assert setup["defaultdirname"].startswith(("{userpf}", "{localappdata}"))
    # Nothing is written where a standard user may not write.
    for forbidden in (
        "{pf}",
        "{autopf}",
        "{commonpf}",
        "{win}",
        "{sys}",
        "HKLM",
        "{commondesktop}",
    ):
        assert forbidden.lower() not in _text().lower(), forbidden


def test_the_version_is_the_packages_never_written_in_the_script() -> None:
    setup = _setup()
    assert setup["appversion"] == "{#AppVersion}"
    assert "{#AppVersion}" in setup["outputbasefilename"]
    assert __version__ not in _text()
    assert re.search(r"^#ifndef AppVersion\s*\n\s*#error", _text(), re.M)  # no silent default
    assert re.fullmatch(r"\{\{[0-9A-F-]{36}\}", setup["appid"])  # fixed: upgrades find it


def test_shortcuts_in_the_start_menu_and_on_the_desktop_have_chinese_names() -> None:
    text = _text()
    name = re.search(r'#define AppNameZh "([^"]+)"', text)
    assert name is not None and name[1] == "网格走访"
    icons = _sections(text)["icons"]
    start = [i for i in icons if i.startswith('Name: "{group}\\')]
    desktop = [i for i in icons if i.startswith('Name: "{userdesktop}\\')]
    assert any(
        i.startswith('Name: "{group}\\{#AppNameZh}"') and 'Filename: "{app}\\{#AppExe}"' in i
        for i in start
    )
    assert desktop and all("Tasks: desktopicon" in i for i in desktop)
    assert _setup()["defaultgroupname"] == "{#AppNameZh}"
    custom = dict(line.split("=", 1) for line in _sections(text)["custommessages"])
    for key in ("DesktopIcon", "Uninstall", "Launch", "SelfTest", "DataKept"):
        assert CJK.search(custom[key]), key


def test_the_uninstaller_leaves_the_data_folder_alone() -> None:
    text = _text()
    sections = _sections(text)
    assert "uninstalldelete" not in sections
    assert "installdelete" not in sections
    assert "filesandordirs" not in text.lower()
    assert "deltree" not in text.lower()
    # Files go to the program folder only, never to where the data lives.
    for line in sections["files"]:
        assert 'DestDir: "{app}"' in line
    assert not re.search(
        r"\{(localappdata|userappdata|userdocs)\}[^'\n]*\n",
        "\n".join(sections["files"] + sections["icons"] + sections["run"]),
    )


def test_the_data_folder_it_names_is_the_apps_and_outside_the_program_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gridvisit import paths

    local = "C:\\Users\\张 三\\AppData\\Local"
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    folders = paths.folders(platform="win32")
    said = re.search(r"ExpandConstant\('\{localappdata\}(\\[^']+)'\)", _text())
    assert said is not None
    assert folders.data == local + said[1]
    # {userpf} is %LOCALAPPDATA%\Programs: the program folder and the data never overlap.
    program = local + "\\Programs\\" + _setup()["defaultdirname"].removeprefix("{userpf}\\")
    assert not folders.data.startswith(program) and not program.startswith(folders.data)
    assert folders.data.endswith(f"\\{APP_NAME}\\{APP_NAME}")


def test_it_packs_the_executables_build_spec_makes() -> None:
    text = _text()
    assert '#define AppExe "gridvisit.exe"' in text
    assert "gridvisit-cli.exe" in text  # packed with the rest of the folder
    # The self-test shortcut runs the windowed executable: its report comes in a dialog.
    self_test = [i for i in _sections(text)["icons"] if "{cm:SelfTest}" in i]
    assert self_test == [
        'Name: "{group}\\{cm:SelfTest}"; Filename: "{app}\\{#AppExe}"; '
        'Parameters: "--self-test"; WorkingDir: "{app}"'
    ]
    assert 'Source: "{#BundleDir}\\*"' in text
