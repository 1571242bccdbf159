"""Signed report bundles: a school server exports its class weeks, the department's server imports them after
checking the signature against the school's registered key and the importer's area; the figures read the same on
both sides; the same bundle twice changes nothing; a tampered, foreign, older or malformed bundle is refused with a
clear error and leaves every stored row as it was."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import User
from lms_core.blended import aggregates, shares
from lms_core.blended import service as blended
from lms_core.blended.models import ClassWeek, SchoolWeek, Source, TeachingPlan
from lms_core.blended.shares import Scope
from lms_core.db import utcnow
from lms_core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooLarge
from lms_core.org.models import SchoolClass, Subject
from lms_core.plugins.host import PluginHost
from lms_core.reports import bundle
from lms_core.reports.bundle_models import BundleImport, SchoolKey
from tests.blended.conftest import CurriculumPlugin

pytestmark = pytest.mark.db

TEACHER_NAME, TEACHER_LOGIN = "Nguyễn Thị Bảo Mật", "nguyenthibaomat"


# --- building the two sides -------------------------------------------------------------------------------------

def _school_server(db: Session, world) -> None:  # noqa: ANN001
    """Give school A figures of its own: 6A's English plan (made and taught by a teacher with a distinctive name,
    some periods online and delivered), and 7A's maths weeks; then bring the aggregates up to date."""
    from tests.builders import make_user
    from lms_core.accounts.models import Role, RoleAssignment, TeachingAssignment

    teacher = make_user(db, TEACHER_LOGIN, TEACHER_NAME, RoleAssignment(role=Role.teacher, school_id=world.school.id),
                        school=world.school)
    db.add(TeachingAssignment(class_id=world.class_6a.id, teacher_id=teacher.id, subject_id=world.subject.id))
    db.flush()
    host = PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})
    plan = blended.generate_plan(db=db, actor=teacher, host=host, class_id=world.class_6a.id,
                                 subject_id=world.subject.id, year_id=world.year.id)
    for position in (1, 2, 9):
        blended.change_period(db=db, actor=teacher, period_id=plan.periods[position - 1].id, mode="online_live")
    start = world.year.start_date
    blended.confirm(db=db, actor=teacher, period_id=plan.periods[0].id, delivered_on=start + timedelta(days=1),
                    mode="online_live", note=f"{TEACHER_NAME} dạy")
    blended.confirm(db=db, actor=teacher, period_id=plan.periods[1].id, delivered_on=start + timedelta(days=2),
                    mode="in_person")
    aggregates.refresh(db=db)
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    db.add_all([ClassWeek(school_id=world.school.id, academic_year_id=world.year.id, class_id=world.class_7a.id,
                          class_name="7A", grade=7, subject_id=maths.id, week=w, planned_total=4, planned_online=1,
                          delivered_total=4 if w < 3 else 0, delivered_online=1 if w == 1 else 0, source=Source.local)
                for w in (1, 2, 3)])
    db.flush()
    aggregates.refresh_school_weeks(db, {(world.school.id, world.year.id, 7, maths.id)})
    db.commit()


def _to_department(db: Session, world) -> None:  # noqa: ANN001
    """Make this database the department's: school A's own plans and figures are gone (it is not hosted here)."""
    classes = select(SchoolClass.id).where(SchoolClass.school_id == world.school.id)
    db.execute(delete(TeachingPlan).where(TeachingPlan.class_id.in_(classes)))
    db.execute(delete(ClassWeek).where(ClassWeek.school_id == world.school.id))
    db.execute(delete(SchoolWeek).where(SchoolWeek.school_id == world.school.id))
    db.commit()


def _figures(db: Session, world, actor: User, kind: str = "school") -> tuple[Any, ...]:  # noqa: ANN001
    db.expire_all()
    unit = world.school.id if kind == "school" else world.province.id
    year = shares.window(db=db, year_id=world.year.id, kind="year")
    f = shares.total(db=db, actor=actor, scope=Scope(kind, unit), win=year)
    by_class = [(r.label, r.figures.planned_total, r.figures.delivered_online)
                for r in shares.figures(db=db, actor=actor, scope=Scope("school", world.school.id), win=year,
                                        by=("class", "subject", "week"))]
    return f.planned_total, f.planned_online, f.delivered_total, f.delivered_online, f.target, by_class


def _tables(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import writes, ids included."""
    db.expire_all()
    cols = {ClassWeek: ("id", "school_id", "class_id", "class_name", "grade", "subject_id", "week", "planned_total",
                        "planned_online", "delivered_total", "delivered_online", "source"),
            SchoolWeek: ("id", "school_id", "grade", "subject_id", "week", "classes", "planned_total",
                         "planned_online", "delivered_total", "delivered_online"),
            BundleImport: ("id", "school_id", "digest", "generated_at", "rows", "imported_by_id"),
            SchoolKey: ("id", "school_id", "fingerprint", "public_key_pem")}
    return {m.__tablename__: sorted(tuple(getattr(r, c) for c in cs) for r in db.scalars(select(m)))
            for m, cs in cols.items()}


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return out.getvalue()


def _signed(doc: dict[str, Any], key: Ed25519PrivateKey | None = None) -> bytes:
    return bundle.pack(json.dumps(doc, ensure_ascii=False).encode(), key or bundle.server_key())


@pytest.fixture()
def exported(db: Session, world) -> bytes:  # noqa: ANN001
    """School A's bundle for the year, exported by its admin, the school's figures then moved off this server and
    its key registered by the province's staff: the department's side, ready to import."""
    _school_server(db, world)
    data = bundle.export_bundle(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    _to_department(db, world)
    bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id,
                        public_key_pem=bundle.server_public_pem())
    return data


def _other_plan(db: Session, world) -> TeachingPlan:  # noqa: ANN001
    """School B's English plan for 6A (its own teacher's), made on this server."""
    host = PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})
    return blended.generate_plan(db=db, actor=world.other_school_teacher, host=host, class_id=world.other_class.id,
                                 subject_id=world.subject.id, year_id=world.year.id)


def _doc(data: bytes) -> dict[str, Any]:
    return json.loads(_entries(data)[bundle.JSON_NAME])


# --- round trip -------------------------------------------------------------------------------------------------

def test_imported_figures_equal_the_exported_ones(db: Session, world) -> None:  # noqa: ANN001
    _school_server(db, world)
    at_school = _figures(db, world, world.school_admin)
    in_province = _figures(db, world, world.province_staff, "province")
    assert at_school[:4] == (82, 6, 10, 2)  # English: 70 periods, 3 online, 2 delivered, 1 online; maths: 12, 3, 8, 1
    data = bundle.export_bundle(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    _to_department(db, world)
    assert _figures(db, world, world.province_staff)[0] == 0
    bundle.register_key(db=db, actor=world.district_staff, school_id=world.school.id,
                        public_key_pem=bundle.server_public_pem())

    result = bundle.import_bundle(db=db, actor=world.district_staff, data=data)

    assert not result.already_imported and result.rows == len(_doc(data)["class_weeks"])
    assert _figures(db, world, world.province_staff) == at_school
    assert _figures(db, world, world.province_staff, "province") == in_province
    stored = db.scalars(select(ClassWeek).where(ClassWeek.school_id == world.school.id)).all()
    assert stored and all(r.source == Source.bundle and r.class_id is None for r in stored)
    record = db.scalar(select(BundleImport))
    assert (record.school_id, record.academic_year_id, record.rows, record.imported_by_id) == \
        (world.school.id, world.year.id, result.rows, world.district_staff.id)
    assert record.fingerprint == bundle.school_key_fingerprint() and len(record.digest) == 64


def test_reports_say_whose_use_of_the_platform_they_leave_out(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    """A bundle carries the online share only: the province's report counts school A's periods, and its sections on
    the use of the platform name school A as left out, since its people and materials live on its own server."""
    from lms_core.i18n import use_locale
    from lms_core.reports import content

    def report_paragraphs() -> list[str]:
        with use_locale("en"):
            report = content.build(db=db, actor=world.province_staff, host=PluginHost(load_entry_points=False),
                                   kind="province", unit_id=world.province.id, year_id=world.year.id, period="year")
        return [p for section in report.sections for p in section.paragraphs]

    assert not any("report bundles" in p for p in report_paragraphs())
    bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    left_out = [p for p in report_paragraphs() if "report bundles" in p]  # once, in the first such section (usage)
    assert left_out == ["These figures, and those of the sections after them, leave out the schools that send only "
                        f"their online share from their own server (report bundles): {world.school.name}."]


def test_reimporting_the_same_bundle_changes_nothing(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    before = _tables(db)
    again = bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    assert again.already_imported and again.record.id == before["report_bundle_imports"][0][0]
    assert _tables(db) == before


def test_a_newer_bundle_replaces_the_rows_and_stale_sums_go(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    doc = _doc(exported)
    doc["class_weeks"] = [r for r in doc["class_weeks"] if r["class_name"] == "6A"]  # 7A's maths dropped
    doc["generated_at"] = utcnow().isoformat()
    bundle.import_bundle(db=db, actor=world.province_staff, data=_signed(doc))
    grades = set(db.scalars(select(SchoolWeek.grade).where(SchoolWeek.school_id == world.school.id)))
    assert grades == {6}
    assert _figures(db, world, world.province_staff)[:4] == (70, 3, 2, 1)
    assert db.scalar(select(BundleImport.rows).order_by(BundleImport.id.desc()).limit(1)) == len(doc["class_weeks"])


# --- refusals: nothing stored -----------------------------------------------------------------------------------

def _refused(db: Session, world, data: bytes, error: type[DomainError], actor: User | None = None) -> DomainError:  # noqa: ANN001
    before = _tables(db)
    with pytest.raises(error) as caught:
        bundle.import_bundle(db=db, actor=actor or world.province_staff, data=data)
    assert _tables(db) == before
    assert caught.value.translated()
    return caught.value


def test_one_changed_byte_is_refused(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    entries = _entries(exported)
    text = entries[bundle.JSON_NAME]
    at = text.index(b'"delivered_online":1')
    entries[bundle.JSON_NAME] = text[:at] + b'"delivered_online":2' + text[at + 20:]  # still valid, more online
    error = _refused(db, world, _zip(entries), Invalid)
    assert error.message == bundle.BAD_SIGNATURE


def test_a_bundle_signed_by_another_key_is_refused(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    error = _refused(db, world, _signed(_doc(exported), Ed25519PrivateKey.generate()), Invalid)
    assert error.message == bundle.BAD_SIGNATURE
    assert error.params["fingerprint"] == bundle.school_key_fingerprint()


def test_a_school_without_a_registered_key_is_refused(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    db.execute(delete(SchoolKey))
    db.commit()
    error = _refused(db, world, exported, Invalid)
    assert error.message == bundle.NO_KEY and error.params["fingerprint"] == bundle.school_key_fingerprint()


def test_only_staff_of_the_schools_area_may_import(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    for outsider in (world.other_district_staff, world.school_admin, world.teacher):
        _refused(db, world, exported, Forbidden, actor=outsider)
    bundle.import_bundle(db=db, actor=world.system_admin, data=exported)


def test_only_staff_of_the_schools_area_may_register_its_key(db: Session, world) -> None:  # noqa: ANN001
    pem = bundle.server_public_pem()
    for outsider in (world.other_district_staff, world.school_admin):
        with pytest.raises(Forbidden):
            bundle.register_key(db=db, actor=outsider, school_id=world.school.id, public_key_pem=pem)
    assert db.scalar(select(SchoolKey)) is None
    with pytest.raises(NotFound):
        bundle.register_key(db=db, actor=world.province_staff, school_id=10**9, public_key_pem=pem)


def test_a_registered_key_shows_the_fingerprint_the_school_sees(db: Session, world) -> None:  # noqa: ANN001
    pasted = f"Khóa của trường A, gửi qua thư:\n{bundle.server_public_pem()}\nCảm ơn."
    row = bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id, public_key_pem=pasted)
    assert row.fingerprint == bundle.school_key_fingerprint()
    assert len(row.fingerprint.replace(" ", "")) == 32
    other = Ed25519PrivateKey.generate().public_key()
    replaced = bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id,
                                   public_key_pem=bundle.public_pem(other))
    assert replaced.id == row.id and replaced.fingerprint == bundle.fingerprint(other)
    for junk in ("", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"):
        with pytest.raises(Invalid):
            bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id, public_key_pem=junk)
    assert db.scalar(select(SchoolKey.fingerprint)) == bundle.fingerprint(other)


def test_the_bundle_holds_no_names_of_people(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    users = db.scalars(select(User)).all()
    assert TEACHER_LOGIN in {u.username for u in users}
    entries = _entries(exported)
    everything = b"\n".join(entries.values())
    for u in users:
        assert u.full_name.encode() not in everything
    assert TEACHER_LOGIN.encode() not in everything and f"{TEACHER_NAME} dạy".encode() not in everything
    strings: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            strings.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            strings.add(value)

    walk(json.loads(entries[bundle.JSON_NAME]))
    assert not strings & {u.username for u in users}
    assert set(entries) == {bundle.JSON_NAME, bundle.SIG_NAME, bundle.KEY_NAME}
    row = _doc(exported)["class_weeks"][0]
    assert set(row) == {"class_name", "grade", "subject", "week", "planned_total", "planned_online",
                        "delivered_total", "delivered_online"}


def test_malformed_bundles_get_clear_errors(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    entries = _entries(exported)
    cases = [
        (b"PK\x03\x04 not really a zip", Invalid, bundle.NOT_A_BUNDLE),
        (b"", Invalid, bundle.NOT_A_BUNDLE),
        (_zip({bundle.SIG_NAME: entries[bundle.SIG_NAME]}), Invalid, bundle.MISSING_ENTRY),
        (_zip({bundle.JSON_NAME: entries[bundle.JSON_NAME]}), Invalid, bundle.MISSING_ENTRY),
        (_zip({**entries, "run.sh": b"echo"}), Invalid, bundle.BAD_ENTRIES),
        (_zip({**entries, bundle.SIG_NAME: b"!!not base64!!"}), Invalid, bundle.BAD_SIGNATURE_FILE),
        # a zip bomb: 25 MB of spaces packs into a few KB; reading stops at the limit
        (_zip({**entries, bundle.JSON_NAME: b" " * 25_000_000}), Invalid, bundle.ENTRY_TOO_LARGE),
        (b"x" * (bundle.MAX_BUNDLE_BYTES + 1), TooLarge, bundle.BUNDLE_TOO_LARGE),
    ]
    for data, error, message in cases:
        assert _refused(db, world, data, error).message == message


def test_bad_data_is_refused_even_when_signed(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    doc = _doc(exported)
    bad_week = json.loads(json.dumps(doc))
    bad_week["class_weeks"][0]["week"] = 60
    error = _refused(db, world, _signed(bad_week), Invalid)
    assert error.message == bundle.BAD_DATA and "week" in error.params["where"]
    too_online = json.loads(json.dumps(doc))
    too_online["class_weeks"][0]["planned_online"] = too_online["class_weeks"][0]["planned_total"] + 1
    assert _refused(db, world, _signed(too_online), Invalid).message == bundle.BAD_DATA
    with_names = json.loads(json.dumps(doc))
    with_names["class_weeks"][0]["teacher"] = TEACHER_NAME
    assert _refused(db, world, _signed(with_names), Invalid).message == bundle.BAD_DATA
    twice = json.loads(json.dumps(doc))
    twice["class_weeks"].append(dict(twice["class_weeks"][0]))
    assert _refused(db, world, _signed(twice), Invalid).message == bundle.DUPLICATE_ROW
    longer = json.loads(json.dumps(doc))  # 11 code points, 22 once NFC has decomposed them: past the column
    longer["class_weeks"][0]["class_name"] = "\u0958" * 11
    error = _refused(db, world, _signed(longer), Invalid)
    assert error.message == bundle.BAD_DATA and "class_name" in error.params["where"]
    newer = dict(doc, version=2)
    assert _refused(db, world, _signed(newer), Invalid).message == bundle.BAD_FORMAT
    assert _refused(db, world, bundle.pack(b"{not json", bundle.server_key()), Invalid).message == bundle.BAD_DATA
    deep = b"[" * 100_000 + b"]" * 100_000
    assert _refused(db, world, bundle.pack(deep, bundle.server_key()), Invalid).message == bundle.BAD_DATA


def test_unknown_subject_or_year_is_refused(db: Session, world, exported: bytes) -> None:  # noqa: ANN001
    doc = _doc(exported)
    unknown_subject = json.loads(json.dumps(doc))
    unknown_subject["class_weeks"][0]["subject"] = "KHONGCO"
    error = _refused(db, world, _signed(unknown_subject), Invalid)
    assert error.message == bundle.UNKNOWN_SUBJECTS and "KHONGCO" in error.params["codes"]
    error = _refused(db, world, _signed(dict(doc, year="1999-2000")), Invalid)
    assert error.message == bundle.NO_YEAR
    error = _refused(db, world, _signed(dict(doc, school={"code": "KHONG-CO", "name": "?"})), NotFound)
    assert error.message == bundle.NO_SCHOOL


def test_an_older_bundle_is_refused(db: Session, world) -> None:  # noqa: ANN001
    _school_server(db, world)
    now = utcnow()
    older = bundle.build_bundle(db=db, school=world.school, year=world.year, now=now - timedelta(days=2))
    newer = bundle.build_bundle(db=db, school=world.school, year=world.year, now=now - timedelta(days=1))
    _to_department(db, world)
    bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id,
                        public_key_pem=bundle.server_public_pem())
    bundle.import_bundle(db=db, actor=world.province_staff, data=newer)
    assert _refused(db, world, older, Invalid).message == bundle.OLDER
    future = _doc(newer)
    future["generated_at"] = (now + timedelta(days=3)).isoformat()
    assert _refused(db, world, _signed(future), Invalid).message == bundle.FUTURE
    assert bundle.import_bundle(db=db, actor=world.province_staff, data=newer).already_imported


def test_a_school_hosted_on_this_server_is_refused(db: Session, world) -> None:  # noqa: ANN001
    _school_server(db, world)
    data = bundle.export_bundle(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    bundle.register_key(db=db, actor=world.province_staff, school_id=world.school.id,
                        public_key_pem=bundle.server_public_pem())
    assert _refused(db, world, data, Conflict).message == bundle.HOSTED_HERE


def test_an_imported_school_gets_no_local_plan_and_the_worker_keeps_running(db: Session, world,  # noqa: ANN001
                                                                           exported: bytes) -> None:
    """Once the department holds a school's figures from its bundles, a plan made for one of its classes on the
    department's server would count the periods twice and clash with the imported rows: it is refused, and the
    worker's refresh goes on."""
    bundle.import_bundle(db=db, actor=world.province_staff, data=exported)
    before = _tables(db)
    host = PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})
    with pytest.raises(Conflict) as refused:
        blended.generate_plan(db=db, actor=world.school_admin, host=host, class_id=world.class_6a.id,
                              subject_id=world.subject.id, year_id=world.year.id)
    assert refused.value.message == blended.REPORTED_BY_BUNDLE
    assert refused.value.params["school"] == world.school.name
    assert db.scalar(select(TeachingPlan.id).where(TeachingPlan.class_id == world.class_6a.id)) is None
    aggregates.refresh(db=db)
    assert _tables(db) == before and aggregates.pending(db) == 0
    assert len(_other_plan(db, world).periods) == 70  # the other school, not imported, still plans as before


def test_only_the_schools_admin_exports_and_only_its_figures(db: Session, world) -> None:  # noqa: ANN001
    _school_server(db, world)
    for outsider in (world.other_school_admin, world.teacher, world.province_staff):
        with pytest.raises(Forbidden):
            bundle.export_bundle(db=db, actor=outsider, school_id=world.school.id, year_id=world.year.id)
    with pytest.raises(Invalid) as nothing:
        bundle.export_bundle(db=db, actor=world.other_school_admin, school_id=world.other_school.id,
                             year_id=world.year.id)
    assert nothing.value.message == bundle.NOTHING_TO_EXPORT


# --- pages ------------------------------------------------------------------------------------------------------

def test_pages_export_register_and_import(db: Session, world, client_for) -> None:  # noqa: ANN001
    _school_server(db, world)
    admin = client_for(world.school_admin)
    page = admin.get("/reports/bundle")
    assert page.status_code == 200 and bundle.school_key_fingerprint() in page.text
    assert "BEGIN PUBLIC KEY" in admin.get("/reports/bundle/public-key.pem").text
    download = admin.post("/reports/bundle/export", data={"school_id": world.school.id, "year_id": world.year.id})
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    data = download.content
    assert _doc(data)["school"]["code"] == world.school.code
    _to_department(db, world)

    staff = client_for(world.district_staff)
    blended.change_period(db=db, actor=world.other_school_teacher, period_id=_other_plan(db, world).periods[0].id,
                          mode="online_live")
    exporting = staff.post("/reports/bundle/export", data={"school_id": world.school.id, "year_id": world.year.id})
    assert exporting.status_code == 403 and aggregates.pending(db) == 1  # refused before the worker's refresh runs
    refused = staff.post("/reports/bundle/import", files={"file": ("a.zip", data, "application/zip")})
    assert refused.status_code == 422 and db.scalar(select(BundleImport)) is None
    registered = staff.post("/reports/bundle/keys", data={"school_id": world.school.id},
                            files={"key_file": ("key.pem", bundle.server_public_pem().encode(), "text/plain")})
    assert registered.status_code == 303
    assert bundle.school_key_fingerprint() in staff.get(registered.headers["location"]).text
    done = staff.post("/reports/bundle/import", files={"file": ("a.zip", data, "application/zip")})
    assert done.status_code == 303 and "imported=" in done.headers["location"]
    shown = staff.get(done.headers["location"])
    assert shown.status_code == 200 and world.school.name in shown.text and world.year.name in shown.text
    again = staff.post("/reports/bundle/import", files={"file": ("a.zip", data, "application/zip")})
    assert "already=" in again.headers["location"]
    assert db.scalar(select(BundleImport.id).where(BundleImport.school_id == world.school.id)) is not None

    outsider = client_for(world.other_district_staff)
    assert world.school.name not in outsider.get("/reports/bundle").text
    assert outsider.post("/reports/bundle/import", files={"file": ("a.zip", data, "application/zip")}).status_code == 403
    assert client_for(world.student).get("/reports/bundle").status_code == 403
    both = client_for(world.system_admin).get("/reports/bundle")
    assert both.status_code == 200 and 'id="export-heading"' in both.text and 'id="imports-heading"' in both.text
    empty = staff.post("/reports/bundle/import", files={"file": ("", b"", "application/zip")})
    assert empty.status_code == 422
