"""What the live room does for steps that collect ideas, votes or interests.

Registered into the live room's step registry at start-up (the live room never imports this).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.extensions import db
from workshops.ideas import capture, votes
from workshops.ideas.models import Idea, Interest
from workshops.live import steps
from workshops.live.steps import Control, Kind, Panel, StepError


def _only_votes(step) -> bool:
    """A step that collects votes and no ideas: its vote opens and closes with it."""
    kinds = steps.kinds_of(step)
    return "votes" in kinds and "ideas" not in kinds


def _votes_start(workshop, step, now: datetime) -> None:
    if _only_votes(step) or _closed_with_the_workshop(workshop, step):
        votes.open_for_step(workshop, step, now)


def _closed_with_the_workshop(workshop, step) -> bool:
    """The step's vote was open when the workshop closed (a reopen brings it back)."""
    latest = votes.latest_round(workshop)
    return (
        workshop.ended_at is not None
        and latest is not None
        and latest.step_id == step.id
        and latest.closed_at == workshop.ended_at
    )


def _votes_end(workshop, step, now: datetime) -> None:
    """Close the vote of the step that ends, opened by the step or by hand in it (a vote opened
    before the start belongs to no step and stays open until closed or the workshop closes)."""
    votes.close_open(workshop, now, step_id=step.id)


def _votes_close(workshop, now: datetime) -> None:
    votes.close_open(workshop, now)


def _votes_counts(workshop) -> dict[str, int]:
    vote_round = votes.open_round(workshop)
    if vote_round is None:
        return {}
    return {"votes": sum(votes.totals(workshop, vote_round).values())}


def _step_round(workshop, step):
    """The open vote, else the latest vote of this step (to reveal it after closing)."""
    current = votes.open_round(workshop)
    if current is not None:
        return current
    latest = votes.latest_round(workshop)
    if latest is not None and step is not None and latest.step_id == step.id:
        return latest
    return None


def _votes_panel(workshop, step, manual: bool) -> Panel | None:
    if workshop.status == "closed":
        return None
    vote_round = _step_round(workshop, step)
    title = _("Dot vote")
    if vote_round is None:
        dots = votes.dots_for(votable_count := votes.votable_count(workshop))
        return Panel(
            "votes",
            title,
            (ngettext("%(num)s idea to vote on.", "%(num)s ideas to vote on.", votable_count),),
            (
                Control(
                    "open",
                    _("Open the vote"),
                    primary=not manual,
                    number=(_("Dots each"), dots, 1, votes.MAX_DOTS),
                ),
            ),
        )
    lines = [
        ngettext("Open: %(num)s dot each.", "Open: %(num)s dots each.", vote_round.dots)
        if vote_round.status == "open"
        else _("The vote is closed."),
        ngettext(
            "%(num)s phone has voted.", "%(num)s phones have voted.", votes.voters(vote_round)
        ),
        _("The results are shown.") if vote_round.revealed else _("The results are hidden."),
    ]
    controls = [
        Control("hide", _("Hide the results"))
        if vote_round.revealed
        else Control("reveal", _("Show the results"), primary=vote_round.status != "open")
    ]
    if vote_round.status == "open":
        controls.append(Control("close", _("Close the vote")))
    else:
        controls.append(Control("continue", _("Open the vote again")))
        controls.append(Control("open", _("Open a new vote")))
    return Panel("votes", title, tuple(lines), tuple(controls))


def _votes_act(workshop, action: str, form: Mapping, now: datetime) -> None:
    if workshop.status == "closed":
        raise StepError("closed")
    step_round = _step_round(workshop, None)
    if action == "open":
        try:
            dots = int(form.get("number") or 0) or None
        except (TypeError, ValueError):
            raise StepError("bad_number") from None
        try:
            votes.start_round(workshop, dots, now)
        except votes.VoteError:
            raise StepError("bad_number") from None
    elif action == "continue":
        step = next((s for s in workshop.steps if s.id == workshop.current_step_id), None)
        if step is None:
            raise StepError("nothing_open")
        votes.open_for_step(workshop, step, now)
    elif action == "close":
        votes.close_open(workshop, now)
    elif action in ("reveal", "hide"):
        latest = step_round or votes.latest_round(workshop)
        if latest is None:
            raise StepError("nothing_open")
        votes.reveal(latest, action == "reveal")
    else:
        raise StepError("unknown_action")


def _votes_phone(workshop, step) -> dict | None:
    vote_round = votes.open_round(workshop)
    if vote_round is None:
        return None
    return {"open": True, "dots": vote_round.dots, "revealed": vote_round.revealed}


def _votes_wall(workshop, step) -> dict | None:
    vote_round = _step_round(workshop, step)
    if vote_round is None:
        return None
    is_open = vote_round.status == "open"
    return {
        "open": is_open,
        "dots": vote_round.dots,
        "revealed": vote_round.revealed,
        "given": sum(votes.totals(workshop, vote_round).values()),
        "lines": [
            ngettext("Open: %(num)s dot each.", "Open: %(num)s dots each.", vote_round.dots)
            if is_open
            else _("The vote is closed."),
            ngettext(
                "%(num)s phone has voted.", "%(num)s phones have voted.", votes.voters(vote_round)
            ),
        ],
    }


def _ideas_counts(workshop) -> dict[str, int]:
    return capture.count_for(workshop)


def _interests_counts(workshop) -> dict[str, int]:
    total = db.session.scalar(
        select(func.count(Interest.id))
        .join(Idea, Idea.id == Interest.idea_id)
        .where(Idea.workshop_id == workshop.id)
    )
    return {"interests": total} if total else {}


def _interests_panel(workshop, step, manual: bool) -> Panel | None:
    if manual:
        return None
    total = _interests_counts(workshop).get("interests", 0)
    return Panel(
        "interests",
        _("Interest in ideas"),
        (
            ngettext(
                "%(num)s interest in ideas so far.",
                "%(num)s interests in ideas so far.",
                total,
            ),
        ),
    )


def _interests_wall(workshop, step) -> dict:
    """How many businesses want to work on each idea: a count per idea, never a name (the wall
    is seen by the whole room). Two phones of one business count once."""
    shown = {}
    for idea_id, names in votes.interests_by_idea(workshop).items():
        count = len({name.casefold() for name in names})
        shown[str(idea_id)] = {
            "count": count,
            "text": ngettext(
                "%(num)s business wants to work on this",
                "%(num)s businesses want to work on this",
                count,
            ),
        }
    return {"ideas": shown}


def init_app(app) -> None:
    """Register ideas, votes and interests with the live room."""
    steps.register(app, Kind("ideas", counts=_ideas_counts))
    steps.register(
        app,
        Kind(
            "votes",
            on_start=_votes_start,
            on_end=_votes_end,
            on_close=_votes_close,
            counts=_votes_counts,
            panel=_votes_panel,
            act=_votes_act,
            phone=_votes_phone,
            wall=_votes_wall,
            manual=True,
        ),
    )
    steps.register(
        app,
        Kind(
            "interests",
            counts=_interests_counts,
            panel=_interests_panel,
            phone=lambda workshop, step: {"open": workshop.status != "closed"},
            wall=_interests_wall,
        ),
    )
