"""Product sheets in the live room: one phone per group fills the group's sheet (METHOD.md W4.5:
what, for whom, when, capacity, price, seller, organiser).

A phone's group is its track if it has one, else the ecosystem of its business, else its
business alone. The first phone of a group to save holds the pen; another phone of the group
sees the sheet and may take the pen over. Registered into the live room's step registry at
start-up (the live room never imports this).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import csrf, db
from workshops import devices
from workshops.businesses.meetings import business_of
from workshops.businesses.models import PRODUCT_FIELDS, Ecosystem, ProductSheet, ecosystem_member
from workshops.http import api_abort, json_body
from workshops.live import participants, steps
from workshops.live.api import WRITE_ERRORS, nullable, operation, workshop_or_404
from workshops.live.models import Participant
from workshops.live.steps import Kind, Panel, StepError
from workshops.programme.versions import bump

MAX_FIELD = 500

bp = Blueprint("products_api", __name__, url_prefix="/api/v1/workshops")


def group_of(workshop, device: str) -> tuple[str, str] | None:
    """(key, name) of this phone's group: its track, its business's ecosystem, or its business."""
    participant = db.session.scalar(
        select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.device == device
        )
    )
    if participant is None:
        return None
    if participant.track:
        titles = {t.get("key"): t.get("title") for s in workshop.steps for t in (s.tracks or [])}
        return f"track:{participant.track}", titles.get(participant.track) or participant.track
    business = business_of(workshop, device)
    if business is not None:
        ecosystem = db.session.scalar(
            select(Ecosystem)
            .join(ecosystem_member, ecosystem_member.c.ecosystem_id == Ecosystem.id)
            .where(ecosystem_member.c.business_id == business.id)
            .order_by(Ecosystem.id)
        )
        if ecosystem is not None:
            return f"ecosystem:{ecosystem.id}", ecosystem.name
        return f"business:{business.id}", business.name
    name = (participant.business_name or "").strip()
    return (f"name:{name.lower()}"[:200], name) if name else None


def _sheet(workshop, key: str) -> ProductSheet | None:
    return db.session.scalar(
        select(ProductSheet).where(
            ProductSheet.workshop_id == workshop.id, ProductSheet.group_key == key
        )
    )


def _collecting(workshop) -> bool:
    step = next((s for s in workshop.steps if s.id == workshop.current_step_id), None)
    return workshop.status != "closed" and "products" in steps.kinds_of(step)


def view(workshop, device: str) -> dict:
    """What one phone sees: its group, the sheet's texts and who holds the pen."""
    group = group_of(workshop, device)
    if group is None:
        return {"group": None, "fields": {}, "writer": None, "open": _collecting(workshop)}
    sheet = _sheet(workshop, group[0])
    writer = None
    if sheet is not None and sheet.device:
        writer = "me" if sheet.device == device else "other"
    return {
        "group": group[1],
        "fields": dict(sheet.fields) if sheet else {},
        "writer": writer,
        "open": _collecting(workshop),
    }


def save(workshop, device: str, fields: object, *, take: bool, now: datetime) -> ProductSheet:
    """Save the group's sheet from this phone; another phone's pen is taken only if asked."""
    if not _collecting(workshop):
        raise StepError("not_now")
    group = group_of(workshop, device)
    if group is None:
        raise StepError("no_group")
    if not isinstance(fields, dict) or any(
        not isinstance(fields.get(k, ""), str) or len(fields.get(k, "")) > MAX_FIELD
        for k in PRODUCT_FIELDS
    ):
        raise StepError("bad_fields")
    sheet = _sheet(workshop, group[0])
    if sheet is None:
        sheet = ProductSheet(workshop_id=workshop.id, group_key=group[0], fields={})
        db.session.add(sheet)
    elif sheet.device and sheet.device != device and not take:
        raise StepError("other_phone")
    sheet.group_name = group[1][:160]
    sheet.device = device
    sheet.fields = {k: fields.get(k, "").strip() for k in PRODUCT_FIELDS}
    sheet.updated_at = now
    bump(workshop)
    return sheet


def sheets(workshop) -> list[ProductSheet]:
    """The workshop's product sheets, by group name."""
    return list(
        db.session.scalars(
            select(ProductSheet)
            .where(ProductSheet.workshop_id == workshop.id)
            .order_by(ProductSheet.group_name)
        )
    )


def _counts(workshop) -> dict[str, int]:
    count = db.session.scalar(
        select(func.count(ProductSheet.id)).where(ProductSheet.workshop_id == workshop.id)
    )
    return {"products": count} if count else {}


def _panel(workshop, step, manual: bool) -> Panel | None:
    done = sheets(workshop)
    lines = [
        ngettext(
            "%(num)s group has started its product sheet.",
            "%(num)s groups have started their product sheets.",
            len(done),
        )
    ] + [f"{s.group_name}: {s.fields.get('what', '')}" for s in done]
    return Panel("products", _("Product sheets"), tuple(lines))


def _wall(workshop, step) -> dict | None:
    return {
        "lines": [_("Each group fills its product sheet on one phone.")]
        + [f"{s.group_name}: {s.fields.get('what', '')}" for s in sheets(workshop)]
    }


PRODUCT_ERRORS = {
    "not_now": (409, lambda: _("This step does not collect product sheets.")),
    "no_group": (409, lambda: _("Tell us your group or your business first.")),
    "bad_fields": (422, lambda: _("Write up to 500 characters in each field.")),
    "other_phone": (409, lambda: _("Another phone of your group is writing this sheet.")),
}


def _device() -> str:
    return participants.device_key(devices.current_device())


@bp.get("/<code>/product")
def product_api(code: str):
    """This phone's group and its product sheet."""
    workshop = workshop_or_404(code)
    return view(workshop, _device())


@bp.post("/<code>/product")
def save_product_api(code: str):
    """Save the group's product sheet from this phone (`take`: take the pen over)."""
    data = json_body()
    workshop = workshop_or_404(code)
    device = _device()
    try:
        save(workshop, device, data.get("fields"), take=data.get("take") is True, now=utcnow())
        db.session.commit()
    except StepError as error:
        db.session.rollback()
        status, message = PRODUCT_ERRORS[error.code]
        api_abort(status, error.code, message())
    return view(workshop, device), 200


def openapi_paths(spec: dict) -> None:
    """Describe the phones' product-sheet endpoints in the OpenAPI document."""
    fields = {"type": "object", "properties": {k: {"type": "string"} for k in PRODUCT_FIELDS}}
    sheet = {
        "type": "object",
        "properties": {
            "group": nullable("string"),
            "fields": fields,
            "writer": nullable("string"),
            "open": {"type": "boolean"},
        },
    }
    body = {
        "type": "object",
        "required": ["fields"],
        "properties": {"fields": fields, "take": {"type": "boolean"}},
    }
    spec["paths"]["/workshops/{code}/product"] = {
        "get": operation("This phone's group and its product sheet", "200", sheet, (404, 503)),
        "post": operation(
            "Save the group's product sheet from this phone", "200", sheet, WRITE_ERRORS, body
        ),
    }


def init_app(app) -> None:
    """Register product sheets with the live room, and the phones' API."""
    steps.register(
        app,
        Kind(
            "products",
            counts=_counts,
            panel=_panel,
            wall=_wall,
            phone=lambda workshop, step: {"open": workshop.status != "closed"},
        ),
    )
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions.setdefault("kraftverk.openapi", []).append(openapi_paths)
