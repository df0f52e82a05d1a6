from datetime import timedelta

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTH_", env_file=".env", dotenv_filtering="match_prefix"
    )

    jwt_secret: SecretStr
    jwt_exp_minutes: int = 5
    refresh_token_ttl: timedelta = timedelta(days=30)


auth_settings = AuthSettings()
