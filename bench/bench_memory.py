"""Memory per process: each gunicorn worker's resident memory (VmRSS) after start with the default settings
(folder photo store, no DKIM), against MariaDB, beside the bare baseline app (bench/wsgi_baseline.py) under the
same gunicorn. Goal (issue 24): at most LIMIT_MB per worker; optional stores and signers (boto3, dkimpy) are
imported only when configured and zxcvbn on the first password checked.

Run: .venv/bin/python -m bench.bench_memory   (BENCH_DATABASE_URL picks the server)
"""
import sys
from pathlib import Path

from bench.harness import Server, fresh_database

LIMIT_MB = 90


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_mb(server: Server) -> list[float]:
    return [resident_mb(pid) for pid in children(server.process.pid)]


def main() -> int:
    with fresh_database("memory") as (url, _app):
        baseline = Server(url, workers=2, threads=4)
        baseline.args[-1] = "bench.wsgi_baseline:app"
        with baseline:
            bare = workers_mb(baseline)
        with Server(url, workers=2, threads=4) as server:
            app = workers_mb(server)
    print(f"bare baseline workers after start: {', '.join(f'{mb:.0f} MB' for mb in bare)}")
    within = max(app) <= LIMIT_MB
    print(f"memory per worker after start, default settings: {', '.join(f'{mb:.0f} MB' for mb in app)} "
          f"(limit {LIMIT_MB} MB) {'OK' if within else 'OVER'}", flush=True)
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
