"""bench/extract_speed.py: captured items are recorded and replayed as they were, timed per group, and
their results dumped comparable between two versions of the code."""
from bench.extract_speed import RecordingPipeline, cpu_ms_per_item, farm_items, groups, results_of
from crawler.items import CapturedPage
from crawler.pipelines.extraction import ExtractionPipeline

PAGE = ("<html><head><title>关于印发实施方案的通知_某县人民政府</title></head><body><h1>关于印发实施方案的通知</h1>"
        "<p>索引号：001-2024-0001</p><div class='TRS_Editor'><p>为做好政务公开工作，制定本方案，请认真贯彻落实。</p>"
        "<p><a href='/a.docx'>附件：实施方案.docx</a></p></div></body></html>").encode("utf-8")


def _items():
    return [CapturedPage(url="http://www.x.gov.cn/t1.html", body=PAGE, headers={"content-type": "text/html"},
                         status=200, site_id="x", kind="detail"),
            CapturedPage(url="http://www.x.gov.cn/a.txt", body="附件正文".encode("utf-8"),
                         headers={"content-type": "text/plain; charset=utf-8"}, status=200, site_id="x",
                         kind="attachment")]


def test_recorded_items_are_replayed_as_captured(tmp_path):
    recorder = RecordingPipeline(str(tmp_path / "items.pickle"))
    for item in _items():
        recorder.process_item(item)
    recorder.close_spider()
    replayed = farm_items(12, tmp_path / "items.pickle")   # present: read, no crawl
    assert [(i.url, i.body, i.kind) for i in replayed] == [(i.url, i.body, i.kind) for i in _items()]


def test_timing_leaves_the_items_unextracted_and_counts_each_group():
    items = _items()
    by_group = groups(items, [])
    assert [len(by_group[g]) for g in ("farm pages", "farm attachments", "farm other", "real pages")] == [1, 1, 0, 0]
    rounds = cpu_ms_per_item(ExtractionPipeline, items, 2)
    assert len(rounds) == 2 and all(r >= 0 for r in rounds)
    assert items[0].document is None and items[1].text is None   # each round works on copies


def test_results_hold_every_document_field_and_the_attachment_text():
    page, attachment = results_of(ExtractionPipeline(), _items())
    assert page["document"]["title"] == "关于印发实施方案的通知" and page["document"]["page_lines"]
    assert page["document"]["index_number"] == "001-2024-0001"
    assert attachment["text"] == "附件正文" and attachment["document"] is None
