from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, status
from pydantic import BaseModel, Field


class OrderIn(BaseModel):
    sku: str
    quantity: Annotated[int, Field(gt=0)]


class Order(OrderIn):
    id: int


class Problem(BaseModel):
    detail: str


orders: dict[int, Order] = {}
router = APIRouter(prefix="/orders", tags=["orders"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Place an order",
    response_description="The order as placed, with its new ID",
    responses={
        status.HTTP_409_CONFLICT: {
            "model": Problem,
            "description": "An order for this SKU is already open",
        },
    },
)
async def create_order(order: OrderIn) -> Order:
    """Reserve stock for one SKU. A SKU can have one open order at a time."""
    if any(existing.sku == order.sku for existing in orders.values()):
        raise HTTPException(status.HTTP_409_CONFLICT, "An order for this SKU is open")
    created = Order(id=len(orders) + 1, **order.model_dump())
    orders[created.id] = created
    return created


@router.get(
    "/{order_id}",
    summary="Read one order",
    responses={
        status.HTTP_404_NOT_FOUND: {"model": Problem, "description": "No such order"},
    },
)
async def read_order(order_id: int) -> Order:
    """Return the order as it was placed, with the ID to refer to it by."""
    if order_id not in orders:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No order has this ID")
    return orders[order_id]


app = FastAPI(title="Orders API")
app.include_router(router)


if __name__ == "__main__":
    operation = app.openapi()["paths"]["/orders"]["post"]
    print(operation["summary"], sorted(operation["responses"]))
    #> Place an order ['201', '409', '422']
