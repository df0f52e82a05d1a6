from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Orders API")
orders: dict[int, dict[str, object]] = {}


class OrderIn(BaseModel):
    sku: str
    quantity: int


@app.post("/orders")
async def create_order(order: OrderIn):
    if any(existing["sku"] == order.sku for existing in orders.values()):
        raise HTTPException(status_code=409, detail="An order for this SKU is open")
    order_id = len(orders) + 1
    orders[order_id] = {"id": order_id, **order.model_dump()}
    return orders[order_id]


@app.get("/orders/{order_id}")
async def read_order(order_id: int):
    if order_id not in orders:
        raise HTTPException(status_code=404, detail="No order has this ID")
    return orders[order_id]


if __name__ == "__main__":
    operation = app.openapi()["paths"]["/orders"]["post"]
    print(operation["summary"], sorted(operation["responses"]))
    #> Create Order ['200', '422']
