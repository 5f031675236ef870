"""The TRS family as a crawler sees it: lists paged by createPageHTML, details with metadata."""
import html
import re

from lxml import html as lxml_html

from archive import regions

PAGE_CALL = re.compile(r'createPageHTML\((\d+), (\d+), "index", "html"\)')
ITEM = re.compile(r'<li><a href="\./(\d{6}/t\d{8}_\d+\.html)" title="([^"]*)"[^>]*>.*?</a><span>([\d-]+)</span></li>')


def trs_sites(world):
    return [s for s in world.sites if s.family == "trs"]


def trs_truth(truth):
    return [t for t in truth if t["family"] == "trs"]


def walk_column(farm, base, column):
    """Every item of a column, following createPageHTML's page count as a TRS spider would."""
    status, _, body = farm.get(f"{base}{column.path}index.html")
    assert status == 200
    pages, current = map(int, PAGE_CALL.search(body.decode()).groups())
    assert current == 0
    items = ITEM.findall(body.decode())
    for n in range(1, pages):
        status, _, body = farm.get(f"{base}{column.path}index_{n}.html")
        assert status == 200
        assert PAGE_CALL.search(body.decode()).groups() == (str(pages), str(n))
        items += ITEM.findall(body.decode())
    assert farm.get(f"{base}{column.path}index_{pages}.html")[0] == 404
    return pages, items


def test_column_lists_every_active_document_newest_first(farm, farm_world, farm_truth):
    for site in trs_sites(farm_world):
        base = farm_world.base_url(site, farm.port)
        for column in site.columns:
            pages, items = walk_column(farm, base, column)
            urls = [f"{base}{column.path}{href}" for href, _, _ in items]
            expected = {t["url"] for t in farm_truth
                        if t["site"] == site.id and t["status"] != "withdrawn" and column.path in t["url"]}
            assert set(urls) == expected and len(urls) == len(expected)
            assert pages == -(-len(expected) // 20)
            dates = [d for _, _, d in items]
            assert dates == sorted(dates, reverse=True)


def test_list_items_show_truth_title_and_date(farm, farm_world, farm_truth):
    by_url = {t["url"]: t for t in farm_truth}
    site = trs_sites(farm_world)[0]
    base = farm_world.base_url(site, farm.port)
    column = site.columns[0]
    _, items = walk_column(farm, base, column)
    for href, title, day in items:
        truth = by_url[f"{base}{column.path}{href}"]
        assert html.unescape(title) == truth["title"]
        assert day == truth["published"]


def test_every_truth_url_serves_its_metadata(farm, farm_truth):
    assert trs_truth(farm_truth)
    for truth in trs_truth(farm_truth):
        status, headers, body = farm.get(truth["url"])
        assert status == 200, truth["url"]
        assert headers["Content-Type"].startswith("text/html")
        page = body.decode("utf-8")
        assert f'<meta name="ArticleTitle" content="{html.escape(truth["title"])}">' in page
        assert f'<meta name="PubDate" content="{truth["published"]} ' in page
        assert truth["index_number"] in page
        if truth["doc_number"]:
            assert truth["doc_number"] in page


def test_detail_body_paragraphs_are_the_truth_text(farm, farm_truth):
    for truth in trs_truth(farm_truth)[::5]:
        tree = lxml_html.fromstring(farm.get(truth["url"])[2])
        paragraphs = [p.text_content() for p in tree.xpath('//div[@class="TRS_Editor"]/p')]
        assert "\n".join(paragraphs) == truth["text"]


def test_site_id_code_resolves_to_site_region(farm, farm_world, farm_truth):
    for site in trs_sites(farm_world):
        truth = next(t for t in farm_truth if t["site"] == site.id)
        page = farm.get(truth["url"])[2].decode()
        code = re.search(r'<meta name="SiteIDCode" content="(\d{10})">', page).group(1)
        assert regions.lookup(code[:6]).code == truth["region"]["code"]


def test_detail_page_has_site_chrome(farm, farm_truth):
    page = farm.get(trs_truth(farm_truth)[-1]["url"])[2].decode()
    for piece in ("今天是", "上一篇", "下一篇", "相关文章", "扫一扫", "打印", "关闭", "主办：", "ICP备"):
        assert piece in page


def test_unknown_paths_and_hosts_are_404(farm, farm_world):
    site = farm_world.sites[0]
    base = farm_world.base_url(site, farm.port)
    column = site.columns[0].path
    for path in ("/nope.html", f"{column}202401/t20240101_1.html", f"{column}index_999.html",
                 f"{column}index_0.html", "/zwgk/unknown/index.html"):
        assert farm.get(base + path)[0] == 404, path
    assert farm.get(f"http://www.nosuchsite.gov.cn.test:{farm.port}/")[0] == 404


def test_detail_under_wrong_column_or_date_is_404(farm, farm_world, farm_truth):
    truth = farm_truth[0]
    url = truth["url"]
    wrong_date = re.sub(r"/t(\d{8})_", "/t19990101_", url)
    assert farm.get(wrong_date)[0] == 404
    site = next(s for s in farm_world.sites if s.id == truth["site"])
    if len(site.columns) > 1:
        own = next(c.path for c in site.columns if c.path in url)
        other = next(c.path for c in site.columns if c.path != own)
        assert farm.get(url.replace(own, other))[0] == 404


def test_robots_and_home_page(farm, farm_world):
    site = farm_world.sites[0]
    base = farm_world.base_url(site, farm.port)
    status, headers, body = farm.get(base + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"User-agent" in body
    home = farm.get(base + "/")[2].decode()
    for column in site.columns:
        assert f'href="{column.path}"' in home


def test_hosts_select_different_sites(farm, farm_world):
    names = set()
    for site in farm_world.sites:
        body = farm.get(farm_world.base_url(site, farm.port) + "/")[2]
        home = body.decode("gbk" if site.family == "legacy" else "utf-8")
        assert site.name in home
        names.add(re.search(r"<title>(.*?)</title>", home).group(1))
    assert len(names) == len(farm_world.sites)


def test_keep_alive_serves_several_requests_on_one_connection(farm, farm_world, farm_truth):
    import http.client
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection("127.0.0.1", farm.port, timeout=10)
    for truth in farm_truth[:5]:
        parts = urlsplit(truth["url"])
        conn.request("GET", parts.path, headers={"Host": parts.netloc})
        response = conn.getresponse()
        assert response.status == 200
        assert truth["title"] in response.read().decode()
    conn.close()
