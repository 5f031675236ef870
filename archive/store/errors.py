"""Storage errors an operator must act on (a full disk, a locked or read-only database), in one sentence."""
from __future__ import annotations

import errno

from archive.config import sqlite_busy_timeout


class StorageError(RuntimeError):
    """The archive cannot be written (disk full, database locked, read-only): the operator must act."""


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def storage_problem(error: BaseException) -> str | None:
    """One clear sentence for the storage errors an operator has to fix (a full disk, a database
    another process holds locked, a read-only one), looking through wrapped causes; None otherwise."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StorageError):
            return str(error)
        if isinstance(error, OSError) and error.errno in _FULL:
            where = f" ({error.filename})" if error.filename else ""
            return f"disk full: no space left on the device holding the data directory{where}"
        if isinstance(error, OSError) and error.errno == errno.EROFS:
            return f"read-only file system: cannot write {error.filename or 'the data directory'}"
        message = str(error).lower()
        if type(error).__name__ in ("OperationalError", "DatabaseError"):
            if "database is locked" in message or "database table is locked" in message:
                return (f"the archive database is locked by another process (waited {sqlite_busy_timeout():.0f} s; "
                        f"$GOVPLANS_SQLITE_BUSY_TIMEOUT): is another govplans process writing to it?")
            if "disk is full" in message or "disk full" in message:
                return "disk full: no space left for the archive database"
            if "readonly database" in message or "read-only" in message:
                return "the archive database is read-only: check the data directory's permissions"
            if "unable to open database" in message:
                return "cannot open the archive database: check that the data directory exists and is writable"
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return None
