"""FBP803: a route that reads the whole body takes a client's every byte into memory and
answers 200; a capped, streamed one answers 413 after reading at most the cap.

Each snippet is served by a live uvicorn on 127.0.0.1. The test sends one oversized body
(generated as it is sent, over a plain socket, so the test holds one piece at a time) and
reads the server process's peak resident memory (VmHWM, reset just before the request by
writing 5 to /proc/<pid>/clear_refs). The client stops sending as soon as an answer
arrives, so the bytes it got out before the answer show how much the server read.
"""

from __future__ import annotations

import inspect
import re
import select
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.formparsers import MultiPartParser
from starlette.requests import Request

from fastapi_practices.testing.live import LiveServer, live_server, snippet_path
from fastapi_practices.testing.versions import needs, since

PRACTICE = "security/cap-request-bodies-stream-uploads"
MIB = 1024 * 1024
BODY = 64 * MIB  # what the oversized request sends (or tries to)
CAP = 8 * MIB  # good.py's and good_max_body_size.py's MAX_UPLOAD
PIECE = 256 * 1024  # the client sends the body in pieces of this size
BOUNDARY = "fbp803boundary"
SMALL = 2 * MIB  # an upload within the cap


@dataclass
class Answer:
    status: int
    body: bytes
    sent: int  # body bytes the client got out before the answer came
    growth: int  # the server's peak resident memory during the request, minus before


def status_kib(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    assert match, f"no {field} in /proc/{pid}/status"
    return int(match.group(1))


def pieces(multipart: bool, total: int = BODY) -> Iterator[bytes]:
    """The body, `total` bytes of payload (inside a multipart form if asked), piece by piece."""
    if multipart:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
    piece = b"x" * PIECE
    for _ in range(total // PIECE):
        yield piece
    if multipart:
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def body_length(multipart: bool, total: int = BODY) -> int:
    return sum(len(p) for p in pieces(multipart, 0)) + total


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """Status and body of a raw HTTP/1.1 response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a full response: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of the response body"
        rest += chunk
    return status, rest[:length]


def post(server: LiveServer, *, multipart: bool, chunked: bool, total: int = BODY) -> Answer:
    """POST /upload with a body of `total` bytes; stop sending once the server answers."""
    pid = server.process.pid
    assert pid is not None
    host, port = server.url.removeprefix("http://").split(":")
    content_type = (
        f"multipart/form-data; boundary={BOUNDARY}" if multipart else "application/octet-stream"
    )
    framing = (
        "Transfer-Encoding: chunked"
        if chunked
        else f"Content-Length: {body_length(multipart, total)}"
    )
    head = (
        f"POST /upload HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: {content_type}\r\n{framing}\r\n\r\n"
    )
    before = status_kib(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on
    sent = 0
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head.encode())
        try:
            for piece in pieces(multipart, total):
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection while we were still sending
        status, body = read_answer(sock)
    growth = (status_kib(pid, "VmHWM") - before) * 1024
    return Answer(status, body, sent, growth)


def run(name: str, *cases: tuple[str, bool, bool, int]) -> dict[str, Answer]:
    """Serve snippet `name` and send it each (case, multipart, chunked, total) in turn."""
    out: dict[str, Answer] = {}
    with (
        tempfile.TemporaryDirectory() as uploads,  # what the app saves, deleted after
        live_server(snippet_path(PRACTICE, name), env={"UPLOAD_DIR": uploads}) as server,
    ):
        for case, multipart, chunked, total in cases:
            out[case] = post(server, multipart=multipart, chunked=chunked, total=total)
            for saved in Path(uploads).iterdir():
                saved.unlink()
    return out


@pytest.fixture(scope="module")
def answers() -> dict[str, Answer]:
    return {
        **run(
            "good",
            ("good", False, False, BODY),
            ("good_chunked", False, True, BODY),
            ("good_small", False, False, SMALL),
        ),
        **run("bad", ("bad", False, False, BODY)),
        **run("bad_uploadfile", ("bad_uploadfile", True, False, BODY)),
    }


def mib(n: int) -> str:
    return f"{n / MIB:.1f} MiB"


@pytest.mark.parametrize("name", ["bad", "bad_uploadfile"])
def test_reading_the_whole_body_takes_it_all_into_memory(answers, record, name) -> None:
    answer = answers[name]
    # No default limit in uvicorn, Starlette or FastAPI: the whole body is read, 200.
    assert answer.status == 200
    assert answer.sent == BODY + (body_length(True) - BODY if name == "bad_uploadfile" else 0)
    assert answer.body == b'{"size":%d}' % BODY
    how = "`await request.body()`" if name == "bad" else "`UploadFile` + `await file.read()`"
    record(
        f"{name}-growth",
        f"`{name}.py` ({how}): server's peak memory growth for a {BODY // MIB} MiB body",
        round(answer.growth / MIB, 1),
        mib(answer.growth),
    )
    # The whole body is held in memory at once; request.body() collects the chunks, then
    # joins them, so for a moment it holds the body twice.
    assert answer.growth > (1.5 if name == "bad" else 0.9) * BODY


@pytest.mark.parametrize("name", ["good", "good_chunked"])
def test_a_capped_stream_answers_413_without_reading_the_body(answers, record, name) -> None:
    answer = answers[name]
    assert answer.status == 413
    assert answer.body == b'{"detail":"Content Too Large"}'
    if name == "good":
        # Content-Length declares too much: refused before the body is read. The client
        # got no more out than the socket buffers hold, far from the whole body.
        assert answer.sent < CAP
    else:
        # Chunked: no length to check, so the cap is counted; reading stops past it.
        assert CAP <= answer.sent < BODY / 2
    how = "Content-Length declared" if name == "good" else "chunked, no Content-Length"
    record(
        f"{name}-growth",
        f"`good.py` ({how}): server's peak memory growth for a {BODY // MIB} MiB body",
        round(answer.growth / MIB, 1),
        mib(answer.growth),
    )
    assert answer.growth < CAP


def test_memory_ratio(answers, record) -> None:
    bad = min(answers["bad"].growth, answers["bad_uploadfile"].growth)
    good = max(answers["good"].growth, answers["good_chunked"].growth, MIB)  # floor: 1 MiB
    ratio = bad / good
    record(
        "ratio",
        f"Peak memory growth, the lower bad over the higher good (floored at 1 MiB), "
        f"for a {BODY // MIB} MiB body",
        round(ratio),
        f"{ratio:.0f}×",
    )
    assert ratio > 4


def test_starlette_spools_uploads_to_disk_above_1_mib() -> None:
    # UploadFile wraps a SpooledTemporaryFile of this size: above it, the file is on disk
    # until the route calls file.read() without a size.
    assert MultiPartParser.spool_max_size == 1024 * 1024
    # request.form()'s own limits count parts and cap text fields (1 MiB by default);
    # a file part is not capped (bad_uploadfile.py took the whole body above).
    limits = inspect.signature(Request.form).parameters
    assert {"max_files", "max_fields", "max_part_size"} <= set(limits)
    assert limits["max_part_size"].default == 1024 * 1024


def test_an_upload_within_the_cap_is_saved(answers) -> None:
    assert answers["good_small"].status == 200
    assert answers["good_small"].body == b'{"size":%d}' % SMALL


@needs("fastapi", "0.164.0", "FastAPI(max_body_size=...)")
def test_fastapi_max_body_size_caps_a_multipart_upload(record) -> None:
    answers = run(
        "good_max_body_size",
        ("declared", True, False, BODY),
        ("chunked", True, True, BODY),
        ("small", True, False, SMALL),
    )
    # Content-Length too large: Starlette's middleware answers in plain text, before the
    # app runs; counted past the cap while FastAPI parses the form: FastAPI's JSON error.
    assert answers["declared"].body == b"Content Too Large"
    assert answers["chunked"].body == b'{"detail":"Content Too Large"}'
    for case in ("declared", "chunked"):
        answer = answers[case]
        assert answer.status == 413
        assert answer.growth < CAP
    assert answers["declared"].sent < CAP  # refused on Content-Length, body unread
    assert CAP <= answers["chunked"].sent < BODY / 2  # counted, stopped past the cap
    assert answers["small"].status == 200
    assert answers["small"].body == b'{"size":%d}' % SMALL
    growth = max(answers["declared"].growth, answers["chunked"].growth)
    record(
        "max-body-size-growth",
        f"`good_max_body_size.py` (multipart, declared and chunked): server's peak memory "
        f"growth for a {BODY // MIB} MiB body",
        round(growth / MIB, 1),
        mib(growth),
    )


def test_fastapi_has_max_body_size_since_0_164() -> None:
    from fastapi import APIRouter, FastAPI

    for cls in (FastAPI, APIRouter):
        has = "max_body_size" in inspect.signature(cls).parameters
        assert has == since("fastapi", "0.164.0")
