"""The repository's page and API: search with filters, the preview link, and teachers recording reuse."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials import service as materials
from content.repository import index
from content.repository.models import MaterialReuse
from lms_core.plugins.host import PluginHost
from tests.content.test_repository_search import TEA, found, publish_current, share
from tests.content.test_review_workflow import make_page, plugin_host  # noqa: F401
from tests.web.test_accessibility import _check

SEARCH = "/api/repository/search"


def reuses(db: Session) -> int:
    """Return how many reuses are recorded."""
    return db.scalar(select(func.count()).select_from(MaterialReuse))


def test_the_api_searches_with_filters_and_snippets(db: Session, world, client_for,
                                                    plugin_host: PluginHost) -> None:  # noqa: F811
    tea = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA,
                subject=world.subject, grades=(6, 7))
    c = client_for(world.other_school_student)
    body = c.get(SEARCH, params={"q": "che tan cuong", "grade": 6}).json()
    assert (body["total"], body["page"], body["pages"], body["partial"]) == (1, 1, 1, False)
    hit = body["hits"][0]
    assert (hit["material_id"], hit["title"], hit["kind"], hit["subject_code"], hit["grades"], hit["version_number"],
            hit["reuse_count"], hit["url"]) == (tea.id, "Chè Tân Cương", "page", "TA", [6, 7], 1, 0, f"/materials/{tea.id}")
    assert "<mark>" in hit["snippet_html"] and hit["score"] > 0
    assert body["subjects"] == [{"value": world.subject.id, "count": 1}] and body["kinds"] == [{"value": "page", "count": 1}]
    assert c.get(SEARCH, params={"q": "che", "grade": 8}).json()["total"] == 0
    assert c.get(SEARCH).json()["hits"][0]["score"] is None  # no words: newest first


def test_the_api_refuses_bad_parameters(db: Session, world, client, client_for) -> None:
    c = client_for(world.student)
    for params in ({"q": "x" * 201}, {"grade": 13}, {"kind": "poem"}, {"licence": "GPL"}, {"language": "xx"},
                   {"page": 0}, {"page": 10_000}, {"subject_id": "a"}):
        assert c.get(SEARCH, params=params).status_code == 422, params
    assert client.get(SEARCH).status_code == 401


def test_the_page_shows_results_filters_and_an_honest_empty_state(db: Session, world, client_for,
                                                                  plugin_host: PluginHost) -> None:  # noqa: F811
    c = client_for(world.student)
    empty = c.get("/repository")
    assert empty.status_code == 200 and 'id="repository-empty"' in empty.text and 'id="no-match"' not in empty.text
    tea = share(db, plugin_host, world.teacher, world.school_admin, title="Chè <Tân Cương>", text=TEA,
                subject=world.subject, grades=(6,))
    page = c.get("/repository", params={"q": "che tan", "subject_id": world.subject.id, "grade": "", "kind": ""})
    assert page.status_code == 200
    assert '<label for="q">' in page.text and 'id="q" name="q" type="search"' in page.text
    for name in ("subject_id", "grade", "kind", "licence", "language"):
        assert f'<label for="{name}">' in page.text and f'<select id="{name}" name="{name}">' in page.text
    assert f'href="/materials/{tea.id}">Chè &lt;Tân Cương&gt;</a>' in page.text
    assert re.search(r"Vùng <mark>chè</mark> <mark>Tân</mark> Cương", page.text)  # the paragraph, not the heading
    assert 'id="found" data-total="1"' in page.text and 'id="partial"' not in page.text
    _check(page.text)
    _check(empty.text)
    assert 'id="partial"' in c.get("/repository", params={"q": "che khủnglong"}).text
    none = c.get("/repository", params={"q": "khủnglong"})
    assert 'id="no-match"' in none.text and 'id="repository-empty"' not in none.text
    assert f'href="/materials/{tea.id}"' not in none.text
    assert c.get("/repository", params={"grade": "13"}).status_code == 422
    assert c.get("/repository", params={"kind": "poem"}).status_code == 422
    assert c.get("/repository", params={"q": "x" * 201}).status_code == 422


def test_the_preview_is_the_material_page_and_everyone_finds_the_menu_entry(db: Session, world, client_for,
                                                                            plugin_host: PluginHost) -> None:  # noqa: F811
    tea = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    c = client_for(world.other_school_student)
    answer = c.get(f"/repository/{tea.id}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/materials/{tea.id}"
    assert c.get(f"/materials/{tea.id}").status_code == 200
    for user in (world.student, world.teacher, world.province_staff):
        assert "repository" in [e.key for e in plugin_host.navigation(db=db, user=user, school_id=user.school_id)]
    assert 'href="/repository"' in c.get("/dashboard").text


def test_reuse_is_counted_once_per_teacher_and_version(db: Session, world, client_for,
                                                       plugin_host: PluginHost) -> None:  # noqa: F811
    tea = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    url = f"/api/repository/{tea.id}/reuse"
    far = client_for(world.other_school_teacher)
    first = far.post(url, json={"purpose": "Bài 3, lớp 6A"})
    assert first.status_code == 201 and first.json() == {"material_id": tea.id, "version_number": 1, "created": True,
                                                         "reuse_count": 1}
    again = far.post(url)
    assert again.status_code == 200 and again.json()["reuse_count"] == 1 and reuses(db) == 1
    assert client_for(world.other_teacher).post(url).json()["reuse_count"] == 2
    assert [h.reuse_count for h in _hits(db, world)] == [2]
    materials.add_text_version(db=db, actor=world.teacher, material_id=tea.id, body_markdown=TEA + "\n\nThêm.")
    publish_current(db, plugin_host, tea, world.teacher, world.school_admin)
    renewed = far.post(url)  # the new version is pinned anew
    assert renewed.status_code == 201 and renewed.json()["version_number"] == 2 and renewed.json()["reuse_count"] == 3
    index.reindex_all(db, force=True)  # the count comes back from the recorded reuses
    assert [h.reuse_count for h in _hits(db, world)] == [3]


def test_reuse_is_refused_to_students_and_outside_the_repository(db: Session, world, client_for,
                                                                plugin_host: PluginHost) -> None:  # noqa: F811
    tea = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    school_only = make_page(db, world.teacher, world.subject, visibility="school")
    assert client_for(world.student).post(f"/api/repository/{tea.id}/reuse").status_code == 403
    assert client_for(world.other_teacher).post(f"/api/repository/{school_only.id}/reuse").status_code == 404
    assert client_for(world.other_teacher).post("/api/repository/999999/reuse").status_code == 404
    assert client_for(world.other_teacher).post(f"/api/repository/{tea.id}/reuse",
                                                json={"purpose": "x" * 201}).status_code == 422
    assert reuses(db) == 0 and found(db, world.student, "che")


def _hits(db: Session, world) -> list:
    from content.repository import service

    return service.search(db=db, actor=world.student, q="che").hits
