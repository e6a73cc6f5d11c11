"""Logging in from the command line, once for every command.

`logged_in(args)` opens the database of `--db` as the user of `--user` /
`GRIDVISIT_USER` (see `core.login_plan.default_user`), with the password from
`GRIDVISIT_PASSWORD` or a prompt, and disposes of it afterwards. `run` calls a
command's handler and turns the project's errors into a Chinese message on stderr
and exit code 1 (docs/architecture.md#the-command-line).

Nothing heavy is imported at module level: the parser imports this module.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gridvisit.core.errors import GridVisitError

if TYPE_CHECKING:
    from gridvisit.core.auth import Login, LoginThrottle
    from gridvisit.core.records import Actor
    from gridvisit.core.services import Services
    from gridvisit.storage.engine import Database

log = logging.getLogger("gridvisit")


def secret(env: str, prompt: str) -> str:
    """A password: from the environment variable `env`, else asked in a terminal."""
    import getpass
    import os

    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise GridVisitError(
        "需要密码,但没有提供。", hint=f"请设置环境变量 {env},或在终端里交互运行以输入密码。"
    )


def explicit_user(args: argparse.Namespace) -> str | None:
    """The user named by `--user` or GRIDVISIT_USER, if any."""
    import os

    return getattr(args, "user", None) or os.environ.get("GRIDVISIT_USER") or None


def username(args: argparse.Namespace, target: str | Path) -> str:
    """Who logs in to `target`: the shared decision of the window and the commands."""
    from gridvisit.core.login_plan import default_user

    return default_user(target, explicit_user(args))


def throttle() -> LoginThrottle:
    from gridvisit.core.auth import default_throttle

    return default_throttle()


def login(args: argparse.Namespace, target: str | Path, *, create: bool = False) -> Login:
    """Log in to `target` (creating it, with its first admin, if `create` and missing).
    The caller disposes of the database; `logged_in` does that for you."""
    from gridvisit.core.auth import create_database, ensure_first_admin
    from gridvisit.core.auth import login as log_in
    from gridvisit.core.login_plan import Step, plan_login
    from gridvisit.storage.engine import check_database_file
    from gridvisit.storage.location import warning_for

    text = str(target)
    encrypted = not getattr(args, "no_encryption", False)
    if "://" not in text and (where := warning_for(Path(text))):
        print(f"注意:{where}", file=sys.stderr)
    plan = plan_login(text, create=create, user=explicit_user(args))
    user = plan.user
    if plan.step is Step.CREATE:
        assert plan.path is not None
        password = secret("GRIDVISIT_PASSWORD", f"为新数据库的管理员 {user} 设置密码:")
        made = create_database(plan.path, user, user, password, encrypted=encrypted)
        print(
            f"已新建{'加密' if encrypted else '未加密'}数据库 {text},管理员 {user}。",
            file=sys.stderr,
        )
        return made
    if plan.step is Step.MISSING:
        assert plan.path is not None
        check_database_file(plan.path)  # says it is missing, before asking for a password
    password = secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
    if create and plan.path is None:
        ensure_first_admin(text, user, user, password, create=True)
    session = log_in(text, user, password, encrypted=encrypted, throttle=throttle())
    for warning in session.warnings:
        print(f"注意:{warning}", file=sys.stderr)
    return session


def refuse_server(target: str | Path, what: str, instead: str) -> None:
    """Commands that work on a database file only: on a server URL, say what to use
    instead (exit 1) before logging in, so nothing is written, not even a login."""
    if "://" in str(target):
        raise GridVisitError(f"{what}只适用于数据库文件,不适用于街道服务器。", hint=instead)


PG_BACKUP_HINT = (
    "服务器数据库请在服务器上用 PostgreSQL 自带的工具备份和恢复:"
    "pg_dump -Fc -f gridvisit-$(date +%F).dump 数据库名 备份,"
    "pg_restore --clean --if-exists -d 数据库名 备份文件 恢复(见 README 的“街道服务器”一节)。"
)


class Session:
    """A logged-in command: the login and the services acting as its user."""

    def __init__(self, login: Login) -> None:
        self.login = login

    @property
    def db(self) -> Database:
        return self.login.db

    @property
    def actor(self) -> Actor:
        return self.login.actor

    @cached_property
    def services(self) -> Services:
        return services_for(self.login)


def services_for(login: Login) -> Services:
    from gridvisit.core.services import ServiceContext, Services

    return Services(ServiceContext(login.db, login.actor))


@contextmanager
def logged_in(
    args: argparse.Namespace, target: str | Path | None = None, *, create: bool = False
) -> Iterator[Session]:
    """Log in to `target` (default `--db`) for the `with` block, then dispose."""
    made = login(args, args.db if target is None else target, create=create)
    try:
        yield Session(made)
    finally:
        made.db.dispose()


def report(exc: GridVisitError) -> int:
    """A known problem: its message and hint on stderr, exit code 1."""
    print(f"错误:{exc.message}", file=sys.stderr)
    if exc.hint:
        print(exc.hint, file=sys.stderr)
    return 1


def run(
    handler: Callable[[argparse.Namespace], int], args: argparse.Namespace, logfile: Path | None
) -> int:
    """Run a command: its exit code; 1 for a known problem, 130 when interrupted, 3
    (logged with its trace) for anything else, which is a bug."""
    try:
        return handler(args)
    except GridVisitError as exc:
        return report(exc)
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in command %s", getattr(args, "command", None))
        where = f",详情已记录在 {logfile}" if logfile else ""
        print(f"程序内部错误{where}。请把该文件发给技术支持。", file=sys.stderr)
        return 3


def setup_logging() -> Path | None:
    """Log to gridvisit.log in the user's log folder. Returns the file, if it opened."""
    try:
        from gridvisit.paths import log_dir

        logfile = log_dir() / "gridvisit.log"
        handler: logging.Handler = logging.FileHandler(logfile, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logfile
