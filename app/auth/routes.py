"""Log in, log out, the user's own settings, and a project's members."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import (
    current_user,
    login_remembered,
    login_required,
    login_user,
    logout_user,
)
from sqlalchemy import delete, func, select
from wtforms.fields.choices import SelectChoice

from app.auth.forms import AccountForm, LoginForm
from app.auth.models import (
    LoginAttempt,
    User,
    normalise_email,
    password_matches,
    user_by_email,
)
from app.db import utcnow
from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from workshops.projects import access
from workshops.projects import service as project_service
from workshops.projects.forms import MemberForm, RemoveMemberForm
from workshops.projects.models import Membership

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow a `next` link that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _too_many_attempts(email: str) -> bool:
    since = utcnow() - current_app.config["LOGIN_WINDOW"]
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    count = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
    )
    return (count or 0) >= current_app.config["LOGIN_ATTEMPTS"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form and check it."""
    if current_user.is_authenticated:
        return redirect(url_for("workshops.projects"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        if _too_many_attempts(email):
            db.session.commit()
            flash(_("Too many failed attempts. Wait a quarter of an hour and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        user = user_by_email(email)
        if password_matches(user, form.password.data):
            db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("workshops.projects"))
        db.session.add(LoginAttempt(email=email))
        db.session.commit()
        flash(_("Wrong e-mail address or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out and go to the front page; with `everywhere`, on every device the user uses."""
    if request.form.get("everywhere"):
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        flash(_("You are logged out on every device."), "info")
    else:
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Let a user change their name, language and password."""
    form = AccountForm(obj=current_user)
    form.language.choices = [SelectChoice("", _("Follow the browser"))] + [
        SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()
    ]
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            current_user.name = form.name.data.strip()
            current_user.language = form.language.data or None
            changed = bool(form.password.data)
            if changed:
                current_user.set_password(form.password.data)  # ends the other sessions
            db.session.commit()
            if changed:  # this browser stays logged in, with a cookie of the new version
                login_user(current_user._get_current_object(), remember=login_remembered())
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200


@bp.route("/projects/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug: str):
    """See who is in the project; leaders add members by e-mail."""
    project = access.project_for(slug)
    role = access.role_in(project)
    form = MemberForm()
    status = 200
    if form.is_submitted():
        if role != "leader":
            abort(403)
        if form.validate():
            user = user_by_email(form.email.data)
            if user is None:
                form.email.errors.append(
                    _("No user has this address. An operator creates users with create-user.")
                )
            else:
                project_service.set_role(project, user, form.role.data)
                db.session.commit()
                flash(_("%(name)s is now a member.", name=user.display_name), "success")
                return redirect(url_for("auth.members", slug=slug))
        status = 400
    rows = db.session.execute(
        db.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id)
        .order_by(User.email)
    ).all()
    return (
        render_template(
            "auth/members.html",
            project=project,
            rows=rows,
            form=form,
            remove_form=RemoveMemberForm(),
            role=role,
        ),
        status,
    )


@bp.post("/projects/<slug>/members/<int:user_id>/remove")
@login_required
def remove_member(slug: str, user_id: int):
    """Take a member out of the project (never the last leader)."""
    project = access.project_for(slug, lead=True)
    RemoveMemberForm().validate_on_submit() or abort(400)
    user = db.session.get(User, user_id) or abort(404)
    membership = db.session.get(Membership, (user.id, project.id)) or abort(404)
    if membership.role == "leader" and project_service.leader_count(project) <= 1:
        flash(_("A project needs at least one process leader."), "error")
    else:
        project_service.set_role(project, user, None)
        db.session.commit()
        flash(_("The member is removed."), "success")
    return redirect(url_for("auth.members", slug=slug))
