"""The site registry: YAML files of site entries (crawler/sites/*.yaml, or one --sites-file)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from archive.divisions import current_code

# libyaml when installed: a national registry (thousands of entries) loads in a quarter of the time
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REGISTRY_DIR = Path(__file__).parent / "sites"
REQUIRED = ("id", "base_url", "family")


class RegistryError(ValueError):
    pass


def load_sites(path: str | Path | None = None) -> list[dict]:
    """Entries from one YAML file, or from every file in crawler/sites/ when no path is given."""
    files = [Path(path)] if path else sorted(REGISTRY_DIR.glob("*.yaml"))
    sites: list[dict] = []
    for file in files:
        entries = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER) or []
        if not isinstance(entries, list):
            raise RegistryError(f"{file}: expected a list of site entries")
        for entry in entries:
            missing = [key for key in REQUIRED if not entry.get(key)]
            if missing:
                raise RegistryError(f"{file}: site {entry.get('id', '?')} lacks {', '.join(missing)}")
            if entry.get("region") is not None:
                # a retired code (祁阳 431121) means its successor (431181)
                given = str(entry["region"]).zfill(6)
                entry["region"] = current_code(given) or given
            sites.append(entry)
    duplicates = {i for i, n in Counter(site["id"] for site in sites).items() if n > 1}
    if duplicates:
        raise RegistryError(f"duplicate site ids: {', '.join(sorted(duplicates))}")
    return sites


def select_sites(sites: list[dict], ids: list[str] | tuple[str, ...]) -> list[dict]:
    if not ids:
        return sites
    by_id = {site["id"]: site for site in sites}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise RegistryError(f"unknown site ids: {', '.join(unknown)}")
    return [by_id[i] for i in ids]
