from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    environment: str = "local"

    @property
    def hide_docs(self) -> bool:
        return self.environment == "production"


settings = Settings()
app = FastAPI(
    title="Orders API",
    docs_url=None if settings.hide_docs else "/docs",
)


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}


if __name__ == "__main__":
    for name in ("local", "production", "prod"):
        hidden = Settings(environment=name).hide_docs
        print(name, "hidden" if hidden else "shown")
        #> local shown
        #> production hidden
        #> prod shown
