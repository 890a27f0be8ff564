"""Queueing one coalesced email for each of several people at once (a house's admins hearing of a new issue).

`enqueue_each` does what `enqueue` with a `coalesce_key` does for every (address, key) pair, through the same
admission path (app/emailer/admission.py) in a fixed number of statements instead of about nine per person.
"""
from collections.abc import Sequence
from datetime import datetime

from app.emailer.admission import Build, Known, Letter, admit
from app.models.mail import Purpose


def enqueue_each(template: str, letters: Sequence[tuple[str, str]], build: Build, *,
                 purpose: Purpose = Purpose.NOTICE, cause: str | None = None, delay: float = 0,
                 send_by: datetime | None = None, known: Known | None = None) -> int:
    """Queue one email of `template` per (address, coalesce_key) in `letters`, each coalesced into the email still
    queued with its key, as `enqueue` does; returns how many were queued or coalesced.

    `build(key, pending)` gives an email's context from the context of the one still queued with its key (None
    when there is none). Each new email counts against the cap of `cause`; over it the rest are not queued.
    `known`: what the caller read with its recipients (app/emailer/admission.py `with_known`).
    """
    admitted = admit(template, [Letter(to, key=key) for to, key in letters], purpose=purpose, cause=cause,
                     delay=delay, send_by=send_by, build=build, known=known)
    return admitted.queued + len(admitted.coalesced)
