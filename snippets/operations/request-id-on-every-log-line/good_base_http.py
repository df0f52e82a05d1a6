"""FBP901, good too: the ContextVar set in a BaseHTTPMiddleware before `call_next`."""

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from fastapi import FastAPI, Request, Response

request_id: ContextVar[str] = ContextVar("request_id", default="-")
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


handler = logging.StreamHandler()
handler.addFilter(RequestIdFilter())
handler.setFormatter(logging.Formatter("request_id=%(request_id)s %(message)s"))
log = logging.getLogger("app")
log.addHandler(handler)
log.setLevel(logging.INFO)

app = FastAPI()


@app.middleware("http")
async def add_request_id(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    incoming = request.headers.get("x-request-id", "")
    rid = incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
    token = request_id.set(rid)
    try:
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        log.info("done %s", request.url.query)
        return response
    finally:
        request_id.reset(token)


@app.get("/work")
async def work(n: int) -> dict[str, int]:
    log.info("start n=%d", n)
    await asyncio.sleep(0.01)
    log.info("end n=%d", n)
    return {"n": n}
