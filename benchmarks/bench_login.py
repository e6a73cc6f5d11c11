"""How long a person waits at login on an encrypted database (issue 16, finding 1).

An encrypted login runs argon2id twice: once to open the user's key slot, once to
check the password against the stored hash (a slot that opens proves nothing). Prints
the median login and the two argon2 runs alone; never part of the test run.
Usage: python benchmarks/bench_login.py [--logins N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gridvisit.core.auth import HASHER, LoginThrottle, create_database, login
from gridvisit.storage.keystore import KeyStore, keys_path

PASSWORD = "bench password 1"


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        create_database(path, "admin", "管理员", PASSWORD, encrypted=True).db.dispose()
        throttle = LoginThrottle(Path(tmp) / "throttle.json")
        login(
            path, "admin", PASSWORD, encrypted=True, throttle=throttle
        ).db.dispose()  # daily backup
        logins, slots, hashes = [], [], []
        stored = HASHER.hash(PASSWORD)
        store = KeyStore.load(keys_path(path))
        for _ in range(args.logins):
            started = time.perf_counter()
            login(path, "admin", PASSWORD, encrypted=True, throttle=throttle).db.dispose()
            logins.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.unlock("admin", PASSWORD)
            slots.append(time.perf_counter() - started)
            started = time.perf_counter()
            HASHER.verify(stored, PASSWORD)
            hashes.append(time.perf_counter() - started)
    print(f"login (encrypted, {args.logins} times): median {_median_ms(logins)}")
    print(f"  of which opening the key slot (argon2id): {_median_ms(slots)}")
    print(f"  of which checking the stored hash (argon2id): {_median_ms(hashes)}")


if __name__ == "__main__":
    main()
