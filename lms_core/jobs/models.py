"""ORM classes of the job system."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms_core.db import Base, UTCDateTime, utcnow


class WorkerHeartbeat(Base):
    """The last sign of life of a worker process, written by the worker itself."""

    __tablename__ = "worker_heartbeats"
    hostname: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tasks_done: Mapped[int] = mapped_column(Integer, default=0)
