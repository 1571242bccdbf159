"""Uploading through the pages: a real file becomes a version shown with its citations; a wrong,
broken or missing file is refused on the page with a clear message and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials import storage
from content.materials.models import Material, MaterialSection, MaterialVersion, StoredFile
from tests.content.conftest import FIXTURES
from tests.web.test_accessibility import _check

# The smallest bytes an MP4 is recognised by (an ftyp box); enough to store and serve, not to play.
TINY_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 4




def _new(client, kind: str, title: str = "Tên lửa nước") -> int:  # noqa: ANN001
    response = client.post("/materials/new", data={"title": title, "kind": kind, "language": "vi",
                                                   "licence": "CC-BY-4.0", "visibility": "private"})
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"].endswith("/upload")
    return int(re.search(r"/materials/(\d+)/upload", response.headers["location"])[1])


def _stored(db: Session) -> dict[str, object]:
    """Return the rows and kept files an upload could add."""
    db.expire_all()
    counts: dict[str, object] = {m.__name__: db.scalar(select(func.count()).select_from(m))
                                 for m in (Material, MaterialVersion, MaterialSection, StoredFile)}
    folder = storage.files_dir()
    counts["files"] = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return counts


def _upload(client, material_id: int, name: str, data: bytes, path: str = "upload"):  # noqa: ANN001, ANN202
    return client.post(f"/materials/{material_id}/{path}", data={"note": "tải lên"},
                       files={"file": (name, data, "application/octet-stream")})


def test_a_pdf_upload_makes_a_version_shown_with_its_pages(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _new(client, "document")
    empty = client.get(f"/materials/{material_id}")
    assert re.search(r'<p class="empty">[^<]+<a href="/materials/\d+/upload">', empty.text)  # honest empty state
    form = client.get(f"/materials/{material_id}/upload")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert 'accept=".pdf,.docx,.md,.markdown,.txt,.html,.htm"' in form.text
    _check(form.text)

    data = (FIXTURES / "water_rocket.pdf").read_bytes()
    response = _upload(client, material_id, "Tên lửa nước.pdf", data)
    assert response.status_code == 303 and response.headers["location"] == f"/materials/{material_id}?uploaded=1"
    version = db.scalars(select(MaterialVersion).where(MaterialVersion.material_id == material_id)).one()
    assert version.file_name == "Tên lửa nước.pdf" and version.note == "tải lên" and version.sections
    assert storage.path_for(version.file_sha256).read_bytes() == data

    page = client.get(response.headers["location"])
    assert page.status_code == 200 and 'role="status"' in page.text
    assert f'<object class="media" data="/materials/{material_id}/versions/1/file" type="application/pdf"' in page.text
    assert '<span class="badge">Trang 1</span>' in page.text  # citation label of the first page
    _check(page.text)


def test_a_png_uploaded_to_a_document_is_refused_and_nothing_is_stored(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _new(client, "document")
    before = _stored(db)
    png = (FIXTURES / "picture_named.md").read_bytes()  # a PNG whose name pretends to be Markdown
    response = _upload(client, material_id, "picture_named.md", png)
    assert response.status_code == 422
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)[1]
    assert "PDF, DOCX" in alert  # says what is accepted
    assert 'type="file"' in response.text  # the form is there to try again
    assert _stored(db) == before


@pytest.mark.parametrize(("name", "status"), [("broken.pdf", 422), ("truncated.docx", 422), ("", 422)])
def test_broken_or_missing_files_are_refused_on_the_page(db: Session, school, client_for, name: str, status: int) -> None:
    client = client_for(school.teacher)
    material_id = _new(client, "document")
    before = _stored(db)
    data = (FIXTURES / name).read_bytes() if name else b""
    response = _upload(client, material_id, name, data)
    assert response.status_code == status and 'role="alert"' in response.text
    assert _stored(db) == before


def test_only_the_owner_uploads(db: Session, school, client_for) -> None:
    material_id = _new(client_for(school.teacher), "document")
    db.get(Material, material_id).visibility = "school"
    db.commit()
    before = _stored(db)
    other = client_for(school.other_teacher)
    assert other.get(f"/materials/{material_id}/upload").status_code == 404  # not published: not visible
    admin = client_for(school.school_admin)
    data = (FIXTURES / "water_rocket.pdf").read_bytes()
    assert _upload(admin, material_id, "x.pdf", data).status_code == 403
    assert _stored(db) == before


def test_a_video_with_subtitles_plays_with_a_track(db: Session, school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _new(client, "video", title="Hái chè")
    form = client.get(f"/materials/{material_id}/upload").text
    assert f'action="/materials/{material_id}/transcript"' in form and 'accept=".vtt,.srt"' in form
    _check(form)
    assert _upload(client, material_id, "hai-che.mp4", TINY_MP4).status_code == 303
    wrong = _upload(client, material_id, "notes.vtt", (FIXTURES / "water_rocket.pdf").read_bytes(), "transcript")
    assert wrong.status_code == 422 and 'role="alert"' in wrong.text
    subtitles = (FIXTURES / "reading_podcast.srt").read_bytes()
    assert _upload(client, material_id, "phu-de.srt", subtitles, "transcript").status_code == 303

    page = client.get(f"/materials/{material_id}")
    assert '<video class="media" controls preload="metadata"' in page.text
    assert f'<source src="/materials/{material_id}/versions/2/file" type="video/mp4">' in page.text
    assert f'<track kind="subtitles" src="/materials/{material_id}/versions/2/transcript.vtt" srclang="vi"' in page.text
    assert '<span class="badge">00:00</span>' in page.text  # cue times as citations
    _check(page.text)
    track = client.get(f"/materials/{material_id}/versions/2/transcript.vtt")
    assert track.status_code == 200 and track.headers["content-type"].startswith("text/vtt")
    assert track.text.startswith("WEBVTT") and "00:00:00.500 --> 00:00:03.000" in track.text


def test_an_image_is_shown_with_its_title_as_alt(school, client_for) -> None:
    client = client_for(school.teacher)
    material_id = _new(client, "image", title="Sơ đồ đồi chè")
    png = (FIXTURES / "picture_named.md").read_bytes()
    assert _upload(client, material_id, "so-do.png", png).status_code == 303
    page = client.get(f"/materials/{material_id}")
    assert f'<img class="media" src="/materials/{material_id}/versions/1/file" alt="Sơ đồ đồi chè">' in page.text


def test_a_written_page_has_no_upload_form(school, client_for) -> None:
    client = client_for(school.teacher)
    response = client.post("/materials/new", data={"title": "Trang", "kind": "page", "body_markdown": "Chữ."})
    material_id = int(Path(response.headers["location"]).name)
    assert client.get(f"/materials/{material_id}/upload").status_code == 422
