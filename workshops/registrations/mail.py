"""E-mail to registrants, in the project's language: sent by SMTP, or kept in the outbox.

With `SMTP_URL` set (smtp://user:pass@host:port, smtps://... for TLS from the start,
smtp+starttls://... or starttls://... to upgrade) a request only adds the message to the queue in
the database (table mail_queue) and goes on: a sender thread in each worker process
(start_sender, started by app/gunicorn_conf.py for `make run`) claims queued messages one by one with
an UPDATE that only one sender can win, so several workers or hosts never send one twice, and
hands them to the server outside any request; a slow or dead server delays no page. A message
the server refuses MAX_ATTEMPTS times, and every message when SMTP_URL is not set, is kept whole in
the outbox, a table in the database (mail_outbox; moved there from the queue in one transaction),
and listed for the project's leaders on every app server, so no message is ever lost and nothing
is written to the instance folder. A sender that died while sending leaves its claim; after
CLAIM_EXPIRES another sender sends the message again (at least once).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from urllib.parse import unquote, urlsplit

from babel.dates import format_date, format_time
from flask import current_app, g, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wsgi import host_is_trusted

from app.db import utcnow
from app.extensions import db
from workshops.live import reach
from workshops.programme.models import Workshop
from workshops.projects.models import Project
from workshops.registrations import calendar
from workshops.registrations import service as registrations
from workshops.registrations.models import OutboxMail, QueuedMail, Registration

log = logging.getLogger(__name__)

KINDS = ("confirmation", "waiting", "moved_up", "cancellation", "reminder")
PROJECT_HEADER = "X-Kraftverk-Project"
KIND_HEADER = "X-Kraftverk-Kind"
UNSENT_HEADER = "X-Kraftverk-Unsent"
SMTP_TIMEOUT = 20
MAX_ATTEMPTS = 5  # then the message goes to the outbox with the server's last answer
CLAIM_EXPIRES = timedelta(minutes=10)  # a claim older than this was left by a dead sender
SENDER_INTERVAL = 5.0  # seconds between two looks at the queue (a new message wakes it)
_PORTS = {"smtp": 25, "smtps": 465, "starttls": 587}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, parsed from SMTP_URL."""

    host: str
    port: int
    mode: str  # "plain", "tls" or "starttls"
    user: str = ""
    password: str = ""


@dataclass(frozen=True)
class OutboxMessage:
    """A message in the outbox, as the outbox page lists it."""

    id: int
    written_at: datetime
    kind: str
    to: str
    subject: str
    body: str
    unsent_reason: str


def smtp_settings(url: str) -> SmtpSettings | None:
    """Parse SMTP_URL; None when it is empty. Raises ValueError for an unknown scheme."""
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    mode = {"smtp": "plain", "smtps": "tls", "smtp+starttls": "starttls", "starttls": "starttls"}
    if scheme not in mode or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:password@host:port")
    port_key = {"plain": "smtp", "tls": "smtps", "starttls": "starttls"}[mode[scheme]]
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or _PORTS[port_key],
        mode=mode[scheme],
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def public_base() -> str:
    """The base of links in messages, never taken from a Host header alone: anyone can send
    any Host, and the link would go out in the municipality's name.

    PUBLIC_URL; else SERVER_NAME; else, in a request, its own address when the host is one
    that only ever means this server: a name in TRUSTED_HOSTS, a loopback address (then the
    machine's network address, as the join links use) or one of this machine's own addresses,
    which keeps a laptop in a venue working. Otherwise "": the message goes without links, and
    a warning says why (once per process).
    """
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{server_name}"
    if has_request_context() and _is_this_server(request.host):
        return reach.public_base().rstrip("/")
    if not current_app.extensions.get("kraftverk.warned_public_url"):
        current_app.extensions["kraftverk.warned_public_url"] = True
        log.warning(
            "PUBLIC_URL is not set and the host %r is not this machine's: e-mails to registrants"
            " go without links until PUBLIC_URL names this site",
            request.host if has_request_context() else None,
        )
    return ""


def _is_this_server(host: str) -> bool:
    trusted = current_app.config.get("TRUSTED_HOSTS")
    if trusted and host_is_trusted(host, trusted):
        return True
    name = urlsplit(f"//{host}").hostname or ""
    return reach.is_loopback(name) or name in reach.lan_addresses()


def _path(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def link(endpoint: str, **values) -> str:
    """An absolute link to `endpoint` for a message, also outside a request (reminders from the
    CLI); "" when public_base() knows no address to trust."""
    base = public_base()
    return base + _path(endpoint, **values) if base else ""


def feed_link(endpoint: str, **values) -> str:
    """An absolute link in an answer to the visitor who asked (the calendar feeds): the address
    they used will do (reach.public_base)."""
    return reach.public_base() + _path(endpoint, **values)


def sender() -> str:
    """The From address: MAIL_FROM, else noreply at the public host."""
    configured = current_app.config.get("MAIL_FROM")
    if configured:
        return configured
    host = urlsplit(public_base()).hostname or "localhost"
    return str(Address("Kraftverk", "noreply", host))


def when_text(workshop: Workshop, project: Project, language: str) -> str:
    """The workshop's start as people read it, in the project's time zone and language."""
    if workshop.starts_at is None:
        return ""
    start = calendar.local(workshop.starts_at, project)
    return f"{format_date(start, 'full', locale=language)} {format_time(start, 'short', locale=language)}"


def _subject(kind: str, title: str) -> str:
    subjects = {
        "confirmation": _("You are registered: %(title)s", title=title),
        "waiting": _("You are on the waiting list: %(title)s", title=title),
        "moved_up": _("You have a place: %(title)s", title=title),
        "cancellation": _("Your registration is cancelled: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s", title=title),
    }
    return subjects[kind]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def registration_message(registration: Registration, kind: str) -> EmailMessage:
    """The message of `kind` for a registration, in its project's language."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    workshop = registration.workshop
    project = workshop.project
    language = project.language or "nb"
    g.kraftverk_mail = True  # force_locale does nothing while g is empty (e.g. in a command)
    with force_locale(language):
        context = {
            "registration": registration,
            "workshop": workshop,
            "project": project,
            "when": when_text(workshop, project, language),
            "online_url": calendar.web_url(workshop.online_url),
            "view_url": link("public.registration", token=registration.token),
            "cancel_url": link("public.cancel", token=registration.token),
            "register_url": link("public.register", workshop_id=workshop.id),
            "position": registrations.waiting_position(registration),
        }
        subject = _subject(kind, _one_line(workshop.title))
        body = render_template(f"registrations/mail/{kind}.txt", **context)
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = sender()
    try:
        message["To"] = Address(_one_line(registration.name), addr_spec=registration.email)
    except (ValueError, IndexError):
        message["To"] = registration.email
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=urlsplit(public_base()).hostname or "localhost")
    message[PROJECT_HEADER] = project.slug
    message[KIND_HEADER] = kind
    message.set_content(body)
    if kind in ("confirmation", "moved_up", "reminder") and workshop.starts_at is not None:
        ics = calendar.build(
            [(workshop, project)],
            name=project.name,
            register_url=lambda w: context["view_url"],
            describe=lambda w, p, url: url,
        )
        message.add_attachment(ics, maintype="text", subtype="calendar", filename="workshop.ics")
    message["Content-Language"] = language  # after the attachment, which moves Content-* headers
    return message


def write_to_outbox(message: EmailMessage, *, unsent_reason: str = "") -> OutboxMail:
    """Keep the message, whole, in the outbox table; the caller commits."""
    if unsent_reason:
        message[UNSENT_HEADER] = _one_line(unsent_reason)[:200]
    kept = OutboxMail(
        project_slug=str(message.get(PROJECT_HEADER, ""))[:40],
        kind=str(message.get(KIND_HEADER, ""))[:20],
        to_address=str(message.get("To", ""))[:320],
        subject=str(message.get("Subject", "")),
        raw=message.as_bytes(),
        unsent_reason=_one_line(unsent_reason)[:200],
        written_at=utcnow(),
    )
    db.session.add(kept)
    db.session.flush()
    return kept


def _smtp_send(settings: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if settings.mode == "tls":
        server = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context
        )
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with server:
        if settings.mode == "starttls":
            server.starttls(context=context)
        if settings.user:
            server.login(settings.user, settings.password)
        server.send_message(message)


def send(message: EmailMessage) -> str:
    """Queue the message for the sender when SMTP is configured; else keep it in the outbox.

    Returns "queued" or "outbox". Never talks to the mail server: that is send_queued()'s work.
    """
    try:
        settings = smtp_settings(current_app.config.get("SMTP_URL") or "")
    except ValueError as error:
        write_to_outbox(message, unsent_reason=str(error))
        db.session.commit()
        return "outbox"
    if settings is None:
        write_to_outbox(message)
        db.session.commit()
        return "outbox"
    db.session.add(
        QueuedMail(
            project_slug=str(message.get(PROJECT_HEADER, "")),
            to_address=str(message.get("To", "")),
            raw=message.as_bytes(),
            created_at=utcnow(),
        )
    )
    db.session.commit()
    wake = current_app.extensions.get("kv_mail_wake")
    if wake is not None:
        wake.set()
    return "queued"


def _claim(message_id: int, now: datetime) -> bool:
    """Take one queued message for this sender; False when another sender has it."""
    taken = db.session.execute(
        update(QueuedMail)
        .where(
            QueuedMail.id == message_id,
            or_(QueuedMail.claimed_at.is_(None), QueuedMail.claimed_at < now - CLAIM_EXPIRES),
        )
        .values(claimed_at=now, attempts=QueuedMail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def send_queued(*, limit: int = 20, now: datetime | None = None) -> int:
    """Claim and send up to `limit` queued messages, one at a time; return how many were sent.

    Runs outside requests (the sender thread, or a test). A message the server takes is deleted;
    one it refuses is released for the next round, and after MAX_ATTEMPTS moved to the outbox.
    """
    try:
        settings = smtp_settings(current_app.config.get("SMTP_URL") or "")
    except ValueError:
        return 0
    if settings is None:
        return 0
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(QueuedMail.id)
            .where(
                or_(QueuedMail.claimed_at.is_(None), QueuedMail.claimed_at < now - CLAIM_EXPIRES)
            )
            .order_by(QueuedMail.id)
            .limit(limit)
        )
    )
    db.session.rollback()
    sent = 0
    for message_id in due:
        if not _claim(message_id, now):
            continue
        row = db.session.get(QueuedMail, message_id)
        raw, attempts, to = row.raw, row.attempts, row.to_address
        db.session.rollback()  # no transaction stays open while the server answers
        message = BytesParser(policy=policy.default).parsebytes(raw)
        this = QueuedMail.id == message_id
        try:
            _smtp_send(settings, message)
        except (OSError, smtplib.SMTPException) as error:
            reason = f"{type(error).__name__}: {error}"
            log.warning("mail to %s not sent (attempt %s): %s", to, attempts, error)
            if attempts >= MAX_ATTEMPTS:
                write_to_outbox(message, unsent_reason=reason)
                db.session.execute(delete(QueuedMail).where(this))
            else:
                db.session.execute(
                    update(QueuedMail).where(this).values(claimed_at=None, last_error=reason[:2000])
                )
            db.session.commit()
            continue
        db.session.execute(delete(QueuedMail).where(this))
        db.session.commit()
        sent += 1
    return sent


def start_sender(app, *, interval: float = SENDER_INTERVAL) -> threading.Thread:
    """Start this process's sender thread (a daemon): it sends queued mail until stop_sender()."""
    wake = app.extensions.setdefault("kv_mail_wake", threading.Event())
    stop = app.extensions.setdefault("kv_mail_stop", threading.Event())
    stop.clear()

    def run() -> None:
        while not stop.is_set():
            try:
                with app.app_context():
                    try:
                        send_queued()
                    finally:
                        db.session.remove()
            except Exception:  # a database hiccup must not end the thread
                log.exception("the mail sender failed; it tries again")
            wake.wait(interval)
            wake.clear()

    thread = threading.Thread(target=run, name="kraftverk-mail-sender", daemon=True)
    thread.start()
    app.extensions["kv_mail_sender"] = thread
    return thread


def stop_sender(app, timeout: float = 5.0) -> None:
    """Ask the sender thread to end after the message it is sending; wait up to `timeout`."""
    stop = app.extensions.get("kv_mail_stop")
    thread = app.extensions.get("kv_mail_sender")
    if stop is None or thread is None:
        return
    stop.set()
    app.extensions["kv_mail_wake"].set()
    thread.join(timeout)


def forget_queued(project: Project, email_folded: str, fold) -> int:
    """Delete the project's queued messages to this address (privacy erase); how many."""
    count = 0
    for row in db.session.scalars(
        select(QueuedMail).where(QueuedMail.project_slug == project.slug)
    ):
        if any(fold(address) == email_folded for _name, address in getaddresses([row.to_address])):
            db.session.delete(row)
            count += 1
    return count


def notify(registration: Registration, kind: str) -> str:
    """Compose and send one message to a registrant; call after the change is committed.

    Returns "queued" (SMTP is set up: the sender sends it soon), "outbox", or "failed" when the
    message could be neither queued nor kept in the outbox (the database gone): the change
    stays, the error is logged, and the page tells the person.
    """
    message = registration_message(registration, kind)
    try:
        return send(message)
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("mail to %s could not be queued", message["To"])
        return "failed"


def outbox(project: Project, *, limit: int = 200) -> list[OutboxMessage]:
    """The project's messages in the outbox, newest first (at most `limit`)."""
    rows = db.session.execute(
        select(OutboxMail.id, OutboxMail.written_at, OutboxMail.raw)
        .where(OutboxMail.project_slug == project.slug)
        .order_by(OutboxMail.written_at.desc(), OutboxMail.id.desc())
        .limit(limit)
    )
    parser = BytesParser(policy=policy.default)
    found = []
    for row in rows:
        message = parser.parsebytes(row.raw)
        body = message.get_body(preferencelist=("plain",))
        found.append(
            OutboxMessage(
                id=row.id,
                written_at=row.written_at,
                kind=str(message.get(KIND_HEADER, "")),
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                body=body.get_content() if body is not None else "",
                unsent_reason=str(message.get(UNSENT_HEADER, "")),
            )
        )
    return found


def forget_outbox(message_ids: list[int]) -> int:
    """Delete these messages from the outbox (privacy erase; the caller commits); how many."""
    if not message_ids:
        return 0
    return db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.id.in_(message_ids))
        .execution_options(synchronize_session=False)
    ).rowcount


def due_reminders(now: datetime, ahead: timedelta) -> list[Registration]:
    """Confirmed registrations of open public workshops starting within `ahead`, not reminded."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .where(
                Registration.status == "confirmed",
                Registration.reminded_at.is_(None),
                Workshop.is_public.is_(True),
                Workshop.status != "closed",
                Workshop.starts_at > now,
                Workshop.starts_at <= now + ahead,
            )
            .order_by(Registration.id)
        )
    )


def send_reminders(*, now: datetime | None = None, ahead: timedelta = timedelta(hours=24)) -> int:
    """Remind everyone with a place in a workshop starting within `ahead`; return how many.

    Each registration is marked and committed as its message goes, so a second run (or a crash
    half-way) never reminds anyone twice.
    """
    now = now or utcnow()
    count = 0
    for registration in due_reminders(now, ahead):
        registration.reminded_at = now
        db.session.commit()
        notify(registration, "reminder")
        count += 1
    return count
