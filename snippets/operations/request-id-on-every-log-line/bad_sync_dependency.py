"""FBP901, bad: the ContextVar set in a `def` dependency, in a worker thread."""

import asyncio
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Response
from starlette.types import ASGIApp, Receive, Scope, Send

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


class LogDoneMiddleware:
    """Logs one line after the app answered, as an access log would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            log.info("done %s", scope["query_string"].decode())


def set_request_id(
    response: Response, x_request_id: Annotated[str, Header()] = ""
) -> None:
    rid = x_request_id if WELL_FORMED.fullmatch(x_request_id) else uuid.uuid4().hex
    request_id.set(rid)
    response.headers["X-Request-ID"] = rid
    log.info("dependency")


app = FastAPI(dependencies=[Depends(set_request_id)])
app.add_middleware(LogDoneMiddleware)


@app.get("/work")
async def work(n: int) -> dict[str, int]:
    log.info("start n=%d", n)
    await asyncio.sleep(0.01)
    log.info("end n=%d", n)
    return {"n": n}
