"""Quoting for the few SQL statements that take no bind parameters (DDL, ATTACH, COPY)."""


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal: a path is data, so it is quoted, never pasted raw."""
    return "'" + text.replace("'", "''") + "'"
