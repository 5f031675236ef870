"""Attached files: each type served with its Content-Type, parsing back with the library that reads it."""
import io
import re
import zipfile

import pytest
from lxml import etree
from lxml import html as lxml_html

from sitefarm import attachments
from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient

TYPES = {"pdf": "application/pdf", "doc": "application/msword", "wps": "application/vnd.ms-works",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "xls": "application/vnd.ms-excel", "ofd": "application/ofd"}


@pytest.fixture(scope="module")
def files():
    world = World(sites=10, seed=0, attachments=True)
    server, port = start_in_thread(world, port=0)
    yield world, FarmClient(port), list(world.truth(port))
    server.shutdown()


def first(truth, ext, text_in=None):
    return next((t, a) for t in truth for a in t["attachments"]
                if a["type"] == ext and (text_in is None or t["text_in"] == text_in))


def squeeze(text):
    return re.sub(r"\s+", "", text)


def text_of(ext: str, body: bytes) -> str:
    """The text a reader gets out of the file."""
    if ext == "pdf":
        pypdf = pytest.importorskip("pypdf")
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    if ext == "docx":
        docx = pytest.importorskip("docx")
        document = docx.Document(io.BytesIO(body))
        cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if ext == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        return "\n".join("\t".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))
    if ext == "xls":
        return "\n".join(lxml_html.fromstring(body).xpath("//td/text()"))
    if ext == "doc":
        assert body.startswith(b"{\\rtf1")
        text = re.sub(rb"\\u(-?\d+)\?", lambda m: chr(int(m.group(1)) % 65536).encode("utf-8"), body).decode()
        return re.sub(r"\\[a-z]+\d*\s?|[{}]", "", text)
    if ext == "wps":
        olefile = pytest.importorskip("olefile")
        ole = olefile.OleFileIO(io.BytesIO(body))
        assert ole.listdir() == [["WordDocument"]]
        return ole.openstream("WordDocument").read().decode("utf-16-le").rstrip("\0").replace("\r", "\n")
    if ext == "ofd":
        package = zipfile.ZipFile(io.BytesIO(body))
        root = etree.fromstring(package.read("OFD.xml"))
        ns = {"ofd": attachments.OFD_NS}
        doc_root = root.findtext(".//ofd:DocRoot", namespaces=ns)
        document = etree.fromstring(package.read(doc_root))
        base = doc_root.rsplit("/", 1)[0]
        assert document.findtext(".//ofd:PhysicalBox", namespaces=ns) == "0 0 210 297"
        pages = [p.get("BaseLoc") for p in document.iterfind(".//ofd:Page", ns)]
        assert pages
        return "\n".join(code.text for page in pages
                         for code in etree.fromstring(package.read(f"{base}/{page}")).iterfind(".//ofd:TextCode", ns))
    raise AssertionError(ext)


@pytest.mark.parametrize("ext", sorted(TYPES))
def test_each_type_is_served_with_its_content_type_and_parses_back(files, ext):
    world, farm, truth = files
    record, attachment = first(truth, ext)
    status, headers, body = farm.get(attachment["url"])
    assert status == 200
    assert headers["Content-Type"] == TYPES[ext] == attachments.CONTENT_TYPES[ext]
    text = squeeze(text_of(ext, body))
    expected = attachment["name"].split("：", 1)[-1].rsplit(".", 1)[0]
    if "（正式文件）" in expected or record["text_in"] == "attachment":
        assert squeeze(record["text"]) in text and squeeze(record["title"]) in text
    elif expected.endswith("分解表"):
        assert "工作任务" in text and "责任单位" in text
    else:
        assert expected in text and "联系电话" in text


@pytest.mark.parametrize("ext", sorted(attachments.EXTS["fulltext"]))
def test_whole_text_attachment_pages_only_say_see_attachment(files, ext):
    _, farm, truth = files
    record, attachment = first(truth, ext, text_in="attachment")
    page = farm.get(record["url"])[2]
    tree = lxml_html.fromstring(page)
    paragraphs = [p.text_content() for p in tree.xpath('//div[@class="TRS_Editor" or @id="zoom" or @id="content"]//p')
                  if not p.xpath("ancestor::div[@class='attachments']")]
    assert "详见附件" in "".join(paragraphs) and record["text"].split("\n")[1] not in page.decode("utf-8", "replace")
    assert squeeze(record["text"]) in squeeze(text_of(ext, farm.get(attachment["url"])[2]))


def test_detail_pages_link_their_attachments_with_the_truth_names(files):
    world, farm, truth = files
    linked = 0
    for record in [t for t in truth if t["attachments"]][:40]:
        page_bytes = farm.get(record["url"])[2]
        page = page_bytes.decode("gbk" if record["family"] == "legacy" else "utf-8")
        tree = lxml_html.fromstring(page)
        links = {a.text_content(): a.get("href") for a in tree.xpath('//div[@class="attachments"]//a')}
        for attachment in record["attachments"]:
            href = links[attachment["name"]]
            base = record["url"].rsplit("/", 1)[0] + "/" if href.startswith("./") else record["url"].split("/", 3)[:3]
            url = base + href[2:] if href.startswith("./") else "/".join(base) + href
            assert url == attachment["url"]
            linked += 1
    assert linked >= 40


def test_same_file_same_bytes_and_unknown_files_404(files):
    world, farm, truth = files
    record, attachment = first(truth, "docx")
    assert farm.get(attachment["url"])[2] == farm.get(attachment["url"])[2]
    attachments._rendered.clear()
    assert farm.get(attachment["url"])[2] == farm.get(attachment["url"])[2]
    url = attachment["url"]
    assert farm.get(url[:-5] + ".pdf")[0] == 404
    assert farm.get(re.sub(r"(\d)\.docx$", "9.docx", url))[0] == 404
    assert farm.get(re.sub(r"P0(\d{8})(\d{8})", r"P0\g<1>00000007", url))[0] == 404


def test_render_cache_stays_within_its_bytes(files, monkeypatch):
    world, farm, truth = files
    kept = attachments.RenderedFiles(limit=40_000)
    monkeypatch.setattr(attachments, "_rendered", kept)
    served = {}
    for record in [t for t in truth if t["attachments"]][:60]:
        for attachment in record["attachments"]:
            served[attachment["url"]] = farm.get(attachment["url"])[2]
            assert kept.size <= kept.limit
    assert kept.size == sum(len(body) for body in kept._files.values()) > 0
    assert len(kept._files) < len(set(served.values()))     # some were dropped to stay within the limit
    # a dropped file is rendered again: the same bytes (but a workbook's, which openpyxl stamps with the time)
    url, body = next((u, b) for u, b in served.items() if not u.endswith(".xlsx"))
    assert farm.get(url)[2] == body


def test_worlds_have_no_attachments_unless_asked():
    assert all(not t["attachments"] and t["text_in"] == "page" for t in World(sites=5).truth(8800))
    assert any(t["attachments"] for t in World(sites=5, attachments=True).truth(8800))
