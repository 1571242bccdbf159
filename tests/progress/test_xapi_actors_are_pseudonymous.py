"""Statements name a learner by an opaque account on the school server: stable for a user, different between
users, and carrying neither the user's id nor their name or email."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lms_core.progress import verbs, xapi
from lms_core.settings import get_settings

SCHOOL = "https://thcs-phuc-xuan.edu.vn"


@pytest.fixture()
def school_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Configure the server's public address for the xAPI ids."""
    monkeypatch.setenv("TRUONGSO_PUBLIC_URL", SCHOOL)
    get_settings.cache_clear()
    yield SCHOOL
    monkeypatch.undo()
    get_settings.cache_clear()


def test_name_is_stable_for_a_user_and_differs_between_users() -> None:
    names = [xapi.actor_name(user_id) for user_id in range(1, 2001)]
    assert len(set(names)) == 2000
    assert xapi.actor_name(1234) == xapi.actor_name(1234) == xapi.actor_name("1234")
    assert all(len(n) == 32 and set(n) <= set("0123456789abcdef") for n in names)


def test_name_depends_on_the_server_secret_key() -> None:
    assert xapi.actor_name(77) == xapi.actor_name(77, secret=os.environ["TRUONGSO_SECRET_KEY"])
    assert xapi.actor_name(77) != xapi.actor_name(77, secret="another school's key")


def test_statement_carries_no_user_id_name_or_email(school_url: str) -> None:
    user_id = 987654
    made = xapi.statement(user_id, verbs.ASKED, xapi.activity_iri("lesson", 5))
    text = xapi.dumps(made)
    assert str(user_id) not in text
    actor = xapi.to_json(made)["actor"]
    assert actor == {"objectType": "Agent", "account": {"homePage": SCHOOL, "name": xapi.actor_name(user_id)}}
    assert str(user_id) not in actor["account"]["name"]


def test_agent_of_a_user_is_an_account_on_this_server(school_url: str) -> None:
    agent = xapi.actor(12)
    assert agent.account is not None and agent.account.homePage == SCHOOL
    assert agent.name is None and agent.mbox is None and agent.openid is None and agent.mbox_sha1sum is None
