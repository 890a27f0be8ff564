"""`flask mail worker | drain | plan | catcher`."""
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Deliver queued email and run the local mail catcher.")


@contextmanager
def stop_on_signals():
    """An event set by SIGTERM or SIGINT while the block runs (the previous handlers come back after)."""
    stop = threading.Event()

    def handle(signum, _frame):
        click.echo(f"mail: {signal.Signals(signum).name} received, finishing the message in hand", err=True)
        stop.set()

    if threading.current_thread() is not threading.main_thread():  # tests may run a command from a thread
        yield stop
        return
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@mail_cli.command("drain")
@click.option("--max-seconds", type=click.FloatRange(min=1.0), default=None,
              help="Stop cleanly before this many seconds (for a scheduled task: runs never overlap).")
def drain_command(max_seconds: float | None) -> None:
    """Deliver what is due now within the budget, then exit."""
    from app.emailer.journal import DB_TROUBLE
    from app.emailer.worker import Worker

    deadline = None
    if max_seconds is not None:
        deadline = time.monotonic() + max_seconds
        # no single SMTP wait may carry the run past its end
        current_app.config["MAIL_TIMEOUT"] = min(float(current_app.config["MAIL_TIMEOUT"]), max(1.0, max_seconds / 5))
    with stop_on_signals() as stop:
        try:
            totals = Worker(stop, deadline=deadline).drain()
        except DB_TROUBLE as exc:
            raise click.ClickException(f"the database is unavailable ({exc.__class__.__name__}); rows not sent "
                                       "go back to the queue when their lease runs out, none is sent twice") from exc
    click.echo("mail drain: " + ", ".join(f"{value} {key}" for key, value in totals.items()))


@mail_cli.command("worker")
def worker_command() -> None:
    """Deliver queued mail until SIGTERM (then finish the message in hand and exit)."""
    from app.emailer.worker import Worker

    with stop_on_signals() as stop:
        worker = Worker(stop)
        click.echo(f"mail worker {worker.owner} started", err=True)
        worker.run()
    click.echo("mail worker stopped: " + ", ".join(f"{v} {k}" for k, v in worker.totals.items()), err=True)


@mail_cli.command("plan")
@click.option("--students", type=click.IntRange(min=1), required=True, help="How many students will be invited.")
def plan_command(students: int) -> None:
    """How long invitations and reminders for that many students will take, and what to change for one day."""
    from app.emailer.plan import plan

    for line in plan(students):
        click.echo(line)


@mail_cli.command("catcher")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True, type=int)
@click.option("--daily-limit", type=int, default=None, help="Answer 550 5.4.5 past this many recipients a day.")
@click.option("--folder", type=click.Path(file_okay=False), default=None,
              help="Where to keep messages (default: MAIL_CATCHER_DIR, instance/mail).")
def catcher_command(host: str, port: int, daily_limit: int | None, folder: str | None) -> None:
    """A local SMTP server that keeps every message it accepts (for development and demos)."""
    from app.emailer.catcher import start_catcher

    folder_path = Path(folder or current_app.config["MAIL_CATCHER_DIR"])
    controller = start_catcher(folder_path, host, port, daily_limit)
    limit = f", daily limit {daily_limit}" if daily_limit else ""
    click.echo(f"mail catcher on {host}:{port}, keeping messages in {folder_path}{limit}", err=True)
    try:
        with stop_on_signals() as stop:
            while not stop.wait(1):
                pass
    finally:
        controller.stop()
