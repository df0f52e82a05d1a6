"""FBP205: a background task that borrows the request's session and ORM object fails
(before FastAPI 0.118.0) or holds the request's transaction open until it ends (0.118.0
and later); a task given an ID opens its own session; and a task still pending when the
server is killed is lost, while a job written to the database with the order survives."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from types import ModuleType

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from fastapi_practices.testing.live import (
    LiveServer,
    live_server,
    load_snippet,
    snippet_path,
    wait_until,
)
from fastapi_practices.testing.postgres import Database
from fastapi_practices.testing.versions import needs, since

PRACTICE = "async/background-tasks-own-their-resources"
EXIT_AFTER_TASKS = since("fastapi", "0.118.0")  # the yield dependency exits after the tasks
DETACHED = "is not bound to a Session; attribute refresh operation cannot proceed"
WAIT = 10.0  # seconds any polling loop may take


@pytest.fixture(scope="module")
def queue_app(database: Database) -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", database.async_url)
        yield load_snippet(snippet_path(PRACTICE, "good_queue"))


@pytest.fixture
def tables(database: Database, queue_app: ModuleType) -> Database:
    """Empty tables (the queue app's: the others use the same orders and receipts)."""

    async def reset() -> None:
        engine = create_async_engine(database.async_url)
        async with engine.begin() as connection:
            await connection.run_sync(queue_app.Base.metadata.drop_all)
            await connection.run_sync(queue_app.Base.metadata.create_all)
        await engine.dispose()

    asyncio.run(reset())
    return database


def serve(name: str, database: Database):
    return live_server(snippet_path(PRACTICE, name), env={"DATABASE_URL": database.async_url})


def order(server: LiveServer) -> int:
    response = httpx.post(f"{server.url}/orders", params={"email": "ada@example.com"}, timeout=10)
    assert response.status_code == 201
    return response.json()["id"]


def until(condition: Callable[[], bool]) -> bool:
    """Whether `condition` became true within WAIT seconds."""
    return wait_until(condition, timeout=WAIT, interval=0.05)


def read(server: LiveServer, order_id: int) -> tuple[int, int | None]:
    """The status of GET /orders/{id}, and the order's receipts when it was found."""
    response = httpx.get(f"{server.url}/orders/{order_id}", timeout=10)
    return response.status_code, response.json().get("receipts")


def count(database: Database, table: str) -> int:
    return database.fetch(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608


def kill(server: LiveServer) -> None:
    """SIGKILL the server's process group, as an OOM kill or a lost machine would."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.join(WAIT)
    assert server.process.exitcode is not None


def test_task_borrowing_the_request_session(tables: Database) -> None:
    with serve("bad", tables) as server:
        order_id = order(server)
        during = read(server, order_id)  # the task is still waiting for the mail service
        if EXIT_AFTER_TASKS:
            # The request's transaction commits only once the task is done.
            assert during == (404, None)
            assert until(lambda: read(server, order_id) == (200, 1))
        else:
            # The dependency committed and closed the session before the task ran.
            assert during == (200, 0)
            assert until(lambda: DETACHED in server.output())
            assert "DetachedInstanceError" in server.output()
            assert read(server, order_id) == (200, 0)  # the receipt never written


@pytest.mark.parametrize(
    "name",
    [
        "good",
        pytest.param("good_scope", marks=needs("fastapi", "0.121.0", 'Depends(scope="function")')),
    ],
)
def test_task_with_its_own_session(tables: Database, name: str) -> None:
    with serve(name, tables) as server:
        order_id = order(server)
        during = read(server, order_id)
        assert during == (200, 0)  # committed before the answer; the task still waiting
        assert until(lambda: read(server, order_id) == (200, 1))
        assert "Traceback" not in server.output()


@pytest.mark.parametrize("name", ["bad", "good"])
def test_pending_task_is_lost_when_the_server_is_killed(tables: Database, name: str) -> None:
    with serve(name, tables) as server:
        order(server)  # 201: the client is told the order is placed
        kill(server)
    with serve(name, tables):  # restarted: nothing remembers the task
        time.sleep(load_mail_seconds(name))  # as long as the task would take
        assert count(tables, "receipts") == 0  # the task died with the process
        if name == "bad" and EXIT_AFTER_TASKS:
            # The request's transaction was still open, waiting for the task: the order
            # the client was told about is gone too.
            assert count(tables, "orders") == 0
        else:
            assert count(tables, "orders") == 1  # committed before the answer


def test_queued_job_survives_the_kill(tables: Database) -> None:
    with serve("good_queue", tables) as server:
        order(server)
        kill(server)
    assert count(tables, "orders") == 1
    assert count(tables, "receipt_jobs") == 1
    assert count(tables, "receipts") == 0
    with serve("good_queue", tables):  # the restarted worker finds the pending job
        assert until(lambda: count(tables, "receipts") == 1)
        assert until(lambda: count(tables, "receipt_jobs") == 0)


def load_mail_seconds(name: str) -> float:
    """MAIL_SECONDS as the snippet sets it (read from its source: importing it would
    connect nothing, but keeps the module in this process)."""
    for line in snippet_path(PRACTICE, name).read_text().splitlines():
        if line.startswith("MAIL_SECONDS = "):
            return float(line.split("=")[1].split("#")[0])
    raise AssertionError(f"{name}.py sets no MAIL_SECONDS")


# An UploadFile is the request's too: FastAPI closes it when it is done with the request.
UPLOAD = b"%PDF-1.7 an invoice, " * 4096  # 86 KB: spooled in memory, under 1 MB
CLOSED = "ValueError: I/O operation on closed file."


@pytest.mark.parametrize("name", ["bad_upload", "good_upload"])
def test_a_task_reading_the_upload_after_the_response(name: str) -> None:
    """Handed the UploadFile, the task finds it closed before FastAPI 0.118.0 and reads it
    from 0.118.0 on (the file is closed after the tasks); handed the bytes, it always works."""
    expected = hashlib.sha256(UPLOAD).hexdigest()
    with live_server(snippet_path(PRACTICE, name)) as server:
        files = {"file": ("invoice.pdf", UPLOAD, "application/pdf")}
        response = httpx.post(f"{server.url}/uploads", files=files, timeout=10)
        assert response.status_code == 202
        assert response.json() == {"accepted": "invoice.pdf"}

        def digest() -> str | None:
            return httpx.get(f"{server.url}/uploads/invoice.pdf", timeout=10).json()["sha256"]

        if name == "good_upload" or EXIT_AFTER_TASKS:
            assert until(lambda: digest() == expected)
            assert "Traceback" not in server.output()
        else:
            assert until(lambda: CLOSED in server.output())
            assert digest() is None
