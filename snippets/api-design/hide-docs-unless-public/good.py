from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

DOCS_ENVIRONMENTS = frozenset({"local", "staging"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    environment: str = "production"

    @property
    def show_docs(self) -> bool:
        return self.environment in DOCS_ENVIRONMENTS


settings = Settings()
app = FastAPI(
    title="Orders API",
    openapi_url="/openapi.json" if settings.show_docs else None,
)


@app.get("/orders/{order_id}")
async def read_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}


if __name__ == "__main__":
    for name in ("local", "production", "prod"):
        shown = Settings(environment=name).show_docs
        print(name, "shown" if shown else "hidden")
        #> local shown
        #> production hidden
        #> prod hidden
