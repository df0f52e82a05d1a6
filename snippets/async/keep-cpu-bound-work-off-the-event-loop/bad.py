from fastapi import FastAPI

app = FastAPI()


def count_primes(below: int) -> int:
    """Pure-Python number crunching: it holds the GIL for its whole run."""
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, below))


@app.get("/primes")
async def primes(below: int = 150_000) -> dict[str, int]:
    return {"below": below, "count": count_primes(below)}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/primes", params={"below": 100}).json())
    #> {'below': 100, 'count': 25}
