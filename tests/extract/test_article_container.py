"""trafilatura on the article's own container (body._cut_to_article): when a government page has one
TRS/Hanweb/xxgk content container, and it holds the page's longest text, what stands beside it (a
column's news list, the portal's name, a breadcrumb) is the template's and stays out of the body."""
import archive.extract.body as body
from archive.extract import RawPage, extract_document

TITLE = "某某县召开2024年森林防火工作推进会"
ARTICLE = [
    "3月12日，某某县召开2024年森林防火工作推进会，总结去年工作，部署今年森林防火重点任务。",
    "会议指出，各乡镇要压实属地责任，加强野外火源管控，做好重点时段、重点区域的巡查值守工作。",
    "会议要求，各相关部门要密切协作，完善应急预案，加强扑火队伍建设和物资储备，确保森林资源安全。",
]
# A column's latest news, beside the article in the same box: no chrome word, no chrome class.
BESIDE = ["县长主持召开县政府常务会议 06-01", "县委常委会召开会议研究部署重点工作 05-28",
          "全县春季植树造林活动全面启动 05-20"]
PORTAL = "某某县人民政府门户网站 www.mmx.gov.cn"


def page(container: str = "TRS_Editor", widget: str = "") -> bytes:
    article = "".join(f"<p>{p}</p>" for p in ARTICLE)
    news = "".join(f"<p><a href='/n{i}.html'>{line}</a></p>" for i, line in enumerate(BESIDE))
    return (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
            f"<div class='top'><a href='/'>首页</a> <a href='/zwgk/'>政务公开</a> <a href='/hdjl/'>互动交流</a></div>"
            f"<div class='wrap'><div class='box'><h1>{TITLE}</h1>{widget}<div class='bdshare'>分享到：</div>"
            f"<div class='{container}'>{article}</div></div>"
            f"<div class='box2'><p>{PORTAL}</p>{news}</div></div>"
            f"<div class='bottom'>某某县人民政府办公室主办</div></body></html>").encode("utf-8")


def extracted(html: bytes):
    return extract_document(RawPage("http://www.mmx.gov.cn/xwzx/202403/t20240312_1.html", html))


def test_what_stands_beside_the_container_stays_out_of_the_body():
    text = extracted(page()).text
    assert all(paragraph in text for paragraph in ARTICLE)
    assert PORTAL not in text
    assert not any(line[:8] in text for line in BESIDE)


def test_a_container_class_on_a_widget_does_not_cut_the_article_away():
    # the only "container" is the font-size bar: the article's paragraphs are not in it
    widget = "<div class='zoom'>字号：大 中 小</div>"
    text = extracted(page(container="text", widget=widget)).text
    assert all(paragraph in text for paragraph in ARTICLE)


def test_two_containers_leave_the_page_whole(monkeypatch):
    seen = []
    real = body._trafilatura
    monkeypatch.setattr(body, "_trafilatura", lambda tree, url, fast=False: seen.append(tree) or real(tree, url, fast))
    html = page().replace(b"<div class='box2'>", b"<div class='box2'><div class='article_content'>x</div>")
    extracted(html)
    assert seen and "门户网站" in seen[0].text_content()   # not cut: the portal line was in trafilatura's tree


def test_nothing_found_in_the_container_falls_back_to_the_whole_pruned_page(monkeypatch):
    seen = []
    real = body._trafilatura

    def nothing_in_the_cut_tree(tree, url, fast=False):
        seen.append(tree)
        return None if "门户网站" not in tree.text_content() else real(tree, url, fast)

    monkeypatch.setattr(body, "_trafilatura", nothing_in_the_cut_tree)
    text = extracted(page()).text
    assert all(paragraph in text for paragraph in ARTICLE)
    assert len(seen) == 2 and "门户网站" not in seen[0].text_content()
    assert "分享到" not in seen[1].text_content()   # the whole page, pruned as without a container


def test_the_cut_tree_gets_trafilatura_without_its_second_opinion(monkeypatch):
    fast = []
    real = body.trafilatura.extract
    monkeypatch.setattr(body.trafilatura, "extract",
                        lambda tree, options: fast.append(options.fast) or real(tree, options=options))
    extracted(page())
    assert fast == [True]
    fast.clear()
    extracted(page().replace(b"<div class='box2'>", b"<div class='box2'><div class='article_content'>x</div>"))
    assert fast == [False]   # not cut: trafilatura as before, readability and jusText consulted


def test_a_container_class_on_the_body_is_no_article(monkeypatch):
    fast = []
    real = body.trafilatura.extract
    monkeypatch.setattr(body.trafilatura, "extract",
                        lambda tree, options: fast.append(options.fast) or real(tree, options=options))
    text = extracted(page(container="text").replace(b"<body>", b"<body class='article_content'>")).text
    assert fast == [False]   # the page as before: trafilatura with its second opinion
    assert all(paragraph in text for paragraph in ARTICLE)
