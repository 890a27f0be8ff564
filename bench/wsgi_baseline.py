"""The bare baseline of bench_load: a Flask app answering every request with one INSERT and a short text (no
templates, sessions, CSRF, login or mail). Benchmarks only; DATABASE_URL as for the app."""
import os

import sqlalchemy as sa
from flask import Flask

engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
hits = sa.Table("baseline_hits", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("path", sa.String(200)))
hits.create(engine, checkfirst=True)
app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def hit(path: str):
    with engine.begin() as conn:
        conn.execute(hits.insert().values(path=path[:200]))
    return "ok"
