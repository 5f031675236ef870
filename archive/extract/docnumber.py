"""文号: 祁政办发〔2024〕5号, [2016]361号, （2023）12号, 湘政发[2019]3号 -> issuer / year / number."""
from __future__ import annotations

import re
import unicodedata

from .document import DocNumber

# NFKC turns （）［］ into ()[]; 〔〕【】 and 六角 brackets stay, so list them all.
_OPEN, _CLOSE = r"\[〔【(\{<《", r"\]〕】)\}>》"
_PATTERN = re.compile(
    rf"(?P<issuer>[\u4e00-\u9fffA-Za-z]{{0,12}}?)\s*[{_OPEN}]\s*(?P<year>(?:19|20)\d\d)\s*[{_CLOSE}]"
    rf"\s*第?\s*(?P<number>\d{{1,5}})\s*号")
# 国令第707号, 公告第3号: no year; only believed as a whole labelled value, never in running text.
_ORDINAL = re.compile(r"^\s*(?P<issuer>[\u4e00-\u9fff]{1,12}?)\s*第\s*(?P<number>\d{1,5})\s*号\s*$")
# Words that end up before a 文号 in running text but are not part of the 机关代字.
_NOT_ISSUER = re.compile(r"^.*(?:文号|字号|编号|文件|根据|依据|按照|印发|关于|的|和|及|与|、)[:：]?")


def parse_doc_number(s: str | None) -> DocNumber | None:
    """The first 文号 in s, parsed; None when there is none."""
    if not s:
        return None
    text = unicodedata.normalize("NFKC", s)
    match = _PATTERN.search(text)
    if not match:
        ordinal = _ORDINAL.match(text)
        if ordinal:
            return DocNumber(raw=text.strip().replace(" ", ""), issuer=ordinal["issuer"],
                             number=int(ordinal["number"]))
        return None
    issuer = _NOT_ISSUER.sub("", match["issuer"]) or None
    start = match.start("issuer") + (len(match["issuer"]) - len(issuer or ""))
    raw = _original_span(s, text, start, match.end())
    return DocNumber(raw=raw, issuer=issuer, year=int(match["year"]), number=int(match["number"]))


def _original_span(original: str, normalised: str, start: int, end: int) -> str:
    """The 文号 as printed (full-width brackets kept) when NFKC did not change the length."""
    if len(original) == len(normalised):
        return original[start:end].replace(" ", "").replace("\u3000", "")
    return normalised[start:end].replace(" ", "")
