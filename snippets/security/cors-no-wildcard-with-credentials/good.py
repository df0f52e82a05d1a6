"""FBP801, good: credentials only for the front-end origins the settings list."""

from typing import Annotated

from fastapi import Cookie, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic_settings import BaseSettings

SESSIONS = {
    "s3cret-session": {"email": "ada@example.com", "iban": "GB33BUKB20201555555555"}
}


class Settings(BaseSettings):
    # Required: CORS_ORIGINS='["https://app.example.com"]' in the environment.
    cors_origins: list[str]


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )

    @app.get("/me")
    async def me(session: Annotated[str | None, Cookie()] = None) -> dict[str, str]:
        if session not in SESSIONS:
            raise HTTPException(status_code=401, detail="Not signed in")
        return SESSIONS[session]

    return app


app = create_app(Settings())
