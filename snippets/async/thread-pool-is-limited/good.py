import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI, Header

# The blocking calls one worker must serve at once; each holds a thread while it waits.
THREAD_TOKENS = 100


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = THREAD_TOKENS
    yield


app = FastAPI(lifespan=lifespan)


async def tenant_id(x_tenant: Annotated[str, Header()] = "public") -> str:
    return x_tenant.lower()


Tenant = Annotated[str, Depends(tenant_id)]


@app.get("/invoices")
def list_invoices(tenant: Tenant) -> dict[str, str]:
    time.sleep(0.3)  # a blocking call: sync database driver, sync SDK
    return {"tenant": tenant, "invoices": "none yet"}


@app.get("/whoami")
async def whoami(tenant: Tenant) -> dict[str, str]:
    return {"tenant": tenant}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        print(client.get("/whoami", headers={"X-Tenant": "ACME"}).json())
        #> {'tenant': 'acme'}
