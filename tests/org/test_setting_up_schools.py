"""A system administrator registers provinces, communes, schools (with their first admin) and school years."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts import auth
from lms_core.accounts.models import Role, User
from lms_core.org.models import AcademicYear, District, Province, School

ROOT = Path(__file__).resolve().parents[2]


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_system_admin_registers_a_school_whose_admin_can_log_in(db: Session, client_for, world) -> None:
    c = client_for(world.system_admin)
    province = c.post("/api/provinces", json={"code": "bkn", "name": "Bắc Kạn"})
    assert province.status_code == 201 and province.json()["code"] == "BKN"
    commune = c.post(f"/api/provinces/{province.json()['id']}/districts", json={"code": "CHODON", "name": "Chợ Đồn"})
    assert commune.status_code == 201
    made = c.post("/api/schools", json={
        "province_id": province.json()["id"], "district_id": commune.json()["id"], "code": "THCS-CHODON",
        "name": "Trường THCS Chợ Đồn", "level": "lower_secondary", "admin_full_name": "Hà Thị Thu",
        "admin_username": "ht.chodon"})
    assert made.status_code == 201
    body = made.json()
    assert body["school"]["code"] == "THCS-CHODON" and body["admin_username"] == "ht.chodon"
    logged = auth.login(db=db, username="ht.chodon", password=body["admin_password"])
    assert logged.user.school_ids(Role.school_admin) == {body["school"]["id"]}


def test_a_duplicate_school_code_changes_nothing(db: Session, client_for, world) -> None:
    before = (_count(db, School), _count(db, User))
    answer = client_for(world.system_admin).post("/api/schools", json={
        "province_id": world.province.id, "code": world.school.code, "name": "Trùng mã", "level": "primary",
        "admin_full_name": "Ai Đó", "admin_username": "ai.do"})
    assert answer.status_code == 409 and answer.json()["error"] == "conflict"
    assert (_count(db, School), _count(db, User)) == before


def test_a_taken_admin_username_leaves_no_school_behind(db: Session, client_for, world) -> None:
    before = _count(db, School)
    answer = client_for(world.system_admin).post("/api/schools", json={
        "province_id": world.province.id, "code": "MOI-1", "name": "Trường Mới", "level": "primary",
        "admin_full_name": "Ai Đó", "admin_username": world.teacher.username})
    assert answer.status_code == 409
    assert _count(db, School) == before


def test_commune_of_another_province_and_bad_input_are_refused(db: Session, client_for, world) -> None:
    c = client_for(world.system_admin)
    other_commune = db.scalar(select(District).where(District.province_id == world.other_province.id))
    base = {"province_id": world.province.id, "code": "MOI-2", "name": "Trường Mới", "level": "primary",
            "admin_full_name": "Ai Đó", "admin_username": "ai.do2"}
    assert c.post("/api/schools", json={**base, "district_id": other_commune.id}).status_code == 404
    assert c.post("/api/schools", json={**base, "level": "university"}).status_code == 422
    assert c.post("/api/schools", json={**base, "code": "có dấu"}).status_code == 422
    assert c.post("/api/schools", json={**base, "province_id": 999999}).status_code == 404
    assert db.scalar(select(School).where(School.code == "MOI-2")) is None


def test_only_system_admins_set_up_the_organisation(db: Session, client_for, world) -> None:
    before = (_count(db, Province), _count(db, School), _count(db, AcademicYear))
    for actor in (world.school_admin, world.province_staff, world.teacher):
        c = client_for(actor)
        assert c.post("/api/provinces", json={"code": "XX", "name": "X"}).status_code == 403
        assert c.post("/api/academic-years", json={"start_year": 2031}).status_code == 403
        assert c.get("/admin/schools").status_code == 403
    assert (_count(db, Province), _count(db, School), _count(db, AcademicYear)) == before


def test_opening_a_school_year_makes_two_terms_once(db: Session, client_for, world) -> None:
    c = client_for(world.system_admin)
    made = c.post("/api/academic-years", json={"start_year": 2031})
    assert made.status_code == 201 and made.json()["name"] == "2031-2032"
    year = db.get(AcademicYear, made.json()["id"])
    assert [t.number for t in year.terms] == [1, 2] and year.terms[0].end_date < year.terms[1].start_date
    assert c.post("/api/academic-years", json={"start_year": 2031}).status_code == 409


def test_schools_page_adds_a_school_and_shows_the_password_once(db: Session, client_for, world) -> None:
    c = client_for(world.system_admin)
    page = c.get("/admin/schools")
    assert page.status_code == 200 and world.school.name in page.text
    done = c.post("/admin/schools", data={"province_id": world.province.id, "district_id": "", "code": "TH-MOI",
                                          "name": "Trường Tiểu học Mới", "level": "primary",
                                          "admin_full_name": "Vi Văn Tài", "admin_username": "ht.thmoi"})
    assert done.status_code == 201 and "ht.thmoi" in done.text
    assert done.headers["cache-control"] == "no-store"
    assert db.scalar(select(School).where(School.code == "TH-MOI")) is not None
    again = c.post("/admin/schools", data={"province_id": world.province.id, "code": "TH-MOI", "name": "x",
                                           "level": "primary", "admin_full_name": "x", "admin_username": "x.y.z"})
    assert again.status_code == 422 and 'role="alert"' in again.text


def test_create_school_command(tmp_path: Path) -> None:
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(tmp_path / "var")}
    env.pop("TRUONGSO_DATABASE_URL", None)
    args = [sys.executable, "-m", "lms_core.cli", "create-school", "--code", "THPT-A", "--name", "Trường THPT A",
            "--level", "upper_secondary", "--province-code", "TNG", "--province-name", "Thái Nguyên",
            "--admin-username", "ht.thpta", "--admin-name", "Lò Văn Sáng"]
    first = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "ht.thpta" in first.stdout
    second = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1 and "THPT-A" in second.stdout
