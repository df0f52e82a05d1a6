"""`make bench`: how fast `fastapi-practices check` reads code, in lines per second on one core.

`python -m fastapi_practices.tools.check_bench [LINES]` writes a tree of realistic FastAPI
modules (routers, models, schemas, services, dependencies, settings, migrations; about
LINES lines, 50,000 by default) into a temporary folder, checks it with every rule (opt-in
ones too) three times in this one process, and prints the best run's lines per second of
CPU time (one core; the figure holds on a busy machine). The target is at least 20,000;
exit 1 below it (`--no-fail` only prints).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import all_rules

TARGET = 20_000

ROUTER = '''\
"""Routes of the {name} domain."""

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.{name}.dependencies import get_session, valid_{name}_id
from app.{name}.models import {Model}
from app.{name}.schemas import {Model}Create, {Model}Read, {Model}Update

router = APIRouter(prefix="/{name}s", tags=["{name}"])
Session = Annotated[AsyncSession, Depends(get_session)]

'''

ROUTE = '''
@router.get("/{{item_id}}/part{n}", response_model={Model}Read)
async def read_{name}_{n}(item: Annotated[{Model}, Depends(valid_{name}_id)]) -> {Model}:
    """Return one {name}, variant {n}."""
    return item


@router.post("/part{n}", status_code=status.HTTP_201_CREATED)
async def create_{name}_{n}(payload: {Model}Create, session: Session) -> {Model}Read:
    row = {Model}(**payload.model_dump())
    session.add(row)
    await session.commit()
    await session.refresh(row)
    return {Model}Read.model_validate(row)


@router.patch("/{{item_id}}/part{n}")
async def update_{name}_{n}(
    item_id: int, payload: {Model}Update, session: Session
) -> {Model}Read:
    row = await session.scalar(select({Model}).where({Model}.id == item_id))
    if row is None:
        raise HTTPException(status_code=404, detail="{name} not found")
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    await session.commit()
    return {Model}Read.model_validate(row)


@router.get("/external/part{n}")
async def fetch_{name}_{n}(client: Annotated[httpx.AsyncClient, Depends()]) -> dict:
    response = await client.get("https://api.example.org/{name}s", timeout=5)
    response.raise_for_status()
    return {{"count": len(response.json()), "part": {n}}}
'''

MODELS = '''\
"""Tables of the {name} domain."""

from datetime import datetime

from sqlalchemy import ForeignKey, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {{"pk": "%(table_name)s_pkey", "fk": "%(table_name)s_%(column_0_name)s_fkey"}}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

'''

MODEL = """
class {Model}{n}(Base):
    __tablename__ = "{name}_{n}"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
"""

SCHEMAS = '''\
"""Schemas of the {name} domain."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

'''

SCHEMA = """
class {Model}Base{n}(BaseModel):
    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    body: str | None = None

    @field_validator("title")
    @classmethod
    def title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title must not be blank")
        return value


class {Model}Read{n}({Model}Base{n}):
    id: int
    created_at: datetime
"""

SERVICE = '''\
"""Business logic of the {name} domain."""

import asyncio
import logging

from fastapi.concurrency import run_in_threadpool

logger = logging.getLogger(__name__)

'''

FUNCTION = '''
async def process_{name}_{n}(items: list[dict], limit: int = 100) -> list[dict]:
    """Filter, sort and enrich a page of {name}s."""
    kept = [item for item in items if item.get("active") and item.get("score", 0) > {n}]
    kept.sort(key=lambda item: (item["score"], item.get("title", "")))
    for item in kept[:limit]:
        item["rank"] = kept.index(item) + 1
        logger.debug("ranked %s", item.get("id"))
    await asyncio.sleep(0)
    return await run_in_threadpool(sorted, kept[:limit], key=str)


def summarise_{name}_{n}(items: list[dict]) -> dict[str, int]:
    total = 0
    for item in items:
        if item.get("active"):
            total += item.get("score", 0)
    return {{"count": len(items), "total": total}}
'''

DEPENDENCIES = '''\
"""Dependencies of the {name} domain."""

from collections.abc import AsyncIterator

from fastapi import HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


async def valid_{name}_id(item_id: int, request: Request) -> dict:
    row = await request.app.state.repository.get(item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="not found")
    return row
'''

MIGRATION = '''\
"""create {name} {n}"""

import sqlalchemy as sa
from alembic import op

revision = "{n:012x}"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "{name}_{n}",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="{name}_{n}_pkey"),
    )


def downgrade() -> None:
    op.drop_table("{name}_{n}")
'''

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
file_template = %%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s
"""


def write_tree(root: Path, lines: int) -> int:
    """Write domains until the tree has `lines` lines; returns the count written."""
    written = 0
    domain = 0
    (root / "alembic.ini").write_text(ALEMBIC_INI, encoding="utf-8")
    written += ALEMBIC_INI.count("\n")
    while written < lines:
        name = f"domain{domain}"
        model = f"Domain{domain}"
        folder = root / "app" / name
        (folder / "migrations").mkdir(parents=True)
        files = {
            "__init__.py": "",
            "router.py": ROUTER.format(name=name, Model=model)
            + "".join(ROUTE.format(name=name, Model=model, n=n) for n in range(8)),
            "models.py": MODELS.format(name=name)
            + "".join(MODEL.format(name=name, Model=model, n=n) for n in range(8)),
            "schemas.py": SCHEMAS.format(name=name)
            + "".join(SCHEMA.format(Model=model, n=n) for n in range(8)),
            "service.py": SERVICE.format(name=name)
            + "".join(FUNCTION.format(name=name, n=n) for n in range(8)),
            "dependencies.py": DEPENDENCIES.format(name=name),
        }
        for n in range(3):
            files[f"migrations/{domain:04d}_{n}.py"] = MIGRATION.format(name=name, n=n)
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
            written += text.count("\n")
        domain += 1
    return written


def measure(lines: int = 50_000, runs: int = 3) -> tuple[int, int, float]:
    """(lines written, files checked, best CPU seconds) for checking a fresh tree. CPU time
    of this one process: one core's work, whatever else the machine is running."""
    rules = all_rules()
    with tempfile.TemporaryDirectory(prefix="check-bench-") as folder:
        root = Path(folder)
        written = write_tree(root, lines)
        best = float("inf")
        files = 0
        for _ in range(runs):
            checker = Checker(rules)
            start = time.process_time()
            report = checker.check_paths([root])
            best = min(best, time.process_time() - start)
            files = report.files
            if report.errors or report.skipped:
                raise SystemExit(f"the bench tree did not check cleanly: {report.errors[:3]}")
    return written, files, best


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fail = "--no-fail" not in args
    numbers = [int(a) for a in args if a.isdigit()]
    written, files, seconds = measure(numbers[0] if numbers else 50_000)
    speed = written / seconds
    print(
        f"fastapi-practices check: {written} lines in {files} files, best of 3 "
        f"{seconds:.2f} s CPU: {speed:,.0f} lines/s with {len(all_rules())} rules "
        f"(target {TARGET:,})"
    )
    return 1 if fail and speed < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
