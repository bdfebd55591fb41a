"""Results: counts and charts that match them, the under-5 rule, anonymity, caching, exports."""

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from matplotlib.patches import Wedge
from sqlalchemy import inspect

from app.extensions import db as _db
from evaluations import builder, charts, responses, results, store
from evaluations.models import ReceiptSet
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db


def _answer(form, answers: dict, device: str) -> None:
    checked, problems = responses.check(form, answers)
    assert problems == []
    responses.submit(form, checked, device, responses.local_today("Europe/Oslo"))
    _db.session.commit()


def _answer_many(form, rows: list[dict]) -> None:
    for n, answers in enumerate(rows):
        _answer(form, answers, f"device-{n:04d}-abcdefghij")


def _rows(form, track_picks, scale_points, helped, texts=()):
    rows = []
    for n, (track, point, chosen) in enumerate(zip(track_picks, scale_points, helped, strict=True)):
        row = {
            qid(form, 0): option_id(form, 0, track),
            qid(form, 1): option_id(form, 1, n % 2),
            qid(form, 2): point,
            qid(form, 3): [option_id(form, 3, i) for i in chosen],
        }
        if n < len(texts):
            row[qid(form, 4)] = texts[n]
        rows.append(row)
    return rows


@pytest.fixture
def answered(custom_form):
    rows = _rows(
        custom_form,
        track_picks=[0, 0, 1, 2, 0, 1],
        scale_points=[5, 4, 4, 3, 5, 4],
        helped=[[0], [0, 1], [1], [2], [0, 2], [0]],
        texts=['=HYPERLINK("http://evil")', "Mer <script>alert(1)</script> kaffe", "@home"],
    )
    _answer_many(custom_form, rows)
    return custom_form


# ---- anonymity in the schema ---------------------------------------------------------------


def test_no_column_or_foreign_key_links_a_response_to_a_person_device_or_receipt(app):
    inspector = inspect(_db.engine)
    tables = ("evaluation_response_set", "evaluation_receipt_set")
    linked = {
        table: {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        for table in tables
    }
    columns = {table: {c["name"] for c in inspector.get_columns(table)} for table in tables}

    assert linked == {
        "evaluation_response_set": {"evaluation_form"},
        "evaluation_receipt_set": {"evaluation_form"},
    }
    assert columns == {
        "evaluation_response_set": {"form_id", "count", "responses"},
        "evaluation_receipt_set": {"form_id", "hashes"},
    }
    for table in tables:
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["form_id"]
    assert not {"evaluation_response", "evaluation_answer"} & set(inspector.get_table_names())


def test_a_response_keeps_a_random_id_and_the_date_and_the_receipt_only_a_keyed_hash(
    db, custom_form, answered
):
    response = store.responses(custom_form.id)[0]
    receipts = db.session.get(ReceiptSet, custom_form.id).members()

    assert len(response.id) == 32 and not response.id.isdigit()
    assert receipts == sorted(receipts) and len(receipts) == 6
    assert all("device-" not in r and len(r) == responses.RECEIPT_CHARS for r in receipts)
    assert responses.receipt_key(custom_form, "device-0000-abcdefghij") in receipts


# ---- counts, charts, the under-5 rule ------------------------------------------------------


def test_counts_and_data_tables_match_the_answers(answered):
    result = results.form_results(answered, "en")
    track, yesno, scale, helped, texts = result.questions

    assert result.responses == 6
    assert track.table == (("Food", 3, 50.0), ("Culture", 2, 33.3), ("Nature", 1, 16.7))
    assert yesno.chart.counts == (3, 3)
    assert scale.chart.counts == (0, 0, 1, 3, 2) and scale.chart.ordinal
    assert (helped.chart.kind, helped.chart.counts, helped.respondents) == ("bar", (4, 2, 2), 6)
    assert helped.table[0] == ("Talks", 4, 66.7)  # shares of respondents, may pass 100 % in all
    assert (texts.too_few, texts.texts) == (True, ())  # three texts: too few to show


def test_pie_slices_match_the_counts(answered):
    chart = results.form_results(answered, "en").questions[2].chart

    figure = charts.build_figure(chart)
    wedges = [p for p in figure.axes[0].patches if isinstance(p, Wedge) and p.get_fill()]
    sweeps = [round((w.theta2 - w.theta1) % 360, 3) for w in wedges]

    assert sweeps == [round(360 * n / 6, 3) for n in (1, 3, 2)]


def test_question_with_fewer_than_five_answers_shows_too_few(db, custom_form):
    _answer_many(custom_form, _rows(custom_form, [0] * 4, [3] * 4, [[0]] * 4))

    result = results.form_results(custom_form, "en")

    assert all(q.too_few and q.chart is None for q in result.questions)


def test_threshold_is_a_setting(app, leader_client, answered):
    app.config["EVALUATION_MIN_RESPONSES"] = 7
    page = leader_client.get(f"/projects/kanalbyen/evaluations/{answered.id}/results?lang=en")

    assert page.get_data(as_text=True).count("Too few answers to show") == 5


def test_results_page_shows_charts_tables_and_rate(leader_client, form_a, workshop):
    _answer_many(
        form_a,
        [
            {qid(form_a, 0): option_id(form_a, 0, n % 3), qid(form_a, 1): 4 + n % 2}
            | {
                qid(q.form, i): option_id(form_a, i, 0)
                for i, q in enumerate(form_a.questions)
                if q.required and i > 1 and q.type != "multiple"
            }
            | {qid(form_a, 5): [option_id(form_a, 5, 0)]}
            for n in range(6)
        ],
    )
    page = leader_client.get(
        f"/projects/kanalbyen/evaluations/{form_a.id}/results?lang=en"
    ).get_data(as_text=True)

    assert "<strong>30 %</strong> response rate (6 of 20 participants)" in page
    assert page.count('class="table data-table"') == 10
    assert "How useful was this workshop?" in page
    assert "Too few answers to show" in page  # the optional texts nobody wrote


def test_free_text_is_listed_verbatim_and_escaped(db, leader_client, custom_form, answered):
    more = [
        {
            qid(answered, 1): option_id(answered, 1, 0),
            qid(answered, 0): option_id(answered, 0, 0),
            qid(answered, 2): 1,
            qid(answered, 3): [option_id(answered, 3, 0)],
            qid(answered, 4): f"Tekst {n}",
        }
        for n in range(2)
    ]
    for n, row in enumerate(more):
        _answer(answered, row, f"late-device-{n}-abcdefgh")

    page = leader_client.get(f"/projects/kanalbyen/evaluations/{answered.id}/results").get_data(
        as_text=True
    )

    assert "Mer &lt;script&gt;alert(1)&lt;/script&gt; kaffe" in page
    assert "<script>alert(1)" not in page


def test_chart_images_are_served_cached_and_redrawn_only_when_answers_change(
    app, leader_client, answered
):
    from evaluations.routes import chart_cache

    base = f"/projects/kanalbyen/evaluations/{answered.id}/charts/{answered.questions[2].id}"
    cache = chart_cache()
    before = cache.renders

    png = leader_client.get(f"{base}.png")
    again = leader_client.get(f"{base}.png")
    svg = leader_client.get(f"{base}.svg")
    not_modified = leader_client.get(f"{base}.png", headers={"If-None-Match": png.headers["ETag"]})
    assert (png.mimetype, svg.mimetype, not_modified.status_code) == (
        "image/png",
        "image/svg+xml",
        304,
    )
    assert png.data[:4] == b"\x89PNG" and png.data == again.data
    assert b"How useful?" in svg.data
    assert cache.renders - before == 2  # one PNG, one SVG
    _answer(
        answered,
        {
            qid(answered, 0): option_id(answered, 0, 0),
            qid(answered, 1): option_id(answered, 1, 0),
            qid(answered, 2): 1,
            qid(answered, 3): [option_id(answered, 3, 0)],
        },
        "new-device-abcdefghij",
    )
    changed = leader_client.get(f"{base}.png")
    assert changed.headers["ETag"] != png.headers["ETag"] and cache.renders - before == 3
    assert (
        leader_client.get(
            f"/projects/kanalbyen/evaluations/{answered.id}/charts/{answered.questions[4].id}.png"
        ).status_code
        == 404
    )


def test_compare_page_puts_form_a_of_each_workshop_side_by_side(
    db, leader_client, project, make_workshop
):
    first = make_workshop("Første", code="AAA234", steps=[])
    make_workshop("Andre", code="BBB234", steps=[])
    from evaluations.models import EvaluationForm

    form = db.session.query(EvaluationForm).filter_by(workshop_id=first.id).one()
    builder.set_status(form, "open")
    db.session.commit()
    rows = []
    for n in range(5):
        row = {
            qid(form, i): option_id(form, i, n % 3)
            for i, q in enumerate(form.questions)
            if q.type in ("single", "scale")
        }
        rows.append(row)
    _answer_many(form, rows)

    comparison = results.compare(project, "en")
    page = leader_client.get("/projects/kanalbyen/evaluations/compare?lang=en").get_data(
        as_text=True
    )

    assert comparison.workshops == ("Første", "Andre")
    assert [title for title, _cells in comparison.rows] == [
        "How useful was this workshop?",
        "How much room did your ideas get?",
        "How likely is it that you contact someone from today within a month?",
    ]
    assert [cell.too_few for cell in comparison.rows[0][1]] == [False, True]
    assert page.count('class="table data-table"') == 3


# ---- exports -------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas(app, leader_client, answered):
    app.config["EVALUATION_MIN_RESPONSES"] = 3  # the three texts are shown
    response = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/export.csv?lang=en"
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))

    assert response.mimetype == "text/csv"
    assert rows[0] == [
        "Date",
        "Which track?",
        "Did you enjoy it?",
        "How useful?",
        "What helped?",
        "Anything else?",
    ]
    assert len(rows) == 7
    texts = sorted(row[5] for row in rows[1:] if row[5])
    assert texts == ['\'=HYPERLINK("http://evil")', "'@home", "Mer <script>alert(1)</script> kaffe"]
    assert sorted(row[3] for row in rows[1:]) == ["3", "4", "4", "4", "5", "5"]
    assert "Talks; Coffee" in [row[4] for row in rows[1:]]


def test_xlsx_export_keeps_formulas_as_text(app, leader_client, answered):
    app.config["EVALUATION_MIN_RESPONSES"] = 3  # the three texts are shown
    response = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/export.xlsx?lang=en"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = [
        c
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]

    assert rows[0][:3] == ("Date", "Which track?", "Did you enjoy it?")
    assert len(rows) == 7
    assert sorted(r[3] for r in rows[1:]) == [3, 4, 4, 4, 5, 5]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://evil")', "s")]


def test_charts_zip_holds_one_png_per_chart(leader_client, answered):
    response = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/charts.zip?lang=en"
    )
    archive = zipfile.ZipFile(io.BytesIO(response.data))

    assert archive.namelist() == [
        "01-which-track.png",
        "02-did-you-enjoy-it.png",
        "03-how-useful.png",
        "04-what-helped.png",
    ]
    assert all(archive.read(name)[:4] == b"\x89PNG" for name in archive.namelist())


# ---- nothing on disk keeps an earlier state of the results ----------------------------------


def _chart_urls(page: str) -> list[str]:
    """Every chart image and download the results page links to."""
    found = re.findall(r'(?:src|href)="([^"]*/charts/[^"]+)"', page)
    return [url.replace("&amp;", "&") for url in found]


def _files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_viewing_results_after_each_answer_leaves_no_file_per_state(app, leader_client, answered):
    base = f"/projects/kanalbyen/evaluations/{answered.id}"
    instance = Path(app.instance_path)

    def view_everything() -> None:
        page = leader_client.get(f"{base}/results?lang=en").get_data(as_text=True)
        urls = _chart_urls(page)
        assert len(urls) == 12  # four charts: the image, its PNG and its SVG
        assert all(leader_client.get(url).status_code == 200 for url in urls)
        assert leader_client.get(f"{base}/charts.zip?lang=en").status_code == 200

    view_everything()
    before = _files(instance)
    for n in range(3):
        row = {
            qid(answered, 0): option_id(answered, 0, n),
            qid(answered, 1): option_id(answered, 1, 0),
            qid(answered, 2): 1 + n,
            qid(answered, 3): [option_id(answered, 3, 2)],
        }
        _answer(answered, row, f"later-device-{n}-abcdefgh")
        view_everything()

    assert _files(instance) == before
    assert not (instance / "cache" / "charts").exists()


def test_chart_files_older_versions_left_are_deleted_on_the_first_chart_request(
    app, leader_client, answered
):
    folder = Path(app.instance_path) / "cache" / "charts"
    folder.mkdir(parents=True)
    left = ["a" * 64 + ".png", "b" * 64 + ".svg", "." + "c" * 64 + ".png.k2j4m1"]
    for name in left:
        (folder / name).write_bytes(b"counts of an earlier moment")
    (folder / "notes.txt").write_text("not a chart")

    chart = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/charts/{answered.questions[2].id}.png"
    )

    assert chart.status_code == 200
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]


def test_chart_urls_and_etags_carry_no_hash_a_reader_could_check_guessed_counts_against(
    leader_client, answered
):
    found = results.form_results(answered, "en")
    drawn = [q for q in found.questions if q.chart is not None]
    page = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/results?lang=en"
    ).get_data(as_text=True)
    etag = leader_client.get(
        f"/projects/kanalbyen/evaluations/{answered.id}/charts/{drawn[0].question_id}.png"
    ).headers["ETag"]

    assert all(f"v={q.chart_key}" in page for q in drawn)
    assert not any(charts.cache_key(q.chart) in page for q in drawn)
    assert charts.cache_key(drawn[0].chart) not in etag


# ---- the response rate ---------------------------------------------------------------------


def _form_a_of(workshop):
    from evaluations.models import EvaluationForm

    form = _db.session.scalar(
        _db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
    )
    builder.set_status(form, "open")
    _db.session.commit()
    return form


def _form_a_rows(form, count: int) -> list[dict]:
    return [
        {qid(form, 0): option_id(form, 0, n % 3), qid(form, 1): 4 + n % 2}
        | {
            qid(form, i): option_id(form, i, 0)
            for i, q in enumerate(form.questions)
            if q.required and i > 1 and q.type != "multiple"
        }
        | {qid(form, 5): [option_id(form, 5, 0)]}
        for n in range(count)
    ]


def test_response_rate_is_given_only_up_to_the_devices_that_joined():
    cases = [(3, 4), (4, 4), (7, 4), (0, 4), (2, 0), (2, None)]

    assert [results.response_rate(r, p) for r, p in cases] == [0.75, 1.0, None, 0.0, None, None]


def test_more_responses_than_joined_phones_show_both_numbers_and_no_rate_anywhere(
    leader_client, make_workshop
):
    form = _form_a_of(make_workshop(participants=4))
    _answer_many(form, _form_a_rows(form, 7))  # three answered by the QR code without joining

    found = results.form_results(form, "en")
    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}/results?lang=en").get_data(
        as_text=True
    )
    report = leader_client.get("/projects/kanalbyen/report?lang=en").get_data(as_text=True)

    assert (found.responses, found.participants, found.rate) == (7, 4, None)
    subtitles = [q.chart.subtitle for q in found.questions if q.chart is not None]
    assert subtitles and not any("response rate" in s for s in subtitles)
    assert "<strong>7</strong> responses" in page
    assert "<strong>4</strong> phones joined with the code" in page
    assert "response rate" not in page and "175 %" not in page
    assert "response rate 175" not in report and "175 %" not in report


def test_as_many_responses_as_joined_phones_is_a_rate_of_100_percent(leader_client, make_workshop):
    form = _form_a_of(make_workshop(participants=6))
    _answer_many(form, _form_a_rows(form, 6))

    found = results.form_results(form, "en")
    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}/results?lang=en").get_data(
        as_text=True
    )

    assert found.rate == 1.0
    assert "response rate 100 %" in found.questions[0].chart.subtitle
    assert "<strong>100 %</strong> response rate (6 of 6 participants)" in page
    assert "joined with the code" not in page
