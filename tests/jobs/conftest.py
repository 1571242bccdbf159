"""Fixtures of the job-system tests: a Celery app on a throw-away embedded broker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lms_core.jobs.celery_app import make_celery
from lms_core.plugins.host import PluginHost
from lms_core.settings import Settings


@pytest.fixture()
def jobs_settings(tmp_path: Path) -> Settings:
    """Return settings whose broker and results live in files under a temporary directory."""
    return Settings(var_dir=tmp_path / "var", broker_url=f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
                    result_backend=f"db+sqlite:///{tmp_path / 'results.sqlite'}", worker_heartbeat_seconds=10)


@pytest.fixture()
def jobs_app(jobs_settings: Settings) -> Any:
    """Return a Celery app on the temporary broker, with only the core's tasks."""
    app = make_celery(jobs_settings, plugins=PluginHost(load_entry_points=False))
    yield app
    app.close()


@pytest.fixture()
def web(app: Any, jobs_app: Any) -> Any:
    """Return the web app sending its jobs through the temporary broker."""
    app.state.celery = jobs_app
    return app
