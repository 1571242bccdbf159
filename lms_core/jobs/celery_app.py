"""The Celery app: broker and results from settings, tasks from the plugin host.

The embedded default broker is kombu's SQLAlchemy transport on a SQLite file under var/.
It works with SQLAlchemy 2, but as shipped it (1) opens SQLite without WAL or a busy
timeout, so the web process and the worker trip over each other's write locks, (2) never
deletes a consumed message (rows are only hidden, so the table grows for ever), and (3) has
no visibility timeout, so a message taken by a worker that is then killed is lost even with
late acks, and (4) keeps a channel's database connection checked out after the channel is
closed, so a page that counts waiting jobs exhausts the pool. `EmbeddedTransport` below
fixes the four; Redis is used as kombu ships it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from json import loads
from queue import Empty
from typing import Any

from celery import Celery, signals
from celery.schedules import crontab
from kombu.transport import sqlalchemy as sqla
from kombu.utils.encoding import bytes_to_str
from sqlalchemy import create_engine, delete, event, or_, text, update

from lms_core.jobs.tasks import BLENDED_REFRESH, BLENDED_REFRESH_SECONDS, CLEANUP_SESSIONS
from lms_core.settings import Settings, get_settings

log = logging.getLogger(__name__)

EMBEDDED_TRANSPORT = "lms_core.jobs.celery_app:EmbeddedTransport"
SQLA_PREFIXES = ("sqla+", "sqlalchemy+")
VISIBILITY_TIMEOUT = 3600  # seconds before a taken, unacknowledged job is offered again
RESULT_EXPIRES = timedelta(days=3)


def _broker_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Put the broker's SQLite file in WAL mode, so readers never wait for the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class EmbeddedChannel(sqla.Channel):
    """kombu's SQLAlchemy channel with WAL, deletion on ack and a visibility timeout."""

    def __init__(self, connection: Any, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        options = connection.client.transport_options
        self.visibility_timeout = float(options.get("visibility_timeout", VISIBILITY_TIMEOUT))
        self._rows: dict[str, int] = {}  # delivery tag -> message row id, until acked

    def _engine_from_config(self) -> Any:
        """Open the broker database; SQLite gets WAL and waits for locks instead of failing."""
        url = self.connection.client.hostname
        if not url.startswith("sqlite"):
            return create_engine(url, pool_pre_ping=True)
        # pysqlite's own transaction handling is kept on purpose: kombu relies on it (reads
        # outside transactions, its own BEGIN IMMEDIATE before taking a message), unlike
        # lms_core.db.make_engine, which lets SQLAlchemy emit BEGIN.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _broker_pragmas)
        return engine

    def _due(self) -> Any:
        """Return the filter of messages that may be handed out now."""
        cutoff = datetime.now() - timedelta(seconds=self.visibility_timeout)  # kombu stores naive local time
        return or_(self.message_cls.visible.is_(True), self.message_cls.sent_at < cutoff)

    def _get(self, queue: str) -> dict[str, Any]:
        """Take the oldest due message, hide it and remember its row until it is acked."""
        obj = self._get_or_create(queue)
        if self.session.bind.name == "sqlite":
            self.session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            model = self.message_cls
            msg = (self.session.query(model).with_for_update(skip_locked=True)
                   .filter(model.queue_id == obj.id).filter(self._due())
                   .order_by(model.visible.desc(), model.id).limit(1).first())
            if msg is None:
                raise Empty()
            payload = loads(bytes_to_str(msg.payload))
            if not msg.visible:  # its taker went silent for longer than the visibility timeout
                payload["redelivered"] = True
                payload["properties"].setdefault("delivery_info", {})["redelivered"] = True
            msg.visible = False
            msg.sent_at = datetime.now()
            self._rows[payload["properties"]["delivery_tag"]] = msg.id
            return payload
        finally:
            self.session.commit()

    def _size(self, queue: str) -> int:
        """Count the messages waiting in a queue, including ones whose taker went silent."""
        try:
            obj = self._get_or_create(queue)
            model = self.message_cls
            return self.session.query(model).filter(model.queue_id == obj.id).filter(self._due()).count()
        finally:
            self.session.commit()

    def close(self) -> None:
        """Close the channel and give its database connection back to the pool."""
        try:
            super().close()
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    def _write(self, statement: Any) -> None:
        """Run one statement in its own transaction (acks may come from another thread)."""
        engine, _ = self._open()
        with engine.begin() as conn:
            conn.execute(statement)

    def _forget(self, delivery_tag: str) -> None:
        """Delete the row of a message that is done with."""
        row_id = self._rows.pop(delivery_tag, None)
        if row_id is not None:
            self._write(delete(self.message_cls.__table__).where(self.message_cls.__table__.c.id == row_id))

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        """Acknowledge a message and delete it from the store."""
        super().basic_ack(delivery_tag, multiple=multiple)
        self._forget(delivery_tag)

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        """Reject a message: requeued ones become visible again, others are deleted."""
        super().basic_reject(delivery_tag, requeue=requeue)
        self._forget(delivery_tag)

    def _restore(self, message: Any) -> None:
        """Offer an unacknowledged message again by showing its row, not by copying it."""
        row_id = self._rows.pop(message.delivery_tag, None)
        if row_id is None:
            super()._restore(message)
            return
        table = self.message_cls.__table__
        self._write(update(table).where(table.c.id == row_id).values(visible=True))


class EmbeddedTransport(sqla.Transport):
    """The SQLAlchemy transport with `EmbeddedChannel`."""

    Channel = EmbeddedChannel


def broker_options(url: str) -> tuple[str, str | None, dict[str, Any]]:
    """Return (broker URL, transport, transport options) for a configured broker URL."""
    for prefix in SQLA_PREFIXES:
        if url.startswith(prefix):
            # kombu takes the transport from a "sqla+" prefix over any explicit one, so strip it.
            return url[len(prefix):], EMBEDDED_TRANSPORT, {"visibility_timeout": VISIBILITY_TIMEOUT, "polling_interval": 1.0}
    if url.startswith(("redis://", "rediss://", "sentinel://")):
        return url, None, {"visibility_timeout": VISIBILITY_TIMEOUT, "socket_connect_timeout": 5}
    return url, None, {}


def celery_config(settings: Settings) -> dict[str, Any]:
    """Return the Celery configuration for the given settings."""
    url, transport, options = broker_options(settings.resolved_broker_url)
    return {
        "broker_url": url,
        "broker_transport": transport,
        "broker_transport_options": options,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 5,
        "result_backend": settings.resolved_result_backend,
        "result_expires": RESULT_EXPIRES,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_track_started": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_send_task_events": False,
        "timezone": "Asia/Ho_Chi_Minh",
        "enable_utc": True,
        "beat_schedule": {
            "cleanup-sessions": {"task": CLEANUP_SESSIONS, "schedule": crontab(minute=17)},
            "blended-refresh": {"task": BLENDED_REFRESH, "schedule": BLENDED_REFRESH_SECONDS},
        },
    }


def make_celery(settings: Settings | None = None, *, plugins: Any = None) -> Celery:
    """Create the Celery app; its configuration is read when first needed, its tasks come from the plugins."""
    from lms_core.plugins.host import PluginHost

    app = Celery("truongso")
    app.add_defaults(lambda: celery_config(settings or get_settings()))
    (plugins or PluginHost()).register_celery_tasks(app)
    return app


def _connect_signals() -> None:
    """Connect the worker's heartbeat to the Celery signals (once per process)."""
    from lms_core.jobs import heartbeat

    signals.worker_ready.connect(heartbeat.on_worker_ready, weak=False, dispatch_uid="truongso.heartbeat.ready")
    signals.task_postrun.connect(heartbeat.on_task_postrun, weak=False, dispatch_uid="truongso.heartbeat.postrun")
    signals.worker_shutdown.connect(heartbeat.on_worker_shutdown, weak=False, dispatch_uid="truongso.heartbeat.shutdown")
    signals.worker_process_init.connect(heartbeat.on_worker_process_init, weak=False, dispatch_uid="truongso.heartbeat.fork")


_connect_signals()
celery_app = make_celery()
