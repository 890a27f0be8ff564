"""Each blueprint package hands over all of its views: no route module is forgotten, and each blueprint's URLs
are pinned (a route added or dropped on purpose is added here too)."""
from pathlib import Path

import app as app_package
from tests.main.blueprint_urls import URLS

APP_DIR = Path(app_package.__file__).parent


def route_modules() -> set[str]:
    """Every module of the app whose name says it holds views (routes.py, *_routes.py)."""
    return {".".join(path.relative_to(APP_DIR.parent).with_suffix("").parts)
            for path in APP_DIR.rglob("*.py") if path.stem == "routes" or path.stem.endswith("_routes")}


def urls_by_blueprint(app) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0] or "(app)"
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        found.setdefault(blueprint, set()).add(f"{methods} {rule.rule}")
    return {blueprint: sorted(urls) for blueprint, urls in found.items()}


def test_every_route_module_adds_views(app):
    modules_with_views = {view.__module__ for view in app.view_functions.values()}
    assert route_modules() - modules_with_views == set()


def test_each_blueprint_has_its_pinned_urls(app):
    assert urls_by_blueprint(app) == URLS
