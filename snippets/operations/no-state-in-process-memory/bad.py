import os
import time
from typing import Annotated

from fastapi import FastAPI, Header, Response

LIMIT_PER_MINUTE = 10

app = FastAPI()

# Lives in this worker's memory: every worker process has its own copy.
counters: dict[str, int] = {}


async def bump(name: str) -> int:
    counters[name] = counters.get(name, 0) + 1
    return counters[name]


@app.post("/pages/{page}/views")
async def count_view(page: str) -> dict[str, int]:
    views = await bump(f"views:{page}")
    return {"views": views, "pid": os.getpid()}


@app.get("/quota")
async def use_quota(
    x_api_key: Annotated[str, Header()], response: Response
) -> dict[str, int]:
    minute = int(time.time() // 60)
    used = await bump(f"quota:{x_api_key}:{minute}")
    if used > LIMIT_PER_MINUTE:
        response.status_code = 429
    return {"used": used, "pid": os.getpid()}
