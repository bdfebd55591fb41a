"""Every command of the operator's interface; each is a thin call into a service."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale

from app import demo
from app.auth.models import MIN_PASSWORD, User, normalise_email, user_by_email
from app.extensions import db
from workshops import devices
from workshops.businesses import pairing_service
from workshops.businesses import registry as businesses
from workshops.privacy import service as privacy
from workshops.programme import builder as programme_builder
from workshops.projects import service as project_service
from workshops.projects.models import DEFAULT_USE, TARGET_KINDS, USES, Project
from workshops.registrations import mail
from workshops.registrations import service as registrations


def fail(message: str) -> None:
    """Stop with one line on standard error and exit status 1."""
    raise click.ClickException(message)


def read_password() -> str:
    """Read a password: a hidden prompt on a terminal, else one line of standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        fail(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def project_or_exit(slug: str) -> Project:
    """The project with this slug, or exit 1 naming it."""
    project = db.session.scalar(db.select(Project).where(Project.slug == slug))
    if project is None:
        fail(f"no project with the slug '{slug}'")
    return project


def _new_user(email: str, name: str | None, *, can_create: bool) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        fail(f"'{email}' is not an e-mail address")
    if user_by_email(email):
        fail(f"a user with the address {email} exists already")
    user = User(email=email, name=(name or "").strip(), can_create_projects=can_create)
    user.set_password(read_password())
    db.session.add(user)
    return user


@click.command("create-leader")
@click.argument("email")
@click.option("--name", default=None, help="The leader's name, as shown to others.")
@with_appcontext
def create_leader_command(email: str, name: str | None) -> None:
    """Create a process leader who may create projects (password from standard input)."""
    user = _new_user(email, name, can_create=True)
    db.session.commit()
    click.echo(f"Created leader {user.email}")


@click.command("create-user")
@click.argument("email")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--role", type=click.Choice(["leader", "viewer"]), required=True)
@click.option("--name", default=None)
@with_appcontext
def create_user_command(email: str, slug: str, role: str, name: str | None) -> None:
    """Create a user with a role in one project (password from standard input)."""
    project = project_or_exit(slug)
    user = _new_user(email, name, can_create=False)
    db.session.flush()
    project_service.set_role(project, user, role)
    db.session.commit()
    click.echo(f"Created {role} {user.email} in {project.slug}")


@click.command("create-project")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--municipality", default="")
@click.option("--lang", "language", default="nb", help="nb, sv, da, fi or en.")
@click.option("--timezone", default="Europe/Oslo")
@click.option(
    "--use",
    type=click.Choice(USES),
    default=DEFAULT_USE,
    help="The use of the method (existing_ecosystem starts the default programme at W2).",
)
@click.option("--leader", "leaders", multiple=True, help="E-mail of a leader (repeatable).")
@click.option("--programme", type=click.Choice(["default"]), default=None)
@click.option("--first-day", default=None, help="Date of the first workshop, e.g. 2027-02-03.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    help="KIND=NUMBER, e.g. ideas=60 (attendees, businesses, ideas, connections, ecosystems).",
)
@with_appcontext
def create_project_command(
    slug: str,
    name: str,
    municipality: str,
    language: str,
    timezone: str,
    use: str,
    leaders: tuple[str, ...],
    programme: str | None,
    first_day: str | None,
    targets: tuple[str, ...],
) -> None:
    """Create a project (empty unless --programme default)."""
    users = []
    for email in leaders:
        user = user_by_email(email)
        if user is None:
            fail(f"no user with the address {email}")
        users.append(user)
    parsed = {}
    for item in targets:
        kind, _sep, value = item.partition("=")
        if kind not in TARGET_KINDS or not value.isdigit():
            fail(f"'{item}' is not KIND=NUMBER with KIND one of {', '.join(TARGET_KINDS)}")
        parsed[kind] = int(value)
    data = project_service.ProjectData(
        slug=slug,
        name=name,
        municipality=municipality,
        language=language,
        timezone=timezone,
        targets=parsed,
        use=use,
    )
    try:
        project = project_service.create(data, leaders=users)
    except project_service.ProjectError as error:
        with force_locale("en"):
            fail(project_service.problem_message(str(error)))
    if programme:
        try:
            first = datetime.fromisoformat(first_day) if first_day else None
        except ValueError:
            db.session.rollback()
            fail(f"'{first_day}' is not a date such as 2027-02-03")
        programme_builder.add_default_programme(project, first)
    db.session.commit()
    click.echo(f"Created project {project.slug}")


@click.command("create-workshop")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--title", required=True)
@click.option("--template", type=click.Choice(["W1", "W2", "W3", "W4", "W5"]), default=None)
@click.option("--starts", default=None, help="Start time, e.g. 2027-03-04T09:00 (project's zone).")
@with_appcontext
def create_workshop_command(
    slug: str, title: str, template: str | None, starts: str | None
) -> None:
    """Add a workshop, from a method template or empty; prints its join code last."""
    project = project_or_exit(slug)
    starts_at = None
    if starts:
        try:
            parsed = datetime.fromisoformat(starts)
        except ValueError:
            fail(f"'{starts}' is not a time such as 2027-03-04T09:00")
        starts_at = programme_builder.local_to_utc(parsed, project.timezone)
    if not title.strip() or len(title) > 160:
        fail("the title must have 1 to 160 characters")
    workshop = programme_builder.add_workshop(
        project, title, template=template, starts_at=starts_at
    )
    db.session.commit()
    click.echo(f"Created workshop '{workshop.title}' with {len(workshop.steps)} steps")
    click.echo(workshop.join_code)


@click.command("send-reminders")
@click.option("--hours", default=24, show_default=True, help="Remind for workshops this soon.")
@with_appcontext
def send_reminders_command(hours: int) -> None:
    """Mail a reminder to everyone with a place in a workshop starting soon (once each)."""
    count = mail.send_reminders(ahead=timedelta(hours=hours))
    click.echo(f"Sent {count} reminders")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Replace the demo project and its demo users.")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no project.")
@with_appcontext
def demo_command(reset: bool, if_empty: bool) -> None:
    """Load the demo project (slug 'demo'), and print its log-in."""
    email, password, loaded = demo.ensure(reset=reset, only_if_empty=if_empty)
    if loaded:
        click.echo("Loaded the demo project 'demo'.")
    if email:
        click.echo(f"Demo login: {email} {password}")


@click.command("import-businesses")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@with_appcontext
def import_businesses_command(file: Path, slug: str, dry_run: bool) -> None:
    """Import businesses from CSV or XLSX: all rows or none; same names are updated."""
    project = project_or_exit(slug)
    try:
        if file.stat().st_size > businesses.MAX_FILE_BYTES:
            fail(f"{file.name} is larger than 10 MB; nothing was imported")
        data = file.read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    with force_locale("en"):
        try:
            plan = businesses.import_file(project, data, file.name, dry_run=dry_run)
        except businesses.FileError as error:
            db.session.rollback()
            fail(f"{file.name}: {error.message()} Nothing was imported.")
        for problem in plan.warnings + plan.errors:
            click.echo(plan.line(problem), err=True)
    if plan.errors:
        db.session.rollback()
        fail(f"{len(plan.errors)} error(s); nothing was imported")
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing was written", err=True)
    else:
        db.session.commit()
    click.echo(f"{plan.created} created, {plan.updated} updated")


@click.command("pairings")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--top", "top", type=click.IntRange(1, 10), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object (INTERFACES.md).")
@click.option("--lang", "lang", type=click.Choice(["nb", "sv", "da", "fi", "en"]), default=None)
@with_appcontext
def pairings_command(slug: str, top: int, as_json: bool, lang: str | None) -> None:
    """Print each business's best partners with score and reasons."""
    project = project_or_exit(slug)
    document = pairing_service.pairings_document(project, top, lang)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    for item in document["suggestions"]:
        click.echo(item["business"])
        if not item["partners"]:
            click.echo(f"  - {item.get('reason', '')}".rstrip())
        for partner in item["partners"]:
            click.echo(f"  {partner['score']:.2f}  {partner['business']}")
            for reason in partner["reasons"]:
                click.echo(f"        {reason}")


def _privacy_target(slug: str, business: str | None, email: str | None):
    """The project and the business (or None with an address) a privacy command is about."""
    if bool(business) == bool(email):
        fail("give either --business NAME or --email ADDRESS")
    project = project_or_exit(slug)
    if email is not None and "@" not in email:
        fail(f"'{email}' is not an e-mail address")
    found = None
    if business is not None:
        found = businesses.find_by_name(project, business)
        if found is None:
            fail(f"no business named '{business}' in {project.slug}")
    return project, found


@click.command("privacy-export")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--business", default=None, help="The business's name.")
@click.option("--email", default=None, help="A person's e-mail address.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def privacy_export_command(
    slug: str, business: str | None, email: str | None, output: Path | None
) -> None:
    """Everything stored about one business or one person, as JSON."""
    project, found = _privacy_target(slug, business, email)
    with force_locale("en"):
        if found is not None:
            document = privacy.export_business(found)
        else:
            document = privacy.export_participant(project, email=email)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")


@click.command("privacy-erase")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--business", default=None, help="The business's name.")
@click.option("--email", default=None, help="A person's e-mail address.")
@click.option("--entirely", is_flag=True, help="With --business: replace its name too.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def privacy_erase_command(
    slug: str, business: str | None, email: str | None, entirely: bool, yes: bool
) -> None:
    """Erase a business's or a person's personal data; ideas stay, anonymised."""
    project, found = _privacy_target(slug, business, email)
    if entirely and found is None:
        fail("--entirely goes with --business")
    target = f"business '{found.name}'" if found is not None else f"person <{email}>"
    if not yes:
        if not sys.stdin.isatty():
            fail("add --yes to erase without a question")
        click.confirm(f"Erase the personal data of {target} in {project.slug}?", abort=True)
    if found is not None:
        counts = privacy.erase_business(found, entirely=entirely)
    else:
        counts = privacy.erase_person(project, email)
    db.session.commit()
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    click.echo(f"Erased the personal data of {target}: {summary}")


@click.command("purge-registrations")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Anonymise workshops that ended this many days ago (REGISTRATION_RETENTION_DAYS).",
)
@with_appcontext
def purge_registrations_command(days: int | None) -> None:
    """Anonymise the registrations of workshops that ended longer ago than the retention."""
    count = registrations.purge_registrations(days)
    db.session.commit()
    click.echo(f"{count} registrations anonymised")


@click.group("translations-review")
def translations_review_group() -> None:
    """Unchecked translations: export them for a native reader, import the reviewed file."""


@translations_review_group.command("export")
@click.option("--lang", "lang", type=click.Choice(["sv", "da", "fi"]), required=True)
@click.option("--format", "fmt", type=click.Choice(["po", "xlsx"]), default="xlsx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def translations_review_export_command(lang: str, fmt: str, file: Path) -> None:
    """Write the language's unchecked texts, with their English source, to FILE."""
    from app import catalogues
    from app import translation_review as review  # YAML and Babel's catalogue tools

    where = {"translations": catalogues.TRANSLATIONS, "folder": catalogues.METHOD_DATA}
    count = review.export_review(lang, fmt, file, **where)
    click.echo(f"{count} unchecked {lang} texts written to {file}")


@translations_review_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def translations_review_import_command(file: Path) -> None:
    """Write a reviewed FILE back into the catalogue and the method data; clear the flags."""
    from app import catalogues
    from app import translation_review as review  # YAML and Babel's catalogue tools

    where = {"translations": catalogues.TRANSLATIONS, "folder": catalogues.METHOD_DATA}
    try:
        result = review.import_review(file, **where)
    except review.ReviewError as error:
        fail(str(error))
    for problem in result.problems:
        click.echo(f"not imported: {problem}", err=True)
    cleared = ", ".join(result.cleared_files) or "none"
    click.echo(
        f"{result.lang}: {result.reviewed} texts read, {result.changed} changed; "
        f"files now checked: {cleared}"
    )


@click.command("rotate-device-key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def rotate_device_key_command(yes: bool) -> None:
    """Replace the key of the phones' hashes: every phone looks new afterwards."""
    if not yes:
        if not sys.stdin.isatty():
            fail("add --yes to rotate without a question")
        click.confirm(
            "Every phone will look new: it may vote, join and answer evaluations again. Rotate?",
            abort=True,
        )
    devices.rotate_key()
    db.session.commit()
    click.echo("Rotated the device key; restart the app's workers so that they all use it.")


COMMANDS = (
    rotate_device_key_command,
    translations_review_group,
    create_leader_command,
    create_user_command,
    create_project_command,
    create_workshop_command,
    send_reminders_command,
    demo_command,
    import_businesses_command,
    pairings_command,
    privacy_export_command,
    privacy_erase_command,
    purge_registrations_command,
)


def init_app(app: Flask) -> None:
    """Add the commands to `flask --app run`."""
    for command in COMMANDS:
        app.cli.add_command(command)
