"""Saved searches: created from the CLI or the UI (with a token), an Atom feed of new matches,
e-mail digests over SMTP and webhooks of exactly the matches not sent yet."""
from __future__ import annotations

from datetime import date
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from archive.config import DataDir
from archive.extract.document import ExtractedDocument, Region
from archive.store.saved import list_saved
from archive.operations.indexing import update_index
from archive.store import Archive
from govplans.cli import main
from archive.store import runs as crawl_runs

QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
ATOM = "{http://www.w3.org/2005/Atom}"


def doc(n: int, title: str, year: int = 2025) -> ExtractedDocument:
    return ExtractedDocument(url=f"http://www.qiyang.gov.cn.test/zwgk/t{n}.html", title=title,
                             published=date(year, 6, n), region=QIYANG, year=year, text=f"{title}正文<b>。")


def crawl_day(data: DataDir, docs: list[ExtractedDocument], withdraw: list[str] = ()) -> int:
    """What a run's pipeline does: ingest with the run id, mark withdrawals, finish, index."""
    archive = Archive(data.database_url)
    archive.upsert_site({"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": "trs",
                         "base_url": "http://www.qiyang.gov.cn.test"})
    run = crawl_runs.start_run(archive, "qiyang")
    for d in docs:
        archive.ingest(d, site_id="qiyang", run_id=run)
    for url in withdraw:
        archive.mark_withdrawn(url, run_id=run)
    crawl_runs.finish_run(archive, run, new=len(docs))
    archive.close()
    update_index(data, since=None)
    return run


@pytest.fixture()
def data(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


def cli(*args: str, data: DataDir):
    result = CliRunner().invoke(main, [*args, "--data", str(data.root)], catch_exceptions=False)
    return result


def test_digest_and_webhook_carry_exactly_the_matches_not_sent_yet(data, smtp_server, webhook_receiver):
    hook, bodies = webhook_receiver
    crawl_day(data, [doc(1, "祁阳市政务公开实施方案"), doc(2, "祁阳市防汛通知")])
    assert cli("saved", "add", "公开方案", "政务公开", "--region", "431121", "--email", "a@example.test",
               "--webhook", hook, data=data).exit_code == 0
    assert cli("notify", data=data).exit_code == 0
    assert smtp_server.messages == [] and bodies == []                # nothing new since it was saved

    crawl_day(data, [doc(3, "祁阳市政务公开工作要点"), doc(4, "祁阳市乡村振兴方案"),
                     doc(1, "祁阳市政务公开实施方案（修订）")], withdraw=[doc(2, "").url])
    assert cli("notify", data=data).exit_code == 0
    (mail,) = smtp_server.messages
    body = mail.get_content()
    assert "t3.html" in body and "t1.html" in body and "t4.html" not in body and "t2.html" not in body
    assert "新增（1）" in body and "修改（1）" in body and "撤下" not in body
    (payload,) = bodies
    assert {(e["kind"], e["url"].rsplit("/", 1)[1]) for e in payload["events"]} == {("new", "t3.html"),
                                                                                   ("changed", "t1.html")}
    assert list_saved(Archive(data.database_url))[0].last_notified_at is not None

    assert cli("notify", data=data).exit_code == 0                    # sent once, not again
    assert len(smtp_server.messages) == 1 and len(bodies) == 1


def test_failed_delivery_keeps_the_matches_for_next_time(data, smtp_server, monkeypatch):
    import os

    crawl_day(data, [doc(1, "方案一")])
    cli("saved", "add", "方案", "方案", "--email", "a@example.test", data=data)
    crawl_day(data, [doc(2, "方案二")])
    working = os.environ["GOVPLANS_SMTP_PORT"]
    monkeypatch.setenv("GOVPLANS_SMTP_PORT", "1")                   # nothing listens there
    assert cli("notify", data=data).exit_code == 1
    assert list_saved(Archive(data.database_url))[0].last_notified_at is None
    monkeypatch.setenv("GOVPLANS_SMTP_PORT", working)
    assert cli("notify", data=data).exit_code == 0
    (mail,) = smtp_server.messages
    assert "t2.html" in mail.get_content() and "t1.html" not in mail.get_content()


def test_saved_list_shows_the_searches(data):
    cli("saved", "add", "一", "方案", "--year", "2024", data=data)
    result = cli("saved", "list", "--json", data=data)
    import json
    (row,) = json.loads(result.output)
    assert row["query"] == "方案" and row["filters"] == {"year": 2024} and row["email"] is None
    assert cli("saved", "add", "坏", "方案", "--webhook", "file:///etc/passwd", data=data).exit_code != 0


@pytest.fixture()
def ui(data):
    from search_ui import create_app

    crawl_day(data, [doc(1, "祁阳市政务公开实施方案"), doc(2, "祁阳市防汛通知")])
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True, "GOVPLANS_ADMIN_TOKEN": "s3cret"})
    yield app, app.test_client()
    app.extensions["govplans"].archive.close()


def test_ui_saves_the_current_search_with_the_page_token_and_serves_its_feed(ui, data):
    app, client = ui
    page = client.get("/search?q=方案&region=431121").get_data(as_text=True)
    import lxml.html
    form = lxml.html.fromstring(page).xpath("//form[@class='save-search']")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert fields["q"] == "方案" and fields["region"] == "431121" and fields["token"]
    response = client.post("/saved", data=dict(fields, name="<b>方案</b>"), headers={"Origin": "http://localhost"})
    assert response.status_code == 201
    feed_url = response.headers["Location"]
    crawl_day(data, [doc(3, "祁阳市<script>x</script>汛期方案"), doc(4, "祁阳市防汛通知二")])
    feed = client.get(feed_url)
    assert feed.status_code == 200 and b"<script>" not in feed.data
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(feed.data).findall(f"{ATOM}entry")]
    assert titles == ["【新增】祁阳市<script>x</script>汛期方案", "【新增】祁阳市政务公开实施方案"]


def test_ui_refuses_saving_without_a_token_or_from_another_origin(ui):
    app, client = ui
    assert client.post("/saved", data={"q": "方案"}).status_code == 403
    assert client.post("/saved", data={"q": "方案", "token": "guess"}).status_code == 403
    with app.test_request_context():
        from search_ui.views.saved import form_token
        token = form_token()
    assert client.post("/saved", data={"q": "方案", "token": token},
                       headers={"Origin": "http://evil.test"}).status_code == 403
    # targets that make the server send things need the admin token
    assert client.post("/saved", data={"q": "方案", "token": token, "webhook": "http://127.0.0.1:1/"}).status_code == 403
    assert client.post("/saved", data={"q": "方案", "token": "s3cret", "email": "a@example.test"}).status_code == 201
    assert client.get("/saved/999.atom").status_code == 404


def test_feed_url_is_a_random_key_not_the_counting_id(ui):
    app, client = ui
    with app.test_request_context():
        from search_ui.views.saved import form_token
        token = form_token()
    first, second = (client.post("/saved", data={"q": "方案", "token": token}) for _ in range(2))
    keys = [r.headers["Location"].rsplit("/", 1)[1].removesuffix(".atom") for r in (first, second)]
    assert keys[0] != keys[1] and all(len(k) >= 24 and not k.isdigit() for k in keys)
    assert client.get(first.headers["Location"]).status_code == 200
    assert client.get("/saved/1.atom").status_code == 404 and client.get("/saved/2.atom").status_code == 404
    assert client.get(f"/saved/{keys[0][:-1]}.atom").status_code == 404


def test_saving_is_limited_per_client_address_but_not_for_the_admin(ui):
    app, client = ui
    app.config["SAVED_PER_HOUR"] = 2
    with app.test_request_context():
        from search_ui.views.saved import form_token
        token = form_token()
    here, there = {"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "10.0.0.2"}
    codes = [client.post("/saved", data={"q": "方案", "token": token}, environ_base=here).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]
    limited = client.post("/saved", data={"q": "方案", "token": token}, environ_base=here)
    assert limited.status_code == 429 and 3000 < int(limited.headers["Retry-After"]) <= 3601
    assert client.post("/saved", data={"q": "方案", "token": token}, environ_base=there).status_code == 201
    assert client.post("/saved", data={"q": "方案", "token": "s3cret"}, environ_base=here).status_code == 201


def test_limiter_window_slides_by_the_hour():
    from search_ui.views.saved import SaveLimiter

    limiter = SaveLimiter()
    assert [limiter.allow("a", 2, now=t) for t in (0, 10)] == [0.0, 0.0]
    assert limiter.allow("a", 2, now=20) == pytest.approx(3580)
    assert limiter.allow("a", 2, now=3600) == 0.0 and limiter.allow("a", 2, now=3605) > 0


def test_public_url_pins_absolute_links_whatever_host_the_client_sends(data, monkeypatch):
    from search_ui import create_app

    crawl_day(data, [doc(1, "祁阳市政务公开实施方案")])
    monkeypatch.setenv("GOVPLANS_TRUSTED_HOSTS", "archive.example.org,localhost")
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True, "PUBLIC_URL": "https://archive.example.org"})
    client = app.test_client()
    feed = client.get("/search.atom?q=方案", headers={"Host": "localhost"})
    assert feed.status_code == 200
    links = [link.get("href") for link in ET.fromstring(feed.data).iter(f"{ATOM}link")]
    assert links and all(href.startswith(("https://archive.example.org/", "http://www.")) for href in links)
    assert client.get("/search.atom?q=方案", headers={"Host": "evil.example"}).status_code == 400
    app.extensions["govplans"].archive.close()
    with pytest.raises(ValueError):
        create_app({"DATA_DIR": str(data.root), "PUBLIC_URL": "archive.example.org"})
