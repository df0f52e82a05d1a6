"""The database rules of `fastapi-practices check` (checker/rules/database.py): metadata
without a naming convention (FBP601), migrations whose downgrade does nothing or whose
schema comes from the data (FBP602), Alembic settings without a dated file_template
(FBP603). Positive fixtures, false-positive guards, edge cases, and the snippet tree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules.database import (
    EmptyDowngrade,
    MetadataWithoutNamingConvention,
    SchemaFromData,
    UndatedMigrationTemplate,
)
from fastapi_practices.testing.checker import check, lines

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
RULES: list[type[Rule]] = [
    EmptyDowngrade,
    MetadataWithoutNamingConvention,
    SchemaFromData,
    UndatedMigrationTemplate,
]


def check_text(text: str, path: str) -> list[Finding]:
    module = Module(path=Path(path), display=path, text=textwrap.dedent(text))
    return list(UndatedMigrationTemplate().check(module))


# --- FBP601 metadata-without-naming-convention ------------------------------------------


def test_metadata_and_bases_without_a_convention_are_reported() -> None:
    found = check(
        MetadataWithoutNamingConvention,
        """
        import sqlalchemy as sa
        from sqlalchemy import MetaData
        from sqlalchemy.ext.declarative import declarative_base
        from sqlalchemy.orm import AsyncAttrs, DeclarativeBase

        metadata = sa.MetaData()
        other = MetaData(schema="app")
        Legacy = declarative_base()


        class Base(AsyncAttrs, DeclarativeBase):
            pass


        class Typed(DeclarativeBase):
            metadata = MetaData()
        """,
    )
    assert lines(found) == [7, 8, 9, 12, 17]
    assert all(f.code == "FBP601" for f in found)
    messages = " ".join(f.message for f in found)
    assert "`MetaData()` without `naming_convention=`" in messages
    assert "`declarative_base()` without `metadata=`" in messages
    assert "`Base(DeclarativeBase)`" in messages


def test_metadata_with_a_convention_is_silent() -> None:
    assert not check(
        MetadataWithoutNamingConvention,
        """
        import sqlalchemy as sa
        from sqlalchemy import MetaData
        from sqlalchemy.orm import DeclarativeBase, declarative_base

        CONVENTION = {"pk": "%(table_name)s_pkey"}
        metadata = sa.MetaData(naming_convention=CONVENTION)
        Legacy = declarative_base(metadata=metadata)
        options = {"naming_convention": CONVENTION}
        more = MetaData(**options)


        class Base(DeclarativeBase):
            metadata = metadata


        class Model(Base):  # a subclass of a base, not of DeclarativeBase
            __tablename__ = "model"
        """,
    )


def test_reflected_metadata_and_migrations_are_silent() -> None:
    reflected = """
    from sqlalchemy import MetaData, Table

    meta = MetaData()
    meta.reflect(bind=engine)
    """
    autoload = """
    from sqlalchemy import MetaData, Table

    table = Table("t", MetaData(), autoload_with=conn)
    """
    migration = """
    from sqlalchemy import MetaData
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()
    meta = MetaData()
    """
    assert not check(MetadataWithoutNamingConvention, reflected)
    assert not check(MetadataWithoutNamingConvention, autoload)
    assert not check(MetadataWithoutNamingConvention, migration, MIGRATION)
    assert check(MetadataWithoutNamingConvention, migration, "app/models.py")


def test_a_local_metadata_class_is_not_sqlalchemys() -> None:
    assert not check(MetadataWithoutNamingConvention, "class MetaData: ...\nm = MetaData()\n")


# --- FBP602 empty-downgrade and schema-from-data ----------------------------------------

MIGRATION = "alembic/versions/2026-01-12_abc_create_tag.py"


@pytest.mark.parametrize(
    "body",
    ["pass", "...", '"""Nothing to undo."""', '"""Nothing."""\n    pass'],
)
def test_a_downgrade_that_does_nothing_is_reported(body: str) -> None:
    source = (
        "from alembic import op\n\n\ndef upgrade() -> None:\n"
        '    op.create_table("tag")\n\n\ndef downgrade() -> None:\n'
        f"    {body}\n"
    )
    found = check(EmptyDowngrade, source, MIGRATION)
    assert lines(found) == [8]
    assert found[0].code == "FBP602" and "does nothing" in found[0].message


def test_downgrades_that_act_or_raise_and_merge_revisions_are_silent() -> None:
    real = """
    from alembic import op


    def upgrade() -> None:
        op.create_table("tag")


    def downgrade() -> None:
        raise RuntimeError("irreversible: restore from a backup")
    """
    merge = """
    def upgrade() -> None:
        pass


    def downgrade() -> None:
        pass
    """
    assert not check(EmptyDowngrade, real, MIGRATION)
    assert not check(EmptyDowngrade, merge, MIGRATION)


def test_only_files_under_versions_are_migrations() -> None:
    source = (
        "from alembic import op\n\n\ndef upgrade():\n    op.drop_column('t', 'c')\n\n\n"
        "def downgrade():\n    pass\n"
    )
    assert not check(EmptyDowngrade, source, "app/upgrade_tools.py")
    assert not check(EmptyDowngrade, source, "versions.py")
    assert check(EmptyDowngrade, source, "migrations/versions/0001_x.py")


def test_ddl_through_execute_counts_and_data_only_migrations_do_not() -> None:
    ddl = """
    import sqlalchemy as sa
    from alembic import op


    def upgrade():
        if is_postgres():
            op.execute("ALTER TYPE authmethod ADD VALUE 'OIDC'")
        op.execute(sa.text("drop index if exists x"))


    def downgrade():
        pass
    """
    data = """
    import sqlalchemy as sa
    from alembic import op
    from sqlalchemy.orm import Session


    def upgrade():
        session = Session(bind=op.get_bind())
        for row in session.query(Thing):
            row.value = row.value.lower()
        op.execute("UPDATE post SET slug = lower(title)")
        session.commit()


    def downgrade():
        pass
    """
    assert lines(check(EmptyDowngrade, ddl, MIGRATION)) == [12]
    assert not check(EmptyDowngrade, data, MIGRATION)


def test_schema_built_in_a_loop_over_rows_is_reported() -> None:
    found = check(
        SchemaFromData,
        """
        import sqlalchemy as sa
        from alembic import op


        def upgrade() -> None:
            rows = op.get_bind().execute(sa.text("SELECT name FROM tenant")).scalars()
            for name in rows:
                for suffix in ("a", "b"):
                    op.create_table(f"post_{name}_{suffix}")


        def downgrade() -> None:
            while names := pop():
                op.drop_table(names)
        """,
        MIGRATION,
    )
    assert lines(found) == [8, 14]
    assert "`upgrade()` changes the schema in a loop" in found[0].message


def test_loops_over_literal_names_and_data_loops_are_silent() -> None:
    assert not check(
        SchemaFromData,
        """
        from alembic import op


        def upgrade() -> None:
            for table in ("post", "comment"):
                op.add_column(table, sa.Column("slug", sa.Text))
            for row in rows():
                op.execute("UPDATE post SET slug = lower(title)")


        def helper() -> None:
            for name in names():
                op.create_table(name)
        """,
        MIGRATION,
    )


# --- FBP603 undated-migration-template --------------------------------------------------


def test_alembic_ini_without_a_template_is_reported_at_its_section() -> None:
    found = check_text(
        """\
        [loggers]
        keys = root

        [alembic]
        script_location = migrations
        """,
        "alembic.ini",
    )
    assert lines(found) == [4]
    assert found[0].code == "FBP603" and "no `file_template`" in found[0].message


def test_undated_and_revisionless_templates_are_reported_at_the_key() -> None:
    undated = check_text(
        """\
        [alembic]
        script_location = migrations
        file_template = %%(rev)s_%%(slug)s
        """,
        "alembic.ini",
    )
    no_rev = check_text(
        """\
        [alembic]
        script_location = migrations
        file_template = %%(year)d-%%(month).2d-%%(day).2d_%%(slug)s
        """,
        "alembic.ini",
    )
    assert lines(undated) == [3] and "has no date" in undated[0].message
    assert lines(no_rev) == [3] and "drops `%%(rev)s`" in no_rev[0].message


def test_named_sections_use_the_alembic_sections_template() -> None:
    shared = """\
    [alembic]
    file_template = %%(year)d-%%(month).2d-%%(day).2d_%%(rev)s

    [core]
    script_location = app:revisions/core

    [tenant]
    script_location = app:revisions/tenant
    """
    alone = "[core]\nscript_location = a\n\n[tenant]\nscript_location = b\n"
    assert not check_text(shared, "alembic.ini")
    assert lines(check_text(alone, "alembic.ini")) == [1, 4]


def test_dated_templates_other_sections_and_broken_files_are_silent() -> None:
    good = """\
    [alembic]
    script_location = %(here)s
    file_template = %%(year)d-%%(month).2d-%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s
    """
    assert not check_text(good, "alembic.ini")
    assert not check_text("[loggers]\nkeys = root\n", "alembic.ini")
    assert not check_text("this is [not an ini\n= at all", "alembic.ini")
    epoch = "[alembic]\nscript_location = m\nfile_template = %%(epoch)s_%%(rev)s_%%(slug)s\n"
    assert not check_text(epoch, "alembic.ini")


def test_pyproject_tool_alembic() -> None:
    missing = check_text(
        """\
        [project]
        name = "x"

        [tool.alembic]
        script_location = "migrations"
        """,
        "pyproject.toml",
    )
    dated = check_text(
        """\
        [tool.alembic]
        script_location = "migrations"
        file_template = "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s"
        """,
        "pyproject.toml",
    )
    assert lines(missing) == [4]
    assert not dated
    assert not check_text('[project]\nname = "x"\n', "pyproject.toml")
    assert not check_text("[tool.alembic\nbroken", "pyproject.toml")
    assert UndatedMigrationTemplate.files == ("alembic.ini", "pyproject.toml")


# --- the snippets' own cases (the whole tree: test_snippet_tree.py) ---------------------


def test_each_bad_migration_of_fbp602_is_reported() -> None:
    versions = SNIPPETS / "database/keep-migrations-static-and-revertable/bad_migrations"
    report = Checker(RULES).check_paths([versions / "versions"])
    assert not report.errors and not report.skipped
    assert {(Path(f.path).name, f.rule) for f in report.findings} == {
        ("0002_create_post_per_tenant.py", "schema-from-data"),
        ("0003_create_tag.py", "empty-downgrade"),
    }


def test_the_dated_template_of_fbp603s_pyproject_is_not_reported() -> None:
    """Not a good*.py variant, so the tree test does not read it: FBP603's own good config."""
    pyproject = SNIPPETS / "database/name-migrations-by-date-and-slug/pyproject.toml"
    report = Checker(RULES).check_paths([pyproject])
    assert report.files == 1 and report.findings == []
