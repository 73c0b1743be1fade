"""Row counts of every table: the proof that a refused request wrote nothing anywhere."""

from django.db import connection


def row_counts() -> dict[str, int]:
    """The number of rows in every table of the database, in one query."""
    tables = sorted(connection.introspection.table_names(include_views=False))
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*) FROM {quote(table)}"  # noqa: S608 - names from the catalogue
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Tables whose row count differs: {table: (before, after)}."""
    return {
        table: (before.get(table, 0), after.get(table, 0))
        for table in before.keys() | after.keys()
        if before.get(table, 0) != after.get(table, 0)
    }
