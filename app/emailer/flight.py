"""One message's way past DATA (app/emailer/transport.py, Gate): what the mail journal must hold first, and
the lease that must still be good, before the final dot after which the server may accept it."""
from app.emailer.claims import Claimed
from app.emailer.journal import Journal, Ticket
from app.emailer.outcomes import Recorder


class Flight:
    """The transport's gate for one message. The replies to the messages before it go to the journal at once
    (written while it is built and MAIL and RCPT go out); as its DATA goes out, the journal records it in
    flight; the final dot waits for both writes, and is never sent once the lease may have run out. A worker
    killed before DATA leaves no entry for the message: its row goes back to the queue, not to `unknown`."""

    def __init__(self, row: Claimed, recorder: Recorder, journal: Journal):
        self.row, self.recorder, self.journal = row, recorder, journal
        self.entries = recorder.known()
        self.tickets: list[Ticket] = [journal.submit(self.entries)] if self.entries else []

    def opening(self) -> None:
        entries = self.recorder.in_flight(self.row)
        self.entries = [*self.entries, *entries]
        self.tickets.append(self.journal.submit(entries))

    def written(self) -> bool:
        """Every write so far went in (False: the database did not answer; `error` says how)."""
        return all(ticket.ok() for ticket in self.tickets)

    @property
    def error(self) -> BaseException | None:
        return next((ticket.error for ticket in self.tickets if not ticket.ok()), None)

    def may_end(self) -> bool:
        return self.written() and self.recorder.lease_left() > 0
