import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request


def count_primes(below: int) -> int:
    """Pure-Python number crunching: it holds the GIL for its whole run."""
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, below))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One worker process per core, started once. "spawn" starts clean interpreters; a
    # forked worker (Linux's default before 3.14) inherits the server's open sockets.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(mp_context=context) as pool:
        app.state.cpu_pool = pool
        yield


app = FastAPI(lifespan=lifespan)


async def cpu_pool(request: Request) -> ProcessPoolExecutor:
    return request.app.state.cpu_pool


CpuPool = Annotated[ProcessPoolExecutor, Depends(cpu_pool)]


@app.get("/primes")
async def primes(pool: CpuPool, below: int = 150_000) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    count = await loop.run_in_executor(pool, count_primes, below)
    return {"below": below, "count": count}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
