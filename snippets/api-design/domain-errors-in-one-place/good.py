import os

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class Order(BaseModel):
    id: int
    item: str
    reserved: int


ORDERS = {1: Order(id=1, item="widget", reserved=0)}
STOCK = {"widget": 5}


# The domain's own errors: no HTTP in them, a CLI or a worker can catch them too.
class DomainError(Exception):
    code = "domain_error"


class OrderNotFound(DomainError):
    code = "order_not_found"


class InsufficientStock(DomainError):
    code = "insufficient_stock"


class ReadOnly(DomainError):
    code = "read_only"


def find_order(order_id: int) -> Order:
    order = ORDERS.get(order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    return order


def reserve(order_id: int, quantity: int) -> Order:
    order = find_order(order_id)
    if STOCK[order.item] < quantity:
        raise InsufficientStock(f"{STOCK[order.item]} {order.item} left")
    STOCK[order.item] -= quantity
    order.reserved += quantity
    return order


# --8<-- [start:mapping]
# The one place where a domain error becomes a status and a body.
class Problem(BaseModel):
    code: str
    detail: str


STATUS = {OrderNotFound: 404, InsufficientStock: 409, ReadOnly: 503}


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    problem = Problem(code=exc.code, detail=str(exc))
    return JSONResponse(status_code=STATUS[type(exc)], content=problem.model_dump())


def documented(*errors: type[DomainError]) -> dict[int | str, dict]:
    return {STATUS[error]: {"model": Problem} for error in errors}


app = FastAPI()
app.add_exception_handler(DomainError, domain_error_handler)
# --8<-- [end:mapping]


def writable() -> None:
    if os.environ.get("READ_ONLY") == "1":
        raise ReadOnly("read-only mode")


@app.get("/orders/{order_id}", responses=documented(OrderNotFound))
async def get_order(order_id: int) -> Order:
    return find_order(order_id)


@app.post(
    "/orders/{order_id}/reserve",
    dependencies=[Depends(writable)],
    responses=documented(OrderNotFound, InsufficientStock, ReadOnly),
)
async def reserve_stock(order_id: int, quantity: int) -> Order:
    return reserve(order_id, quantity)
