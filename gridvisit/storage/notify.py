"""Change notices between app instances on one PostgreSQL server.

Every committed write on a server sends one `NOTIFY` on `CHANNEL` (PostgreSQL
delivers it at commit, and not at all on a rollback). The payload is JSON and holds
no personal data: the kinds of data that changed and local integer keys only —

    {"src": "<the sending Database's instance id>",
     "h": [household ids], "g": [building group ids], "p": [problem ids],
     "f": ["visits", "problem_list", "household_list", "hierarchy"],
     "all": true}          # a merge or an import, or a payload too big to list

A `ChangeListener` (a thread with its own psycopg connection, `LISTEN`) hands each
notice to a callback; the window turns it into its `Changes` hub (gridvisit/ui/remote.py).
SQLite has none of this: two windows cannot share a file. See
docs/architecture.md#several-staff-at-once.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemEvent,
    Resident,
    Visit,
)

log = logging.getLogger(__name__)

CHANNEL = "gridvisit_changes"
MAX_PAYLOAD = 7000  # PostgreSQL's limit is 8000 bytes; above this, say "everything"
RECONNECT_S = 2.0
FLAGS = ("visits", "problem_list", "household_list", "hierarchy")


@dataclass
class Notice:
    """What one transaction changed, gathered at each flush (`collect`)."""

    households: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)
    problems: set[int] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    everything: bool = False
    flushed: bool = False  # anything went through the ORM (a merge always adds its log)

    def empty(self) -> bool:
        return not (
            self.households or self.groups or self.problems or self.flags or self.everything
        )

    def payload(self, source: str) -> str:
        if self.everything:
            return json.dumps({"src": source, "all": True})
        out = json.dumps(
            {
                "src": source,
                "h": sorted(self.households),
                "g": sorted(self.groups),
                "p": sorted(self.problems),
                "f": sorted(self.flags),
            },
            separators=(",", ":"),
        )
        if len(out) > MAX_PAYLOAD:
            return json.dumps({"src": source, "all": True})
        return out


def _values(obj: Any, attr: str) -> list[int]:
    """The attribute's value now and before this flush (a move changes a group)."""
    state = inspect(obj)
    history = state.attrs[attr].history
    found = [getattr(obj, attr), *history.deleted]
    return [v for v in found if isinstance(v, int)]


def _changed(obj: Any, attr: str) -> bool:
    return bool(inspect(obj).attrs[attr].history.deleted)


def collect(session: Session, _flush_context: Any) -> None:
    """`after_flush` hook: add what the flush wrote to the session's `Notice`
    (new, dirty and deleted still show the flushed state here)."""
    notice: Notice | None = session.info.get("notice")
    if notice is None:
        return
    notice.flushed = True
    new, deleted = set(session.new), set(session.deleted)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Household):
            notice.households.add(obj.id)
            notice.groups.update(_values(obj, "building_group_id"))
            if (
                obj in new
                or obj in deleted
                or any(_changed(obj, a) for a in ("building_group_id", "archived"))
            ):
                notice.flags.add("household_list")
        elif isinstance(obj, Resident):
            notice.households.update(_values(obj, "household_id"))
        elif isinstance(obj, Visit):
            notice.households.update(_values(obj, "household_id"))
            notice.flags.add("visits")
        elif isinstance(obj, Problem):
            notice.problems.add(obj.id)
            notice.households.update(_values(obj, "household_id"))
            notice.groups.update(_values(obj, "building_group_id"))
            if obj in new or obj in deleted:
                notice.flags.add("problem_list")
        elif isinstance(obj, ProblemEvent):
            notice.problems.add(obj.problem_id)
        elif isinstance(obj, Community | Grid | BuildingGroup):
            notice.flags.add("hierarchy")


def send(session: Session, source: str) -> None:
    """Before the commit of a write on a server: the notice, with the building groups
    of the households named (the tree's counts), sent by `pg_notify` inside the
    transaction so that it goes out with the commit or not at all."""
    notice: Notice | None = session.info.get("notice")
    if notice is None:
        return
    session.flush()
    if notice.empty() or (notice.everything and not notice.flushed):
        # A merge that wrote nothing (the same file again) adds no merge log either.
        return
    unknown = notice.households - {0}
    if unknown and not notice.everything:
        notice.groups.update(
            gid
            for gid in session.scalars(
                select(Household.building_group_id).where(Household.id.in_(sorted(unknown)))
            )
            if gid is not None
        )
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": notice.payload(source)},
    )


def parse(payload: str) -> dict[str, Any] | None:
    """A notice's payload as sent by `send`; None for anything else on the channel."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("src"), str):
        return None
    out: dict[str, Any] = {"src": data["src"], "all": data.get("all") is True}
    for key in ("h", "g", "p"):
        values = data.get(key, [])
        out[key] = (
            frozenset(v for v in values if isinstance(v, int))
            if isinstance(values, list)
            else frozenset()
        )
    flags = data.get("f", [])
    out["f"] = frozenset(f for f in flags if f in FLAGS) if isinstance(flags, list) else frozenset()
    return out


class ChangeListener:
    """A thread that LISTENs on the server with its own connection and calls
    `on_notice(parsed)` for every notice another app instance sent (its own ones,
    `source`, are skipped: that window has refreshed already). After a lost
    connection it reconnects and reports `{"all": True}`: notices may have been
    missed meanwhile."""

    def __init__(
        self,
        connect: Callable[[], Any],
        source: str,
        on_notice: Callable[[dict[str, Any]], None],
    ) -> None:
        self._connect = connect
        self.source = source
        self.on_notice = on_notice
        self._stop = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gridvisit-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _deliver(self, data: dict[str, Any]) -> None:
        try:
            self.on_notice(data)
        except RuntimeError:  # the receiver is gone (a window deleted unclosed)
            log.warning("change listener's receiver is gone; stopping", exc_info=True)
            self._stop.set()
        except Exception:  # a bug in the receiver: report it, keep listening
            log.exception("change notice handler failed")

    def _run(self) -> None:
        missed = False
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except Exception as exc:  # the server is down or unreachable: try again
                log.warning("change listener cannot connect: %s", exc)
                self._stop.wait(RECONNECT_S)
                missed = True
                continue
            try:
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                if missed:
                    self._deliver({"src": "", "all": True})
                    missed = False
                while not self._stop.is_set():
                    for note in conn.notifies(timeout=0.5):
                        data = parse(note.payload)
                        if data is not None and data["src"] != self.source:
                            self._deliver(data)
            except Exception as exc:  # the connection broke: reconnect
                if self._stop.is_set():
                    break
                log.warning("change listener lost its connection: %s", exc)
                self.listening.clear()
                missed = True
                self._stop.wait(RECONNECT_S)
            finally:
                try:
                    conn.close()
                except Exception:  # closing a broken connection may fail too
                    log.debug("closing the listener's connection failed", exc_info=True)
