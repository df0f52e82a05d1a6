import os

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel


class Order(BaseModel):
    id: int
    item: str
    reserved: int


ORDERS = {1: Order(id=1, item="widget", reserved=0)}
STOCK = {"widget": 5}


# The services know about HTTP: each picks a status and a body on its own.
def find_order(order_id: int) -> Order:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    return order


def reserve(order_id: int, quantity: int) -> Order:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=400, detail={"error": f"no order {order_id}"})
    if STOCK[order.item] < quantity:
        raise HTTPException(status_code=409, detail="Not enough stock")
    STOCK[order.item] -= quantity
    order.reserved += quantity
    return order


app = FastAPI()


@app.middleware("http")
async def refuse_writes_when_read_only(request: Request, call_next):
    if request.method != "GET" and os.environ.get("READ_ONLY") == "1":
        raise HTTPException(status_code=503, detail="Read-only mode")
    return await call_next(request)


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> Order:
    return find_order(order_id)


@app.post("/orders/{order_id}/reserve")
async def reserve_stock(order_id: int, quantity: int) -> Order:
    return reserve(order_id, quantity)
