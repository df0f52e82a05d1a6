"""Check a SQLAlchemy MetaData against the naming rules; run it in a test or in CI."""

import re

from sqlalchemy import Date, DateTime, MetaData

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
SINGULAR_ENDINGS = ("ss", "us", "is")  # address, status, analysis


def naming_problems(metadata: MetaData) -> list[str]:
    problems = []
    for table in metadata.sorted_tables:
        if not SNAKE_CASE.fullmatch(table.name):
            problems.append(f"{table.name}: table names are lower_snake_case")
        last_word = table.name.lower().rsplit("_", 1)[-1]
        if last_word.endswith("s") and not last_word.endswith(SINGULAR_ENDINGS):
            problems.append(f"{table.name}: table names are singular")
        for column in table.columns:
            where = f"{table.name}.{column.name}"
            if not SNAKE_CASE.fullmatch(column.name):
                problems.append(f"{where}: column names are lower_snake_case")
            if isinstance(column.type, DateTime) and not column.name.endswith("_at"):
                problems.append(f"{where}: datetime columns end in _at")
            if isinstance(column.type, Date) and not column.name.endswith("_date"):
                problems.append(f"{where}: date columns end in _date")
            if column.foreign_keys and not column.name.endswith("_id"):
                problems.append(f"{where}: foreign key columns end in _id")
    return problems


if __name__ == "__main__":
    from sqlalchemy import Column, Integer, Table

    metadata = MetaData()
    Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("signedUpAt", DateTime),
    )
    for problem in naming_problems(metadata):
        print(problem)
        #> users: table names are singular
        #> users.signedUpAt: column names are lower_snake_case
        #> users.signedUpAt: datetime columns end in _at
