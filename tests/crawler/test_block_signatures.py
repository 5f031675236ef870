"""Telling challenges, WAF pages, stub lists and script-rendered lists from ordinary pages
(crawler/blocking.py), on the farm's defended sites and on hand-written answers."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from crawler.blocking import answer_signal, empty_list_signal
from sitefarm.defences import DEFENCES, EXPECTED, RUISHU_COOKIE, token
from sitefarm.responses import Request
from sitefarm.server import respond
from sitefarm.world import World


@pytest.fixture(scope="module")
def world():
    return World(sites=2, seed=0, docs_per_site=(20, 25), defended=DEFENCES)


def answer(world, site, path: str, cookie: str = ""):
    response = respond(world, Request("GET", path, "", b"", {"cookie": cookie} if cookie else {}), site.host)
    headers = {name.lower(): value for name, value in response.headers}
    headers["content-type"] = response.content_type
    return response.status, headers, response.body


@pytest.mark.parametrize("defence", [d for d in DEFENCES if EXPECTED[d] in ("challenge", "waf") and d != "waf_details"])
def test_every_challenge_and_waf_page_of_the_farm_is_recognised_with_its_vendor(world, defence):
    site = next(s for s in world.sites if s.defence == defence)
    for path in ("/", site.columns[0].path, site.columns[0].path + "index_1.html"):
        signal = answer_signal(*answer(world, site, path))
        assert signal is not None and signal.kind == EXPECTED[defence], (defence, path)
    vendor = {"challenge_412": "瑞数", "challenge_200": "瑞数", "challenge_521": "加速乐", "waf_safedog": "安全狗",
              "waf_aliyun": "阿里云盾", "waf_wzws": "WZWS"}[defence]
    assert signal.vendor == vendor


def test_a_waf_on_document_pages_only_lets_the_lists_through(world):
    site = next(s for s in world.sites if s.defence == "waf_details")
    assert answer_signal(*answer(world, site, site.columns[0].path)) is None
    signal = answer_signal(*answer(world, site, world.doc_path(world.documents(site)[0])))
    assert (signal.kind, signal.vendor, signal.status) == ("waf", "安全狗", 403)


def test_a_browser_that_ran_the_script_gets_the_page_and_that_page_is_no_challenge(world):
    site = next(s for s in world.sites if s.defence == "challenge_412")
    status, headers, body = answer(world, site, site.columns[0].path,
                                   cookie=f"{RUISHU_COOKIE}T={token(site, 'challenge')[::-1]}")
    assert status == 200 and answer_signal(status, headers, body) is None and b"createPageHTML" in body


@pytest.mark.parametrize("defence", ["stub", "js_list", "refused", "dns"])
def test_ordinary_pages_of_other_sites_are_not_blocks(world, defence):
    site = next(s for s in world.sites if s.defence == defence)
    for path in ("/", world.doc_path(world.documents(site)[0])):
        assert answer_signal(*answer(world, site, path)) is None
    healthy = world.sites[0]
    for path in ("/", healthy.columns[0].path, world.doc_path(world.documents(healthy)[3])):
        assert answer_signal(*answer(world, healthy, path)) is None


def test_an_empty_list_is_a_stub_or_a_script_rendered_list_or_neither(world):
    stub = next(s for s in world.sites if s.defence == "stub")
    status, _, body = answer(world, stub, stub.columns[0].path)
    assert len(body) == 300 and empty_list_signal(status, body).kind == "stub"
    shell = next(s for s in world.sites if s.defence == "js_list")
    status, _, body = answer(world, shell, shell.columns[0].path)
    assert empty_list_signal(status, body).kind == "js_list"
    # the shell's own script gets the items a browser would show
    column = shell.columns[0].path
    response = respond(world, Request("GET", "/api/list", f"column={quote(column, safe='')}&page=1"), shell.host)
    items = json.loads(response.body)["items"]
    assert items and items[0]["url"].startswith(column)
    home = answer(world, world.sites[0], "/")[2]                   # a real page: neither
    assert empty_list_signal(200, home) is None


WAF_PAGES = [
    (403, {"set-cookie": "yunsuo_session_verify=abc; path=/"}, b"<html><body>blocked</body></html>", "云锁"),
    (403, {}, b'<html><body><a href="https://help.365cyd.com/cyd-error-help.html?code=403">help</a></body></html>',
     "创宇盾"),
    (403, {}, b'<html><img src="https://waf.tencent-cloud.com/403page.html"></html>', "腾讯云"),
    (418, {"server": "HuaweiCloudWAF"}, b"<html>x</html>", "华为云"),
    (403, {"server": "YUNDUN"}, b"<html>Blocked by YUNDUN Cloud WAF</html>", "Yundun"),
    (403, {"server": "jiasule-waf"}, b"<html>notice-jiasule</html>", "加速乐"),
]


@pytest.mark.parametrize("status,headers,body,vendor", WAF_PAGES)
def test_waf_vendors_by_their_marks(status, headers, body, vendor):
    signal = answer_signal(status, headers, body)
    assert (signal.kind, signal.vendor) == ("waf", vendor)


def test_a_gb2312_page_with_a_gbk_only_character_is_read_whole_not_taken_for_a_challenge():
    # libxml2 stops at the first byte its declared encoding lacks (镕 is GBK, not GB2312): parsed
    # undecoded, this page shows 3 characters and its font-size script looks like a challenge
    head = '<HTML><HEAD><META http-equiv=Content-type content="text/html; charset=gb2312"><TITLE>通知</TITLE></HEAD>'
    text = "<p>朱镕基同志指出，各乡镇人民政府，县直各单位：现将有关事项通知如下，请认真贯彻执行。</p>" * 10
    page = (head + "<BODY>" + text + '<script>document.cookie="font=big";location.href="#top"</script></BODY></HTML>')
    assert answer_signal(200, {"content-type": "text/html"}, page.encode("gbk")) is None


def test_what_is_not_a_block():
    page = ("<html><body><h1>关于开展政务公开日活动的通知</h1>" + "<p>各乡镇人民政府，县直各单位：现将有关事项通知如下。</p>" * 20
            + "<script>document.cookie='font=big';location.href='#top'</script></body></html>").encode()
    assert answer_signal(200, {"content-type": "text/html"}, page) is None          # a cookie script on a real page
    assert answer_signal(403, {}, b"<html><body>403 Forbidden</body></html>") is None   # a bare 403: an error kind
    assert answer_signal(200, {"content-type": "application/pdf"}, b"%PDF $_ts=window['$_ts']") is None
    assert answer_signal(200, {"set-cookie": "safedog-flow-item=1"}, page) is None  # its cookie on a page it let through
    assert answer_signal(412, {"set-cookie": "FSSBBIl1UgzbN7N80S=abc"}, b"<html></html>").vendor == "瑞数"
