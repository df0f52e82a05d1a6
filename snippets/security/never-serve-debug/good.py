import logging
import uuid

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic_settings import BaseSettings

log = logging.getLogger("uvicorn.error")


class Settings(BaseSettings):
    database_url: str
    environment: str = "production"


settings = Settings()
app = FastAPI(debug=settings.environment == "local")


@app.exception_handler(Exception)
async def unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    log.error("unhandled error, request_id=%s", request_id, exc_info=exc)
    return JSONResponse(
        {"detail": "Internal Server Error", "request_id": request_id},
        status_code=500,
        headers={"X-Request-ID": request_id},
    )


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict[str, int]:
    dsn = settings.database_url
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except OSError as exc:
        raise RuntimeError(f"database unreachable: {dsn}") from exc
    total = await connection.fetchval("SELECT count(*) FROM pg_class")
    await connection.close()
    return {"order": order_id, "tables": total}
