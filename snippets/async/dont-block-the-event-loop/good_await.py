import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/report")
async def build_report() -> dict[str, str]:
    await asyncio.sleep(0.1)  # non-blocking: an async HTTP client or DB driver
    return {"report": "ready"}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/report").json())
    #> {'report': 'ready'}
