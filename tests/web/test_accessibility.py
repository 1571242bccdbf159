"""Pages people use every day are accessible: language, one h1, labelled fields, named buttons and links."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class Audit(HTMLParser):
    """Collect what the checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1 = 0
        self.fields: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.unnamed: list[str] = []
        self.images_without_alt = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append(a)
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag == "img" and "alt" not in a:
            self.images_without_alt += 1
        if tag in ("button", "a"):
            self.open.append((tag, a, []))

    def handle_data(self, data: str) -> None:
        for _tag, _a, text in self.open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("button", "a") and self.open:
            t, a, text = self.open.pop()
            if not "".join(text).strip() and not a.get("aria-label"):
                self.unnamed.append(f"<{t} {a}>")


def audit(html: str) -> Audit:
    """Parse a page."""
    parser = Audit()
    parser.feed(html)
    return parser


PAGES = [
    ("teacher", "/dashboard"), ("student", "/dashboard"), ("school_admin", "/dashboard"),
    ("province_staff", "/dashboard"), ("system_admin", "/dashboard"), ("teacher", "/classes"),
    ("school_admin", "/admin/import"), ("school_admin", "/admin/plugins"), ("school_admin", "/admin/jobs"),
    ("school_admin", "/admin/users"), ("system_admin", "/admin/schools"),
]


@pytest.mark.parametrize(("who", "url"), PAGES, ids=[f"{w}{u}" for w, u in PAGES])
def test_page_is_accessible(client_for, world, who: str, url: str) -> None:
    page = client_for(getattr(world, who)).get(url)
    assert page.status_code == 200, page.text[:300]
    _check(page.text)


def test_login_and_error_pages_are_accessible(client, client_for, world) -> None:
    _check(client.get("/login").text)
    _check(client_for(world.teacher).get("/khong-co").text)
    _check(client_for(world.teacher).get(f"/classes/{world.class_6a.id}").text)


def _check(html: str) -> None:
    a = audit(html)
    assert a.lang in ("vi", "en")
    assert a.h1 == 1
    unlabelled = [f for f in a.fields if f.get("id") not in a.labels and not f.get("aria-label")]
    assert not unlabelled, unlabelled
    assert not a.unnamed, a.unnamed
    assert a.images_without_alt == 0
    assert 'class="skip" href="#main"' in html
