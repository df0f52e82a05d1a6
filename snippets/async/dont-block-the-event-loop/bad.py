import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/report")
async def build_report() -> dict[str, str]:
    time.sleep(0.1)  # blocking: a sync HTTP client, DB driver, file read
    return {"report": "ready"}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/report").json())
    #> {'report': 'ready'}
