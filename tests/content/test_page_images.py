"""Images of written pages: the owner uploads them from the editor, readers of the page see them, nobody else;
refused images leave no row and no file behind."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials import images, storage
from content.materials.models import Material, MaterialImage, StoredFile
from content.review import service as review
from lms_core.settings import get_settings


def _png(colour: str = "green", size: tuple[int, int] = (40, 30), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def _page(client, title: str = "Đồi chè Tân Cương") -> int:  # noqa: ANN001
    answer = client.post("/materials/new", data={"title": title, "kind": "page", "language": "vi",
                                                 "licence": "CC-BY-4.0", "visibility": "school",
                                                 "body_markdown": "# Đồi chè\n\nẢnh bên dưới."})
    assert answer.status_code == 303, answer.text[:300]
    return int(re.match(r"^/materials/(\d+)", answer.headers["location"])[1])


def _send(client, material_id: int, data: bytes, name: str = "đồi chè.png", js: bool = True):  # noqa: ANN001, ANN202
    headers = {"Accept": "application/json"} if js else {}
    return client.post(f"/materials/{material_id}/images", files={"file": (name, data, "image/png")}, headers=headers)


def _stored(db: Session) -> tuple[int, int, list[str]]:
    db.expire_all()
    folder = storage.files_dir()
    files = sorted(p.name for p in folder.rglob("*") if p.is_file())
    return (db.scalar(select(func.count()).select_from(MaterialImage)),
            db.scalar(select(func.count()).select_from(StoredFile)), files)


def test_an_uploaded_image_goes_into_the_page_and_readers_of_the_page_see_it(
        db: Session, school, client_for, plugin_host) -> None:
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    data = _png()
    answer = _send(teacher, material_id, data)
    assert answer.status_code == 201, answer.text
    sha = hashlib.sha256(data).hexdigest()
    body = answer.json()
    assert body["url"] == f"/page-images/{sha}"
    assert body["markdown"] == f"![đồi chè](/page-images/{sha})"
    again = _send(teacher, material_id, data, name="khác.png")
    assert again.json()["url"] == body["url"]
    assert db.scalar(select(func.count()).select_from(MaterialImage)) == 1  # the same bytes are one image

    saved = teacher.post(f"/materials/{material_id}/edit", data={
        "part": "text", "body_markdown": f"# Đồi chè\n\n{body['markdown']}\n", "note": "thêm ảnh"})
    assert saved.status_code == 303
    page = teacher.get(f"/materials/{material_id}")
    assert f'<img src="/page-images/{sha}" alt="đồi chè"' in page.text
    own = teacher.get(body["url"])
    assert own.status_code == 200 and own.content == data and own.headers["content-type"] == "image/png"
    assert own.headers["x-content-type-options"] == "nosniff"

    colleague = client_for(school.other_teacher)  # same school: sees the school's published pages
    assert colleague.get(body["url"]).status_code == 404  # the page is not published yet
    review.publish(db=db, actor=school.teacher, host=plugin_host, material_id=material_id, number=2)
    assert colleague.get(body["url"]).status_code == 200
    assert client_for(school.other_school_teacher).get(body["url"]).status_code == 404  # another school
    assert client_for(school.student).get(body["url"]).status_code == 404  # not in a course of theirs
    assert colleague.get("/page-images/" + "0" * 64).status_code == 404
    assert colleague.get("/page-images/../../secret_key").status_code == 404


def test_the_form_without_javascript_returns_to_the_editor_with_the_line_to_copy(db: Session, school, client_for) -> None:
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    answer = _send(teacher, material_id, _png(fmt="JPEG"), name="hai-che.jpg", js=False)
    assert answer.status_code == 303
    assert re.search(rf"^/materials/{material_id}/edit\?image=[0-9a-f]{{64}}#images$", answer.headers["location"])
    editor = teacher.get(answer.headers["location"])
    assert editor.status_code == 200
    assert "![hai-che](/page-images/" in editor.text and 'enctype="multipart/form-data"' in editor.text
    from tests.web.test_accessibility import _check

    _check(editor.text)


@pytest.mark.parametrize(("name", "data", "status"), [
    ("ảnh.png", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", 422),  # a PDF named .png: decided by the bytes
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 422),
    ("rỗng.png", b"", 422),
])
def test_files_that_are_not_images_are_refused_and_nothing_is_kept(
        db: Session, school, client_for, name: str, data: bytes, status: int) -> None:
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    before = _stored(db)
    answer = _send(teacher, material_id, data, name=name)
    assert answer.status_code == status
    assert "PNG, JPEG, GIF" in answer.json()["detail"]  # says which images are accepted
    assert _stored(db) == before
    plain = _send(teacher, material_id, data, name=name, js=False)  # the page shows the refusal in the editor
    assert plain.status_code == status and 'role="alert"' in plain.text
    assert _stored(db) == before


def test_an_oversized_image_is_refused_in_vietnamese(db: Session, school, client_for, monkeypatch) -> None:
    monkeypatch.setitem(get_settings().upload_limits_mb, "page_image", 0)
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    before = _stored(db)
    answer = _send(teacher, material_id, _png(size=(400, 400)))
    assert answer.status_code == 413
    assert "MB" in answer.json()["detail"] and "Tệp" in answer.json()["detail"]
    assert _stored(db) == before


def test_only_the_owner_of_a_written_page_adds_images(db: Session, school, client_for) -> None:
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    link = teacher.post("/materials/new", data={"title": "Trang web", "kind": "link", "language": "vi",
                                                "licence": "CC-BY-4.0", "visibility": "private",
                                                "external_url": "https://example.org/che"})
    link_id = int(re.match(r"^/materials/(\d+)", link.headers["location"])[1])
    before = _stored(db)
    assert _send(client_for(school.other_teacher), material_id, _png()).status_code in (403, 404)
    assert _send(client_for(school.student), material_id, _png()).status_code in (403, 404)
    assert _send(teacher, link_id, _png()).status_code == 422
    assert _send(teacher, 999_999, _png()).status_code == 404
    assert _stored(db) == before


def test_a_database_failure_after_the_file_was_kept_removes_the_file(db: Session, school, client_for, monkeypatch) -> None:
    teacher = client_for(school.teacher)
    material_id = _page(teacher)
    before = _stored(db)

    def broken_commit() -> None:
        raise RuntimeError("disk full")

    from lms_core.accounts.models import User

    actor = db.get(User, school.teacher.id)
    monkeypatch.setattr(db, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        images.add_image(db=db, actor=actor, material_id=material_id, stream=io.BytesIO(_png("red")), filename="x.png")
    monkeypatch.undo()
    assert _stored(db) == before
    assert db.get(Material, material_id) is not None
