"""Plugins add Celery tasks through the truongso_celery_tasks hook, next to the core's."""

from __future__ import annotations

from typing import Any

import pytest

from lms_core.jobs.celery_app import make_celery
from lms_core.jobs.tasks import BLENDED_REFRESH, CLEANUP_SESSIONS, PING
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.host import PluginHost
from lms_core.settings import Settings


def shout(text: str) -> str:
    """Return the text in capitals (the sample plugin's task)."""
    return text.upper()


class SamplePlugin:
    """A plugin that brings one Celery task."""

    @hookimpl
    def truongso_celery_tasks(self, celery_app: Any) -> list[str]:
        celery_app.task(name="sample.shout", shared=False)(shout)
        return ["sample.shout"]


@pytest.mark.hook("truongso_celery_tasks")
def test_plugin_task_is_registered_with_the_core_tasks(jobs_settings: Settings) -> None:
    host = PluginHost(load_entry_points=False)
    host.register("sample", SamplePlugin())

    app = make_celery(jobs_settings, plugins=host)

    assert {"sample.shout", PING, CLEANUP_SESSIONS} <= set(app.tasks)
    assert app.tasks["sample.shout"].apply(args=("chè tân cương",)).get() == "CHÈ TÂN CƯƠNG"
    fresh = make_celery(jobs_settings, plugins=PluginHost(load_entry_points=False))
    assert sorted(host.register_celery_tasks(fresh)) == sorted([PING, CLEANUP_SESSIONS, BLENDED_REFRESH, "sample.shout"])


def test_plugin_task_stays_on_its_own_app(jobs_settings: Settings) -> None:
    host = PluginHost(load_entry_points=False)
    host.register("sample", SamplePlugin())
    make_celery(jobs_settings, plugins=host).finalize()

    other = make_celery(jobs_settings, plugins=PluginHost(load_entry_points=False))

    assert "sample.shout" not in other.tasks
    assert {PING, CLEANUP_SESSIONS} <= set(other.tasks)
