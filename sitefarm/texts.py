"""Plan and notice texts, written from our own templates and drawn from a seeded random.

A document is a `Header` (title, dates, agency, 文号 …) that list pages need, and a body
(a list of paragraphs) that only detail pages need, so lists stay cheap.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Theme:
    name: str            # as it appears in titles: 政务公开日
    topic: str           # taxonomy label for the truth
    office: str          # the office that usually issues it, after the county name
    office_code: str     # its 文号 code: 应急 -> 祁应急发
    aims: tuple[str, ...]
    tasks: tuple[str, ...]


THEMES = (
    Theme("政务公开日活动", "政务公开", "人民政府办公室", "政办",
          ("让群众走进政府、了解政府、监督政府", "提升政务公开的针对性和实效性"),
          ("组织群众代表走进办事大厅体验审批流程", "开展政策解读进社区活动", "设置政务公开咨询台现场答复群众提问",
           "邀请人大代表和政协委员座谈并听取意见", "通过融媒体平台直播活动全过程")),
    Theme("政务公开主题日", "政务公开", "人民政府办公室", "政办",
          ("围绕群众关切发布权威信息", "以公开促落实、以公开促规范、以公开促服务"),
          ("在各乡镇便民服务中心同步设立主题展台", "发放政策明白卡和办事指南", "组织部门负责人上线答问",
           "开展政府开放活动并收集意见建议")),
    Theme("政府开放日", "政务公开", "人民政府办公室", "政办",
          ("增进群众对政府工作的理解和支持", "搭建政府与群众良性互动的平台"),
          ("开放部分办公场所供群众参观", "展示重点项目建设成果", "举办面对面恳谈会", "发布年度民生实事进展")),
    Theme("政务公开宣传月", "政务公开", "人民政府办公室", "政办",
          ("扩大政务公开工作的社会知晓度", "推动政务公开标准化规范化建设"),
          ("制作宣传海报和短视频并在公共场所投放", "开展政务公开知识竞赛", "组织业务骨干专题培训",
           "在政府网站开设宣传月专栏")),
    Theme("政务公开", "政务公开", "人民政府办公室", "政办",
          ("全面提升政务公开质量", "更好地服务经济社会发展大局"),
          ("加强政策文件集中发布和解读", "做好重大决策预公开", "推进基层政务公开标准目录动态调整",
           "规范依申请公开办理流程", "加强政府网站和政务新媒体管理")),
    Theme("安全生产月活动", "安全生产", "安全生产委员会办公室", "安委办",
          ("牢固树立安全发展理念", "坚决遏制较大及以上生产安全事故"),
          ("组织开展安全生产大检查", "开展应急疏散演练", "举办安全生产咨询日活动", "推动企业落实全员安全生产责任制",
           "集中曝光一批典型违法行为")),
    Theme("道路交通安全整治", "交通安全", "公安局", "公",
          ("减少道路交通事故总量", "保障群众出行安全"),
          ("严查酒驾醉驾和超速超载行为", "排查整治农村道路安全隐患", "加强校车和客运车辆管理",
           "开展交通安全进校园宣传", "完善重点路段警示标志")),
    Theme("生态环境保护", "环境保护", "生态环境分局", "环",
          ("持续改善区域生态环境质量", "守住生态安全底线"),
          ("推进大气污染防治重点项目", "开展河湖水环境综合整治", "加强土壤污染风险管控",
           "规范工业固体废物处置", "推进农村人居环境整治")),
    Theme("全民科学素质行动", "科普", "科学技术协会", "科协",
          ("提升全民科学素质水平", "营造崇尚科学的社会氛围"),
          ("举办科普讲座和科技展览", "组织科技志愿者下乡服务", "建设社区科普活动室",
           "开展青少年科技创新竞赛")),
    Theme("乡村振兴", "乡村振兴", "农业农村局", "农",
          ("巩固拓展脱贫攻坚成果", "推动乡村产业、人才、文化、生态、组织振兴"),
          ("培育壮大特色优势产业", "实施农村基础设施提升工程", "加强农村实用人才培训",
           "推进美丽乡村示范村建设", "发展壮大村级集体经济")),
    Theme("优化营商环境", "营商环境", "人民政府办公室", "政办",
          ("打造市场化法治化国际化营商环境", "激发市场主体活力"),
          ("推行企业开办一日办结", "深化工程建设项目审批制度改革", "落实减税降费政策",
           "建立政企沟通常态化机制", "规范涉企检查行为")),
    Theme("应急管理能力提升", "应急管理", "应急管理局", "应急",
          ("提高防灾减灾救灾能力", "最大限度减少灾害损失"),
          ("修订完善专项应急预案", "加强应急物资储备", "组织防汛抗旱综合演练",
           "开展自然灾害风险隐患排查", "建强基层应急救援队伍")),
)


@dataclass(frozen=True)
class Kind:
    """A 文种 and how its title is formed."""
    doc_type: str
    patterns: tuple[str, ...]   # placeholders: {place} {year} {theme} {agency}
    plan: bool                  # a plan (forward-looking) or a report on the past


KINDS = (
    Kind("方案", ("{place}{year}年{theme}实施方案", "{place}{year}年{theme}方案", "{place}{theme}工作方案"), True),
    Kind("要点", ("{place}{year}年度{theme}工作要点", "{place}{year}年{theme}工作要点"), True),
    Kind("计划", ("{place}{year}年{theme}工作计划",), True),
    Kind("通知", ("关于印发《{place}{year}年{theme}实施方案》的通知", "{agency}关于做好{year}年{theme}工作的通知",
                  "关于开展{year}年{theme}的通知"), True),
    Kind("意见", ("{place}关于深入推进{theme}的实施意见",), True),
    Kind("办法", ("{place}{theme}工作管理办法",), True),
    Kind("总结", ("{place}{year}年{theme}工作总结",), False),
    Kind("报告", ("{agency}关于{year}年{theme}工作情况的报告",), False),
)


@dataclass(frozen=True)
class Place:
    county: str          # 祁阳市
    short: str           # 祁阳
    unit: str            # 县, 市 or 区: how the text says "our county"


@dataclass(frozen=True)
class Header:
    title: str
    doc_type: str
    theme: Theme
    year: int            # the year the document is for
    published: date
    written: date
    agency: str
    doc_number: str | None
    lineage: str | None


def place_of(county: str, short: str) -> Place:
    unit = "市" if county.endswith("市") else "区" if county.endswith("区") else "县"
    return Place(county, short, unit)


def make_header(rng: random.Random, place: Place, published: date, lineage: int | None) -> Header:
    """Title and metadata of one document; a lineage member keeps its model's theme and 文种."""
    if lineage is not None:
        model = random.Random(f"lineage:{lineage}")
        theme = model.choice(THEMES)
        kind = KINDS[0]
        pattern = kind.patterns[0]
    else:
        theme = rng.choice(THEMES)
        kind = rng.choice(KINDS)
        pattern = rng.choice(kind.patterns)
    year = published.year
    if "{year}" in pattern:  # without a year in the title, the plan is for the year it appeared
        if kind.plan and published.month >= 11 and rng.random() < 0.5:
            year += 1        # next year's plan, published in winter
        if not kind.plan and published.month <= 3:
            year -= 1        # last year's summary, published in spring
    agency = place.county + theme.office
    title = pattern.format(place=place.county, year=year, theme=theme.name, agency=agency)
    written = published - timedelta(days=rng.randint(0, 12))
    doc_number = None
    if kind.doc_type in ("通知", "意见", "办法") or rng.random() < 0.3:
        doc_number = f"{place.short[0]}{theme.office_code}发〔{written.year}〕{rng.randint(1, 60)}号"
    return Header(title, kind.doc_type, theme, year, published, written, agency, doc_number,
                  f"L{lineage:02d}" if lineage is not None else None)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


NUMERALS = "一二三四五六七八九十"
BASIS = ("上级有关文件精神", "政务公开工作的有关部署", "本年度重点工作安排", "相关法律法规和政策规定")
GENERIC_DEMANDS = (
    ("加强组织领导", "各单位要高度重视，主要负责人亲自抓，明确专人负责，确保各项工作落到实处。"),
    ("强化协调配合", "牵头单位要加强统筹调度，相关部门要各司其职、密切配合，形成工作合力。"),
    ("注重宣传引导", "要充分利用政府网站、政务新媒体和基层公开栏，及时发布工作动态，营造良好氛围。"),
    ("严格督促检查", "工作开展情况将纳入年度绩效考核，对工作推进不力的单位予以通报。"),
    ("做好总结报送", "各单位要及时总结经验做法，于活动结束后五个工作日内报送工作总结。"),
)


def make_body(rng: random.Random, header: Header, place: Place, lineage_keep: float = 0.8) -> list[str]:
    """Paragraphs of the document, in order, exactly as a page shows them.

    A lineage member draws its paragraphs from the model's random, except that each is
    rewritten from the document's own random with probability 1 - lineage_keep.
    """
    model = random.Random(f"lineage-body:{header.lineage}") if header.lineage else rng
    if header.doc_type in ("总结", "报告"):
        paragraphs = _report(rng, header, place)
    else:
        paragraphs = _plan(model, rng, header, place, lineage_keep if header.lineage else 1.0)
        if header.doc_type == "通知" and header.title.startswith("关于印发"):
            inner = header.title[header.title.index("《") + 1: header.title.index("》")]
            paragraphs = [f"各乡镇人民政府、街道办事处，{place.unit}直各有关单位：",
                          f"现将《{inner}》印发给你们，请结合实际，认真组织实施。",
                          header.agency, cn_date(header.written), inner, *paragraphs[:-2]]
    return paragraphs


def _plan(model: random.Random, own: random.Random, header: Header, place: Place, keep: float) -> list[str]:
    def pick(options):
        # The model's draw is taken every time so that members stay aligned with each other.
        chosen = model.choice(options)
        return chosen if own.random() < keep else own.choice(options)

    theme = header.theme
    home = f"我{place.unit}"
    own_name = {"通知": "方案", "要点": "工作要点"}.get(header.doc_type, header.doc_type)
    out = [f"为深入贯彻落实{pick(BASIS)}，{pick(theme.aims)}，结合{home}实际，制定本{own_name}。"]
    sections = [("总体要求", [f"坚持以人民为中心的发展思想，围绕{pick(theme.aims)}，统筹推进{theme.name}各项工作，"
                             f"确保取得实效。"]),
                ("工作目标", [f"到{header.year}年底，{place.county}{theme.name}工作机制更加健全，"
                             f"{pick(theme.aims)}的成效更加明显，群众满意度稳步提升。"])]
    tasks = model.sample(theme.tasks, k=min(len(theme.tasks), 3 + model.randint(0, 1)))
    task_lines = []
    for n, task in enumerate(tasks):
        task_lines.append(f"（{NUMERALS[n]}）{task}。")
        task_lines.append(f"由{pick(('各乡镇', '各相关部门', '牵头单位', '各街道'))}负责，"
                          f"{pick(('结合实际制定具体措施', '明确时间节点和责任人', '建立工作台账逐项销号'))}，"
                          f"{pick(('确保按期完成', '做到有计划、有检查、有总结', '切实增强群众获得感'))}。")
    sections.append(("主要任务", task_lines))
    start = header.written + timedelta(days=model.randint(5, 30))
    steps = [f"{n + 1}.{name}（{cn_date(start + timedelta(days=30 * n))}至"
             f"{cn_date(start + timedelta(days=30 * n + 25))}）。{what}"
             for n, (name, what) in enumerate((("动员部署阶段", "制定具体方案，召开动员会议。"),
                                               ("组织实施阶段", "按照任务分工全面推进各项工作。"),
                                               ("总结提升阶段", "梳理成效和问题，形成长效机制。")))]
    sections.append(("实施步骤", steps))
    demands = model.sample(GENERIC_DEMANDS, k=3)
    sections.append(("工作要求", [line for n, (head, text) in enumerate(demands)
                                  for line in (f"（{NUMERALS[n]}）{head}。{text}",)]))
    for n, (heading, lines) in enumerate(sections):
        out.append(f"{NUMERALS[n]}、{heading}")
        out.extend(lines)
    out.append(header.agency)
    out.append(cn_date(header.written))
    return out


def _report(rng: random.Random, header: Header, place: Place) -> list[str]:
    theme = header.theme
    done = rng.sample(theme.tasks, k=min(3, len(theme.tasks)))
    out = [f"{header.year}年，{place.county}围绕{rng.choice(theme.aims)}，扎实推进{theme.name}各项工作。"
           f"现将有关情况报告如下："]
    out.append("一、主要工作开展情况")
    for n, task in enumerate(done):
        out.append(f"（{NUMERALS[n]}）{task}。全年累计开展相关活动{rng.randint(6, 60)}场次，"
                   f"覆盖群众{rng.randint(2, 90)}00余人次。")
    out.append("二、存在的问题")
    out.append(rng.choice(("部分单位重视程度不够，工作进展不平衡。", "基层工作力量相对薄弱，专业人员不足。",
                           "宣传形式较为单一，群众参与度有待提高。")))
    out.append("三、下一步工作打算")
    out.append(f"{header.year + 1}年，我们将继续{rng.choice(theme.tasks)}，推动{theme.name}工作再上新台阶。")
    out.append(header.agency)
    out.append(cn_date(header.written))
    return out


# The names 范文/文库 copies put where the county's name was.
PLACEHOLDERS = (Place("xx县", "xx", "县"), Place("xx镇", "xx", "镇"), Place("xx区", "xx", "区"),
                Place("XX县", "XX", "县"))


def placeholder_of(agency: str) -> Place:
    return next(p for p in PLACEHOLDERS if agency.startswith(p.county))
