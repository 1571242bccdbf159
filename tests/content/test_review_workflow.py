"""A material version goes draft → submitted → approved or returned → published → archived, every step recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials import service as materials
from content.materials.models import Material, MaterialVersion, ReviewEvent, SubjectGroupHead
from content.review import service
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.org.models import Subject
from lms_core.plugins.host import PluginHost

TEXT = "# Chè Tân Cương\n\nChè được trồng trên đồi Tân Cương.\n\n## Sao chè\n\nSao bằng chảo gang."


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: a host with the content package registered."""
    h = PluginHost(load_entry_points=False)
    import content.plugin as p

    h.register("content", p)
    return h


def make_page(db: Session, owner, subject: Subject | None, visibility: str = "school", text: str = TEXT) -> Material:  # noqa: ANN001
    """Create a written page (version 1 at once) of a subject."""
    fields = materials.MaterialFields(title="Chè Tân Cương", kind="page", visibility=visibility,
                                      subject_id=subject.id if subject else None)
    return materials.create_material(db=db, actor=owner, fields=fields, body_markdown=text)


def make_head(db: Session, world, user, subject: Subject, school=None) -> SubjectGroupHead:  # noqa: ANN001
    """Name a user head of a subject group (directly, as the admin's service would)."""
    head = SubjectGroupHead(school_id=(school or world.school).id, subject_id=subject.id, user_id=user.id)
    db.add(head)
    db.commit()
    return head


def maths(db: Session) -> Subject:
    """Return another subject than the world's (English)."""
    return db.scalar(select(Subject).where(Subject.code != "TA").order_by(Subject.id))


def state(db: Session, material: Material, number: int = 1) -> tuple[str, int | None, int]:
    """Return (the version's status, the material's published version id, the number of review events), fresh."""
    db.expire_all()
    version = db.scalar(select(MaterialVersion).where(MaterialVersion.material_id == material.id,
                                                      MaterialVersion.number == number))
    events = db.scalar(select(func.count()).select_from(ReviewEvent).join(MaterialVersion).where(
        MaterialVersion.material_id == material.id))
    return version.status, db.get(Material, material.id).published_version_id, events


def url(material: Material, number: int, step: str) -> str:
    """Return the API address of a step."""
    return f"/api/materials/{material.id}/versions/{number}/{step}"


def test_a_version_is_submitted_approved_and_published_with_every_step_recorded(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    make_head(db, world, world.other_teacher, world.subject)
    owner, head = client_for(world.teacher), client_for(world.other_teacher)
    assert owner.post(url(material, 1, "submit"), json={"comment": "Nhờ tổ xem giúp"}).json()["status"] == "submitted"
    assert head.post(url(material, 1, "approve"), json={"comment": "Tốt"}).json()["status"] == "approved"
    body = owner.post(url(material, 1, "publish")).json()
    assert body == {"material_id": material.id, "number": 1, "status": "published", "published_number": 1}
    events = owner.get(f"/api/materials/{material.id}/review-events").json()
    assert [(e["from_status"], e["to_status"], e["actor_name"], e["comment"]) for e in events] == [
        ("draft", "submitted", "Giáo Viên A", "Nhờ tổ xem giúp"),
        ("submitted", "approved", "Giáo Viên A Hai", "Tốt"),
        ("approved", "published", "Giáo Viên A", ""),
    ]
    assert all(e["at"] and e["number"] == 1 for e in events)
    assert state(db, material)[:2] == ("published", material.current_version_id)


def test_a_returned_version_stays_returned_and_a_new_version_is_sent_instead(db: Session, world) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    with pytest.raises(Invalid):  # returning needs a comment
        service.return_version(db=db, actor=world.school_admin, material_id=material.id, number=1, comment="  ")
    assert state(db, material) == ("submitted", None, 1)
    service.return_version(db=db, actor=world.school_admin, material_id=material.id, number=1,
                           comment="Thêm nguồn tham khảo.")
    with pytest.raises(Invalid, match="returned"):
        service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    with pytest.raises(Invalid):
        service.publish(db=db, actor=world.teacher, host=PluginHost(load_entry_points=False), material_id=material.id,
                        number=1)
    assert state(db, material) == ("returned", None, 2)
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nNguồn: SGK.")
    assert service.submit(db=db, actor=world.teacher, material_id=material.id, number=2).status == "submitted"
    assert state(db, material, 1)[0] == "returned"


def test_the_author_never_reviews_their_own_work_even_as_head(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    make_head(db, world, world.teacher, world.subject)
    client_for(world.teacher).post(url(material, 1, "submit"))
    refused = client_for(world.teacher).post(url(material, 1, "approve"))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert state(db, material) == ("submitted", None, 1)
    assert client_for(world.school_admin).post(url(material, 1, "approve")).json()["status"] == "approved"


@pytest.mark.parametrize(("who", "code"), [
    ("teacher_of_other_subject", 404),   # heads maths: this English material is not theirs to see
    ("plain_teacher", 404),
    ("other_school_admin", 404),
    ("student", 404),
    ("owner", 403),
])
def test_refused_reviews_change_nothing(db: Session, world, client_for, who: str, code: int) -> None:
    material = make_page(db, world.teacher, world.subject)
    if who == "teacher_of_other_subject":
        make_head(db, world, world.other_teacher, maths(db))
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    actor = {"teacher_of_other_subject": world.other_teacher, "plain_teacher": world.other_teacher,
             "other_school_admin": world.other_school_admin, "student": world.student, "owner": world.teacher}[who]
    c = client_for(actor)
    for step in ("approve", "return"):
        assert c.post(url(material, 1, step), json={"comment": "không"}).status_code == code
    assert state(db, material) == ("submitted", None, 1)


def test_a_teacher_who_sees_the_published_material_but_heads_another_subject_cannot_act(db: Session, world,
                                                                                         client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.publish(db=db, actor=world.teacher, host=PluginHost(load_entry_points=False), material_id=material.id,
                    number=1)
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nThêm.")
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=2)
    make_head(db, world, world.other_teacher, maths(db))
    before = (state(db, material, 1), state(db, material, 2))
    c = client_for(world.other_teacher)
    assert c.post(url(material, 2, "approve")).status_code == 404  # the draft is not theirs to see
    assert c.post(url(material, 2, "publish")).status_code == 404
    assert c.post(url(material, 1, "approve")).status_code == 403  # the published version is visible: forbidden
    assert c.post(url(material, 1, "archive")).status_code == 403
    with pytest.raises(Forbidden):
        service.publish(db=db, actor=world.other_teacher, host=PluginHost(load_entry_points=False),
                        material_id=material.id, number=1)
    assert (state(db, material, 1), state(db, material, 2)) == before


def test_the_queue_shows_each_reviewer_their_school_and_subjects_only(db: Session, world) -> None:
    english = make_page(db, world.teacher, world.subject)
    other = make_page(db, world.other_teacher, maths(db))
    far = make_page(db, world.other_school_teacher, world.subject)
    for m, owner in ((english, world.teacher), (other, world.other_teacher), (far, world.other_school_teacher)):
        service.submit(db=db, actor=owner, material_id=m.id, number=1)
    make_head(db, world, world.other_teacher, world.subject)

    def ids(user) -> list[int]:  # noqa: ANN001
        return [q.material_id for q in service.queue(db=db, actor=user)]

    assert ids(world.other_teacher) == [english.id]  # their subject; never their own material
    assert ids(world.school_admin) == [english.id, other.id]
    assert ids(world.other_school_admin) == [far.id]
    assert ids(world.teacher) == [] and ids(world.student) == [] and ids(world.province_staff) == []


def test_the_queue_api_lists_versions_waiting_for_the_caller(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    rows = client_for(world.school_admin).get("/api/review/queue").json()
    assert [(r["material_id"], r["number"], r["owner_name"], r["subject_code"]) for r in rows] == [
        (material.id, 1, "Giáo Viên A", "TA")]
    assert client_for(world.other_school_admin).get("/api/review/queue").json() == []


def test_a_school_or_private_material_is_published_straight_from_draft(db: Session, world, client_for) -> None:
    for visibility in ("private", "school"):
        material = make_page(db, world.teacher, world.subject, visibility=visibility)
        assert client_for(world.teacher).post(url(material, 1, "publish")).json()["status"] == "published"
        events = db.scalars(select(ReviewEvent).where(ReviewEvent.version_id == material.current_version_id)).all()
        assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [("draft", "published", world.teacher.id)]


def test_publishing_to_the_shared_repository_needs_an_approved_version(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject, visibility="shared")
    refused = client_for(world.teacher).post(url(material, 1, "publish"))
    assert refused.status_code == 422 and refused.json()["error"] == "invalid"
    assert state(db, material) == ("draft", None, 0)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=1)
    assert client_for(world.teacher).post(url(material, 1, "publish")).json()["published_number"] == 1


def test_a_reviewer_publishes_an_approved_version_but_not_a_draft(db: Session, world) -> None:
    host = PluginHost(load_entry_points=False)
    material = make_page(db, world.teacher, world.subject)
    with pytest.raises(Forbidden):
        service.publish(db=db, actor=world.school_admin, host=host, material_id=material.id, number=1)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=1)
    assert service.publish(db=db, actor=world.school_admin, host=host, material_id=material.id, number=1).status == "published"


def test_publishing_a_new_version_archives_the_previous_one(db: Session, world) -> None:
    host = PluginHost(load_entry_points=False)
    material = make_page(db, world.teacher, world.subject)
    v1 = service.publish(db=db, actor=world.teacher, host=host, material_id=material.id, number=1)
    v2 = materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nMới.")
    service.publish(db=db, actor=world.teacher, host=host, material_id=material.id, number=2)
    db.refresh(v1), db.refresh(v2), db.refresh(material)
    assert (v1.status, v2.status, material.published_version_id) == ("archived", "published", v2.id)
    step = db.scalars(select(ReviewEvent).where(ReviewEvent.version_id == v1.id).order_by(ReviewEvent.id)).all()[-1]
    assert (step.from_status, step.to_status, step.actor_id) == ("published", "archived", world.teacher.id)


def test_archiving_withdraws_the_material(db: Session, world, client_for) -> None:
    host = PluginHost(load_entry_points=False)
    mine = make_page(db, world.teacher, world.subject)
    theirs = make_page(db, world.other_teacher, world.subject)
    for m, owner in ((mine, world.teacher), (theirs, world.other_teacher)):
        service.publish(db=db, actor=owner, host=host, material_id=m.id, number=1)
    assert client_for(world.teacher).post(url(theirs, 1, "archive")).status_code == 403
    assert client_for(world.other_school_admin).post(url(theirs, 1, "archive")).status_code == 404
    assert state(db, theirs)[:2] == ("published", theirs.current_version_id)
    assert client_for(world.teacher).post(url(mine, 1, "archive")).json() == {
        "material_id": mine.id, "number": 1, "status": "archived", "published_number": None}
    assert client_for(world.school_admin).post(url(theirs, 1, "archive")).json()["status"] == "archived"
    assert state(db, theirs) == ("archived", None, 2)
    again = client_for(world.teacher).post(url(mine, 1, "archive"))
    assert again.status_code == 422 and state(db, mine) == ("archived", None, 2)


@pytest.mark.parametrize(("setup", "step"), [
    ([], "approve"), ([], "return"), ([], "archive"),
    (["submit"], "publish"), (["submit"], "submit"), (["submit"], "archive"),
    (["submit", "approve"], "submit"), (["submit", "approve"], "approve"), (["submit", "approve"], "archive"),
    (["publish"], "publish"), (["publish"], "submit"), (["publish"], "approve"),
    (["publish", "archive"], "publish"), (["publish", "archive"], "archive"), (["publish", "archive"], "submit"),
])
def test_invalid_transitions_are_refused_and_change_nothing(db: Session, world, client_for, setup: list[str],
                                                             step: str) -> None:
    material = make_page(db, world.teacher, world.subject)
    owner, admin = client_for(world.teacher), client_for(world.school_admin)
    for done in setup:
        assert (admin if done == "approve" else owner).post(url(material, 1, done)).status_code == 200
    before = state(db, material)
    answer = (admin if step in ("approve", "return") else owner).post(url(material, 1, step), json={"comment": "x"})
    assert answer.status_code == 422 and answer.json()["message"]
    assert state(db, material) == before


def test_only_the_newest_draft_of_a_visible_material_is_sent_once(db: Session, world) -> None:
    private = make_page(db, world.teacher, world.subject, visibility="private")
    with pytest.raises(Invalid):
        service.submit(db=db, actor=world.teacher, material_id=private.id, number=1)
    material = make_page(db, world.teacher, world.subject)
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nHai.")
    with pytest.raises(Invalid):
        service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=2)
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nBa.")
    with pytest.raises(Conflict):
        service.submit(db=db, actor=world.teacher, material_id=material.id, number=3)
    with pytest.raises(Forbidden):  # the admin sees the draft but only its author sends it
        service.submit(db=db, actor=world.school_admin, material_id=material.id, number=3)
    with pytest.raises(NotFound):
        service.submit(db=db, actor=world.other_teacher, material_id=material.id, number=3)
    with pytest.raises(NotFound):
        service.submit(db=db, actor=world.teacher, material_id=material.id, number=9)
    assert state(db, material, 3) == ("draft", None, 1)


def test_the_review_history_is_for_the_author_and_reviewers(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.publish(db=db, actor=world.teacher, host=PluginHost(load_entry_points=False), material_id=material.id,
                    number=1)
    path = f"/api/materials/{material.id}/review-events"
    assert len(client_for(world.school_admin).get(path).json()) == 1
    assert client_for(world.other_teacher).get(path).status_code == 403  # sees the material, not its review
    assert client_for(world.other_school_admin).get(path).status_code == 404
