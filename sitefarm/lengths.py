"""Real body lengths for the benchmark corpora (World(lengths="real"), evaluation/corpus.py).

Fitted on ../shared/realdata (`python -m bench.lengths` prints the measurement beside the corpora):
- a page's body: log-normal, fitted (maximum likelihood) to the 55 labelled gov pages of gold.jsonl
  as our extractor reads them: median 1,135 characters, sigma 1.03 (measured: p10 439, median 985,
  p90 4,416, max 8,709; the fit gives p10 303, p90 4,240), kept within 150 … 40,000;
- a plan held in its attachment (the page says 详见附件): Pareto from 10,000 characters with
  alpha 1.18, so that 1% run past 500,000 (median 18,000, p90 70,000), cut at 600,000. The
  realdata holds no attachments; the 10k to over 500k range is the one measured on real plans
  (issue #21).
Characters are counted without whitespace, as the measurement counts them.

The filler that stretches a text to its length is combinatorial (unit × verb × subject × method ×
deadline × a figure, ~10^8 sentences), so two documents rarely share a sentence and dedup sees
no false copies; it names people, villages and projects from a Zipf-weighted pool of characters,
so that rare words exist (in ≤ 0.1% of documents) as they do in real text.
"""
from __future__ import annotations

import math
import random

PAGE_MEDIAN, PAGE_SIGMA, PAGE_MIN, PAGE_MAX = 1135, 1.03, 150, 40_000
FILE_MIN, FILE_ALPHA, FILE_MAX = 10_000, 1.18, 600_000
MODES = ("farm", "real")


def check_mode(lengths: str) -> str:
    if lengths not in MODES:
        raise ValueError(f"unknown lengths {lengths!r}; choose from {', '.join(MODES)}")
    return lengths


def page_length(rng: random.Random) -> int:
    return int(min(PAGE_MAX, max(PAGE_MIN, math.exp(math.log(PAGE_MEDIAN) + PAGE_SIGMA * rng.gauss(0, 1)))))


def file_length(rng: random.Random) -> int:
    return int(min(FILE_MAX, FILE_MIN * rng.paretovariate(FILE_ALPHA)))


UNITS = ("发展和改革局", "财政局", "自然资源局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
         "文化旅游广电体育局", "卫生健康局", "应急管理局", "市场监督管理局", "教育局", "民政局",
         "人力资源和社会保障局", "生态环境分局", "数据资源局", "政务服务中心", "林业局", "退役军人事务局")
LOCAL_UNITS = ("各乡镇人民政府", "各街道办事处", "各村（社区）", "牵头单位", "各责任单位")
VERBS = ("加快推进", "着力完善", "全面加强", "持续深化", "统筹推进", "大力实施", "进一步规范", "扎实开展",
         "健全完善", "稳步推进", "积极探索", "切实抓好", "不断优化", "系统提升")
SUBJECTS = ("重点项目建设", "基层公共服务设施", "农村饮水安全工程", "城乡环境卫生整治", "中小学校舍改造",
            "公共文化服务体系", "社区网格化管理", "智慧政务平台", "医疗卫生服务网络", "农田水利设施",
            "道路交通基础设施", "产业园区配套设施", "养老服务设施", "农产品质量安全监管", "防灾减灾体系",
            "就业技能培训", "财政资金绩效管理", "政务数据共享", "市场主体培育", "生态修复治理",
            "历史文化街区保护", "乡镇便民服务中心", "污水处理设施", "电子证照应用", "社会信用体系建设",
            "消防安全隐患排查", "食品安全抽检", "特色农业产业", "全域旅游", "数字乡村", "村级集体经济",
            "困难群众救助", "义务教育均衡发展", "公共法律服务", "森林资源保护", "耕地保护", "河湖长制",
            "农村公路养护", "城市燃气管网改造", "冷链物流体系")
METHODS = ("建立健全部门联动机制", "实行清单化管理、项目化推进", "定期开展调度督导", "将其纳入年度目标考核",
           "引入第三方评估", "落实周调度、月通报制度", "强化要素保障", "建立问题台账和整改清单",
           "实行挂图作战、销号管理", "加强跟踪问效", "完善资金使用监管", "推行“一事一议”", "压实属地责任",
           "开展“回头看”", "建立专班推进机制", "加强业务培训和指导")
FIGURES = ("新建改建{n}处", "累计投入资金{m}万元", "覆盖率达到{p}%以上", "培训人员{n}人次", "完成排查{n}家单位",
           "办结率保持在{p}%以上", "新增就业岗位{n}个", "建成示范点{k}个", "整改问题{n}项", "惠及群众{k}.{d}万人",
           "完成投资{m}万元", "群众满意率达到{p}%以上")
HEADINGS = ("重点工作", "保障措施", "责任分工", "进度安排", "考核评价", "配套政策", "资金安排", "组织实施",
            "发展基础", "主要目标", "重大工程", "风险防控")
# Name characters, most common first: drawn Zipf-weighted, so the last ones are in few documents.
NAME_CHARS = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
              "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
              "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
              "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
              "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
              "甄丛仲虞敖巩明佘池查麻苑迟邝琚濮帅枋昝闾鄢璩鞠韶綦荀蔺郜郗昌燕缐赫")
_NAME_WEIGHTS = [1 / (n + 1) ** 1.3 for n in range(len(NAME_CHARS))]
_NAME_CUMULATIVE = [sum(_NAME_WEIGHTS[:n + 1]) for n in range(len(_NAME_WEIGHTS))]


def name_chars(rng: random.Random, k: int) -> str:
    return "".join(rng.choices(NAME_CHARS, cum_weights=_NAME_CUMULATIVE, k=k))


def cn_number(n: int) -> str:
    """1 … 999 in Chinese numerals (一, 十二, 一百零五)."""
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = digits[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


def sentence(rng: random.Random, year: int, unit: str) -> str:
    who = f"{unit}{rng.choice(UNITS)}" if rng.random() < 0.7 else rng.choice(LOCAL_UNITS)
    figure = rng.choice(FIGURES).format(n=rng.randint(2, 900), m=rng.randint(10, 90000), p=rng.randint(60, 99),
                                        k=rng.randint(2, 60), d=rng.randint(0, 9))
    when = rng.choice((f"{year}年{rng.randint(1, 12)}月底前", f"{year}年第{rng.randint(1, 4)}季度", "年内",
                       f"到{year + rng.randint(1, 5)}年"))
    out = f"{who}{rng.choice(VERBS)}{rng.choice(SUBJECTS)}，{rng.choice(METHODS)}，{when}{figure}。"
    if rng.random() < 0.15:   # a person, a village or a project: where the rare words are
        place = name_chars(rng, 2)
        out += rng.choice((f"联系人：{name_chars(rng, 1)}{name_chars(rng, 2)}。", f"试点设在{place}村。",
                           f"重点推进{place}{rng.choice(SUBJECTS)}项目。"))
    return out


def filler(rng: random.Random, chars: int, year: int, unit: str) -> list[str]:
    """Paragraphs of about `chars` characters: numbered chapters of numbered tasks."""
    out: list[str] = []
    total, chapter, task = 0, 1, 1
    while total < chars:
        if len(out) % 6 == 0:
            line = f"第{cn_number(min(chapter, 999))}章　{rng.choice(HEADINGS)}"
            chapter, task = chapter + 1, 1
        else:
            line = f"（{cn_number(min(task, 999))}）" + "".join(sentence(rng, year, unit)
                                                               for _ in range(rng.randint(1, 3)))
            task += 1
        out.append(line)
        total += len(line)
    return out


TEMPLATE_CHARS = 575   # the farm's template bodies' mean length (lengths="farm")


def fit(paragraphs: list[str], target: int, extra: list[str]) -> list[str]:
    """The paragraphs cut or stretched (with `extra`, before the closing agency and date) to ~target chars."""
    size = sum(len(p) for p in paragraphs)
    if size > target and len(paragraphs) > 3:   # drop middle paragraphs, keep the opening and the signature
        head, middle, tail = paragraphs[:1], paragraphs[1:-2], paragraphs[-2:]
        while middle and size > target:
            size -= len(middle.pop())
        return head + middle + tail
    return paragraphs[:-2] + extra + paragraphs[-2:] if len(paragraphs) >= 2 else paragraphs + extra
