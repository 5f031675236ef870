"""The national registry: every government unit (archive.divisions) with the registry's sites for
it, and the import of a user's own list of portals (CSV: name or code, url).

A unit has no site until someone gives its portal: the project ships no third-party list of
portal URLs (see the header of crawler/sites/real.yaml for why); `govplans sites import FILE.csv`
takes a list the user has the right to use and records where each URL came from (`url_source`).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from archive import divisions, regions
from crawler.registry import REGISTRY_DIR

IMPORTED_FILE = REGISTRY_DIR / "imported.yaml"
_SLUG = re.compile(r"[^a-z0-9-]+")


def national_entries(sites: list[dict], verified: dict | None = None, level: str | None = None,
                     within: str | None = None) -> tuple[list[dict], list[dict]]:
    """(one entry per unit with its sites, the sites that name no known unit)."""
    verified = verified or {}
    by_code: dict[str, list[dict]] = {}
    unplaced = []
    for site in sites:
        code = divisions.current_code(site.get("region"))
        if code is None:
            unplaced.append(site_record(site, verified))
        else:
            by_code.setdefault(code, []).append(site_record(site, verified))
    entries = []
    for unit in divisions.divisions(level, within):
        province, city = regions.parent_codes(unit.code)
        own = by_code.get(unit.code, [])
        entries.append({
            "code": unit.code, "name": unit.name, "government": unit.government, "level": unit.level,
            "province_code": unit.province_code, "city_code": unit.city_code, "status": unit.status,
            "former_codes": divisions.retired_codes(unit.code),
            "portal": own[0]["base_url"] if own else None,
            "verified": any(site["verified"] for site in own),
            "sites": own,
        })
    return entries, unplaced


def site_record(site: dict, verified: dict) -> dict:
    """What the registry shows of one site entry; verified by the entry or by a successful crawl."""
    when = verified.get(site["id"])
    return {
        "id": site["id"], "name": site.get("name"), "region": site.get("region"), "family": site["family"],
        "base_url": site["base_url"], "columns": site.get("columns") or ["/"],
        "render": site.get("render", "http"), "url_source": site.get("url_source"),
        "verified": bool(when) or bool(site.get("verified", site.get("farm", False))),
        "verified_at": when.isoformat() if when else None,
    }


@dataclass
class ImportResult:
    entries: list[dict]           # the file's entries after the import
    added: list[dict]
    updated: list[dict]
    problems: list[str]           # rows not imported, and why


def import_csv(path: str | Path, existing: list[dict], known_ids: set[str], source: str | None = None) -> ImportResult:
    """Rows (name or code, url; optional family, columns separated by spaces, source) -> registry
    entries. A row for a unit that already has an entry on the same host updates it."""
    result = ImportResult(entries=[dict(e) for e in existing], added=[], updated=[], problems=[])
    taken = set(known_ids) | {e["id"] for e in existing}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = {name.strip().lower() for name in reader.fieldnames or ()}
        if "url" not in fields or not fields & {"name", "code"}:
            raise ValueError(f"{path}: needs a url column and a name or code column (has {', '.join(sorted(fields))})")
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            problem = _import_row(row, result, taken, source or f"import:{Path(path).name}")
            if problem:
                result.problems.append(f"line {number}: {problem}")
    return result


def _import_row(row: dict, result: ImportResult, taken: set[str], source: str) -> str | None:
    url = row.get("url", "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url!r}"
    unit = divisions.resolve(name=row.get("name", ""), code=row.get("code", ""))
    if unit is None:
        return f"no unit named {row.get('code') or row.get('name')!r} (give a code, or the name with its province or city)"
    if row.get("code") and row.get("name") and divisions.resolve(name=row["name"]) not in (None, unit):
        return f"code {row['code']} is {unit.name}, not {row['name']}"
    base_url = f"{parts.scheme}://{parts.netloc}"
    columns = row.get("columns", "").split() or [parts.path or "/"]
    for entry in result.entries:
        if entry.get("region") == unit.code and urlsplit(entry["base_url"]).hostname == parts.hostname:
            entry.update(base_url=base_url, url_source=row.get("source") or source,
                         **({"family": row["family"]} if row.get("family") else {}),
                         **({"columns": columns} if row.get("columns") or parts.path not in ("", "/") else {}))
            result.updated.append(entry)
            return None
    entry = {"id": _new_id(unit, taken), "name": unit.government, "region": unit.code,
             "family": row.get("family") or "generic", "base_url": base_url, "columns": columns,
             "verified": False, "url_source": row.get("source") or source}
    taken.add(entry["id"])
    result.entries.append(entry)
    result.added.append(entry)
    return None


def _new_id(unit: divisions.Division, taken: set[str]) -> str:
    """祁阳市 -> qiyang; a second 朝阳 gets its code: zhaoyang-110105."""
    slug = _SLUG.sub("", (regions.pinyin(unit.code) or "").lower()) or unit.code
    return slug if slug not in taken else f"{slug}-{unit.code}"


def read_entries(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def write_entries(path: Path, entries: list[dict], header: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(header + text, encoding="utf-8")
