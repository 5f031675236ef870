"""The article under the heading (archive/extract/anchor.py, readable._Readability): on pages whose
own article is short, the page's densest block is often another story (a recommended article,
a related-news stream); the lead, the first sentence after the title heading, says which is
the article."""
from archive.extract import RawPage, extract_document
from archive.extract.anchor import lead_of
from archive.extract.body import main_text
from archive.extract.dom import parse

SHORT = ("路透月度调查显示，本地企业信心本月保持稳定，但制造业及服务业反映，原材料价格上涨正损害利润。"
         "调查显示，本月制造业景气判断指数维持于正九，未来三个月预计略有改善。")
OTHER = [
    "如果说在中国传唱度最高的歌曲，那这一首歌绝对算得上是家喻户晓，很多明星都翻唱过这首歌，大家耳熟能详。",
    "这首歌的原唱出生于一个军人家庭，自幼受到良好的教育，因从小对唱歌产生浓厚的兴趣，高中毕业后走上了音乐的道路。",
    "在事业上有了成就的他，爱情也随之而来了，两人一见如故，尽管年龄相差十一岁，但这并不影响两人的感情。",
    "但是天妒英才，在稳定了十二年之后，他再次染上了重病，在经过了无数次的抢救之后，最终还是离开了人世。",
]


def page(article: str, above: str = "", after: str = "", under: str = "",
         title: str = "本地企业信心保持稳定") -> bytes:
    story = "".join(f"<p>{p}</p>" for p in OTHER)
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/finance'>财经</a></div>"
            f"<div class='main'><div class='head'><h1>{title}</h1></div>"
            f"<div class='body'>{above}<p>{article}</p>{under}</div>{after}</div>"
            f"<div class='aside'><div class='item'><h3>原唱已离世多年</h3>{story}</div></div>"
            f"<div class='foot'>某某新闻网 版权所有</div></body></html>").encode("utf-8")


def test_a_short_article_is_not_traded_for_a_longer_story_beside_it():
    doc = extract_document(RawPage("https://news.example.com/a/1.html", page(SHORT)))
    assert SHORT in doc.text.replace("\n", "")
    assert not any(other[:12] in doc.text for other in OTHER)


def test_the_lead_is_the_first_sentence_under_the_heading():
    tree = parse(page(SHORT, above="<span>2024-05-20 07:16</span><span>来源：路透</span>").decode())
    element, text = lead_of(tree, "本地企业信心保持稳定")
    assert element.tag == "p" and text.startswith("路透月度调查显示")


def test_bylines_and_buttons_above_the_lead_go_a_subtitle_stays():
    above = ("<p>2024-05-20 07:16:06 来源: 鞭牛士</p><p>举报</p><p>倍速</p>"
             "<p>副题：制造业与服务业都说成本上升压低了利润</p>")
    doc = extract_document(RawPage("https://news.example.com/a/2.html", page(SHORT, above=above)))
    assert "鞭牛士" not in doc.text and "举报" not in doc.text and "倍速" not in doc.text
    assert "副题：制造业与服务业都说成本上升压低了利润" in doc.text


def test_a_short_article_keeps_out_the_pager_and_list_after_it():
    after = ("<div class='pager'>首页 | 上一页 1 下一页 | 尾页</div><ul class='more'>"
             + "".join(f"<li><a href='/n/{n}.html'>推荐新闻第{n}条：本市公布夜间消费地标</a> 2024-05-2{n}</li>"
                       for n in range(6)) + "</ul>")
    doc = extract_document(RawPage("https://news.example.com/a/3.html", page(SHORT, after=after)))
    assert SHORT in doc.text.replace("\n", "")
    assert "推荐新闻" not in doc.text and "尾页" not in doc.text


def test_the_lead_mark_is_taken_off_the_tree():
    tree = parse(page(SHORT).decode())
    main_text(tree, "https://news.example.com/a/4.html", "本地企业信心保持稳定", government=False)
    assert not tree.xpath("//*[@data-govplans-lead]")


def test_the_title_printed_again_above_the_lead_goes():
    title = "本地企业信心五月保持稳定 但成本上升损害利润"
    above = f"<p>{title}</p><p>倍速</p>"
    doc = extract_document(RawPage("https://news.example.com/a/5.html", page(SHORT, above=above, title=title)))
    assert doc.title == title and title not in doc.text and SHORT in doc.text.replace("\n", "")


def test_keywords_and_the_site_footer_under_the_text_go():
    under = ("<p>关键字：</p><p>企业信心</p>"
             "<p>某某日报网 京ICP备11000491号-1 All Rights Reserved</p>"
             "<p>某某日报报业集团 版权所有，未经许可不得转载</p>")
    article = SHORT + "".join(f"</p><p>第{n}段：{SHORT}" for n in range(3))
    doc = extract_document(RawPage("https://news.example.com/a/6.html", page(article, under=under)))
    assert SHORT in doc.text.replace("\n", "")
    assert "关键字" not in doc.text and "ICP备" not in doc.text and "版权所有" not in doc.text
