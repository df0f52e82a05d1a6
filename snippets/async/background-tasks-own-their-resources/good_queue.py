"""FBP205, good: work that must survive a restart goes through a durable queue.

A stand-in for a real task queue: the job is a row written in the same transaction
as the order, and a worker started with the app sends what is pending, after a
restart too.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import ForeignKey, MetaData, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAIL_SECONDS = 1.0  # how long the mail service takes to send a receipt
POLL_SECONDS = 0.2  # how often the worker looks for pending jobs

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


class ReceiptJob(Base):
    __tablename__ = "receipt_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))


# --8<-- [start:queue]
async def send_pending_receipts() -> None:
    while True:
        async with Session.begin() as session:
            job = await session.scalar(
                select(ReceiptJob).limit(1).with_for_update(skip_locked=True)
            )
            if job is not None:
                order = await session.get_one(Order, job.order_id)
                await asyncio.sleep(MAIL_SECONDS)  # the mail service
                session.add(Receipt(order_id=order.id, sent_to=order.email))
                await session.delete(job)  # done in the same transaction
        if job is None:
            await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = asyncio.create_task(send_pending_receipts())
    yield
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


app = FastAPI(lifespan=lifespan)


@app.post("/orders", status_code=201)
async def create_order(email: str) -> dict[str, int]:
    async with Session.begin() as session:  # the order and its job, or neither
        order = Order(email=email)
        session.add(order)
        await session.flush()
        order_id = order.id
        session.add(ReceiptJob(order_id=order_id))
    return {"id": order_id}


# --8<-- [end:queue]
