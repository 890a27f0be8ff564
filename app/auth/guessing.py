"""Password-guessing limits that hold across client addresses, counted atomically with app/limits.py.

Every password check first reserves one failure on three limits, in one `take` (so their locks are taken in
one order): per (account, client address) LOGIN_THROTTLE_LIMIT per LOGIN_THROTTLE_WINDOW seconds, per account
LOGIN_ACCOUNT_PER_DAY a day whatever the address, per client address LOGIN_IP_PER_HOUR an hour whatever the
account. After LOGIN_DELAY_AFTER failures on an account, each next attempt on it waits 2^(n - LOGIN_DELAY_AFTER)
seconds after the previous one (at most LOGIN_DELAY_MAX). The reservation is committed before the password is
checked (the hash runs without holding any lock), so parallel requests see each other's attempts; a right
password gives the reservation back and clears the pair's count. A refused attempt costs nothing, so somebody
else's guessing from other addresses holds a person back by the account's delay only (and by the daily
ceiling, which a password reset clears).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.limits import Limit, digest, give_back, hold, take, used
from app.models.base import utcnow
from app.models.limits import RateCount

RECENT = timedelta(seconds=24)  # the window that records attempts in one-second buckets (for the delay)


@dataclass
class Attempt:
    email: str
    ip: str
    now: datetime
    refused: str | None = None  # "delay", "pair", "account" or "address"
    wait_seconds: int = 0

    @property
    def account(self) -> str:
        return digest(self.email)

    @property
    def account_lock(self) -> str:
        return f"addr:{self.account}"  # the same lock as the account's mail limits (app/auth/account_mail.py)

    @property
    def client_lock(self) -> str:
        return f"ip:{self.ip}"

    def limits(self) -> tuple[Limit, Limit, Limit, Limit]:
        config, account = current_app.config, self.account
        return (
            Limit(f"login:pair:{account}:{self.ip}", config["LOGIN_THROTTLE_LIMIT"],
                  timedelta(seconds=config["LOGIN_THROTTLE_WINDOW"]), lock=self.account_lock),
            Limit(f"login:acct:{account}:day", config["LOGIN_ACCOUNT_PER_DAY"], timedelta(days=1),
                  lock=self.account_lock),
            Limit(f"login:ip:{self.ip}:hour", config["LOGIN_IP_PER_HOUR"], timedelta(hours=1), lock=self.client_lock),
            Limit(f"login:acct:{account}:recent", 2**31, RECENT, lock=self.account_lock),
        )

    @property
    def message(self) -> str:
        if self.refused == "delay":
            return ngettext("Too many failed attempts on this account: wait %(num)d second before trying again, "
                            "or reset your password.",
                            "Too many failed attempts on this account: wait %(num)d seconds before trying again, "
                            "or reset your password.", self.wait_seconds)
        if self.refused == "address":
            return _("Too many failed logins from your network in the last hour. Try again later.")
        if self.refused == "account":
            return _("Too many failed attempts on this account today. Reset your password to log in now.")
        return _("Too many failed attempts. Wait 15 minutes or reset your password.")


def delay_seconds(failures: int) -> int:
    """How long the next attempt waits after `failures` on an account (0 below LOGIN_DELAY_AFTER)."""
    after, most = current_app.config["LOGIN_DELAY_AFTER"], current_app.config["LOGIN_DELAY_MAX"]
    if failures < after:
        return 0
    return min(2 ** min(failures - after, 30), most)


def begin(email: str, ip: str) -> Attempt:
    """Reserve one failure on every limit, or refuse the attempt (then nothing is counted but the refusal).
    Commits, which ends the limiter's locks before the password is checked."""
    attempt = Attempt(email=email.strip().lower(), ip=ip, now=utcnow())
    pair, day, client, recent = attempt.limits()
    hold(attempt.account_lock, attempt.client_lock)
    conn = db.session.connection()
    wait = delay_seconds(used(conn, (day,), attempt.now)[0])
    if wait and used(conn, (Limit(recent.key, 1, timedelta(seconds=wait)),), attempt.now)[0] > 0:
        attempt.refused, attempt.wait_seconds = "delay", wait
    else:
        refused = take(pair, day, client, recent, now=attempt.now)
        attempt.refused = {pair: "pair", day: "account", client: "address"}.get(refused) if refused else None
    db.session.commit()
    return attempt


def succeeded(attempt: Attempt) -> None:
    """The password was right: the reservation was no failure, and the pair starts again. The caller commits."""
    pair, day, client, _recent = attempt.limits()
    give_back(day, client, now=attempt.now)
    db.session.execute(sa.delete(RateCount).where(RateCount.key == pair.key))


def clear_account(email: str) -> None:
    """A new password was set: the account's failures (all addresses) no longer count. The caller commits."""
    account = digest(email.strip().lower())
    db.session.execute(sa.delete(RateCount).where(sa.or_(
        RateCount.key.startswith(f"login:pair:{account}:", autoescape=True),
        RateCount.key.startswith(f"login:acct:{account}:", autoescape=True))))
