"""Stored files are served with range requests (a video seeks on a slow network), an ETag by hash,
private caching, safe headers for types that carry scripts, and only to people who may see them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from content.materials.files import ascii_name, content_disposition, srt_to_vtt
from content.materials.models import Material, MaterialVersion, VersionStatus
from tests.content.conftest import FIXTURES

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'




def _material_with(client, kind: str, name: str, data: bytes) -> str:  # noqa: ANN001
    """Create a material, upload a file to it and return the file's address."""
    created = client.post("/materials/new", data={"title": "Tệp", "kind": kind, "visibility": "school"})
    material_id = int(re.search(r"/materials/(\d+)/upload", created.headers["location"])[1])
    uploaded = client.post(f"/materials/{material_id}/upload", files={"file": (name, data, "application/octet-stream")})
    assert uploaded.status_code == 303, uploaded.text[:300]
    return f"/materials/{material_id}/versions/1/file"


@pytest.fixture()
def pdf(school, client_for):  # noqa: ANN001, ANN201
    """Return a teacher's client and the address and bytes of an uploaded PDF."""
    client = client_for(school.teacher)
    data = (FIXTURES / "water_rocket.pdf").read_bytes()
    return client, _material_with(client, "document", "Tên lửa nước.pdf", data), data


def test_a_whole_file_is_served_inline_with_its_hash_as_etag(pdf) -> None:
    client, url, data = pdf
    response = client.get(url)
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].strip('"') == __import__("hashlib").sha256(data).hexdigest()
    assert response.headers["cache-control"].startswith("private")
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''T%C3%AAn%20l%E1%BB%ADa%20n%C6%B0%E1%BB%9Bc.pdf" in disposition
    assert 'filename="Ten lua nuoc.pdf"' in disposition
    head = client.head(url)  # players ask for the size first
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data)) and not head.content
    again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize(("header", "start", "end"), [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)])
def test_a_range_is_served_exactly(pdf, header: str, start: int | None, end: int | None) -> None:
    client, url, data = pdf
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 206
    if header == "bytes=-50":
        expected, first = data[-50:], len(data) - 50
    else:
        expected, first = data[start:(end + 1) if end is not None else None], start
    assert response.content == expected
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    assert response.headers["content-length"] == str(len(expected))


def test_an_unsatisfiable_range_gets_416(pdf) -> None:
    client, url, data = pdf
    response = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert response.status_code == 416 and response.headers["content-range"] == f"bytes */{len(data)}"
    assert client.get(url, headers={"Range": f"bytes={len(data) + 10}-{len(data) + 20}"}).status_code == 416


def test_an_svg_is_downloaded_sandboxed_never_run_in_our_origin(school, client_for) -> None:
    client = client_for(school.teacher)
    url = _material_with(client, "image", "sơ đồ.svg", SVG)
    response = client.get(url)
    assert response.status_code == 200 and response.content == SVG
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_files_follow_the_versions_permissions(db: Session, pdf, school, client_for) -> None:
    _client, url, data = pdf
    material_id = int(url.split("/")[2])
    student, colleague = client_for(school.student), client_for(school.other_teacher)
    assert student.get(url).status_code == 404 and colleague.get(url).status_code == 404  # not published
    assert client_for(school.school_admin).get(url).status_code == 200  # the school's admin reviews
    assert client_for(school.other_school_teacher).get(url).status_code == 404

    version = db.query(MaterialVersion).filter_by(material_id=material_id, number=1).one()
    version.status = VersionStatus.published
    db.get(Material, material_id).published_version_id = version.id
    db.commit()
    assert colleague.get(url, headers={"Range": "bytes=0-9"}).content == data[:10]
    assert client_for(school.other_school_teacher).get(url).status_code == 404  # school-only, other school
    assert colleague.get(f"/materials/{material_id}/versions/2/file").status_code == 404
    assert colleague.get(f"/materials/{material_id}/versions/1/transcript").status_code == 404  # has none


def test_download_names_and_subtitles_conversion() -> None:
    assert ascii_name("Bài giảng Địa lí 6.pdf") == "Bai giang Dia li 6.pdf"
    assert ascii_name('a"b\r\n.pdf') == "a_b__.pdf"
    assert "\r" not in content_disposition("attachment", "x\r\ny.pdf").split("filename*")[0]
    vtt = srt_to_vtt("1\r\n00:01:05,000 --> 00:01:10,250\r\nXin chào, 12,5 độ\r\n")
    assert vtt == "WEBVTT\n\n1\n00:01:05.000 --> 00:01:10.250\nXin chào, 12,5 độ\n"
