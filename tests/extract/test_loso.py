"""Leave-one-site-out scoring on pages written for the test (evaluation/loso.py)."""
import json

from evaluation.extraction import GoldPage, load_gold_file
from evaluation.loso import applied, leave_one_site_out, settings, site_of

ARTICLE = "<p>" + "各单位要按照本通知要求，认真组织实施，确保各项任务落实到位。" * 3 + "</p>"


def write_page(tmp_path, name, title, nav_count):
    nav = "".join(f"<li><a href='/c{n}/'>栏目{n}</a></li>" for n in range(nav_count))
    html = f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body><ul>{nav}</ul>
<h1>{title}</h1><div>发布日期：2024-05-06</div><div class="TRS_Editor">{ARTICLE}</div></body></html>"""
    (tmp_path / name).write_text(html, encoding="utf-8")


def test_every_site_is_scored_with_what_the_others_fitted(tmp_path):
    labels = []
    for n, site in enumerate(("a.gov.cn", "a.gov.cn", "b.gov.cn", "c.gov.cn")):
        title = f"关于做好第{n}批防汛工作的通知"
        write_page(tmp_path, f"{n}.html", title, 6 + n)
        labels.append({"file": f"{n}.html", "url": f"http://www.{site}/t{n}.html", "title": title,
                       "published": "2024-05-06", "body_with": ["认真组织实施"], "body_without": ["栏目1"]})
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(l, ensure_ascii=False) for l in labels), encoding="utf-8")
    pages = list(load_gold_file(tmp_path / "gold.jsonl", tmp_path))
    result = leave_one_site_out(pages)
    assert result["sites"] == 3 and set(result["chosen"]) == {"a.gov.cn", "b.gov.cn", "c.gov.cn"}
    figures = result["figures"]
    assert figures["pages"] == 4 and figures["body_recall"] == 1.0 and figures["chrome_leak"] == 0.0
    assert figures["title"] == 1.0 and figures["published"] == 1.0 and figures["agency"] is None


def test_site_of_prefers_the_label_then_the_host_then_the_folder(tmp_path):
    assert site_of(GoldPage(tmp_path, "http://www.x.gov.cn/1.html", {"file": "a/b/1.html"})) == "x.gov.cn"
    assert site_of(GoldPage(tmp_path, "", {"file": "gov/mhxqwer/y.gov.cn/index.html"})) == "mhxqwer/y.gov.cn"
    assert site_of(GoldPage(tmp_path, "http://www.x.gov.cn/", {"file": "1.html", "site": "z"})) == "z"


def test_settings_are_applied_and_restored():
    from archive.extract import navigation

    before = navigation.NAV_LINK_SHARE
    setting = next(s for s in settings() if s.get("archive.extract.navigation.NAV_LINK_SHARE") != before)
    with applied(setting):
        assert navigation.NAV_LINK_SHARE == setting["archive.extract.navigation.NAV_LINK_SHARE"]
    assert navigation.NAV_LINK_SHARE == before
