"""FBP205, bad: the background task borrows the request's session and ORM object."""

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from sqlalchemy import ForeignKey, MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAIL_SECONDS = 1.0  # how long the mail service takes to send a receipt

engine = create_async_engine(os.environ["DATABASE_URL"])
Session = async_sessionmaker(engine)


# Names in PostgreSQL's style, chosen by the model instead of by the server.
POSTGRES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]


class Receipt(Base):
    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    sent_to: Mapped[str]


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session.begin() as session:  # commits when the dependency exits
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
app = FastAPI()


# --8<-- [start:task]
async def send_receipt(session: AsyncSession, order: Order) -> None:
    await asyncio.sleep(MAIL_SECONDS)  # the mail service
    session.add(Receipt(order_id=order.id, sent_to=order.email))


@app.post("/orders", status_code=201)
async def create_order(
    email: str, session: SessionDep, tasks: BackgroundTasks
) -> dict[str, int]:
    order = Order(email=email)
    session.add(order)
    await session.flush()
    tasks.add_task(send_receipt, session, order)
    return {"id": order.id}


# --8<-- [end:task]


@app.get("/orders/{order_id}")
async def read_order(order_id: int, session: SessionDep) -> dict[str, int | str]:
    order = await session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    receipts = await session.scalar(
        select(func.count()).where(Receipt.order_id == order_id)
    )
    return {"id": order.id, "email": order.email, "receipts": receipts or 0}
