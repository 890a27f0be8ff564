"""The peer floor of bench_load (issue 24): a small Flask app serving the pages of the mix (home, issue list, issue
page, photo, report with a photo, admin queue, status change, the reminder button) from the app's own tables with
the same queries, pages of about the same size and the same photo re-encode, but none of the app's layers: a
signed-cookie login (no session rows), a CSRF token in that cookie, SQLAlchemy Core with one engine, Jinja
templates held in this file, no ORM, limits, mail layer, error log, translations or monitoring.

What the app does beyond this is its product (per-student limits, the weekly figures, coalesced notices, sessions
one can end, translated pages); bench_load prints the app's requests per second as a ratio of this floor.
Benchmarks only; DATABASE_URL as for the app.
"""
import hashlib
import io
import json
import os
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, abort, jsonify, redirect, render_template, request, session
from jinja2 import DictLoader
from PIL import Image, ImageOps
from werkzeug.security import check_password_hash

MAX_SIDE = 2560  # as app/photos.py
CHUNK = 512 * 1024
engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=10, max_overflow=20)
app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY", "bench")
ROW = ('<li class="card"><a class="card-link" href="/issues/{{ i.id }}"><span class="badge badge-{{ i.status }}">'
       '{{ i.status|replace("_", " ")|title }}</span><strong class="card-title">{{ i.title }}</strong><span class="'
       'card-meta">{{ i.category|title }} &middot; {{ i.place or "Room" }} &middot; reported {{ i.created_at.strftime('
       '"%d %b %Y %H:%M") }}</span><span class="card-more">Open the issue to see its timeline, photos and the '
       'next steps.</span></a></li>')
# The app's issue page says more (what each status means, who sees a comment, visits, the me-too and the rating
# forms' help); a static block of the same size stands for it, so both sides send about 10 KB.
PAD = '<section class="help"><h2>What happens next</h2>' + "".join(
    f'<p class="hint" id="hint-{n}">Step {n}: the house admins read every new issue within a working day, move it '
    "on as the work goes, and you get an email each time its status changes. Reply to that email or comment here "
    "if something changes on your side.</p>" for n in range(24)) + "</section>"
app.jinja_loader = DictLoader({
    "layout.html": """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>{% block title %}{% endblock %} · RINAIBRA</title>
<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="/static/favicon.svg"></head><body>
<header class="top"><a class="brand" href="/">RINAIBRA</a><nav class="nav"><a href="/issues/">My issues</a>
<a href="/issues/new">Report an issue</a><a href="/move-in/">Move-in form</a>{% if user.role == "admin" %}
<a href="/admin/">Queue</a><a href="/admin/move-in">Move-in</a>{% endif %}<a href="/account/sessions">Account</a>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<button class="link">Log out</button></form></nav><p class="who">{{ user.name }}{% if user.house %} · {{ user.house
}}{% endif %}{% if user.room %}, room {{ user.room }}{% endif %}</p></header><main class="page">{% block body %}
{% endblock %}</main><footer class="foot"><p>Maintenance for your residence. Something urgent (a flood, no power,
a broken lock)? Phone the house office at once, then report it here so it is written down.</p><p><a
href="/help">Help</a> · <a href="/privacy">Privacy</a> · <a href="/language">Afrikaans · English · isiXhosa</a></p>
</footer></body></html>""",
    "home.html": """{% extends "layout.html" %}{% block title %}Home{% endblock %}{% block body %}<h1>Hello,
{{ user.name }}</h1><p class="lead">Report a maintenance problem in your room or a common area, and follow it
until it is fixed.</p><div class="actions"><a class="button primary" href="/issues/new">Report an issue</a><a
class="button" href="/issues/">My issues</a><a class="button" href="/move-in/">Move-in form</a></div>
<section class="tips"><h2>Before you report</h2><ul><li>Say where exactly (room, bathroom, kitchen).</li><li>Add
a photo: it helps the team bring the right part.</li><li>Urgent means danger or damage now.</li></ul></section>
{% endblock %}""",
    "list.html": """{% extends "layout.html" %}{% block title %}My issues{% endblock %}{% block body %}<h1>My
issues</h1><p class="lead">The issues you reported or follow, newest first.</p><ul class="cards">{% for i in
issues %}""" + ROW + """{% else %}<li>No issues yet.</li>{% endfor %}</ul>{% if more %}<a class="button"
href="/issues/?before={{ more }}">Older issues</a>{% endif %}{% endblock %}""",
    "issue.html": """{% extends "layout.html" %}{% block title %}{{ issue.title }}{% endblock %}{% block body %}
<h1>{{ issue.title }}</h1><p class="badge badge-{{ issue.status }}">{{ issue.status|replace("_", " ")|title }}</p>
<dl class="facts"><dt>Category</dt><dd>{{ issue.category|title }}</dd><dt>Where</dt><dd>{{ issue.place or "Your room"
}}</dd><dt>Urgency</dt><dd>{{ issue.urgency|title }}</dd><dt>Reported</dt><dd>{{ issue.created_at.strftime(
"%d %b %Y %H:%M") }}</dd></dl><p class="description">{{ issue.description }}</p>{% for p in photos %}<figure
class="photo"><a href="/issues/{{ issue.id }}/photos/{{ p.id }}"><img src="/issues/{{ issue.id }}/photos/{{ p.id
}}" width="{{ p.width }}" height="{{ p.height }}" alt="Photo {{ loop.index }} of the issue" loading="lazy"></a>
</figure>{% endfor %}<h2>Timeline</h2><ol class="timeline">{% for e in events %}<li class="event event-{{ e.kind }}">
<time>{{ e.created_at.strftime("%d %b %Y %H:%M") }}</time> <strong>{{ e.author or "RINAIBRA" }}</strong>{% if
e.to_status %} moved it to {{ e.to_status|replace("_", " ") }}{% endif %}<p>{{ e.body }}</p></li>{% endfor %}</ol>
{% for form in ("comment", "me-too", "confirm", "reopen") %}<form method="post" action="/issues/{{ issue.id }}/{{
form }}" class="stack"><input type="hidden" name="csrf_token" value="{{ csrf }}"><label for="{{ form }}-body">{{
form|replace("-", " ")|title }}</label><textarea id="{{ form }}-body" name="body" rows="3" maxlength="2000">
</textarea><p class="hint">Everyone who follows this issue sees what you write here, and the house admins are
told. Keep it to what helps fix the problem.</p><button class="button">{{ form|replace("-", " ")|title }}</button>
</form>{% endfor %}<p><a href="/issues/">Back to my issues</a></p>""" + PAD + """{% endblock %}""",
    "new.html": """{% extends "layout.html" %}{% block title %}Report an issue{% endblock %}{% block body %}<h1>Report
an issue</h1><form method="post" enctype="multipart/form-data" class="stack"><input type="hidden"
name="csrf_token" value="{{ csrf }}"><label>Category <select name="category">{% for c in ("plumbing",
"electrical", "furniture", "appliance", "pest", "internet", "security", "cleaning", "other") %}<option>{{ c }}
</option>{% endfor %}</select></label><label>Where <select name="location"><option value="room">My room</option>
{% for a in areas %}<option value="area-{{ a.id }}">{{ a.name }}</option>{% endfor %}</select></label><label>Title
<input name="title" maxlength="120" required></label><label>What is wrong <textarea name="description" rows="5">
</textarea></label><label>Urgency <select name="urgency"><option>normal</option><option>urgent</option></select>
</label><label><input type="checkbox" name="enter_permission"> Maintenance may enter when I am out</label><label>
Photos <input type="file" name="photos" accept="image/*" multiple></label><button class="button primary">Report
</button></form>{% endblock %}""",
    "queue.html": """{% extends "layout.html" %}{% block title %}Queue{% endblock %}{% block body %}<h1>Issue queue
</h1><p class="counts">{% for status, n in counts.items() %}<a class="chip" href="/admin/?status={{ status }}">{{
status|replace("_", " ")|title }} <span>{{ n }}</span></a>{% endfor %} · pending approvals {{ pending }}</p><form
class="filters" method="get"><select name="house">{% for h in houses %}<option>{{ h.name }}</option>{% endfor %}
</select><select name="sort"><option>due</option><option>newest</option><option>oldest</option></select><button
class="button">Filter</button></form><table class="queue"><thead><tr><th>Issue</th><th>Where</th><th>Status</th>
<th>Due</th><th>Reported</th><th>Assigned</th></tr></thead><tbody>{% for r in rows %}
    <tr class="row row-{{ r.status }}{% if r.urgency == 'urgent' %} urgent{% endif %}">
      <td class="break"><a href="/admin/issues/{{ r.id }}">{{ r.title }}</a>
        <br><span class="muted">#{{ r.id }} · {{ r.category|title }} · {{ r.house }}, {{ r.area or ("Room " ~ (r.room
        or "")) }}</span>
        <span class="assignee-inline muted"><br>Assigned to {{ r.assignee or 'nobody' }}</span></td>
      <td data-label="Status"><span class="badge badge-{{ r.status }}" title="{{ r.status|replace("_", " ")|title
      }}">{{ r.status|replace("_", " ")|title }}</span></td>
      <td class="col-assignee">{% if r.assignee %}{{ r.assignee }}{% else %}<span class="muted">Nobody</span>
      {% endif %}</td>
      <td data-label="Target">{% if r.next_due_at %}<time datetime="{{ r.next_due_at.isoformat() }}Z" title="{{
      r.next_due_at.strftime("%d %b %Y %H:%M") }}" class="due">{{ r.next_due_at.strftime("%d %b") }}</time>{% else
      %}<span class="muted">—</span>{% endif %}</td>
      <td data-label="Reported"><time datetime="{{ r.created_at.isoformat() }}Z" title="{{ r.created_at.strftime(
      "%d %b %Y %H:%M") }}">{{ r.created_at.strftime("%d %b %Y") }}</time></td>
    </tr>{% endfor %}</tbody></table>
{% if more %}<a class="button" href="/admin/?page=2">Next page</a>{% endif %}{% endblock %}""",
    "login.html": """<!doctype html><form method="post"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<input name="email"><input name="password" type="password"><button>Log in</button></form>""",
})

USER = sa.text("SELECT u.id, u.name, u.email, u.role, u.house_id, u.room_id, h.name AS house, r.number AS room "
               "FROM users u LEFT JOIN houses h ON h.id = u.house_id LEFT JOIN rooms r ON r.id = u.room_id "
               "WHERE u.id = :id AND u.deactivated_at IS NULL")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def csrf() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    if not secrets.compare_digest(request.form.get("csrf_token", ""), session.get("csrf", "-")):
        abort(400)


def signed_in(conn):
    uid = session.get("uid")
    user = conn.execute(USER, {"id": uid}).first() if uid else None
    if user is None:
        abort(redirect("/login"))
    return user


def page(template: str, user, **context) -> str:
    return render_template(template, user=user, csrf=csrf(), **context)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return page("login.html", None)
    check_csrf()
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, password_hash FROM users WHERE email = :e"),
                           {"e": request.form["email"]}).first()
    if row is None or not check_password_hash(row.password_hash, request.form["password"]):
        abort(403)
    session["uid"] = row.id
    return redirect("/")


@app.route("/")
def home():
    with engine.connect() as conn:
        return page("home.html", signed_in(conn))


@app.route("/issues/")
def my_issues():
    with engine.connect() as conn:
        user = signed_in(conn)
        followed = [r[0] for r in conn.execute(sa.text("SELECT issue_id FROM issue_subscriptions WHERE user_id = :u"),
                                               {"u": user.id})]
        theirs = "i.reporter_id = :u" + (f" OR i.id IN ({','.join(str(int(i)) for i in followed)})" if followed else "")
        rows = conn.execute(sa.text(
            "SELECT i.id, i.title, i.category, i.status, i.created_at, a.name AS place FROM issues i "
            f"LEFT JOIN common_areas a ON a.id = i.common_area_id WHERE {theirs} "
            "ORDER BY i.created_at DESC, i.id DESC LIMIT 21"), {"u": user.id}).all()
        return page("list.html", user, issues=rows[:20], more=rows[19].id if len(rows) > 20 else None)


def own_issue(conn, user, issue_id: int):
    issue = conn.execute(sa.text(
        "SELECT i.*, a.name AS place FROM issues i LEFT JOIN common_areas a ON a.id = i.common_area_id "
        "WHERE i.id = :id AND (i.reporter_id = :u OR EXISTS (SELECT 1 FROM issue_subscriptions s "
        "WHERE s.issue_id = i.id AND s.user_id = :u))"), {"id": issue_id, "u": user.id}).first()
    if issue is None:
        abort(404)
    return issue


@app.route("/issues/<int:issue_id>")
def issue_page(issue_id: int):
    with engine.connect() as conn:
        user = signed_in(conn)
        issue = own_issue(conn, user, issue_id)
        photos = conn.execute(sa.text("SELECT id, width, height FROM issue_photos WHERE issue_id = :id ORDER BY id"),
                              {"id": issue_id}).all()
        events = conn.execute(sa.text(
            "SELECT e.kind, e.to_status, e.body, e.created_at, u.name AS author FROM issue_events e "
            "LEFT JOIN users u ON u.id = e.author_id WHERE e.issue_id = :id AND e.public ORDER BY e.id"),
            {"id": issue_id}).all()
        visits = conn.execute(sa.text("SELECT starts_at FROM visits WHERE issue_id = :id"), {"id": issue_id}).all()
        return page("issue.html", user, issue=issue, photos=photos, events=events, visits=visits)


@app.route("/issues/<int:issue_id>/photos/<int:photo_id>")
def photo(issue_id: int, photo_id: int):
    with engine.connect() as conn:
        user = signed_in(conn)
        found = conn.execute(sa.text(
            "SELECT p.`key`, p.mime FROM issue_photos p JOIN issues i ON i.id = p.issue_id WHERE p.id = :p "
            "AND p.issue_id = :i AND (i.reporter_id = :u OR i.house_id IN (SELECT house_id FROM house_admins "
            "WHERE user_id = :u))"), {"p": photo_id, "i": issue_id, "u": user.id}).first()
        if found is None:
            abort(404)
        data = b"".join(r[0] for r in conn.execute(sa.text(
            "SELECT c.data FROM stored_file_chunks c WHERE c.`key` = :k ORDER BY c.seq"), {"k": found.key}))
    return data, 200, {"Content-Type": found.mime, "Cache-Control": "private, max-age=86400"}


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """app/photos.py's re-encode for a JPEG: decode at Pillow's draft scale, pixels only, JPEG quality 85."""
    image = Image.open(io.BytesIO(data))
    scale = max(image.size) / MAX_SIDE
    if scale > 1:
        image.draft("RGB", (int(image.width / scale), int(image.height / scale)))
    image = ImageOps.exif_transpose(image.convert("RGB"))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), image.width, image.height


@app.route("/issues/new", methods=["GET", "POST"])
def report():
    with engine.connect() as conn:
        user = signed_in(conn)
        if request.method == "GET":
            areas = conn.execute(sa.text("SELECT id, name FROM common_areas WHERE house_id = :h ORDER BY name"),
                                 {"h": user.house_id}).all()
            return page("new.html", user, areas=areas)
    check_csrf()
    form, stamp = request.form, now()
    photos = [reencode(f.read()) for f in request.files.getlist("photos")]
    with engine.begin() as conn:
        user = signed_in(conn)
        issue_id = conn.execute(sa.text(
            "INSERT INTO issues (house_id, reporter_id, room_id, category, title, description, urgency, "
            "enter_permission, status, created_at, updated_at) VALUES (:h, :u, :r, :c, :t, :d, :g, 0, 'reported', "
            ":now, :now)"), {"h": user.house_id, "u": user.id, "r": user.room_id, "c": form["category"],
                             "t": form["title"], "d": form["description"], "g": form["urgency"],
                             "now": stamp}).lastrowid
        for data, width, height in photos:
            key = hashlib.sha256(data + secrets.token_bytes(8)).hexdigest()[:40] + ".jpg"
            conn.execute(sa.text("INSERT INTO stored_files (`key`, size, chunks, created_at) "
                                 "VALUES (:k, :s, :n, :now)"),
                         {"k": key, "s": len(data), "n": -(-len(data) // CHUNK), "now": stamp})
            conn.execute(sa.text("INSERT INTO stored_file_chunks (`key`, seq, data) VALUES (:k, :q, :d)"),
                         [{"k": key, "q": n, "d": data[n * CHUNK:(n + 1) * CHUNK]}
                          for n in range(-(-len(data) // CHUNK))])
            conn.execute(sa.text(
                "INSERT INTO issue_photos (issue_id, `key`, mime, width, height, size, completion, created_at) "
                "VALUES (:i, :k, 'image/jpeg', :w, :h, :s, 0, :now)"),
                {"i": issue_id, "k": key, "w": width, "h": height, "s": len(data), "now": stamp})
        conn.execute(sa.text("INSERT INTO issue_subscriptions (issue_id, user_id, created_at) VALUES (:i, :u, :now)"),
                     {"i": issue_id, "u": user.id, "now": stamp})
        conn.execute(sa.text(
            "INSERT INTO issue_events (issue_id, author_id, kind, to_status, `body`, public, created_at) "
            "VALUES (:i, :u, 'reported', 'reported', '', 1, :now)"), {"i": issue_id, "u": user.id, "now": stamp})
        admins = conn.execute(sa.text(
            "SELECT u.email, u.name FROM users u JOIN house_admins ha ON ha.user_id = u.id WHERE ha.house_id = :h "
            "AND u.deactivated_at IS NULL"), {"h": user.house_id}).all()
        item = {"issue_id": issue_id, "title": form["title"], "house": user.house, "category": form["category"],
                "location": f"Room {user.room}", "urgent": False, "link": f"/admin/issues/{issue_id}",
                "reopened": False}
        if admins:
            conn.execute(sa.text(
                "INSERT INTO outbox (purpose, cause, priority, status, template, to_address, context, logo, "
                "attempts, send_after, created_at) VALUES ('notice', :cause, 1, 'queued', 'issue_new', :to, :ctx, 1, "
                "0, :after, :now)"), [{"cause": f"student:{user.id}", "to": a.email, "now": stamp,
                                       "after": stamp + timedelta(seconds=300), "ctx": json.dumps(
                                           {"name": a.name, "issues": [item], "count": 1, "urgent": False,
                                            "queue_link": "/admin/"})} for a in admins])
    return redirect(f"/issues/{issue_id}")


def admin_houses(conn, user) -> list:
    if user.role != "admin":
        abort(403)
    return conn.execute(sa.text("SELECT h.id, h.name FROM houses h JOIN house_admins ha ON ha.house_id = h.id "
                                "WHERE ha.user_id = :u ORDER BY h.name"), {"u": user.id}).all()


@app.route("/admin/")
def queue():
    with engine.connect() as conn:
        user = signed_in(conn)
        houses = admin_houses(conn, user)
        ids = ",".join(str(h.id) for h in houses) or "0"
        rows = conn.execute(sa.text(
            "SELECT i.id, i.title, i.category, i.status, i.urgency, i.created_at, i.next_due_at, h.name AS house, "
            "r.number AS room, a.name AS area, s.name AS assignee FROM (SELECT id FROM issues WHERE house_id IN "
            f"({ids}) AND status IN ('reported', 'in_progress', 'on_hold') ORDER BY next_due_at IS NULL, next_due_at, "
            "id LIMIT 51) p JOIN issues i ON i.id = p.id JOIN houses h ON h.id = i.house_id LEFT JOIN rooms r ON "
            "r.id = i.room_id LEFT JOIN common_areas a ON a.id = i.common_area_id LEFT JOIN users s ON "
            "s.id = i.assignee_id ORDER BY i.next_due_at IS NULL, i.next_due_at, i.id")).all()
        counts = dict(conn.execute(sa.text(
            f"SELECT status, count(*) FROM issues WHERE house_id IN ({ids}) GROUP BY status")).all())
        pending = conn.execute(sa.text(
            "SELECT count(*) FROM users WHERE role = 'student' AND approved_at IS NULL AND email_verified_at IS NOT "
            f"NULL AND deactivated_at IS NULL AND house_id IN ({ids})")).scalar()
        return page("queue.html", user, houses=houses, rows=rows[:50], more=len(rows) > 50, counts=counts,
                    pending=pending)


@app.route("/admin/issues/<int:issue_id>", methods=["POST"])
def status_change(issue_id: int):
    check_csrf()
    form, stamp = request.form, now()
    with engine.begin() as conn:
        user = signed_in(conn)
        issue = conn.execute(sa.text(
            "SELECT i.id, i.status, i.title, h.name AS house FROM issues i JOIN houses h ON h.id = i.house_id "
            "JOIN house_admins ha ON ha.house_id = i.house_id AND ha.user_id = :u WHERE i.id = :id FOR UPDATE"),
            {"id": issue_id, "u": user.id}).first()
        if issue is None:
            abort(404)
        conn.execute(sa.text("UPDATE issues SET status = :s, updated_at = :now, first_response_at = "
                             "COALESCE(first_response_at, :now) WHERE id = :id"),
                     {"s": form["status"], "now": stamp, "id": issue_id})
        conn.execute(sa.text(
            "INSERT INTO issue_events (issue_id, author_id, kind, from_status, to_status, `body`, public, created_at) "
            "VALUES (:i, :u, 'status', :f, :t, :b, :p, :now)"),
            {"i": issue_id, "u": user.id, "f": issue.status, "t": form["status"], "b": form.get("comment", ""),
             "p": form.get("visibility") == "public", "now": stamp})
        subscribers = conn.execute(sa.text(
            "SELECT u.email, u.name FROM users u JOIN issue_subscriptions s ON s.user_id = u.id WHERE "
            "s.issue_id = :i AND u.id != :u AND u.deactivated_at IS NULL"), {"i": issue_id, "u": user.id}).all()
        if subscribers:
            conn.execute(sa.text(
                "INSERT INTO outbox (purpose, cause, priority, status, template, to_address, context, logo, "
                "attempts, send_after, created_at) VALUES ('notice', :cause, 1, 'queued', 'issue_update', :to, :ctx, "
                "1, 0, :after, :now)"), [{"cause": f"admin:{user.id}", "to": s.email, "now": stamp,
                                          "after": stamp + timedelta(seconds=60), "ctx": json.dumps(
                                              {"name": s.name, "issue_id": issue_id, "title": issue.title,
                                               "house": issue.house, "status": form["status"],
                                               "status_label": form["status"], "link": f"/issues/{issue_id}",
                                               "updates": []})} for s in subscribers])
    return redirect(f"/admin/issues/{issue_id}")


@app.route("/admin/move-in/reminders", methods=["POST"])
def reminders():
    check_csrf()
    stamp = now()
    with engine.begin() as conn:
        user = signed_in(conn)
        house = conn.execute(sa.text("SELECT h.id, h.name FROM houses h JOIN house_admins ha ON ha.house_id = h.id "
                                     "WHERE ha.user_id = :u AND h.slug = :s"),
                             {"u": user.id, "s": request.form["house"]}).first()
        if house is None:
            abort(404)
        sent = conn.execute(sa.text(
            "INSERT INTO outbox (purpose, cause, priority, status, template, to_address, context, logo, attempts, "
            "send_after, created_at) SELECT 'bulk', :cause, 4, 'queued', 'move_in_reminder', u.email, "
            "JSON_OBJECT('name', u.name, 'house', :house, 'link', '/move-in/'), 1, 0, :now, :now FROM users u "
            "WHERE u.house_id = :h AND u.role = 'student' AND u.deactivated_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM move_in_forms f WHERE f.user_id = u.id)"),
            {"cause": f"admin:{user.id}", "house": house.name, "h": house.id, "now": stamp}).rowcount
    return jsonify(queued=sent)


@app.route("/healthz")
def healthz():
    return "ok"
