"""Screenshots of the exchange-trust dialogs (issue 15) at their real sizes, for a
1366x768 screen: registered computers, a computer's area, this computer's identity,
and a laptop's audit trail at the sub-district.

Usage: .venv/bin/python docs/make_trust_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    from PySide6.QtTest import QTest

    from gridvisit import app as app_module
    from gridvisit.demo.generate import generate_demo
    from gridvisit.exchange import keys
    from gridvisit.exchange.export import export_package
    from gridvisit.storage import open_database
    from gridvisit.ui.dialogs.devices import AreaDialog, DevicesDialog, IdentityDialog
    from gridvisit.ui.dialogs.security import AuditDialog

    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="gv-trust-"))
    generate_demo(tmp / "sub.db", households=2000, seed=1)
    _qapp, _translators = app_module.create_qt_app([])
    sub = open_database(tmp / "sub.db")
    services = app_module.build_services(sub)
    communities = services.hierarchy.communities()
    grids = services.hierarchy.grids(communities[0].id)
    # Three laptops made from the demo: each a device of its own, one per area.
    for n, (name, area) in enumerate(
        (
            ("城东社区第一网格电脑", ([(communities[0].name, grids[0].name)], [])),
            ("西池社区电脑", ([], [communities[1].name])),
            ("城东社区第二网格电脑", ([(communities[0].name, grids[1].name)], [])),
        )
    ):
        shutil.copy(tmp / "sub.db", tmp / f"l{n}.db")
        laptop = open_database(tmp / f"l{n}.db")
        keys.new_identity(laptop)
        keys.trust_subdistrict(laptop, keys.identity(sub).public("同安街道"))
        keys.write_public_file(laptop, tmp / f"l{n}.pub", name)
        services.keys.register_device(tmp / f"l{n}.pub", *area)
        if n == 0:
            sealer = keys.export_sealer(laptop)
            grid_ids = {grids[0].id}
            path = export_package(laptop, tmp / "p.gvpkg", grid_ids=grid_ids, sealer=sealer).path
            services.exchange.merge_file(path, backup=False)
            first = laptop.device_id
        laptop.dispose()
    services.keys.revoke_device("城东社区第二网格电脑")
    keys.flag_device(
        sub, first, "电脑“城东社区第一网格电脑”的操作日志被改写或截断:第 2 条与街道已保存的不同。"
    )

    dialog = DevicesDialog(services)
    dialog.show()
    dialog.table.selectRow(0)
    QTest.qWait(100)
    dialog.grab().save(str(OUT / "devices-dialog.png"))

    area = AreaDialog(services, dialog.model.rows()[0])
    area.show()
    QTest.qWait(100)
    area.grab().save(str(OUT / "device-area-dialog.png"))
    area.reject()

    trail = AuditDialog(services, device=first)
    trail.show()
    QTest.qWait(100)
    trail.grab().save(str(OUT / "audit-device-trail.png"))
    trail.reject()
    dialog.reject()

    sub.backup_to(tmp / "copy.db")  # a copy, as someone would carry to another laptop
    copy = open_database(tmp / "copy.db")
    identity = IdentityDialog(app_module.build_services(copy))
    identity.show()
    QTest.qWait(100)
    identity.grab().save(str(OUT / "identity-dialog.png"))
    identity.reject()
    copy.dispose()
    sub.dispose()
    print(f"saved to {OUT}")


if __name__ == "__main__":
    main()
