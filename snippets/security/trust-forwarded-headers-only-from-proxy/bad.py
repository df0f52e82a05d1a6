import logging
from collections import Counter

from fastapi import FastAPI, HTTPException, Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

audit = logging.getLogger("uvicorn.error")
MAX_ATTEMPTS = 5
attempts: Counter[str] = Counter()

app = FastAPI()
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts="*")


@app.get("/whoami")
async def whoami(request: Request) -> dict[str, str]:
    return {
        "client": request.client.host,
        "scheme": request.url.scheme,
        "items_url": str(request.url_for("list_items")),
    }


@app.post("/login")
async def login(request: Request, username: str) -> None:
    client = request.client.host
    attempts[client] += 1
    if attempts[client] > MAX_ATTEMPTS:
        raise HTTPException(429, "Too many login attempts")
    audit.warning("failed login for %s from %s", username, client)
    raise HTTPException(401, "Wrong username or password")  # checking omitted


@app.get("/items/")
async def list_items() -> list[str]:
    return ["lamp", "desk"]
