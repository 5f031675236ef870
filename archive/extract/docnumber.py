"""文号: 祁政办发〔2024〕5号, [2016]361号, （2023）12号, 湘政发[2019]3号 -> issuer / year / number."""
from __future__ import annotations

import re
import unicodedata

from archive.nfkc import nfkc

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
    if not s or "号" not in s:  # every form ends in 号, which NFKC makes of no other character
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


# Running text puts more words before a 文号 than a labelled value does.
_NOT_ISSUER_IN_TEXT = re.compile(r"^.*(?:参照|参见|详见|执行|落实|贯彻|转发|精神|要求|规定|通知|意见|办法|方案|"
                                 r"号文|见|按|照|在|是|为|以|将|对|由|于|等|及其)")
_BODY_ENDS = "室府厅局委会部院处司省市县区"
# 湘政办发2021年12号, 国发2021年第3号: the year written out; only believed with an issuer before it.
_YEAR_FORM = re.compile(r"(?P<issuer>[\u4e00-\u9fffA-Za-z]{1,12}?)\s*(?P<year>(?:19|20)\d\d)\s*年"
                        r"\s*第?\s*(?P<number>\d{1,5})\s*号")

# what every match of _PATTERN / _YEAR_FORM ends with: a text without it holds none (the search for
# it is fast; the patterns themselves try up to 12 issuer characters at every position)
_PATTERN_END = re.compile(rf"[{_OPEN}]\s*(?:19|20)\d\d\s*[{_CLOSE}]\s*第?\s*\d{{1,5}}\s*号")
_YEAR_FORM_END = re.compile(r"(?:19|20)\d\d\s*年\s*第?\s*\d{1,5}\s*号")


def find_doc_numbers(text: str, normal: str | None = None) -> list[tuple[int, int, DocNumber]]:
    """Every 文号 in running text as (start, end, parsed), in order; spans are of NFKC(text)
    (the same length as text for the CJK and full-width forms a 文号 is written in).
    normal: NFKC(text), when the caller has it."""
    normal = nfkc(text or "") if normal is None else normal
    found: list[tuple[int, int, DocNumber]] = []
    for pattern, end, need_issuer in ((_PATTERN, _PATTERN_END, False), (_YEAR_FORM, _YEAR_FORM_END, True)):
        if end.search(normal) is None:
            continue
        for match in pattern.finditer(normal):
            issuer = _NOT_ISSUER_IN_TEXT.sub("", _NOT_ISSUER.sub("", match["issuer"])) or None
            if issuer and issuer[-1] in _BODY_ENDS:   # 市政府办公室〔2021〕30号: a body named, no 机关代字
                issuer = None
            if need_issuer and (issuer is None or issuer[-1] not in "发字函令"):
                continue
            start = match.start("issuer") + (len(match["issuer"]) - len(issuer or ""))
            if any(s < match.end() and start < e for s, e, _ in found):
                continue
            raw = _original_span(text, normal, start, match.end())
            found.append((start, match.end(),
                          DocNumber(raw=raw, issuer=issuer, year=int(match["year"]), number=int(match["number"]))))
    return sorted(found, key=lambda f: f[0])


def number_key(number: DocNumber | None) -> str | None:
    """What two spellings of one 文号 share whatever the brackets and issuer: '2021:12'."""
    if number is None or number.year is None or number.number is None:
        return None
    return f"{number.year}:{number.number}"


def same_issuer(a: str | None, b: str | None) -> bool:
    """Issuers agree when either is missing or one ends the other (省政府办公厅湘政办发 / 湘政办发)."""
    if not a or not b:
        return True
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    return a.endswith(b) or b.endswith(a)
