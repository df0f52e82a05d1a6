"""FBP901, bad: the request ID in a module-level variable, shared by all requests."""

import asyncio
import logging
import re
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

current_request_id = "-"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id
        return True


handler = logging.StreamHandler()
handler.addFilter(RequestIdFilter())
handler.setFormatter(logging.Formatter("request_id=%(request_id)s %(message)s"))
log = logging.getLogger("app")
log.addHandler(handler)
log.setLevel(logging.INFO)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        global current_request_id
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        rid = incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
        current_request_id = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        await self.app(scope, receive, send_with_id)
        log.info("done %s", scope["query_string"].decode())


app = FastAPI()
app.add_middleware(RequestIdMiddleware)


@app.get("/work")
async def work(n: int) -> dict[str, int]:
    log.info("start n=%d", n)
    await asyncio.sleep(0.01)
    log.info("end n=%d", n)
    return {"n": n}
