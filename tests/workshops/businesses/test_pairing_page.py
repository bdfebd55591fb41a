"""The pairings page reads only its own businesses: same results and order as reading them all.

The search (name, sector or tag) runs on the cached results' entries and only the page's
businesses and their partners are read; these tests hold it to what the page did before, when
it read every business of the project on every request.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from method import taxonomy
from workshops.businesses import pairing_service
from workshops.businesses.models import Business, Connection, PairingMark

pytestmark = pytest.mark.db

PER_PAGE = 20
ODD_NAMES = [
    "100% Lokal",
    "100 Prosent",
    "Under_strek",
    "Understrek",
    "O'Brien Kro",
    'Kafé "Fjell"',
    "Ærøy Ø-sti",
    "Straße Gasthaus",
    "ΟΔΟΣ Ταβέρνα",
    "Пекарня Север",
    "Back\\slash Bryggeri",
    "[Klammer] Camping",
]
QUERIES = [
    "",
    "   ",
    "bedrift",
    "BEDRIFT 01",
    "%",
    "100%",
    "_",
    "under_",
    "'",
    '"fjell"',
    "\\",
    "[",
    "ærøy",
    "ÆRØY ø",
    "strasse",
    "STRASSE",
    "οδοσ",
    "ταβέρνα",
    "ПЕКАРНЯ",
    "55.10",
    "hotell",
    "accommodation",
    "Overnatting",
    "guided tours",
    "guidede turer; lokalmat",
    "food service",
    "x" * 160,
]


def _region(db, project, n: int = 300, seed: int = 5) -> None:
    rng = random.Random(seed)
    tags = [t.key for t in taxonomy.tags()]
    groups = ["accommodation", "food_service", "guides_activities", "retail", "local_food"]
    names = [f"Bedrift {k:03d}" for k in range(n - len(ODD_NAMES))] + ODD_NAMES
    rng.shuffle(names)
    for name in names:
        group = rng.choice([*groups, None])
        db.session.add(
            Business(
                project=project,
                name=name,
                sector=rng.choice(["55.10", "Hotell", "", "79.90 reiseliv", "Café %_"]),
                sector_group=group,
                offers=sorted(rng.sample(tags, rng.randint(0, 4))),
                needs=sorted(rng.sample(tags, rng.randint(0, 4))),
                offers_free=rng.choice([[], [], ["Noe annet"], [" noe  ANNET "], ["Kajakk", ""]]),
                needs_free=rng.choice([[], [], ["Vedfyring"]]),
                municipality="Nordvik",
            )
        )
    db.session.flush()
    ids = sorted(b.id for b in project.businesses)
    for k in range(6):
        db.session.add(
            Connection(project_id=project.id, a_id=ids[k], b_id=ids[k + n // 2], status="met")
        )
    for k, value in enumerate(["good", "not_relevant", "good"]):
        db.session.add(
            PairingMark(
                project_id=project.id, a_id=ids[k + 6], b_id=ids[k + 6 + n // 2], mark=value
            )
        )
    db.session.commit()


@pytest.fixture
def region(db, leader, make_project):
    project = make_project("stor", leaders=[leader], name="Stor", language="en")
    _region(db, project)
    return project


def _before_matching(project, query: str, lang: str) -> list[Business]:
    """The page's search read plainly: every business read, filtered in Python; the name
    itself first, then names that hold the query, then sectors and tags."""
    key = " ".join(query.split()).casefold()
    if not key:
        return list(project.businesses)
    tags = set(taxonomy.map_words(query).tags)
    named, in_name, other = [], [], []
    for b in project.businesses:
        label = taxonomy.group_label(b.sector_group, lang) if b.sector_group else ""
        sector = f"{b.sector or ''} {label}"
        if key in b.name.casefold():
            (named if " ".join(b.name.split()).casefold() == key else in_name).append(b)
        elif (
            key in sector.casefold()
            or tags.intersection(b.offers or ())
            or tags.intersection(b.needs or ())
        ):
            other.append(b)
    return named + in_name + other


def _before_rows(project, shown: list[Business], k: int = 5) -> list[tuple[int, list[tuple]]]:
    """The page's rows as they were made: partners looked up among all the businesses."""
    from workshops.businesses import pairing

    computed = pairing_service._computed(project)
    by_id = {str(b.id): b for b in project.businesses}
    top = pairing.apply_feedback(
        computed.profiles,
        computed.top,
        pairing_service.feedback(project),
        only=[str(b.id) for b in shown],
    )
    return [
        (
            b.id,
            [
                (by_id[s.partner_id].id, s.score, s.reasons, s.competitor)
                for s in top.get(str(b.id), [])[:k]
                if s.partner_id in by_id
            ],
        )
        for b in shown
    ]


def _rows(rows) -> list[tuple[int, list[tuple]]]:
    return [
        (b.id, [(p.business.id, p.score, p.reasons, p.competitor) for p in partners])
        for b, partners in rows
    ]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_search_and_pages_give_what_reading_every_business_gave(db, region, lang):
    for query in QUERIES:
        before = _before_matching(region, query, lang)
        pages = max(1, -(-len(before) // PER_PAGE))
        for page in sorted({1, 2, pages // 2 or 1, pages, pages + 3}):
            db.session.expire_all()
            found = pairing_service.pairings_page(region, query, lang, page, PER_PAGE)
            last = min(page, pages)
            shown = before[(last - 1) * PER_PAGE : last * PER_PAGE]

            assert (found.found, found.page, found.pages) == (len(before), last, pages), query
            assert _rows(found.rows) == _before_rows(region, shown), (query, page)


def test_search_characters_match_literally(db, region):
    names = {b.id: b.name for b in region.businesses}

    def shown(query: str) -> set[str]:
        found = pairing_service.pairings_page(region, query, "en", 1, 500)
        return {names[b.id] for b, _partners in found.rows}

    assert shown("100%") == {"100% Lokal"}
    assert shown("under_") == {"Under_strek"}
    assert shown("o'brien") == {"O'Brien Kro"}
    assert shown('"FJELL"') == {'Kafé "Fjell"'}
    assert shown("back\\slash") == {"Back\\slash Bryggeri"}
    assert shown("strasse") == {"Straße Gasthaus"}
    assert shown("οδοσ") == {"ΟΔΟΣ Ταβέρνα"}
    assert shown("пекарня") == {"Пекарня Север"}
    assert shown("ærøy ø") == {"Ærøy Ø-sti"}


def test_the_page_reads_only_its_businesses_and_a_fixed_number_of_statements(
    db, leader_client, region, make_project, leader
):
    small = make_project("liten", leaders=[leader], name="Liten", language="en")
    _region(db, small, n=30, seed=6)
    urls = [
        "/projects/{slug}/pairings?lang=en",
        "/projects/{slug}/pairings?lang=en&page=2",
        "/projects/{slug}/pairings?lang=en&q=bedrift",
        "/projects/{slug}/pairings?lang=en&q=overnatting",
    ]
    for url in urls:
        counts = []
        for slug in ("liten", "stor"):
            leader_client.get(url.format(slug=slug))  # warm: the results are computed once
            db.session.expire_all()
            with _counted(db) as (statements, loaded):
                response = leader_client.get(url.format(slug=slug))
            assert response.status_code == 200
            counts.append(len(statements))
        assert counts[1] <= counts[0], url
        # The page's businesses and their partners, the marked pairs, the connections' ends.
        assert len(loaded) <= PER_PAGE * 6 + 2 * 3 + 2 * 6, url


def test_the_pages_html_lists_the_same_businesses(db, leader_client, region):
    for query in ["bedrift", "100%", "overnatting", "ΟΔΟΣ"]:
        before = _before_matching(region, query, "en")
        page = leader_client.get("/projects/stor/pairings", query_string={"q": query}).get_data(
            as_text=True
        )
        headings = re.findall(r'<h2 id="b(\d+)">', page)

        assert [int(x) for x in headings] == [b.id for b in before[:PER_PAGE]], query


def _registry_names(client, query: str, page: int) -> list[str]:
    html = client.get(
        "/projects/stor/businesses", query_string={"q": query, "page": page, "lang": "en"}
    ).get_data(as_text=True)
    return re.findall(r'<td><a href="/projects/stor/businesses/\d+">([^<]*)</a></td>', html)


def test_the_registry_searches_and_pages_as_the_pairings_do(db, leader_client, region):
    from markupsafe import escape

    per_page = 100
    for query in ["", "bedrift", "100%", "_", "overnatting", "ΟΔΟΣ", "accommodation", "zzz"]:
        before = [str(escape(b.name)) for b in _before_matching(region, query, "en")]
        pages = max(1, -(-len(before) // per_page))
        for page in sorted({1, pages, pages + 1}):
            last = min(page, pages)
            shown = _registry_names(leader_client, query, page)
            assert shown == before[(last - 1) * per_page : last * per_page], (query, page)


def test_the_registry_reads_the_search_without_computing_pairings(db, leader_client, region):
    from workshops.businesses import registry

    pairing_service._CACHE.clear()
    pairing_service._ENTRIES.clear()
    page = leader_client.get("/projects/stor/businesses?q=bedrift").get_data(as_text=True)

    assert not pairing_service._CACHE  # nothing computed: the entries are read on their own
    assert len(pairing_service._ENTRIES) == 1
    unmapped = len(registry.unmapped_words(region))
    assert unmapped == 3  # "noe annet" (twice written), "kajakk", "vedfyring"
    assert pairing_service.search(region, "", "en", 1, 20, unmapped=True).unmapped == unmapped
    assert f"Unmapped words ({unmapped})" in page
    assert "page 1 of 3" in page and 'rel="next"' in page


def test_ecosystem_proposals_are_kept_until_a_name_or_a_business_changes(db, region, monkeypatch):
    from workshops.businesses import pairing

    real, calls = pairing.ecosystems, []

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pairing, "ecosystems", counting)
    first = pairing_service.ecosystem_proposals(region)
    db.session.expire_all()
    again = pairing_service.ecosystem_proposals(region)
    assert len(calls) == 1
    assert [(e, [b.id for b in m]) for e, m in first] == [(e, [b.id for b in m]) for e, m in again]

    pairing_service.name_ecosystem(region, "Helg", "", first[0][1])
    db.session.commit()
    named = pairing_service.ecosystem_proposals(region)
    assert len(calls) == 2
    assert all({b.id for b in m} != {b.id for b in first[0][1]} for _e, m in named)


def test_the_ecosystem_member_boxes_are_what_wtforms_renders(app, db, leader_client, region):
    from flask_wtf import FlaskForm  # noqa: F401 - the form needs the app's request context
    from wtforms.fields.choices import SelectChoice

    from workshops.businesses.forms import EcosystemForm

    chosen = [str(b.id) for b in list(region.businesses)[3:6]]
    page = leader_client.get(
        "/projects/stor/ecosystems", query_string={"members": ",".join(chosen)}
    ).get_data(as_text=True)
    boxes = re.search(r'<ul class="check-list" id="members">.*?</ul>', page, re.S).group(0)

    with app.test_request_context():
        form = EcosystemForm()
        form.members.choices = [SelectChoice(str(b.id), b.name) for b in region.businesses]
        form.members.data = chosen
        expected = str(form.members(class_="check-list"))

    assert boxes == expected
    assert boxes.count(" checked ") == 3


@contextlib.contextmanager
def _counted(db) -> Iterator[tuple[list[str], list[int]]]:
    """The statements sent, and the ids of the businesses read from their rows."""
    statements: list[str] = []
    loaded: list[int] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def read(business, _context) -> None:
        loaded.append(business.id)

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(Business, "load", read)
    try:
        yield statements, loaded
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        event.remove(Business, "load", read)


def test_a_business_searched_by_its_name_comes_first_though_its_name_names_a_tag(db, region):
    """A business named "Nordkafé 00078" among 10,000 businesses was on page 47: the word "kafé" names a tag that
    hundreds of others offer, and every hit kept the project's order."""
    cafes = [Business(project=region, name=f"Aa kafé {n:02d}", offers=["meals"]) for n in range(30)]
    wanted = Business(project=region, name="Zz Nordkafé 78", offers=["meals"])
    db.session.add_all([*cafes, wanted])
    db.session.commit()

    found = pairing_service.search(region, "zz nordkafé  78", "en", 1, PER_PAGE)
    by_part = pairing_service.search(region, "nordkafé", "en", 1, PER_PAGE)

    assert found.ids[0] == wanted.id
    assert by_part.ids[0] == wanted.id  # a name that holds the query before tag hits
    assert found.found > 30  # tag hits still listed, after the names
