"""Hostile pages: extraction returns (no timing asserted) and never raises."""
from archive.extract import RawPage, extract_document


def test_a_20_mb_page_returns():
    para = "<p>" + "为深入贯彻落实党的二十大精神，结合我县实际，制定本方案。" * 10 + "</p>\n"
    body = ("<html><head><meta charset='utf-8'><title>大页面</title></head><body><div class='content'>"
            + para * (20 * 1024 * 1024 // len(para.encode())) + "</div></body></html>").encode()
    assert len(body) >= 20 * 1000 * 1000
    doc = extract_document(RawPage("http://example.gov.cn/big.html", body))
    assert doc.url == "http://example.gov.cn/big.html" and isinstance(doc.text, str)


def test_5000_nested_divs_return():
    body = ("<html><head><title>深层嵌套</title></head><body>" + "<div>" * 5000 + "关于印发规划的通知"
            + "</div>" * 5000 + "</body></html>").encode()
    doc = extract_document(RawPage("http://example.gov.cn/deep.html", body))
    assert isinstance(doc.text, str) and isinstance(doc.errors, tuple)


def test_5000_nested_unclosed_tables_and_spans_return():
    body = ("<html><body>" + "<table><tr><td><span>" * 5000 + "正文").encode("gb18030")
    doc = extract_document(RawPage("", body))
    assert isinstance(doc.errors, tuple)
