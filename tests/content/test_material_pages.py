"""Material pages: a teacher writes a page with a live preview, readers see it safely rendered,
the history compares and restores versions, and people see and change only what they may."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials.models import Material, MaterialVersion
from content.materials.render import render_markdown
from tests.web.test_accessibility import _check

PAGE = "# Trà Tân Cương\n\nVùng chè nổi tiếng của **Thái Nguyên**.\n\n- Hái chè\n- Sao chè\n"




def _create(client, **fields: object):  # noqa: ANN001, ANN202
    data = {"title": "Trà Tân Cương", "kind": "page", "language": "vi", "licence": "CC-BY-SA-4.0",
            "visibility": "private", "body_markdown": PAGE, "note": "bản đầu", **fields}
    return client.post("/materials/new", data=data)


def _material_id(response) -> int:  # noqa: ANN001
    assert response.status_code == 303, response.text[:500]
    return int(re.match(r"^/materials/(\d+)", response.headers["location"])[1])


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    """Return the elements of an HTML fragment with their attributes."""
    found: list[tuple[str, dict[str, str]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, {k: v or "" for k, v in attrs}))

    Parser().feed(html)
    return found


def _counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Material)), db.scalar(select(func.count()).select_from(MaterialVersion)))


def test_a_teacher_writes_a_page_and_sees_it_rendered(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    form = client.get("/materials/new?kind=page")
    assert form.status_code == 200
    assert 'for="body_markdown"' in form.text and "data-editor" in form.text and 'name="csrf_token"' in form.text
    assert "/static-content/editor.js?v=" in form.text
    _check(form.text)

    response = _create(client, grades=["6", "7"], tags="trà, Thái Nguyên", subject_id=str(school.subject.id))
    material_id = _material_id(response)
    page = client.get(f"/materials/{material_id}")
    assert page.status_code == 200
    assert '<h2 id="sec-tra-tan-cuong">Trà Tân Cương</h2>' in page.text  # one level down, with an id to link to
    _check(page.text)
    assert "<strong>Thái Nguyên</strong>" in page.text and "<li>Hái chè</li>" in page.text
    assert "bản đầu" in page.text and "6, 7" in page.text and "thái nguyên" in page.text
    material = db.get(Material, material_id)
    assert material.owner_id == school.teacher.id and material.grades == [6, 7]

    listing = client.get("/materials")
    assert listing.status_code == 200 and f'href="/materials/{material_id}"' in listing.text
    _check(listing.text)


def test_a_refused_form_keeps_what_was_typed_and_stores_nothing(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    before = _counts(db)
    response = _create(client, title="Bài trống", body_markdown="   ")
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "Bài trống" in response.text
    assert _counts(db) == before
    bad_language = _create(client, language="xx")
    assert bad_language.status_code == 422 and _counts(db) == before
    for subject, grades in (("²", []), ("", ["6", "²"]), ("", ["6" * 5000])):  # '²': isdigit but not int();
        # 5,000 digits: more than int() reads
        refused = _create(client, subject_id=subject, grades=grades)
        assert refused.status_code == 422 and _counts(db) == before


def test_markdown_cannot_carry_scripts(school, client_for) -> None:
    client = client_for(school.teacher)
    evil = ("# Bài\n\n<script>alert('x')</script>\n\n[bấm vào](javascript:alert(1))\n\n"
            "<img src=x onerror=alert(2)>\n\n![ảnh](data:image/svg+xml;base64,PHN2Zz4=)\n\n"
            "![ảnh tốt](https://example.org/a.png) [trang](https://example.org)")
    material_id = _material_id(_create(client, body_markdown=evil))
    html = client.get(f"/materials/{material_id}").text
    article = html.split('<article class="page"', 1)[1].split("</article>", 1)[0]
    tags = _tags(article)
    assert "script" not in {t for t, _ in tags}
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]
    urls = [v.strip().lower() for _, attrs in tags for k, v in attrs.items() if k in ("href", "src")]
    assert urls == ["https://example.org/a.png", "https://example.org"]
    assert "&lt;script&gt;" in article  # shown as text, harmless
    assert '<img src="https://example.org/a.png" alt="ảnh tốt">' in article
    assert 'href="https://example.org" rel="noopener noreferrer"' in article


def test_preview_returns_sanitised_html_and_needs_the_csrf_token(school, client_for) -> None:
    client = client_for(school.teacher)
    text = "## Xem trước\n\n<script>alert(1)</script> [x](javascript:alert(1)) *nghiêng*"
    response = client.post("/materials/preview", data={"body_markdown": text})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert '<h3 id="sec-xem-truoc">Xem trước</h3>' in response.text and "<em>nghiêng</em>" in response.text
    assert "<script" not in response.text and 'href="javascript' not in response.text

    token = client.headers.pop("x-csrf-token")
    refused = client.post("/materials/preview", data={"body_markdown": text})
    assert refused.status_code == 403 and '<h3 id="sec-xem-truoc">Xem trước</h3>' not in refused.text
    wrong = client.post("/materials/preview", data={"body_markdown": text, "csrf_token": token[::-1]})
    assert wrong.status_code == 403
    with_field = client.post("/materials/preview", data={"body_markdown": text, "csrf_token": token})
    assert with_field.status_code == 200

    too_long = client.post("/materials/preview", data={"body_markdown": "a" * 500_001, "csrf_token": token})
    assert too_long.status_code == 413 and 'class="error"' in too_long.text


def test_the_editor_script_is_served(client) -> None:
    response = client.get("/static-content/editor.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert "X-CSRF-Token" in response.text and "300" in response.text
    assert "max-age" in response.headers["cache-control"]


def test_another_teacher_cannot_edit_and_a_student_cannot_see_a_private_material(
        db: Session, school, client_for) -> None:
    material_id = _material_id(_create(client_for(school.teacher)))
    other = client_for(school.other_teacher)
    before = _counts(db)
    assert other.get(f"/materials/{material_id}").status_code == 404  # private: not even its existence
    db.get(Material, material_id).visibility = "school"
    db.commit()
    admin = client_for(school.school_admin)
    assert admin.get(f"/materials/{material_id}").status_code == 200
    assert f'href="/materials/{material_id}"' in admin.get("/materials").text  # the school's materials
    assert admin.get(f"/materials/{material_id}/edit").status_code == 403
    refused = admin.post(f"/materials/{material_id}/edit", data={"part": "text", "body_markdown": "# Khác"})
    assert refused.status_code == 403
    assert admin.post(f"/materials/{material_id}/versions/1/restore").status_code == 403
    assert _counts(db) == before

    db.get(Material, material_id).visibility = "private"
    db.commit()
    student = client_for(school.student)
    assert student.get(f"/materials/{material_id}").status_code == 404
    assert student.get(f"/materials/{material_id}/compare?older=1&newer=1").status_code == 404
    assert "Trà Tân Cương" not in student.get("/materials").text
    assert student.get("/materials/new").status_code == 403


def test_edit_saves_fields_and_a_new_text_version(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _material_id(_create(client))
    form = client.get(f"/materials/{material_id}/edit")
    assert form.status_code == 200 and "Vùng chè nổi tiếng" in form.text
    _check(form.text)
    saved = client.post(f"/materials/{material_id}/edit",
                        data={"part": "fields", "title": "Trà Thái Nguyên", "language": "vi", "visibility": "school",
                              "licence": "CC-BY-4.0", "grades": ["8"]})
    assert saved.status_code == 303
    same = client.post(f"/materials/{material_id}/edit", data={"part": "text", "body_markdown": PAGE})
    assert same.status_code == 422 and 'role="alert"' in same.text  # nothing changed: no version
    new = client.post(f"/materials/{material_id}/edit",
                      data={"part": "text", "body_markdown": PAGE + "\nThêm một dòng.\n", "note": "thêm"})
    assert new.status_code == 303
    db.expire_all()
    material = db.get(Material, material_id)
    assert material.title == "Trà Thái Nguyên" and material.grades == [8] and len(material.versions) == 2


def test_compare_shows_added_and_removed_lines(school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _material_id(_create(client))
    changed = PAGE.replace("- Sao chè\n", "- Vò chè\n")
    client.post(f"/materials/{material_id}/edit", data={"part": "text", "body_markdown": changed, "note": "sửa"})
    page = client.get(f"/materials/{material_id}")
    assert 'form="compare"' in page.text and 'name="older"' in page.text and 'name="newer"' in page.text
    _check(page.text)
    diff = client.get(f"/materials/{material_id}/compare?older=1&newer=2")
    assert diff.status_code == 200
    assert re.search(r"<ins>.*\+ </span>- Vò chè</ins>", diff.text)
    assert re.search(r"<del>.*− </span>- Sao chè</del>", diff.text)
    assert "Hái chè" in diff.text  # unchanged context is kept
    _check(diff.text)


def test_restore_makes_a_new_version_with_the_old_text(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _material_id(_create(client))
    client.post(f"/materials/{material_id}/edit", data={"part": "text", "body_markdown": "# Bản hai\n"})
    response = client.post(f"/materials/{material_id}/versions/1/restore")
    assert response.status_code == 303 and response.headers["location"].endswith("restored=3")
    db.expire_all()
    versions = db.scalars(select(MaterialVersion).where(MaterialVersion.material_id == material_id)
                          .order_by(MaterialVersion.number)).all()
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].body_markdown == versions[0].body_markdown and versions[2].restored_from_id == versions[0].id
    page = client.get(response.headers["location"])
    assert "Vùng chè nổi tiếng" in page.text and 'role="status"' in page.text


def test_a_link_material_shows_its_address(school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _material_id(_create(client, kind="link", title="Bảo tàng chè",
                                       external_url="https://example.org/bao-tang"))
    page = client.get(f"/materials/{material_id}")
    assert 'href="https://example.org/bao-tang" rel="noopener noreferrer"' in page.text
    refused = _create(client, kind="link", external_url="javascript:alert(1)")
    assert refused.status_code == 422 and 'role="alert"' in refused.text


@pytest.mark.parametrize(("src", "shown"), [
    ("https://example.org/a.png", True), ("/materials/3/versions/1/file", True),
    ("data:image/png;base64,iVBORw0KGgo=", False), ("//evil.example/a.png", False), ("/admin/users", False),
    ("/materials/../admin", False), ("file:///etc/passwd", False), ("anh.png", False),
])
def test_pages_show_images_only_from_the_web_and_our_own_files(src: str, shown: bool) -> None:
    html = str(render_markdown(f"![Đồi chè]({src})"))
    assert ("<img" in html) is shown
    assert "Đồi chè" in html  # the alt text stays when the image is refused
