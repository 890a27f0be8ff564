"""`flask mail ...` commands (worker, drain, catcher come with the emailer issue)."""
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Deliver queued email and run the local mail catcher.")
