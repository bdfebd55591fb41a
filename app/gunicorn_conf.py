"""gunicorn settings that `make run` and `make cluster` use besides the command line
(`--config python:app.gunicorn_conf`; see Makefile)."""

from workshops.registrations import mail

# No access-log line for a request that answers an evaluation (address and time would link it).
logger_class = "app.access_log.PrivateAccessLogger"


def post_worker_init(worker):
    """One mail sender thread per worker: it claims queued messages in the database and sends
    them outside any request (workshops/registrations/mail.py)."""
    mail.start_sender(worker.wsgi)


def worker_exit(_server, worker):
    """Let the sender finish the message it is sending before the worker goes."""
    wsgi = getattr(worker, "wsgi", None)
    if wsgi is not None:
        mail.stop_sender(wsgi)
