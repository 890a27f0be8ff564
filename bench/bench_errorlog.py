"""10,000 identical errors through record(): exactly one group, and each record() within 3x of a plain
single-row INSERT (its own transaction) measured side by side in the same run, on MariaDB and on SQLite.

    .venv/bin/python -m bench.bench_errorlog [--events 10000] [--sqlite-only | --mariadb-only]
"""
import argparse
import sys
import time

import sqlalchemy as sa

from bench.harness import fresh_database, report, sized

LIMIT = 3.0
ROUNDS = 50  # alternate often so machine noise hits both alike
scratch = sa.Table("bench_plain_insert", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("source", sa.String(120)), sa.Column("message", sa.Text),
                   sa.Column("traceback", sa.Text), sa.Column("created_at", sa.DateTime))


def failing_view(room: int) -> None:
    raise KeyError(f"room {room}")


def an_error(index: int) -> BaseException:
    try:
        failing_view(index)
    except KeyError as exc:
        return exc


def run(label: str, sqlite: bool, events: int) -> bool:
    from app.errorlog import record
    from app.errorlog.fingerprint import format_traceback
    from app.extensions import db
    from app.models.base import utcnow
    from app.models.errors import ErrorGroup

    with fresh_database("errorlog", sqlite=sqlite) as (_url, app):
        with app.app_context():
            engine = db.engine
            scratch.create(engine)
            error = an_error(1)
            text = format_traceback(error)
            per_round = events // ROUNDS
            timings = {"record": 0.0, "insert": 0.0}
            for _ in range(ROUNDS):
                start = time.perf_counter()
                for i in range(per_round):
                    record("web", error, {"method": "GET", "path": f"/issues/{i}"})
                timings["record"] += time.perf_counter() - start
                start = time.perf_counter()
                for _ in range(per_round):
                    with engine.begin() as conn:
                        conn.execute(scratch.insert().values(source="web", message=str(error), traceback=text,
                                                             created_at=utcnow()))
                timings["insert"] += time.perf_counter() - start
            groups = db.session.execute(sa.select(ErrorGroup.count)).scalars().all()
    recorded = per_round * ROUNDS
    one_group = groups == [recorded]
    print(f"{label}: {recorded} errors -> {len(groups)} group(s), count {groups}: "
          f"{'OK' if one_group else 'WRONG'}", flush=True)
    within = report(f"{label} time per record() vs plain INSERT", timings["record"] / recorded,
                    timings["insert"] / recorded, LIMIT)
    return one_group and within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=sized(10_000, 2_000))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--mariadb-only", action="store_true")
    args = parser.parse_args()
    ok = True
    if not args.sqlite_only:
        ok &= run("MariaDB", False, args.events)
    if not args.mariadb_only:
        ok &= run("SQLite", True, args.events)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
