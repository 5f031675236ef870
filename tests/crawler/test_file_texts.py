"""crawler/pipelines/extraction.FileTexts: a file whose very bytes were read before gets that text,
the same as reading it again would give; other bytes, another extension or content type are read."""
import pytest

from crawler.items import CapturedPage
from crawler.pipelines import extraction
from crawler.pipelines.extraction import ExtractionPipeline, FileTexts
from sitefarm.attachments import write_docx, write_pdf

PARAGRAPHS = ["为做好政务公开工作，制定本方案。", "各乡镇人民政府请认真贯彻落实。"]


def _attachment(url: str, body: bytes, content_type: str) -> CapturedPage:
    return CapturedPage(url=url, body=body, headers={"Content-Type": content_type}, status=200, site_id="x",
                        kind="attachment", referrer="http://www.x.gov.cn/t1.html")


@pytest.fixture()
def counted(monkeypatch):
    """How many files were really read (attachment_text called)."""
    calls = []
    real = extraction.attachment_text

    def counting(body, ext=None, content_type=None):
        calls.append(ext)
        return real(body, ext, content_type)

    monkeypatch.setattr(extraction, "attachment_text", counting)
    return calls


def test_the_same_bytes_elsewhere_get_the_text_read_before(counted):
    pdf = write_pdf("关于印发实施方案的通知", PARAGRAPHS, [])
    docx = write_docx("报名表", ["填报单位（盖章）："], [["序号", "姓名"], ["1", ""]])
    items = [_attachment("http://www.x.gov.cn/P0a1.pdf", pdf, "application/pdf"),
             _attachment("http://www.y.gov.cn/P0b1.pdf", pdf, "application/pdf"),
             _attachment("http://www.x.gov.cn/P0a2.docx", docx, "application/msword"),
             _attachment("http://www.z.gov.cn/P0c2.docx", docx, "application/msword")]
    reusing = ExtractionPipeline()
    kept = [reusing.process_item(CapturedPage(**vars(item))) for item in items]
    assert counted == ["pdf", "docx"] and reusing.file_texts.reused == 2
    fresh = [ExtractionPipeline(reuse_file_texts=False).process_item(CapturedPage(**vars(item))) for item in items]
    assert [(i.text, i.ocr) for i in kept] == [(i.text, i.ocr) for i in fresh]
    assert "认真贯彻落实" in kept[1].text and "填报单位" in kept[3].text


def test_other_bytes_extension_or_content_type_are_read(counted):
    texts = FileTexts()
    body = "附件正文".encode("utf-8")
    assert texts.read(body, "txt", "text/plain; charset=utf-8")[0] == "附件正文"
    texts.read("附件正文。".encode("utf-8"), "txt", "text/plain; charset=utf-8")
    texts.read(body, "csv", "text/plain; charset=utf-8")
    texts.read(body, "txt", "text/csv")
    assert len(counted) == 4 and texts.reused == 0
    texts.read(body, "txt", "text/plain; charset=utf-8")
    assert len(counted) == 4 and texts.reused == 1


def test_texts_kept_stay_within_the_limit(counted):
    texts = FileTexts(limit=10)
    for n in range(5):
        assert texts.read(f"第{n}号附件".encode("utf-8"), "txt", None)[0] == f"第{n}号附件"
        assert texts.size <= 10
    texts.read("第4号附件".encode("utf-8"), "txt", None)       # the latest is kept
    texts.read("第0号附件".encode("utf-8"), "txt", None)       # the first was dropped: read again
    assert texts.reused == 1 and len(counted) == 6
