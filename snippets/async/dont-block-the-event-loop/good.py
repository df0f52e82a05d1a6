import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/report")
def build_report() -> dict[str, str]:
    time.sleep(0.1)  # blocking, but a `def` route runs in the thread pool
    return {"report": "ready"}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/report").json())
    #> {'report': 'ready'}
