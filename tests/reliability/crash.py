"""Crash test: a child process saves visits with their problems and prints an ACK line
after each commit; the parent kills it with SIGKILL at a random moment and then
checks the file, the way SQLite's own crash tests do.

After every kill:
- every acknowledged visit is in the database, with exactly its problems;
- no visit exists without all of its problems (a commit is all or nothing);
- `PRAGMA integrity_check` is ok;
- every listed backup passes quick_check (the child also takes backups, so some kills
  land in the middle of one).

The normal test run does a few trials (tests/reliability/test_crash.py). The
dedicated run: `python -m tests.reliability.crash --trials 100` (`make crash-test`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "crash-test-password"
ROOT = Path(__file__).resolve().parents[2]
_NOTE = re.compile(r"^crash (\d+)-(\d+) problems=(\d+)$")


# --- the child -------------------------------------------------------------------------


def child(db_path: Path, trial: int, encrypted: bool) -> None:
    from sqlalchemy import select

    from gridvisit.core.auth import LoginThrottle, login
    from gridvisit.core.clock import utcnow
    from gridvisit.core.records import ProblemInput, VisitInput
    from gridvisit.core.recovery import backup_now
    from gridvisit.core.services import ServiceContext, Services
    from gridvisit.storage.backups import Reason
    from gridvisit.storage.models import Household

    throttle = LoginThrottle(db_path.with_name("throttle.json"))
    session = login(db_path, "admin", PASSWORD, encrypted=encrypted, throttle=throttle)
    services = Services(ServiceContext(session.db, session.actor))
    with session.db.read_session() as s:
        households = list(s.scalars(select(Household.id).limit(40)))
    rng = random.Random(trial)
    print("READY", flush=True)
    seq = 0
    while True:
        print("SAVING", flush=True)
        n = rng.randint(0, 3)
        problems = tuple(
            ProblemInput("elevator", f"crash {trial}-{seq} #{k}", "normal") for k in range(n)
        )
        rec = services.visits.record(
            VisitInput(
                household_id=rng.choice(households),
                visited_at=utcnow(),
                notes=f"crash {trial}-{seq} problems={n}",
                problems=problems,
            )
        )
        print(f"ACK {rec.uuid} {n}", flush=True)
        seq += 1
        if seq % 15 == 0:  # so that some kills land in the middle of a backup
            print("BACKUP", flush=True)
            backup_now(session.db, Reason.MERGE)
            print("BACKED-UP", flush=True)


# --- the parent ------------------------------------------------------------------------


@dataclass
class Trial:
    number: int
    acked: int = 0
    # What the child was doing when it was killed: SAVING (inside a save), BACKUP...
    killed_during: str = ""
    problems: list[str] = field(default_factory=list)
    killed_after: float = 0.0


def make_database(folder: Path, *, encrypted: bool) -> Path:
    from gridvisit.demo.generate import generate_demo

    path = folder / "crash.db"
    generate_demo(path, households=40, weeks=2, password=PASSWORD, encrypted=encrypted)
    return path


def _key(db_path: Path) -> bytes | None:
    from gridvisit.storage.keystore import KeyStore, keys_path

    if not keys_path(db_path).exists():
        return None
    return KeyStore.load(keys_path(db_path)).unlock("admin", PASSWORD)


def verify(db_path: Path, acks: list[tuple[str, int]]) -> list[str]:
    """What is wrong with the file after a kill (empty when nothing is)."""
    from gridvisit.storage.backups import list_backups, quick_check
    from gridvisit.storage.engine import connect_raw

    key = _key(db_path)
    problems = []
    conn = connect_raw(db_path, key)
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            return [f"integrity_check: {check[:3]}"]
        counts = {
            uuid: (notes, n)
            for uuid, notes, n in conn.execute(
                "SELECT v.uuid, v.notes, count(p.id) FROM visit v "
                "LEFT JOIN problem p ON p.visit_id = v.id "
                "WHERE v.notes LIKE 'crash %' GROUP BY v.id"
            )
        }
    finally:
        conn.close()
    for uuid, n in acks:
        if uuid not in counts:
            problems.append(f"acknowledged visit {uuid} is missing")
        elif counts[uuid][1] != n:
            problems.append(f"visit {uuid} has {counts[uuid][1]} problems, acknowledged {n}")
    for uuid, (notes, found) in counts.items():
        m = _NOTE.match(notes)
        if m is None or int(m[3]) != found:
            problems.append(f"visit {uuid} ({notes!r}) has {found} problems: half a save")
    for b in list_backups(db_path):
        trouble = quick_check(b.path, key)
        if trouble is not None:
            problems.append(f"backup {b.path.name} is damaged: {trouble}")
    return problems


def run_trial(db_path: Path, number: int, rng: random.Random, encrypted: bool) -> Trial:
    trial = Trial(number)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "tests.reliability.crash", "--child", str(db_path)]
    cmd += ["--trial", str(number)] + (["--encrypted"] if encrypted else [])
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first.strip() != "READY":
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        trial.problems.append(f"child did not start: {first!r} {err[-2000:]}")
        return trial
    acks: list[tuple[str, int]] = []
    last = [""]

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            parts = line.split()
            last[0] = parts[0] if parts else ""
            if len(parts) == 3 and parts[0] == "ACK":
                acks.append((parts[1], int(parts[2])))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    trial.killed_after = rng.uniform(0.05, 1.5)
    time.sleep(trial.killed_after)
    if proc.poll() is not None:
        err = proc.stderr.read() if proc.stderr else ""
        trial.problems.append(f"child died on its own: {err[-2000:]}")
        return trial
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    trial.acked = len(acks)
    trial.killed_during = {"SAVING": "saving", "BACKUP": "backup"}.get(last[0], "between")
    trial.problems = verify(db_path, acks)
    return trial


def run(trials: int, *, seed: int, folder: Path, out=print) -> list[Trial]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    results = []
    paths = {}
    for encrypted in (False, True):
        sub = folder / ("encrypted" if encrypted else "plain")
        sub.mkdir()
        paths[encrypted] = make_database(sub, encrypted=encrypted)
    for i in range(trials):
        encrypted = i % 2 == 1  # alternate plain and encrypted files
        t = run_trial(paths[encrypted], i, rng, encrypted)
        results.append(t)
        status = "ok" if not t.problems else "FAILED: " + "; ".join(t.problems[:3])
        kind = "encrypted" if encrypted else "plain"
        out(
            f"trial {i + 1:3d}/{trials} ({kind}, killed after {t.killed_after:.2f} s "
            f"while {t.killed_during}, {t.acked} visits acknowledged): {status}"
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trial", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--encrypted", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.trial, args.encrypted)
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gridvisit-crash-") as tmp:
        results = run(args.trials, seed=args.seed, folder=Path(tmp))
    failed = [t for t in results if t.problems]
    acked = sum(t.acked for t in results)
    during = {w: sum(t.killed_during == w for t in results) for w in ("saving", "backup")}
    print(
        f"{len(results)} trials (seed {args.seed}), {acked} acknowledged visits, "
        f"killed inside a save {during['saving']} times and inside a backup "
        f"{during['backup']} times; {len(failed)} failed, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
