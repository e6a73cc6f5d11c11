from __future__ import annotations

from gridvisit.display import XCB_PACKAGES, missing_packages, window_problem


def test_missing_xcb_libraries_name_the_exact_install_command() -> None:
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4"}
    problem = window_problem({"DISPLAY": ":0"}, "linux", loads=lambda so: so not in absent)
    assert problem is not None
    assert problem.splitlines()[-1].strip() == (
        "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4"
    )


def test_nothing_to_say_when_everything_is_there_or_not_needed() -> None:
    everything = lambda _so: True  # noqa: E731
    nothing = lambda _so: False  # noqa: E731
    assert window_problem({"DISPLAY": ":0"}, "linux", loads=everything) is None
    # offscreen, Wayland and other systems need none of the xcb libraries
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", loads=nothing) is None
    assert window_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", loads=nothing) is None
    assert window_problem({}, "win32", loads=nothing) is None


def test_no_display_at_all_is_said_before_qt_aborts() -> None:
    problem = window_problem({}, "linux", loads=lambda _so: True)
    assert problem is not None and "DISPLAY" in problem and "offscreen" in problem


def test_every_library_maps_to_one_package() -> None:
    assert len(missing_packages(lambda _so: False)) == len(set(XCB_PACKAGES.values()))
    assert missing_packages(lambda _so: True) == []
