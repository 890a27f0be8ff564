"""While the database is away every page answers a friendly 503 with Retry-After, built without the database,
for anonymous and signed-in users alike; when it answers again, so does the app (no restart)."""
import pytest
import sqlalchemy as sa

from app import create_app
from tests.conftest import settings_for
from tests.fixtures.servers import free_port
from tests.fixtures.tcp_proxy import TCPProxy

FRIENDLY = "Back in a moment"


def dead_app(tmp_path):
    """The app pointed at a MariaDB port nobody listens on."""
    return create_app(settings_for(f"mysql+pymysql://root:@127.0.0.1:{free_port()}/gone", tmp_path))


def assert_friendly_503(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert response.headers["Retry-After"] == "30" and response.headers["Cache-Control"] == "no-store"
    assert FRIENDLY in page and "try again in 30 seconds" in page
    assert "Internal Server Error" not in page
    assert response.headers["Content-Security-Policy"]  # the usual headers are still added


def test_anonymous_visitors_get_the_friendly_page(tmp_path):
    client = dead_app(tmp_path).test_client()
    assert client.get("/login").status_code == 200  # a page that needs no database still works
    assert_friendly_503(client.get("/r/acacia"))
    assert_friendly_503(client.post("/login", data={"email": "a@example.ac.za", "password": "x"}))
    assert client.get("/r/acacia", headers={"Accept": "application/json"}).get_json() == {
        "error": "Service Unavailable", "message": "database unavailable"}


@pytest.mark.parametrize("path", ["/issues/", "/", "/issues/new", "/dev/errors"])
def test_signed_in_users_get_the_friendly_page(app, client, login, student, tmp_path, path):
    """The session cookie of a signed-in student reaches an app whose database is away: loading the user
    fails, and the page must not need them."""
    login(student)
    cookie = client.get_cookie("session")
    other = dead_app(tmp_path).test_client()
    other.set_cookie("session", cookie.value)
    assert_friendly_503(other.get(path))
    assert_friendly_503(other.post("/issues/new", data={"title": "Leak"}))


def test_a_broken_template_still_gives_a_plain_503(tmp_path):
    app = dead_app(tmp_path)
    app.jinja_env.get_template = lambda name, *a, **k: (_ for _ in ()).throw(RuntimeError("no templates"))
    response = app.test_client().get("/r/acacia")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert FRIENDLY in response.get_data(as_text=True)


@pytest.fixture
def proxied_app(database_url, _schema, tmp_path):
    """The test's MariaDB database reached through a TCP proxy the test can cut."""
    url = sa.make_url(database_url)
    if not url.drivername.startswith("mysql"):
        pytest.skip("the proxy needs a database server (TEST_DATABASE_URL)")
    proxy = TCPProxy(url.host or "127.0.0.1", url.port or 3306).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(settings_for(proxied, tmp_path))
    yield app, proxy
    proxy.stop()
    from app.extensions import db
    from tests.conftest import empty_tables
    with create_app(settings_for(database_url, tmp_path)).app_context():
        empty_tables(db.engine)
        db.engine.dispose()


def test_database_cut_and_back_for_a_signed_in_student(proxied_app, make_user, house):
    app, proxy = proxied_app
    from tests.conftest import PASSWORD
    student = make_user("student", house=house)
    client = app.test_client()
    assert client.post("/login", data={"email": student.email, "password": PASSWORD}).status_code == 302
    assert client.get("/issues/").status_code == 200
    proxy.cut()
    assert_friendly_503(client.get("/issues/"))
    assert_friendly_503(client.get("/issues/"))
    assert client.get("/healthz").status_code == 503
    proxy.restore()
    response = client.get("/issues/")
    assert response.status_code == 200 and "My issues" in response.get_data(as_text=True)


def lost_connection(app, monkeypatch, fail_execute: bool) -> None:
    """From now on every rollback (and, with `fail_execute`, every statement) of the app's engine fails as a
    connection lost mid-request does (MySQL error 2013)."""
    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect

    def lost(*_args, **_kwargs):
        raise dialect.loaded_dbapi.OperationalError(2013, "Lost connection to server during query")

    monkeypatch.setattr(dialect, "do_rollback", lost)
    if fail_execute:
        monkeypatch.setattr(dialect, "do_execute", lost)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_connection_lost_mid_request_still_gives_the_friendly_page(app, client, login, student, house,
                                                                      monkeypatch, signed_in):
    """Issue 21 item 11: the rollback in request teardown raised OperationalError (2013) after the error
    handlers ran, and the server answered a bare 500."""
    if signed_in:
        login(student)
    lost_connection(app, monkeypatch, fail_execute=True)
    assert_friendly_503(client.get("/r/acacia"))
    assert_friendly_503(client.post("/issues/new", data={"title": "Leak"}) if signed_in
                        else client.post("/login", data={"email": student.email, "password": "wrong"}))
    monkeypatch.undo()
    assert client.get("/r/acacia").status_code == 200  # the pool gave a working connection again


def test_a_connection_lost_after_the_page_was_made_still_sends_it(app, client, house, monkeypatch):
    lost_connection(app, monkeypatch, fail_execute=False)
    response = client.get("/r/acacia")  # read the house (a transaction), then the teardown's rollback fails
    assert response.status_code == 200 and "Acacia House" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/r/acacia").status_code == 200


def test_a_bug_while_the_connection_is_lost_gives_the_apps_error_page(app, client, house, monkeypatch):
    """The rollbacks after a bug fail too: the answer is still the app's own 500 page with its reference."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models.houses import House

    def broken_view():
        db.session.scalar(sa.select(House.id))  # a transaction is open
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-for-test", view_func=broken_view)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    lost_connection(app, monkeypatch, fail_execute=False)
    response = client.get("/broken-for-test")
    assert response.status_code == 500 and "Internal Server Error · RINAIBRA" in response.get_data(as_text=True)


@pytest.mark.parametrize("query_after_cut", [False, True])
def test_a_real_connection_cut_mid_request_never_gives_a_bare_500(proxied_app, house, query_after_cut):
    """MariaDB behind a proxy cut while a request is under way: after its first query (the page is then made
    and sent), or before its second (the 503 page). Either way the teardown's rollback meets a dead connection."""
    app, proxy = proxied_app
    import sqlalchemy as sa

    from app.extensions import db
    from app.models.houses import House

    def cut_mid_request():
        name = db.session.scalar(sa.select(House.name))  # a transaction is open on the connection
        proxy.cut()
        if query_after_cut:
            db.session.scalar(sa.select(House.slug))
        return name

    app.add_url_rule("/cut-for-test", view_func=cut_mid_request)
    response = app.test_client().get("/cut-for-test")
    if query_after_cut:
        assert_friendly_503(response)
    else:
        assert response.status_code == 200 and response.get_data(as_text=True) == "Acacia House"
    proxy.restore()
    assert app.test_client().get("/r/acacia").status_code == 200
