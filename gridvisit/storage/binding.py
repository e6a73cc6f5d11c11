"""Which computer and file a database's device identity belongs to.

A database carries its device id and key pair inside the file, so a copy carries
them too: two laptops made from one file would sign as one device. Each database
therefore also stores a *binding*: a hash of its device id, this computer's machine
id and the file's full path. A copy, opened on another computer or under another
path, computes a different binding. The exchange then refuses to sign anything
(export, return package, public key file) until someone says which it is: a copy,
which gets a new identity of its own (`keys new-identity`), or the same device whose
file was moved or restored (`keys confirm-device`). Nothing is changed on its own:
a sub-district database moved to a new server must keep the identity its laptops
encrypt to.

The binding is written the first time a database without one is opened (a new file,
or one from before this check): trust on first use. It needs neither a network nor
anything outside the file besides the machine id the operating system keeps.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from functools import cache
from pathlib import Path

BINDING_KEY = "device.binding"


@cache
def machine_id() -> str:
    """The operating system's id of this computer (not of the user), or its host name
    when there is none: stable across reboots and user accounts."""
    if sys.platform == "win32":
        try:
            import winreg

            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE,
                r"SOFTWARE\Microsoft\Cryptography",
                0,
                winreg.KEY_READ | winreg.KEY_WOW64_64KEY,
            ) as key:
                value, _kind = winreg.QueryValueEx(key, "MachineGuid")
                return f"win:{value}"
        except OSError:
            pass
    elif sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
            for line in out.splitlines():
                if "IOPlatformUUID" in line:
                    return "mac:" + line.split("=")[-1].strip().strip('"')
        except (OSError, subprocess.SubprocessError):
            pass
    else:
        for name in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            try:
                value = Path(name).read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError):
                continue
            if value:
                return f"linux:{value}"
    return f"host:{socket.gethostname()}"


def binding_for(device_id: str, path: Path) -> str:
    where = os.path.normcase(str(Path(path).resolve()))
    text = "\0".join(("gridvisit-device-binding-v1", device_id, machine_id(), where))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
