"""FBP901, bad: an `async def` dependency sets it; a BaseHTTPMiddleware logs last."""

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request, Response

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


async def set_request_id(
    response: Response, x_request_id: Annotated[str, Header()] = ""
) -> None:
    rid = x_request_id if WELL_FORMED.fullmatch(x_request_id) else uuid.uuid4().hex
    request_id.set(rid)
    response.headers["X-Request-ID"] = rid
    log.info("dependency")


app = FastAPI(dependencies=[Depends(set_request_id)])


@app.middleware("http")
async def log_done(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Logs one line after the app answered, as an access log would."""
    response = await call_next(request)
    log.info("done %s", request.url.query)
    return response


@app.get("/work")
async def work(n: int) -> dict[str, int]:
    log.info("start n=%d", n)
    await asyncio.sleep(0.01)
    log.info("end n=%d", n)
    return {"n": n}
