"""The event-loop rules of `fastapi-practices check` (checker/rules/blocking.py): positive
fixtures (each reports, at the line and with the words asserted), false-positive guards
(each stays silent), the line between them and ruff's ASYNC rules (checked by running
ruff), and the whole snippet tree (every bad of these practices reports, no good does)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fastapi_practices.checker.base import Module, Rule
from fastapi_practices.checker.rules.blocking import (
    BlockingClientInAsync,
    BlockingHelperInAsync,
    CpuHeavyHashingInAsync,
    HttpClientPerRequest,
    SyncDependencyWithoutIO,
)
from fastapi_practices.testing.checker import check, lines

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
RULES: list[type[Rule]] = [
    BlockingClientInAsync,
    BlockingHelperInAsync,
    CpuHeavyHashingInAsync,
    HttpClientPerRequest,
    SyncDependencyWithoutIO,
]


HEADER = """\
import asyncio
import time
from typing import Annotated

import boto3
import httpx
import requests
from fastapi import Depends, FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

app = FastAPI()
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(engine)


def get_db():
    with SessionLocal() as db:
        yield db


SessionDep = Annotated[Session, Depends(get_db)]
"""
HEADER_LINES = HEADER.count("\n")


def fixture(body: str) -> str:
    return HEADER + "\n\n" + textwrap.dedent(body)


def at(n: int) -> int:
    """Line `n` of the body passed to `fixture` (1-based)."""
    return HEADER_LINES + 2 + n


# --- blocking-client-in-async (FBP204) -------------------------------------------------


def test_sync_session_methods_are_reported_through_every_annotation() -> None:
    source = fixture(
        """\
        @app.get("/a")
        async def plain(db: Session):
            return db.execute("SELECT 1")

        @app.get("/b")
        async def annotated(db: Annotated[Session, Depends(get_db)]):
            db.commit()

        @app.get("/c")
        async def alias(db: SessionDep):
            return db.scalars("x").all()

        @app.get("/d")
        async def old_style(db: Session = Depends(get_db)):
            return db.query(int).all()

        @app.get("/e")
        async def quoted(db: "Session | None"):
            return db.get(int, 1)
        """
    )
    findings = check(BlockingClientInAsync, source)
    assert lines(findings) == [at(3), at(7), at(11), at(15), at(19)]
    assert all(f.code == "FBP204" for f in findings)
    assert "`db.execute()` on a sync SQLAlchemy `Session`" in findings[0].message
    assert "async def plain" in findings[0].message
    assert "run_in_threadpool" in findings[0].message


def test_sessions_made_in_the_function_and_module_clients_are_reported() -> None:
    source = fixture(
        """\
        http = requests.Session()
        s3 = boto3.client("s3")
        dynamo = boto3.resource("dynamodb")

        async def handler():
            with SessionLocal() as db:
                db.flush()
            session = Session(engine)
            session.refresh(object())
            with SessionLocal.begin() as tx:
                tx.merge(object())
            with engine.connect() as conn:
                conn.execute("SELECT 1")
            http.get("https://example.org")
            with requests.Session() as other:
                other.post("https://example.org")
            s3.put_object(Bucket="b", Key="k", Body=b"")
            boto3.client("sqs").send_message(QueueUrl="q", MessageBody="m")
            dynamo.Table("t").put_item(Item={})
            table = dynamo.Table("t")
            table.get_item(Key={})
        """
    )
    findings = check(BlockingClientInAsync, source)
    assert lines(findings) == [at(n) for n in (7, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21)]
    messages = [f.message for f in findings]
    assert "`engine.connect()` on a sync SQLAlchemy engine" in messages[3]
    assert "a sync SQLAlchemy connection" in messages[4]
    assert "`http.get()` on a `requests.Session`" in messages[5]
    assert "`s3.put_object()` on a boto3 client" in messages[7]
    assert "a boto3 resource" in messages[9]


def test_httpx_client_is_reported_only_where_ruff_cannot_see_it() -> None:
    source = fixture(
        """\
        from typing import TypeAlias

        def rates() -> httpx.Client: ...

        RatesClient = Annotated[httpx.Client, Depends(rates)]
        Rates: TypeAlias = Annotated[httpx.Client, Depends(rates)]

        async def alias(client: RatesClient):
            client.get("/x")

        async def inline(client: Annotated[httpx.Client, Depends(rates)]):
            client.post("/x")

        async def type_alias(client: Rates):
            client.stream("GET", "/x")

        async def quoted(client: "httpx.Client"):
            client.get("/x")

        async def chained():
            httpx.Client().get("/x")

        async def left_to_ruff(client: httpx.Client, other: httpx.Client | None):
            client.get("/x")  # ASYNC212
            other.get("/x")  # ASYNC212
            local = httpx.Client()
            local.get("/x")  # ASYNC212
            with httpx.Client() as c:
                c.get("/x")  # ASYNC212
            requests.get("/x")  # ASYNC210
        """
    )
    findings = check(BlockingClientInAsync, source)
    assert lines(findings) == [at(9), at(12), at(15), at(18), at(21)]
    assert "an `httpx.Client`" in findings[0].message


@pytest.mark.skipif(sys.version_info < (3, 12), reason="`type X = ...` is Python 3.12")
def test_an_httpx_client_behind_a_type_statement_is_reported() -> None:
    source = fixture(
        """\
        type Rates = Annotated[httpx.Client, Depends(get_db)]

        async def route(client: Rates):
            client.get("/x")
        """
    )
    assert lines(check(BlockingClientInAsync, source)) == [at(4)]


def test_calls_handed_to_a_thread_or_awaited_are_not_reported() -> None:
    source = fixture(
        """\
        from functools import partial

        async def fine(db: SessionDep, client: Annotated[httpx.Client, Depends(get_db)]):
            await run_in_threadpool(db.execute, "SELECT 1")
            await asyncio.to_thread(client.get, "/x")
            await run_in_threadpool(lambda: db.commit())
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, partial(db.scalars, "x"))

            def work():
                return db.execute("SELECT 1")

            await run_in_threadpool(work)
            await db.execute("x")  # awaited: not the sync session it claims to be
            db.add(object())  # no I/O
            db.add_all([])
            boto3.client("s3").generate_presigned_url("get_object", Params={})
        """
    )
    assert check(BlockingClientInAsync, source) == []


def test_sync_functions_lifespan_and_async_sessions_are_not_reported() -> None:
    source = textwrap.dedent(
        """\
        from contextlib import asynccontextmanager
        from typing import Annotated

        from fastapi import Depends, FastAPI
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import Session

        engine = create_async_engine("sqlite+aiosqlite://")
        Session2 = async_sessionmaker(engine)


        @asynccontextmanager
        async def lifespan(app):
            with Session(bind=None) as db:
                db.execute("CREATE TABLE t (x INT)")  # once, at startup
            yield


        app = FastAPI(lifespan=lifespan)


        @app.get("/sync")
        def sync_route(db: Session):
            return db.execute("SELECT 1")  # a def route runs in the thread pool


        @app.get("/async")
        async def async_route(db: Annotated[AsyncSession, Depends()]):
            async with Session2() as other:
                await other.execute("SELECT 1")
            return await db.execute("SELECT 1")
        """
    )
    assert check(BlockingClientInAsync, source) == []


@pytest.mark.parametrize("rule", [BlockingClientInAsync, BlockingHelperInAsync])
def test_startup_handlers_tests_and_scripts_are_not_checked(rule: type[Rule]) -> None:
    served = """\
        import time
        import requests

        http = requests.Session()

        def slow():
            time.sleep(1)

        @app.on_event("startup")
        async def startup():
            http.get("https://example.org")
            slow()

        @cli.command()
        async def export():
            http.get("https://example.org")
            slow()

        async def test_route():
            http.get("https://example.org")
            slow()

        async def main():
            http.get("https://example.org")
            slow()
        """
    findings = check(rule, served)  # main() is checked: any async def may serve
    assert len(findings) == 1 and "in `async def main`" in findings[0].message
    script = served + "\n        asyncio.run(main())\n"
    assert check(rule, script) == []


def test_a_local_name_that_shadows_session_is_not_the_sqlalchemy_class() -> None:
    source = """\
        from sqlalchemy.ext.asyncio import async_sessionmaker

        Session = async_sessionmaker()


        async def route(db: "Session"):
            db.execute("x")
        """
    assert check(BlockingClientInAsync, source) == []


# --- blocking-helper-in-async (FBP201) --------------------------------------------------


def test_a_sync_helper_that_blocks_is_reported_at_the_call_one_level_deep() -> None:
    source = fixture(
        """\
        def slow():
            time.sleep(0.1)

        def fetch(url):
            return requests.get(url, timeout=5)

        def load(db: Session):
            return db.execute("SELECT 1")

        def read_file(path):
            with open(path) as f:
                return f.read()

        def helper_of_helper():
            return slow()  # two calls deep: not followed

        @app.get("/a")
        async def route(db: SessionDep):
            slow()
            fetch("https://example.org")
            load(db)
            read_file("x")
            helper_of_helper()
        """
    )
    findings = check(BlockingHelperInAsync, source)
    assert lines(findings) == [at(19), at(20), at(21), at(22)]
    assert all(f.code == "FBP201" for f in findings)
    assert "`slow()` blocks the event loop in `async def route`" in findings[0].message
    assert f"`time.sleep` (line {at(2)})" in findings[0].message
    assert "`requests.get`" in findings[1].message
    assert "on a sync SQLAlchemy `Session`" in findings[2].message
    assert "`open`" in findings[3].message


def test_helpers_run_in_a_thread_or_that_do_not_block_are_not_reported() -> None:
    source = fixture(
        """\
        def slow():
            time.sleep(0.1)

        def pure(x):
            return x * 2

        def later():
            def inner():
                time.sleep(1)  # nested: runs when called, not here
            return inner

        async def also_async():
            time.sleep(1)  # ASYNC251: ruff's

        @app.get("/a")
        async def route():
            await run_in_threadpool(slow)
            await asyncio.to_thread(slow)
            await run_in_threadpool(lambda: slow())
            pure(1)
            later()
            await also_async()

        @app.get("/b")
        def sync_route():
            slow()
        """
    )
    assert check(BlockingHelperInAsync, source) == []


def test_an_imported_function_of_the_same_name_is_not_the_local_helper() -> None:
    source = """\
        import time
        from os import sleep  # not a local def

        def sleep_helper():
            time.sleep(1)

        async def route():
            sleep(1)
        """
    assert check(BlockingHelperInAsync, source) == []


# --- cpu-heavy-hashing-in-async (FBP203) ------------------------------------------------

HASHING = """\
import asyncio
import hashlib

import bcrypt
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from passlib.context import CryptContext
from pwdlib import PasswordHash

app = FastAPI()
ph = PasswordHasher()
pwd = PasswordHash.recommended()
ctx = CryptContext(schemes=["bcrypt"])


def verify_password(plain, hashed):
    return ctx.verify(plain, hashed)


def hash_password(plain):
    return bcrypt.hashpw(plain, bcrypt.gensalt())
"""


def test_password_hashing_in_async_is_reported() -> None:
    source = (
        HASHING
        + """

@app.post("/login")
async def login(password: str, stored: str):
    bcrypt.checkpw(password.encode(), stored.encode())
    hashlib.pbkdf2_hmac("sha256", b"p", b"salt", 600_000)
    hashlib.scrypt(b"p", salt=b"s", n=2**14, r=8, p=1)
    ph.verify(stored, password)
    pwd.hash(password)
    PasswordHasher().hash(password)
    verify_password(password, stored)
    hash_password(password)
"""
    )
    findings = check(CpuHeavyHashingInAsync, source)
    first = HASHING.count("\n") + 5
    assert lines(findings) == list(range(first, first + 8))
    assert all(f.code == "FBP203" for f in findings)
    assert "`bcrypt.checkpw()` is CPU-heavy and holds the event loop" in findings[0].message
    assert "`ph.verify()`" in findings[3].message
    assert "`verify_password()` runs CPU-heavy `ctx.verify()`" in findings[6].message


def test_hashing_in_a_thread_or_a_def_route_or_cheap_hashes_is_not_reported() -> None:
    source = (
        HASHING
        + """

@app.post("/a")
async def a(password: str, stored: str):
    await run_in_threadpool(ph.verify, stored, password)
    await asyncio.to_thread(bcrypt.checkpw, password.encode(), stored.encode())
    await run_in_threadpool(verify_password, password, stored)
    await run_in_threadpool(lambda: pwd.hash(password))
    hashlib.sha256(password.encode()).hexdigest()  # fast: not a KDF
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, hash_password, password)


@app.post("/b")
def b(password: str, stored: str):
    return ph.verify(stored, password), verify_password(password, stored)
"""
    )
    assert check(CpuHeavyHashingInAsync, source) == []


def test_hash_methods_of_unknown_objects_are_not_reported() -> None:
    source = """\
        async def route(model, thing):
            model.hash("x")
            thing.verify("token")
        """
    assert check(CpuHeavyHashingInAsync, source) == []


# --- sync-dependency-without-io (FBP404) ------------------------------------------------

DEPENDENCIES = """\
import os
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Security
from pydantic import BaseModel
from pydantic_settings import BaseSettings

app = FastAPI()


class Page(BaseModel):
    limit: int


class Settings(BaseSettings):
    debug: bool = False
"""


def test_def_dependencies_that_only_compute_are_reported() -> None:
    source = (
        DEPENDENCIES
        + """

def pagination(limit: int = 10) -> Page:
    return Page(limit=min(limit, 100))


def tenant(x_tenant: Annotated[str, Header()] = "public") -> str:
    if not x_tenant.strip():
        raise HTTPException(status_code=400, detail="empty tenant")
    return x_tenant.lower()


def state(request: Request):
    return request.state.pool


@app.get("/", dependencies=[Security(state)])
async def index(page: Annotated[Page, Depends(pagination)], t: str = Depends(tenant)):
    return page
"""
    )
    findings = check(SyncDependencyWithoutIO, source)
    base = DEPENDENCIES.count("\n") + 2
    assert sorted(lines(findings)) == [base + 1, base + 5, base + 11]
    assert all(f.code == "FBP404" for f in findings)
    assert SyncDependencyWithoutIO.informational
    message = next(f.message for f in findings if f.line == base + 1)
    assert "`def pagination` is a dependency that does no I/O" in message
    assert "async def" in message


def test_dependencies_that_may_do_io_or_are_not_dependencies_are_not_reported() -> None:
    source = (
        DEPENDENCIES
        + """

def settings() -> Settings:
    return Settings()  # reads the environment and .env


def env_value() -> str:
    return os.environ.get("X", "")  # unknown call: assumed I/O


def database():
    db = object()
    yield db  # a generator: cleanup may do I/O


def locked():
    with open("x") as f:
        return f.read()


async def already_async(limit: int = 10) -> int:
    return min(limit, 100)


def not_a_dependency(limit: int = 10) -> int:
    return min(limit, 100)


@app.get("/")
def index(
    s: Annotated[Settings, Depends(settings)],
    v: Annotated[str, Depends(env_value)],
    d=Depends(database),
    f=Depends(locked),
    a=Depends(already_async),
):
    return not_a_dependency()
"""
    )
    assert check(SyncDependencyWithoutIO, source) == []


def test_decorated_dependencies_are_left_alone() -> None:
    source = """\
        from functools import lru_cache
        from fastapi import Depends

        @lru_cache
        def cached() -> int:
            return 1

        async def route(x=Depends(cached)):
            return x
        """
    assert check(SyncDependencyWithoutIO, source) == []


# --- http-client-per-request (FBP207) --------------------------------------------------


def test_a_client_created_in_a_route_or_dependency_is_reported() -> None:
    source = """\
        import aiohttp
        import httpx
        from fastapi import APIRouter, Depends

        router = APIRouter()


        async def client_dependency():
            async with httpx.AsyncClient(timeout=5) as client:
                yield client


        @router.get("/a")
        async def a(client=Depends(client_dependency)):
            async with httpx.AsyncClient(timeout=5) as other:
                return await other.get("https://example.org")


        @router.post("/b")
        def b():
            with httpx.Client(timeout=5) as client:
                return client.get("https://example.org").json()


        @router.get("/c")
        async def c():
            async with aiohttp.ClientSession() as session:
                return session
        """
    findings = check(HttpClientPerRequest, source)
    assert lines(findings) == [9, 15, 21, 27]
    assert all(f.code == "FBP207" for f in findings)
    assert "`httpx.AsyncClient` created in `client_dependency` on every request" in (
        findings[0].message
    )
    assert "lifespan" in findings[0].message


def test_a_client_created_in_lifespan_or_a_helper_is_not_reported() -> None:
    source = """\
        from contextlib import asynccontextmanager

        import httpx
        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app):
            async with httpx.AsyncClient(timeout=5) as client:
                yield {"client": client}


        app = FastAPI(lifespan=lifespan)


        def make_client() -> httpx.AsyncClient:
            return httpx.AsyncClient(timeout=5)


        async def script():
            async with httpx.AsyncClient(timeout=5) as client:
                await client.get("https://example.org")
        """
    assert check(HttpClientPerRequest, source) == []


# --- what ruff covers ------------------------------------------------------------------

RUFF_PROBE = fixture(
    """\
    Client = Annotated[httpx.Client, Depends(get_db)]
    http = requests.Session()

    def slow():
        time.sleep(1)

    async def route(db: SessionDep, client: Client, plain: httpx.Client):
        time.sleep(1)
        requests.get("https://example.org", timeout=5)
        open("x")
        plain.get("/x")
        db.execute("SELECT 1")
        client.get("/x")
        http.get("https://example.org")
        slow()
        boto3.client("s3").list_buckets()
    """
)


def ruff_lines(tmp_path: Path, source: str) -> set[int]:
    path = tmp_path / "probe.py"
    path.write_text(source)
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "ASYNC", "--output-format", "json", path],
        capture_output=True,
        text=True,
        check=False,
    )
    return {item["location"]["row"] for item in json.loads(result.stdout)}


def test_ruff_reports_the_direct_cases_and_the_rules_report_only_the_rest(
    tmp_path: Path,
) -> None:
    theirs = ruff_lines(tmp_path, RUFF_PROBE)
    ours = {f.line for rule in RULES for f in check(rule, RUFF_PROBE)}
    assert theirs == {at(8), at(9), at(10), at(11)}  # ASYNC251, ASYNC210, ASYNC230, ASYNC212
    assert ours == {at(n) for n in (12, 13, 14, 15, 16)}
    assert not theirs & ours


# --- documentation ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_each_rule_documents_itself_and_names_an_existing_practice(rule: type[Rule]) -> None:
    doc = rule.documentation()
    assert doc.catches and doc.false_positives
    pages = list((ROOT / "docs" / "practices").glob("*/*.md"))
    assert any(f"\nid: {rule.code}\n" in page.read_text() for page in pages)
    assert rule.name.replace("-", "").isalpha() and rule.name == rule.name.lower()
    for code in rule.ruff:
        assert code.startswith(("ASYNC", "S"))


# --- robustness --------------------------------------------------------------------------

ODD_INPUTS = [
    "",
    "async def f(x: Annotated[()]):\n    x.get()\n",
    'async def f(x: "\\x00"):\n    x.execute()\n',
    'async def f(x: "Annotated["):\n    x.execute()\n',
    "async def f():\n    a" + ".b()" * 400 + "\n",
    "from fastapi import Depends\ndef d(*a, **k):\n    pass\nasync def r(x=Depends(d)): ...\n",
    "from fastapi import Depends\nDepends()\nDepends(dependency=1)\nDepends(lambda: 1)\n",
    "class C:\n    async def m(self, db: 'Session'):\n        self.db.execute()\n",
    "async def f(db):\n    match db:\n        case {'x': y}:\n            y.execute()\n",
    "import boto3\nasync def f():\n    boto3.resource('s3').Bucket('b').Object('k').get()\n",
    "X = Annotated\nasync def f(c: X[int, 1]):\n    c.get()\n",
    "def slow(): slow()\nasync def f():\n    slow()\n",
]

FRAGMENTS = [
    "import time",
    "import httpx",
    "import boto3",
    "from typing import Annotated",
    "from fastapi import Depends",
    "from sqlalchemy.orm import Session, sessionmaker",
    "from argon2 import PasswordHasher",
    "S = sessionmaker()",
    "ph = PasswordHasher()",
    "C = Annotated[httpx.Client, Depends(dep)]",
    "def dep():\n    return 1",
    "def helper(db: Session):\n    time.sleep(1)\n    return db.execute(1)",
    "async def route(c: C, db: 'Session', x=Depends(dep)):\n    c.get(1)\n    helper(db)",
    "async def other():\n    with S() as s:\n        s.commit()\n    ph.hash('x')",
    "@app.get('/')\nasync def r():\n    async with httpx.AsyncClient() as c:\n        pass",
    "app = FastAPI(lifespan=route)",
    "asyncio.run(route())",
    "s3 = boto3.client('s3')",
    "async def up():\n    s3.put_object()",
]


@pytest.mark.parametrize("source", ODD_INPUTS)
def test_odd_inputs_never_raise(source: str) -> None:
    module = Module.parse(Path("odd.py"), "odd.py", source)
    for rule in RULES:
        list(rule().check(module))


def test_generated_modules_never_raise() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = hypothesis.strategies

    @hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
    @hypothesis.given(strategies.lists(strategies.sampled_from(FRAGMENTS), max_size=12))
    def run(parts: list[str]) -> None:
        module = Module.parse(Path("gen.py"), "gen.py", "\n\n".join(parts) + "\n")
        for rule in RULES:
            for finding in rule().check(module):
                assert finding.line >= 1 and finding.code == rule.code and finding.message

    run()
