import asyncpg
from fastapi import FastAPI
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str


settings = Settings()
app = FastAPI(debug=True)


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
