from fastapi import FastAPI

app = FastAPI()
calls = {"usd-eur": 0}


@app.get("/usd-eur")
async def usd_eur() -> dict[str, float]:
    calls["usd-eur"] += 1
    return {"rate": 0.9}


@app.get("/calls")
async def count() -> dict[str, int]:
    return calls
