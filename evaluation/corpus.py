"""A seeded corpus of plan-like documents for the search oracle test and the benchmark.

Sentences come from templates filled with words that share characters and substrings
(宣传 / 宣传月 / 宣传周 / 月度, 政务公开 / 信息公开 / 公开, 主题日 / 日活动 …), with punctuation,
Latin and digits, so that substring matching is exercised where word segmentation fails.

`generate` is dense: every document is about publicity work, so a theme word such as 宣传月
is in most documents (a worst case for search). `generate_realistic` spreads documents over
many subjects with Zipf-like frequencies, as county portals do: a theme word is in a few
per cent to a fifth of the documents, and most sentences are generic administrative prose.
`generate_realistic(..., lengths="real")` stretches or cuts each text to a length drawn from the real
distribution (sitefarm/lengths.py: a page's body, or for 4% of the documents a plan held in an
attachment, 10k to 600k characters), the added sentences from sitefarm/lengths.py's filler.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from archive.index.api import IndexDoc
from sitefarm import lengths as real_lengths

REGIONS = [  # (code, province, city, county)
    ("430000", "湖南省", None, None),
    ("431100", "湖南省", "永州市", None),
    ("431121", "湖南省", "永州市", "祁阳市"),
    ("431122", "湖南省", "永州市", "东安县"),
    ("431102", "湖南省", "永州市", "零陵区"),
    ("430100", "湖南省", "长沙市", None),
    ("430121", "湖南省", "长沙市", "长沙县"),
    ("430102", "湖南省", "长沙市", "芙蓉区"),
    ("420000", "湖北省", None, None),
    ("420102", "湖北省", "武汉市", "江岸区"),
    ("420115", "湖北省", "武汉市", "江夏区"),
]
TOPICS = ["政务公开", "信息公开", "政府信息公开", "政务服务", "公开宣传", "营商环境", "数字政府",
          "基层政务公开", "政务新媒体", "12345热线", "安全生产", "普法宣传", "公开"]
EVENTS = ["宣传月活动", "宣传周活动", "主题日活动", "宣传日", "月度工作", "专项行动", "主题活动",
          "开放日", "日活动", "宣传月", "宣传", "活动月"]
DOC_TYPES = ["实施方案", "活动方案", "工作要点", "通知", "意见", "办法", "方案"]
AGENCIES = ["人民政府办公室", "政务服务中心", "司法局", "宣传部", "应急管理局", "政务公开办"]
THEMES = ["政务公开", "主题日", "宣传月", "营商环境", "安全生产", "数字政府"]
LAWS = ["中华人民共和国政府信息公开条例", "政府信息公开条例", "中华人民共和国安全生产法", "优化营商环境条例"]
SENTENCES = [
    "为深入贯彻落实《{law}》，进一步做好{topic}工作，现就开展{event}有关事项通知如下。",
    "{year}年是{topic}的关键之年，各单位要把{event}作为重要任务，抓紧抓实。",
    "一、活动主题：{topic}，{event}，让公开成为常态。",
    "（二）活动时间：{year}年{month}月{day}日至{month}月{end}日，为期一个月。",
    "各乡镇（街道）要围绕{topic}开展{event}，通过政府网站、政务新媒体、PDF文件等形式发布。",
    "请于{month}月{day}日前将{event}总结报送至{agency}，联系电话：0746-{phone}。",
    "附件：{year}年{topic}{doctype}.pdf；{event}登记表.docx",
    "要结合{topic}，做好“{event}”的宣传和解读，回应群众关切。",
    "The {word} of {topic} ({event}) was reviewed in Q{quarter} {year}.",
    "开展 {topic} {event}，推进{law2}落地见效 。",
    "月{event}宣{topic}传，公开透明、务实高效。",
]
WORDS = ["plan", "notice", "PDF", "pdfs", "WPS", "word", "A级", "5G"]


def generate(n: int, seed: int = 20240524, sentences: tuple[int, int] = (4, 9)) -> list[IndexDoc]:
    rng = random.Random(seed)
    docs = []
    for doc_id in range(1, n + 1):
        code, province, city, county = rng.choice(REGIONS)
        year = rng.randint(2016, 2025)
        published = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        topic, event, doc_type = rng.choice(TOPICS), rng.choice(EVENTS), rng.choice(DOC_TYPES)
        place = county or city or province
        agency = place + rng.choice(AGENCIES)
        title = f"{place}关于开展{year}年{topic}{event}的{doc_type}"
        if rng.random() < 0.1:
            title = title.replace("关于开展", "关于印发")
        body = "".join(_sentence(rng, year, agency) for _ in range(rng.randint(*sentences)))
        themes = tuple(sorted(rng.sample(THEMES, rng.randint(0, 2))))
        docs.append(IndexDoc(
            doc_id=doc_id, url=f"http://www.example.gov.cn.test/{doc_id}.html", title=title,
            text=body, published=published if rng.random() > 0.03 else None, year=year,
            region_code=code, province=province, city=city, county=county, themes=themes,
            doc_type=doc_type, agency=agency, site=f"site{rng.randint(1, 5)}",
            status=rng.choice(["active"] * 8 + ["changed", "withdrawn"]),
        ))
    return docs


def _sentence(rng: random.Random, year: int, agency: str) -> str:
    month = rng.randint(1, 12)
    return rng.choice(SENTENCES).format(
        law=rng.choice(LAWS), law2=rng.choice(LAWS), topic=rng.choice(TOPICS),
        event=rng.choice(EVENTS), year=year, month=month, day=rng.randint(1, 20),
        end=rng.randint(21, 28), agency=agency, phone=rng.randint(1000000, 9999999),
        doctype=rng.choice(DOC_TYPES), word=rng.choice(WORDS), quarter=rng.randint(1, 4),
    )


SUBJECTS = TOPICS + ["乡村振兴", "生态环境保护", "农村人居环境整治", "义务教育", "医疗保障", "养老服务",
                     "防汛抗旱", "森林防火", "交通运输", "文明城市创建", "食品安全", "消防安全", "就业创业",
                     "招商引资", "老旧小区改造", "河长制", "禁毒", "疫情防控", "耕地保护", "植树造林",
                     "科技创新", "全民健身", "文化旅游", "社会救助", "退役军人服务", "统计调查", "财政预算",
                     "人才引进", "水利建设", "农业农村"]
ACTIONS = EVENTS + ["专项整治", "集中排查", "检查考核", "培训会议", "督导检查", "推进会", "评比表彰",
                    "普查", "调研", "试点工作", "攻坚行动", "志愿服务", "宣讲活动", "现场会", "年度考核",
                    "安全检查", "工作总结", "资金申报", "项目验收", "整改落实"]
PROSE = [
    "各单位要高度重视，加强组织领导，明确责任分工，确保各项工作落到实处。",
    "坚持以人民为中心的发展思想，统筹发展和安全，推动经济社会高质量发展。",
    "请各乡镇（街道）、县直各单位认真贯彻执行，执行中遇到的问题及时反馈。",
    "本方案自印发之日起施行，由县人民政府办公室负责解释。",
    "进一步健全工作机制，强化督查考核，对工作不力的单位予以通报。",
    "加强经费保障，所需资金纳入年度财政预算，专款专用。",
    "严格落实值班值守制度，遇有突发情况及时报告，不得迟报、漏报、瞒报。",
    "联系人：张三，联系电话：0746-{phone}，邮箱：gov{phone}@163.com。",
    "{year}年{month}月{day}日前完成自查，{month}月{end}日前完成整改。",
    "附件：1.工作台账；2.联系人名单.xlsx",
    "要广泛听取群众意见，主动接受社会监督，不断提升群众满意度。",
    "全县共排查问题{day}个，已整改{end}个，整改率达到{pct}%。",
]


def _zipf_choice(rng: random.Random, items: list[str]) -> str:
    return items[min(len(items) - 1, int(rng.paretovariate(1.1)) - 1) if rng.random() < 0.7
                 else rng.randrange(len(items))]


FILE_SHARE = 0.04   # documents whose text is a plan held in an attachment (lengths="real")


def _real_text(parts: list[str], seed: int, doc_id: int, year: int, unit: str) -> str:
    """The sentences cut or stretched to a real length (a random of its own: the other draws stay as they are)."""
    rng = random.Random(f"length:{seed}:{doc_id}")
    target = (real_lengths.file_length(rng) if rng.random() < FILE_SHARE else real_lengths.page_length(rng))
    size = sum(map(len, parts))
    if size >= target:
        kept = parts[:1]
        for part in parts[1:]:
            if sum(map(len, kept)) + len(part) > target:
                break
            kept.append(part)
        return "".join(kept)
    return "".join(parts) + "".join(real_lengths.filler(rng, target - size, year, unit))


def generate_realistic(n: int, seed: int = 20240524, sentences: tuple[int, int] = (4, 9),
                       lengths: str = "farm") -> list[IndexDoc]:
    """Documents on many subjects: theme words in roughly 2-20% of them (see module docstring)."""
    real_lengths.check_mode(lengths)
    rng = random.Random(seed)
    subjects, actions = SUBJECTS[:], ACTIONS[:]
    rng.shuffle(subjects)
    rng.shuffle(actions)
    docs = []
    for doc_id in range(1, n + 1):
        code, province, city, county = rng.choice(REGIONS)
        year = rng.randint(2016, 2025)
        published = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        topic, event, doc_type = _zipf_choice(rng, subjects), _zipf_choice(rng, actions), rng.choice(DOC_TYPES)
        place = county or city or province
        agency = place + rng.choice(AGENCIES)
        title = f"{place}关于开展{year}年{topic}{event}的{doc_type}"
        parts = []
        for _ in range(rng.randint(*sentences)):
            month = rng.randint(1, 12)
            if rng.random() < 0.3:   # a sentence on the document's own subject
                parts.append(rng.choice(SENTENCES).format(
                    law=rng.choice(LAWS), law2=rng.choice(LAWS), topic=topic, event=event, year=year,
                    month=month, day=rng.randint(1, 20), end=rng.randint(21, 28), agency=agency,
                    phone=rng.randint(1000000, 9999999), doctype=doc_type, word=rng.choice(WORDS),
                    quarter=rng.randint(1, 4)))
            else:
                parts.append(rng.choice(PROSE).format(
                    year=year, month=month, day=rng.randint(1, 20), end=rng.randint(21, 28),
                    phone=rng.randint(1000000, 9999999), pct=rng.randint(80, 100)))
        themes = tuple(sorted(t for t in THEMES if t in title or rng.random() < 0.03))
        docs.append(IndexDoc(
            doc_id=doc_id, url=f"http://www.example.gov.cn.test/{doc_id}.html", title=title,
            text=_real_text(parts, seed, doc_id, year, place[-1]) if lengths == "real" else "".join(parts),
            published=published if rng.random() > 0.03 else None, year=year,
            region_code=code, province=province, city=city, county=county, themes=themes,
            doc_type=doc_type, agency=agency, site=f"site{rng.randint(1, 5)}",
            status=rng.choice(["active"] * 8 + ["changed", "withdrawn"]),
        ))
    return docs
