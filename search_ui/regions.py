"""Region codes (GB/T 2260) for the drill-down: levels, parents, ancestry."""
from __future__ import annotations


def level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str:
    return code[:4] + "00"


def child_of(code: str, parent: str | None) -> str | None:
    """The code one level below `parent` that `code` falls under (None: outside `parent`)."""
    if parent is None:
        return province_of(code)
    if level(parent) == "province":
        return city_of(code) if code[:2] == parent[:2] else None
    if level(parent) == "city":
        return code if code[:4] == parent[:4] else None
    return code if code == parent else None


def ancestry(code: str) -> list[str]:
    """430000 -> [430000]; 431121 -> [430000, 431100, 431121]."""
    chain = [province_of(code)]
    if level(code) in ("city", "county"):
        chain.append(city_of(code))
    if level(code) == "county":
        chain.append(code)
    return chain
