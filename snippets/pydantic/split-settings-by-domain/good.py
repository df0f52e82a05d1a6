from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine
from storefront.auth.config import auth_settings
from storefront.database.config import database_settings

# PostgresDsn is not a str; SQLAlchemy takes its text form.
engine = create_async_engine(
    str(database_settings.url), pool_size=database_settings.pool_size
)
app = FastAPI()


@app.get("/status")
async def status() -> dict[str, str | int]:
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "pool_size": engine.pool.size(),
        "token_minutes": auth_settings.jwt_exp_minutes,
    }
