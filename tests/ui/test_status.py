"""Status page: per site the documents, the last run, errors by kind and the broken flag."""
from __future__ import annotations

from tests.ui.conftest import html_of


def status_rows(client) -> dict[str, list[str]]:
    response = client.get("/status")
    assert response.status_code == 200
    return {r.xpath("string(./td[1]/a[1])"): [td.text_content().strip() for td in r.xpath("./td")]
            for r in html_of(response).xpath("//table[@class='status-table']/tbody/tr")}


def test_status_lists_sites_with_counts_and_last_run(client):
    rows = status_rows(client)
    assert set(rows) == {"祁阳市人民政府", "江永县人民政府", "进贤县人民政府", "范文<b>文库</b>"}
    qiyang = rows["祁阳市人民政府"]
    assert qiyang[1] == "2"                                      # documents
    assert qiyang[4:8] == ["3", "2", "0", "0"]                   # pages, new, changed, withdrawn
    assert qiyang[8].split()[:3] == ["1", "timeout", "1"]        # errors, then by kind
    assert qiyang[-1] == "正常"
    assert "尚无抓取记录" in rows["进贤县人民政府"][3]
    assert rows["进贤县人民政府"][-2] == "2024-05-05"              # newest item: from the documents
    assert "共收录 7 件" in html_of(client.get("/status")).text_content()


def test_sites_whose_last_run_failed_are_flagged_broken_first(client):
    rows = status_rows(client)
    assert set(list(rows)[:2]) == {"范文<b>文库</b>", "江永县人民政府"}
    assert "疑似失效" in rows["江永县人民政府"][-1] and "没有取得任何页面" in rows["江永县人民政府"][-1]
    assert "错误（3）多于页面（2）" in rows["范文<b>文库</b>"][-1]
    assert "http_500 2" in rows["范文<b>文库</b>"][8]
    assert "疑似失效" not in rows["祁阳市人民政府"][-1] and "疑似失效" not in rows["进贤县人民政府"][-1]
    assert "<b>" not in client.get("/status").get_data(as_text=True)


def test_status_json_mirrors_the_page(client):
    data = client.get("/status.json").get_json()
    assert data["documents"] == 7
    assert sorted(data["broken"]) == ["jiangyong", "wenku"]
    wenku = next(s for s in data["sites"] if s["id"] == "wenku")
    assert wenku["run"]["errors"] == {"http_500": 2, "timeout": 1} and wenku["run"]["error_total"] == 3


def test_broken_rule():
    from types import SimpleNamespace as Run
    from search_ui.status import broken_reason

    assert broken_reason(None) is None
    assert broken_reason(Run(finished=None, pages=0, errors={})) is None       # still running: not judged
    assert broken_reason(Run(finished=1, pages=0, errors={}))
    assert broken_reason(Run(finished=1, pages=2, errors={"a": 2})) is None   # errors equal to pages: not yet
    assert broken_reason(Run(finished=1, pages=2, errors={"a": 2, "b": 1}))
