from fastapi import FastAPI
from pydantic import PostgresDsn
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import create_async_engine


class AuthConfig(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    JWT_SECRET: str
    JWT_EXP_MINUTES: int = 5


class DatabaseConfig(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    DATABASE_URL: PostgresDsn
    DATABASE_POOL_SIZE: int = 5


auth_settings = AuthConfig()
database_settings = DatabaseConfig()
engine = create_async_engine(
    database_settings.DATABASE_URL, pool_size=database_settings.DATABASE_POOL_SIZE
)
app = FastAPI()


@app.get("/status")
async def status() -> dict[str, str | int]:
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "pool_size": engine.pool.size(),
        "token_minutes": auth_settings.JWT_EXP_MINUTES,
    }
