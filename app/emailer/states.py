"""The outbox and mail journal state machine, in one place: every status change of an outbox row and of its
journal entry, and who makes it. `allowed` checks a change against it (tests/emailer/test_states.py replays
real deliveries through it).

Outbox rows (app/models/mail.py, MailStatus); NEW is a row not yet written, GONE a deleted one:

| from    | to      | who (module)                                | when |
|---------|---------|---------------------------------------------|------|
| NEW     | queued  | a web request (outbox.py, coalesced.py)     | an email to send |
| NEW     | skipped | a web request (outbox.py, coalesced.py)     | the address hard-bounced before |
| queued  | sending | a worker's claim (claims.py)                | due, and the budget has room; leased |
| queued  | skipped | a worker's outcome write (bounces.py)       | another email to the address hard-bounced |
| queued  | failed  | deactivation, privacy erasure, reassignment | cancelled before it went out |
| sending | sent    | its holder's outcome write (outcomes.py)    | the server accepted it |
| sending | failed  | its holder's outcome write (outcomes.py)    | refused for good, unrenderable, too old, |
|         |         |                                             | withdrawn when re-read (fresh.py) |
| sending | queued  | its holder's outcome write (outcomes.py)    | refused for now (backoff), or given back |
| sending | unknown | its holder's outcome write (outcomes.py)    | connection lost after the final dot |
| sending | sent    | a claim, lease run out (claims.py)          | the journal says the server accepted it |
| sending | unknown | a claim, lease run out (claims.py)          | the journal has it in flight |
| sending | queued  | a claim, lease run out (claims.py)          | no entry, or `done`: never past DATA |
| unknown | sent    | its holder's outcome write (outcomes.py)    | lease ran out, but it knows the server took it |
| unknown | sent    | a developer on /dev/mail (unknown.py)       | counted as sent |
| unknown | queued  | a developer on /dev/mail (unknown.py)       | sent again |
| skipped | queued  | an admin correcting it (admin/address.py)   | sent to the new address |
| sent, failed, unknown, skipped | GONE | `flask maintenance purge`      | past their retention (maintenance.py) |

Outcome writes touch only rows the writer holds (`lease_owner`, status `sending`): a worker whose lease ran
out and was taken over writes nothing to that row, and its lease renewal drops it from its hand.

Journal entries (MailJournal, JournalState), written by the worker holding the row (flight.py), in
autocommit, before its outcomes reach the outbox:

| from   | to     | when |
|--------|--------|------|
| NONE   | flight | the DATA command goes out; the final dot waits for this write |
| flight | sent   | the server accepted it (written as the next message starts) |
| flight | done   | refused at or after DATA, or withheld before the final dot: never accepted |
| any    | NONE   | its outcome is in the outbox (same commit, outcomes.py); the row is claimed again, or |
|        |        | an hour after a dead worker's last write, once settled (claims.py) |
"""
NEW, GONE = "new", "gone"  # an outbox row before it is written, and after it is deleted
NONE = "none"  # no journal entry

OUTBOX: dict[str, set[str]] = {  # status -> the statuses it may change to
    NEW: {"queued", "skipped"},
    "queued": {"sending", "skipped", "failed"},
    "sending": {"sent", "failed", "queued", "unknown"},
    "unknown": {"sent", "queued", GONE},
    "skipped": {"queued", GONE},
    "sent": {GONE},
    "failed": {GONE},
}
JOURNAL: dict[str, set[str]] = {
    NONE: {"flight"},
    "flight": {"sent", "done", NONE},
    "sent": {NONE},
    "done": {NONE},
}


def allowed(old: str, new: str, table: dict[str, set[str]] = OUTBOX) -> bool:
    """Whether a row may go from `old` to `new` (statuses or journal states by their values); staying is not
    a change."""
    return old == new or new in table.get(str(old), set())
