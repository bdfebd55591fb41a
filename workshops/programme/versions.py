"""Version counters that phones, the wall and the console follow (their ETags).

Every bump is one SQL increment, never a read-modify-write in Python, so two requests that
change a workshop at the same moment both count.
"""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from workshops.programme.models import Workshop


def bump(workshop: Workshop, *, state: bool = True, ideas: bool = False) -> None:
    """Add one to the workshop's state version (and its ideas version) in the database."""
    names = (["state_version"] if state else []) + (["ideas_version"] if ideas else [])
    if not names:
        return
    if workshop.id is None:  # not stored yet: nobody else can see it
        for name in names:
            setattr(workshop, name, (getattr(workshop, name) or 0) + 1)
        return
    values = {name: getattr(Workshop, name) + 1 for name in names}
    db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # Read the new value back when next used, not the one this session last saw.
    db.session.expire(workshop, names)
