"""A regional host: PostgreSQL, two app servers (gunicorn, as `make run`) and nginx in front.

The cluster is the one `make cluster` starts (app/cluster.py). Each app server has an instance
folder of its own, so anything kept in one host's folder instead of the shared database shows up
here as a request that works on one server and not on the other. A phone "alternates between
servers" by sending its requests to each app server's port in turn, as a round-robin balancer
does; the burst with kill -9 goes through nginx.

Runs once, on its own throwaway PostgreSQL, in the SQLite pass of `make test`.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import requests

from app.cluster import Cluster

pytestmark = pytest.mark.slow

LEADER = "leader@cluster.example"
PASSWORD = "cluster-" + secrets.token_urlsafe(12)
SLUG = "regional"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.fail("nginx is not installed: make test installs Debian's nginx-light")
    folder = tmp_path_factory.mktemp("cluster")
    running = Cluster(folder, servers=2, workers=1, threads=4, demo=False)
    try:
        running.start()
        _leader(running)
        running.flask("create-project", SLUG, "--name", "Regional", "--leader", LEADER)
        yield running
    finally:
        running.stop()


def _leader(running: Cluster) -> None:
    import subprocess
    import sys

    from app.cluster import ROOT

    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "run",
            "create-leader",
            LEADER,
            "--name",
            "Leader",
        ],
        cwd=ROOT,
        env=running.servers[0].env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.returncode == 0


def _workshop(running: Cluster, title: str) -> str:
    out = running.flask("create-workshop", "--project", SLUG, "--title", title, "--template", "W2")
    return out.strip().splitlines()[-1].strip()


def _sql(running: Cluster, statement: str, *params):
    url = running.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(statement, params)
        return rows.fetchall() if rows.description else None


def _servers(running: Cluster) -> list[str]:
    return [f"http://127.0.0.1:{server.port}" for server in running.servers]


def _phone(device: str) -> requests.Session:
    phone = requests.Session()
    phone.headers.update({"X-Device": device, "Content-Type": "application/json"})
    return phone


def test_a_phone_alternating_between_servers_posts_each_idea_once(cluster):
    code = _workshop(cluster, "Ideas")
    a, b = _servers(cluster)
    phone = _phone("device-" + secrets.token_hex(10))
    body = json.dumps({"text": "Kajakk og kaffe ved slusene"})
    key = {"Idempotency-Key": "key-" + secrets.token_hex(8)}

    first = phone.post(f"{a}/api/v1/workshops/{code}/ideas", data=body, headers=key, timeout=30)
    again = phone.post(f"{b}/api/v1/workshops/{code}/ideas", data=body, headers=key, timeout=30)

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    stored = _sql(
        cluster, "SELECT count(*) FROM idea WHERE text = %s", "Kajakk og kaffe ved slusene"
    )
    assert stored == [(1,)]


def test_the_rate_limit_counts_across_servers(cluster):
    code = _workshop(cluster, "Rate")
    servers = _servers(cluster)
    phone = _phone("device-" + secrets.token_hex(10))

    answers = [
        phone.post(
            f"{servers[n % 2]}/api/v1/workshops/{code}/ideas",
            data=json.dumps({"text": f"idé {n}"}),
            headers={"Idempotency-Key": f"rate-{n}-{secrets.token_hex(4)}"},
            timeout=30,
        ).status_code
        for n in range(12)
    ]

    assert answers[:10] == [201] * 10
    assert answers[10:] == [429, 429]


def _login(base: str) -> requests.Session:
    leader = requests.Session()
    page = leader.get(f"{base}/login", timeout=30)
    token = CSRF.search(page.text).group(1)
    answer = leader.post(
        f"{base}/login",
        data={"csrf_token": token, "email": LEADER, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text[:500]
    return leader


def test_a_leaders_session_and_csrf_token_work_on_both_servers(cluster):
    a, b = _servers(cluster)
    leader = _login(a)
    code = _workshop(cluster, "Votes")
    (workshop_id,) = _sql(cluster, "SELECT id FROM workshop WHERE join_code = %s", code)[0]
    board = leader.get(f"{b}/projects/{SLUG}/workshops/{workshop_id}/ideas", timeout=30)
    assert board.status_code == 200
    token = CSRF.search(board.text).group(1)

    opened = leader.post(
        f"{a}/projects/{SLUG}/workshops/{workshop_id}/vote/open",
        data={"csrf_token": token, "dots": "3"},
        timeout=30,
        allow_redirects=False,
    )

    assert opened.status_code in (302, 303)
    rounds = _sql(cluster, "SELECT count(*) FROM vote_round WHERE workshop_id = %s", workshop_id)
    assert rounds == [(1,)]


def test_a_phone_never_exceeds_its_dots_across_servers(cluster):
    a, b = _servers(cluster)
    leader = _login(b)
    code = _workshop(cluster, "Dots")
    (workshop_id,) = _sql(cluster, "SELECT id FROM workshop WHERE join_code = %s", code)[0]
    writer = _phone("writer-" + secrets.token_hex(8))
    ideas = [
        writer.post(
            f"{a}/api/v1/workshops/{code}/ideas",
            data=json.dumps({"text": f"Stemmeidé {n}"}),
            headers={"Idempotency-Key": f"dots-{n}-{secrets.token_hex(4)}"},
            timeout=30,
        ).json()["id"]
        for n in range(6)
    ]
    board = leader.get(f"{a}/projects/{SLUG}/workshops/{workshop_id}/ideas", timeout=30)
    token = CSRF.search(board.text).group(1)
    leader.post(
        f"{b}/projects/{SLUG}/workshops/{workshop_id}/vote/open",
        data={"csrf_token": token, "dots": "3"},
        timeout=30,
    )
    voter = "voter-" + secrets.token_hex(8)
    servers = [a, b] * 6

    def vote(n: int) -> int:
        phone = _phone(voter)
        return phone.post(
            f"{servers[n]}/api/v1/workshops/{code}/votes",
            data=json.dumps({"idea": ideas[n % len(ideas)], "dots": 1}),
            headers={"Idempotency-Key": f"vote-{n}-{secrets.token_hex(4)}"},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(vote, range(12)))

    assert answers.count(201) + answers.count(200) == 3
    spent = _sql(
        cluster,
        "SELECT coalesce(sum(dots), 0) FROM vote WHERE idea_id = ANY(%s)",
        ideas,
    )
    assert spent == [(3,)]


def test_live_state_and_etags_agree_across_servers(cluster):
    a, b = _servers(cluster)
    code = _workshop(cluster, "State")
    phone = _phone("state-" + secrets.token_hex(8))

    first = phone.get(f"{a}/api/v1/workshops/{code}", timeout=30)
    second = phone.get(f"{b}/api/v1/workshops/{code}", timeout=30)
    unchanged = phone.get(
        f"{b}/api/v1/workshops/{code}", headers={"If-None-Match": first.headers["ETag"]}, timeout=30
    )

    assert first.status_code == second.status_code == 200
    assert first.headers["ETag"] == second.headers["ETag"]
    # The state agrees; each server says its own clock's time (the two asks may straddle a second).
    one, other = first.json(), second.json()
    clocks = [
        datetime.fromisoformat(s.pop("server_time").replace("Z", "+00:00")) for s in (one, other)
    ]
    assert one == other
    assert abs((clocks[1] - clocks[0]).total_seconds()) <= 5
    assert unchanged.status_code == 304


def test_polls_through_nginx_keep_their_304_and_static_files_go_compressed(cluster):
    code = _workshop(cluster, "Poll")
    phone = _phone("poll-" + secrets.token_hex(8))
    phone.headers["Accept-Encoding"] = "gzip"
    text = "om kajakk, kaffe og kveldsmat ved slusene, med guide og båt hele veien hjem " * 2
    for n in range(8):  # a list of ideas over a kilobyte, which nginx would compress
        phone.post(
            f"{cluster.url}/api/v1/workshops/{code}/ideas",
            data=json.dumps({"text": f"Idé {n} {text}"}),
            headers={"Idempotency-Key": f"poll-{n:04d}-{secrets.token_hex(4)}"},
            timeout=30,
        )
    url = f"{cluster.url}/api/v1/workshops/{code}/ideas"

    first = phone.get(url, timeout=30)
    again = phone.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    css = requests.get(
        f"{cluster.url}/static/css/kraftverk.css", headers={"Accept-Encoding": "gzip"}, timeout=30
    )

    assert first.status_code == 200 and len(first.content) > 1024
    assert again.status_code == 304
    assert css.headers["Content-Encoding"] == "gzip"


def test_an_export_downloaded_from_either_server_is_the_same(cluster):
    a, b = _servers(cluster)
    leader = _login(a)

    from_a = leader.get(f"{a}/projects/{SLUG}/export.json", timeout=60)
    from_b = leader.get(f"{b}/projects/{SLUG}/export.json", timeout=60)

    assert from_a.status_code == from_b.status_code == 200
    assert from_a.content == from_b.content


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(cluster):
    a, b = _servers(cluster)
    leader = _login(a)
    page = leader.get(f"{a}/projects/{SLUG}/businesses/import", timeout=30)
    csv = "name;sector;offers;needs\nFjellro Hytter;overnatting;hytteutleie;guiding\n"

    uploaded = leader.post(
        f"{a}/projects/{SLUG}/businesses/import",
        data={"csrf_token": CSRF.search(page.text).group(1)},
        files={"file": ("region.csv", csv.encode("utf-8-sig"), "text/csv")},
        timeout=60,
        allow_redirects=False,
    )
    preview_url = uploaded.headers["Location"]
    preview_url = b + preview_url if preview_url.startswith("/") else preview_url.replace(a, b)
    preview = leader.get(preview_url, timeout=60)
    confirmed = leader.post(
        preview_url.replace(b, a),
        data={"csrf_token": CSRF.search(preview.text).group(1)},
        timeout=60,
        allow_redirects=False,
    )

    assert uploaded.status_code in (302, 303)
    assert preview.status_code == 200
    assert confirmed.status_code in (302, 303)
    assert _sql(cluster, "SELECT count(*) FROM business WHERE name = 'Fjellro Hytter'") == [(1,)]


def test_an_evaluation_is_answered_once_across_servers(cluster):
    a, b = _servers(cluster)
    code = _workshop(cluster, "Evaluation")
    (workshop_id,) = _sql(cluster, "SELECT id FROM workshop WHERE join_code = %s", code)[0]
    form_id, token = _sql(
        cluster, "SELECT id, token FROM evaluation_form WHERE workshop_id = %s", workshop_id
    )[0]
    leader = _login(b)
    page = leader.get(f"{a}/projects/{SLUG}/evaluations/{form_id}", timeout=30)
    leader.post(
        f"{b}/projects/{SLUG}/evaluations/{form_id}/status",
        data={"csrf_token": CSRF.search(page.text).group(1), "action": "open"},
        timeout=30,
    )
    phone = _phone("eval-" + secrets.token_hex(8))
    form = phone.get(f"{a}/api/v1/evaluations/{token}", timeout=30).json()
    answers = {}
    for question in form["questions"]:
        if question["type"] == "text":
            continue
        if question["type"] == "multiple":
            answers[question["id"]] = [question["options"][0]["id"]]
        else:
            answers[question["id"]] = question["options"][0]["id"]
    body = json.dumps({"answers": answers})

    first = phone.post(f"{a}/api/v1/evaluations/{token}", data=body, timeout=30)
    second = phone.post(f"{b}/api/v1/evaluations/{token}", data=body, timeout=30)

    assert first.status_code == 201, first.text
    assert second.status_code == 409
    stored = _sql(
        cluster, "SELECT sum(count) FROM evaluation_response_set WHERE form_id = %s", form_id
    )
    assert stored == [(1,)]


def test_a_killed_app_server_loses_nothing_and_rejoins(cluster):
    code = _workshop(cluster, "Crash")
    url = cluster.url
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + 60

    def phone(n: int) -> None:
        session = _phone(f"crash-phone-{n}-{secrets.token_hex(4)}")
        for k in range(5):
            key = f"crash-{n}-{k}-{secrets.token_hex(4)}"
            text = f"Krasjidé {n}-{k}"
            while time.monotonic() < stop_at:
                try:
                    answer = session.post(
                        f"{url}/api/v1/workshops/{code}/ideas",
                        data=json.dumps({"text": text}),
                        headers={"Idempotency-Key": key},
                        timeout=10,
                    )
                except requests.RequestException:
                    time.sleep(0.2)
                    continue
                if answer.status_code == 201:
                    with lock:
                        acknowledged[text] = answer.json()["id"]
                    break
                time.sleep(0.2 if answer.status_code != 429 else 1.0)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    cluster.servers[0].kill_hard()
    restarted = cluster.supervise_once()
    for thread in threads:
        thread.join()

    assert restarted == ["app1"]
    assert len(acknowledged) == 300
    rows = _sql(
        cluster,
        "SELECT text, count(*) FROM idea WHERE workshop_id = "
        "(SELECT id FROM workshop WHERE join_code = %s) GROUP BY text",
        code,
    )
    assert dict(rows) == dict.fromkeys(acknowledged, 1)
    assert requests.get(f"http://127.0.0.1:{cluster.servers[0].port}/healthz", timeout=30).ok


def test_postgresql_restarting_during_a_burst_answers_503_with_retry_after_and_loses_nothing(
    cluster,
):
    code = _workshop(cluster, "Restart")
    url = cluster.url
    acknowledged: dict[str, int] = {}
    statuses: list[int] = []
    retry_after: set[str | None] = set()
    lock = threading.Lock()
    stop_at = time.monotonic() + 60

    def phone(n: int) -> None:
        session = _phone(f"restart-phone-{n}-{secrets.token_hex(4)}")
        for k in range(5):
            key, text = f"restart-{n}-{k}-{secrets.token_hex(4)}", f"Omstartidé {n}-{k}"
            while time.monotonic() < stop_at:
                try:
                    answer = session.post(
                        f"{url}/api/v1/workshops/{code}/ideas",
                        data=json.dumps({"text": text}),
                        headers={"Idempotency-Key": key},
                        timeout=10,
                    )
                except requests.RequestException:
                    time.sleep(0.2)
                    continue
                with lock:
                    statuses.append(answer.status_code)
                    if answer.status_code == 503:
                        retry_after.add(answer.headers.get("Retry-After"))
                if answer.status_code == 201:
                    with lock:
                        acknowledged[text] = answer.json()["id"]
                    break
                time.sleep(0.3)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    cluster.postgres.stop("fast")  # ends every connection, as a restart does
    while_down = requests.post(
        f"{url}/api/v1/workshops/{code}/ideas",
        data=json.dumps({"text": "Mens basen er nede"}),
        headers={"Content-Type": "application/json", "X-Device": "down-" + secrets.token_hex(8)},
        timeout=30,
    )
    cluster.postgres.start()
    for thread in threads:
        thread.join()

    assert while_down.status_code == 503, while_down.text[:300]
    assert while_down.headers["Retry-After"] == "2"
    assert while_down.json()["error"] == "unavailable"
    assert 500 not in statuses and set(statuses) <= {201, 503}
    assert retry_after <= {"2"}
    assert len(acknowledged) == 100  # every phone kept its ideas until they were stored
    rows = _sql(
        cluster,
        "SELECT text, count(*) FROM idea WHERE workshop_id = "
        "(SELECT id FROM workshop WHERE join_code = %s) GROUP BY text",
        code,
    )
    assert dict(rows) == dict.fromkeys(acknowledged, 1)


def test_nginx_serves_static_files_with_the_apps_headers_and_a_page_when_no_server_answers(
    cluster,
):
    css = requests.get(f"{cluster.url}/static/css/kraftverk.css", timeout=30)
    for server in cluster.servers:
        server.kill_hard()
    started = time.monotonic()
    offline = requests.get(f"{cluster.url}/", timeout=30)
    waited = time.monotonic() - started
    cluster.supervise_once()

    assert css.status_code == 200
    assert css.headers["Server"].startswith("nginx")
    assert "default-src 'self'" in css.headers["Content-Security-Policy"]
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert offline.status_code == 502
    assert "Kraftverk" in offline.text
    assert waited < 10
