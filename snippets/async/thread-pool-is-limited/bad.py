import time
from typing import Annotated

from fastapi import Depends, FastAPI, Header

app = FastAPI()


def tenant_id(x_tenant: Annotated[str, Header()] = "public") -> str:
    return x_tenant.lower()


Tenant = Annotated[str, Depends(tenant_id)]


@app.get("/invoices")
def list_invoices(tenant: Tenant) -> dict[str, str]:
    time.sleep(0.3)  # a blocking call: sync database driver, sync SDK
    return {"tenant": tenant, "invoices": "none yet"}


@app.get("/whoami")
async def whoami(tenant: Tenant) -> dict[str, str]:
    return {"tenant": tenant}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/whoami", headers={"X-Tenant": "ACME"}).json())
    #> {'tenant': 'acme'}
