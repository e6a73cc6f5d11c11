"""Packages between laptops and the sub-district: `export`, `merge`, `export-return`."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db
from gridvisit.core.errors import GridVisitError

log = logging.getLogger("gridvisit")


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="导出数据包(交街道)",
        description="把本机数据导出为数据包(zip),交街道合并。默认只含上次导出后的改动。",
    )
    add_db(export)
    export.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="文件",
        help="输出文件(.zip);与 --per-grid 同用时为文件夹",
    )
    export.add_argument("--full", action="store_true", help="导出全部数据,而不只是上次导出后的改动")
    export.add_argument(
        "--per-grid", action="store_true", help="每个网格一个数据包,写入 -o 指定的文件夹"
    )
    export.set_defaults(handler=_cmd_export)

    merge = sub.add_parser(
        "merge",
        help="合并数据包",
        description="把数据包合并进数据库(不存在时自动创建)。每个数据包要么全部合并,要么完全不合并。",
    )
    add_db(merge, "目标数据库文件,或 postgresql+psycopg://… 地址", metavar="路径或URL")
    merge.add_argument(
        "--recheck",
        action="store_true",
        help="已合并过的同一文件也逐条重新核对(默认直接跳过,结果相同)",
    )
    merge.add_argument(
        "packages", nargs="+", type=Path, metavar="数据包", help="一个或多个数据包文件"
    )
    merge.set_defaults(handler=_cmd_merge)

    ret = sub.add_parser(
        "export-return",
        help="导出回传包(街道→网格)",
        description="在街道数据库上,为一个网格导出回传包:组织架构、该网格的问题及其流转记录和状态。",
    )
    add_db(ret, "街道数据库", metavar="路径或URL")
    ret.add_argument("--grid", required=True, metavar="网格", help="网格名称")
    ret.add_argument("--community", metavar="社区", help="网格重名时指明社区")
    ret.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.zip", help="输出文件"
    )
    ret.add_argument("--device", metavar="电脑", help="回传给哪台已登记的电脑(名称或编号)")
    ret.set_defaults(handler=_cmd_export_return)


def _cmd_export(args: argparse.Namespace) -> int:
    from gridvisit.exchange.records import ENTITY_LABELS

    started = time.perf_counter()
    with session.logged_in(args) as s:
        exchange = s.services.exchange
        if args.per_grid:
            results = exchange.export_per_grid(
                args.output, full=args.full, progress=lambda msg: print(msg, file=sys.stderr)
            )
        else:
            results = [exchange.export_package(args.output, full=args.full)]
    since = results[0].since if results else None
    print(
        f"已导出 {len(results)} 个数据包(已加密并签名)"
        + (f",自 {since:%Y-%m-%d %H:%M} 起的改动" if since else ",全部数据")
    )
    for r in results:
        counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in r.counts.items()) or "无改动"
        print(f"  {r.path}:{counts}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    failed = broken = 0
    totals: dict[str, int] = {}
    with session.logged_in(args, create=True) as s:
        exchange = s.services.exchange
        for i, path in enumerate(args.packages):
            # One backup before the batch: the state the user would go back to.
            backup = i == 0
            try:
                # Grid packages at the sub-district, its return packages on a laptop.
                package, stats = exchange.merge(path, recheck=args.recheck, backup=backup)
            except GridVisitError as exc:
                failed += 1
                print(f"{path.name}:未合并。{exc.message}", file=sys.stderr)
                if exc.hint:
                    print(f"  {exc.hint}", file=sys.stderr)
                continue
            except Exception:  # a bug: logged, and the rest of the batch still merges
                log.exception("unexpected error merging %s", path)
                failed += 1
                broken += 1
                print(f"{path.name}:未合并。程序内部错误,详情已记入日志。", file=sys.stderr)
                continue
            print(f"{path.name}({package.manifest.grid_names}):{stats.summary()}")
            for key, value in stats.as_dict().items():
                totals[key] = totals.get(key, 0) + value
    merged = len(args.packages) - failed
    print(
        f"合计 {merged} 个数据包:新增 {totals.get('inserted', 0)},更新 {totals.get('updated', 0)},"
        f"未变 {totals.get('unchanged', 0)},冲突 {totals.get('conflicts', 0)},"
        f"疑似重复 {totals.get('duplicates', 0)}"
    )
    if totals.get("conflicts") or totals.get("duplicates"):
        print("冲突和疑似重复已记录,请在程序的“合并待处理”页面逐条处理。")
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    if failed:
        print(f"有 {failed} 个数据包未合并,见上方说明。", file=sys.stderr)
        return 3 if broken else 1
    return 0


def _cmd_export_return(args: argparse.Namespace) -> int:
    from gridvisit.exchange.records import ENTITY_LABELS

    with session.logged_in(args) as s:
        services = s.services
        scope, name = services.weekly.scope_for(args.community, args.grid)
        assert scope.grid_id is not None  # --grid is required
        result, device = services.exchange.export_return(args.output, scope.grid_id, args.device)
    counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in result.counts.items())
    print(f"已为 {name} 导出回传包:{result.path}(发给 {device.name or device.device_id[:8]})")
    print(f"  {counts}")
    return 0
