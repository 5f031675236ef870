"""A row's columns written by one Core UPDATE, the session's object of it told they are its committed
values: no unit of work for a write whose values are known (a flush costs more than SQLite's UPDATE)."""
from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

_UPDATES: dict = {}   # (table, columns) -> its UPDATE … WHERE id = :row_id, built once


def write_committed(session: Session, cls, row_id: int, values: dict, row=None) -> None:
    """UPDATE cls's table SET values WHERE id = row_id. The object of that row (row, or the one the
    session holds) then has them as if loaded: a change pending on those attributes is dropped (the
    database has the new value), others stay pending."""
    if not values:
        return
    table = cls.__table__
    key = (table, tuple(sorted(values)))
    statement = _UPDATES.get(key)
    if statement is None:
        statement = _UPDATES[key] = (update(table).where(table.c.id == bindparam("row_id"))
                                     .values({column: bindparam(column) for column in key[1]}))
    session.connection().execute(statement, {**values, "row_id": row_id})
    if row is None:
        row = session.identity_map.get(session.identity_key(cls, row_id))
    if row is not None:
        for column, value in values.items():
            set_committed_value(row, column, value)
