"""Where the state lives: one data directory holds the archive, the index and the raw captures."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def sqlite_busy_timeout() -> float:
    """Seconds a write waits for a SQLite database another process holds locked, then fails
    with a clear error ($GOVPLANS_SQLITE_BUSY_TIMEOUT, default 30)."""
    try:
        return max(0.0, float(os.environ.get("GOVPLANS_SQLITE_BUSY_TIMEOUT") or 30))
    except ValueError:
        return 30.0


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, path: str | os.PathLike | None = None) -> "DataDir":
        """--data DIR, else $GOVPLANS_DATA, else ./data."""
        chosen = path or os.environ.get("GOVPLANS_DATA") or "data"
        return cls(Path(chosen).resolve())

    @property
    def database_url(self) -> str:
        return os.environ.get("GOVPLANS_DATABASE_URL") or f"sqlite:///{self.root / 'archive.sqlite'}"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    def ensure(self) -> "DataDir":
        for path in (self.root, self.index_dir, self.warc_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self
