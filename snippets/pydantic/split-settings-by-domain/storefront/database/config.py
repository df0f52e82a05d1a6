from pydantic import PostgresDsn
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DATABASE_", env_file=".env", dotenv_filtering="match_prefix"
    )

    url: PostgresDsn
    pool_size: int = 5


database_settings = DatabaseSettings()
