"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import gc

from app import create_app

app = create_app()
# What start-up loaded lives as long as the process: keep it out of every later garbage collection, whose full
# passes would otherwise walk ~150k long-lived objects while each request in flight waits.
gc.freeze()
