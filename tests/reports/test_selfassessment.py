"""The digital-transformation self-assessment: the indicator file, the platform's figures, the school's answers,
the level, who may do what, and the province's corrected file."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.org.models import School
from lms_core.reports import dt_files, dt_indicators, selfassessment as sa
from lms_core.reports.dt_indicators import SHIPPED, load, outcome, parse
from lms_core.reports.dt_measures import MEASURES
from lms_core.reports.selfassessment_models import IndicatorFile, SelfAssessment, SelfAssessmentAnswer
from tests.reports import selfassessment_builders as b

SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


def _answers(db: Session, world) -> dict[str, SelfAssessmentAnswer]:  # noqa: ANN001
    db.expire_all()
    a = db.scalar(select(SelfAssessment).where(SelfAssessment.school_id == world.school.id))
    return {x.indicator_code: x for x in a.answers}


# --- the shipped indicator file -----------------------------------------------------------------------------------

def test_shipped_file_is_consistent_read_without_our_checker() -> None:
    raw = tomllib.loads(SHIPPED_TEXT)
    assert raw["decision"]["number"] == "4725/QĐ-BGDĐT"
    for group in raw["groups"]:
        items = [i for i in raw["indicators"] if i["group"] == group["code"]]
        assert sum(i["max_points"] for i in items) == group["max_points"] == 100
    thresholds = [lv.get("from_points", lv.get("above_points")) for lv in raw["levels"]]
    assert thresholds == sorted(set(thresholds)) and thresholds[0] == 0
    assert [lv["level"] for lv in raw["levels"]] == [1, 2, 3]
    codes = [i["code"] for i in raw["indicators"]]
    assert len(codes) == len(set(codes))
    for ind in raw["indicators"]:
        for name in [ind.get("measure"), *ind.get("evidence", [])]:
            assert name is None or name in MEASURES, name
        if ind.get("bands"):
            assert ind["bands"][-1]["points"] == ind["max_points"], ind["code"]
            assert ind.get("unsure"), f"{ind['code']}: the bands are ours and must say so"
        if ind["rule"] == "mandatory":
            assert ind["max_points"] == 0


def test_shipped_file_passes_the_checker_and_flags_what_is_unsure() -> None:
    fw = load()
    assert [g.code for g in fw.groups] == ["1", "2"]
    assert fw.decision.unsure and fw.scoring.unsure
    assert {i.code for i in fw.indicators if i.rule == "mandatory"} == {"1.1", "1.2", "2.1", "2.2"}
    assert "2.5" in {i.code for i in fw.indicators if "missing" in i.unsure}


@pytest.mark.parametrize(("change", "problem"), [
    (lambda t: t.replace("[decision]", "[decision", 1), dt_indicators.BAD_SYNTAX),
    (lambda t: t.replace('max_points = 12\nrule = "yes_no"', 'max_points = 13\nrule = "yes_no"', 1),
     dt_indicators.GROUP_SUM),
    (lambda t: t.replace("from_points = 50", "from_points = 80", 1), dt_indicators.BAD_LEVELS),
    (lambda t: t.replace('measure = "live_sessions"', 'measure = "happiness"', 1), dt_indicators.UNKNOWN_MEASURE),
    (lambda t: t.replace('measure = "live_sessions"', 'measure = "teachers_active"', 1), dt_indicators.MEASURE_RULE),
    (lambda t: t.replace("{ min = 50, points = 6 }", "{ min = 50, points = 5 }", 1), dt_indicators.BAD_BANDS),
    (lambda t: t.replace('code = "1.3.5"', 'code = "1.3.4"', 1), dt_indicators.DUPLICATE),
    (lambda t: t.replace('group = "2"', 'group = "9"', 1), dt_indicators.UNKNOWN_GROUP),
    (lambda t: t.replace('rule = "yes_no"', 'rule = "sometimes"', 1), dt_indicators.BAD_FIELD),
    (lambda t: t + "\n[[indicators]]\ncode = \"x\"\n", dt_indicators.BAD_FIELD),
    (lambda t: t + "\ndeep = " + "[" * 20_000 + "]" * 20_000 + "\n", dt_indicators.TOO_DEEP),  # 40 KB, < the limit
])
def test_a_broken_file_is_refused_naming_the_problem(change, problem) -> None:  # noqa: ANN001
    broken = change(SHIPPED_TEXT)
    assert broken != SHIPPED_TEXT
    with pytest.raises(Invalid) as refused:
        parse(broken.encode("utf-8"))
    assert refused.value.message == problem


def test_a_file_that_is_not_utf8_or_too_big_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        parse("schema = 1 # tỉnh".encode("utf-16"))
    assert refused.value.message == dt_indicators.NOT_UTF8
    with pytest.raises(Invalid) as refused:
        parse(b"#" * (dt_indicators.MAX_BYTES + 1))
    assert refused.value.message == dt_indicators.TOO_BIG


# --- the level, at the thresholds -----------------------------------------------------------------------------------

YES_2 = {"2.4.2": 12, "2.3.5": 10, "2.3.6": 10, "2.4.3": 10, "2.4.1": 8, "2.3.1": 6, "2.3.2": 6, "2.3.4": 6,
         "2.3.7": 6, "2.3.8": 6}  # group 2's yes/no items and their points in the shipped file


def _values(group1: float, group2: float) -> dict[str, float | None]:
    """Values giving exactly `group1` (35 to 50) and `group2` points, reasoned from the shipped file's rules."""
    # group 1: 1.3.1–1.3.5 give 5 × 6 = 30 (a live session, 50 % of classes, a question, a test, yes); 1.4 at 50
    # lessons gives 5; the school's own points for 1.5.1 (at most 15) make up the rest
    v: dict[str, float | None] = {"1.1": 1, "1.2": 1, "1.3.1": 1, "1.3.2": 50, "1.3.3": 3, "1.3.4": 2, "1.3.5": 1,
                                  "1.4": 50, "1.5.1": group1 - 35}
    # group 2: "yes" to the largest items that fit, then the rest as entered points of 2.5 (at most 10)
    v.update({"2.1": 1, "2.2": 1})
    total = 0.0
    for code, points in YES_2.items():
        if total + points <= group2:
            v[code], total = 1, total + points
    v["2.5"] = round(group2 - total, 2)
    return v


@pytest.mark.parametrize(("g1", "g2", "expected"), [
    (50, 75, 2),     # 50 is the first point of level 2; 75 is not "above 75", so still level 2
    (49.5, 75, 1),   # group 1 under 50: the institution is at level 1, whatever group 2 reaches
    (50, 72, 2),
    (50, 49.99, 1),
])
def test_level_is_the_lowest_group_level_at_the_boundaries(g1: float, g2: float, expected: int) -> None:
    fw = load()
    result = outcome(fw, _values(g1, g2))
    assert result.group_points == {"1": g1, "2": g2}
    assert result.level == expected


def test_each_group_has_its_own_level_just_above_75() -> None:
    result = outcome(load(), _values(50, 75.01))
    assert result.group_levels == {"1": 2, "2": 3}  # 75.01 is above 75: level 3 for group 2 alone
    assert result.level == 2


def test_level_three_needs_every_group_above_75_and_every_mandatory_condition() -> None:
    fw = load()
    values = _values(50, 76)  # group 2: 12 + 10 + 10 + 10 + 8 + 4 × 6 = 74, and 2 entered for 2.5
    values.update({"1.6.1": 7, "1.7.1": 8})    # group 1: 50 + 7 + 8 = 65
    values.update({"1.6.2": 80, "1.6.3": 80})  # + 7 + 6 (the top bands, from 80 %) = 78
    result = outcome(fw, values)
    assert result.group_points == {"1": 78, "2": 76}
    assert result.level == 3
    values["1.1"] = 0  # the online-teaching plan is missing: level 1 at most, by the file's scoring rule
    assert outcome(fw, values).level == fw.scoring.mandatory_unmet_level == 1
    assert outcome(fw, values).unmet == ("1.1",)


# --- the platform's figures ------------------------------------------------------------------------------------------

def test_measured_answers_come_from_the_schools_own_rows(db: Session, world) -> None:  # noqa: ANN001
    use = b.course_for(db, world, world.school, world.class_6a, world.teacher, lessons=3)
    b.attempt(db, world, use.quiz, world.student)
    b.attempt(db, world, use.quiz, world.classmate)
    b.attempt(db, world, use.quiz, world.classmate, status="in_progress", number=2)  # not handed in: not a test taken
    b.attendance(db, world, use.live, world.student, world.teacher)
    b.statement(db, world, world.student, use.course, "asked", use.quiz)
    b.statement(db, world, world.student, use.course, "viewed", use.quiz)
    b.marks_from_quiz(db, world, use, world.class_6a, world.student, world.teacher)
    b.question(db, world, world.school, world.other_teacher)
    # another school's busy year must not count for school A
    other = b.course_for(db, world, world.other_school, world.other_class, world.other_school_teacher, lessons=9)
    b.attempt(db, world, other.quiz, world.other_school_student)
    b.statement(db, world, world.other_school_student, other.course, "asked")
    db.commit()

    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    got = _answers(db, world)
    # school A: classes 6A and 7A, teachers gva and gva2, students hsa, hsa2 (6A) and hs7a (7A)
    assert got["1.3.2"].value == 50.0 and got["1.3.2"].points == 6            # 1 of 2 classes has a course
    assert "1 of 2 classes" in got["1.3.2"].evidence[0]["message"].format(**got["1.3.2"].evidence[0]["params"])
    assert got["1.3.2"].evidence[1]["params"] == {"n": 1, "total": 3}         # only hsa has learning events
    assert got["1.3.1"].value == 1 and got["1.3.1"].points == 6               # one live session held
    assert got["1.3.3"].value == 1                                           # one question asked in school A
    assert got["1.3.4"].value == 2 and got["1.3.4"].points == 6               # two tests handed in
    assert got["1.4"].value == 3 and got["1.4"].points == 2                   # three lessons: the first band
    assert got["1.5.2"].value == 1 and got["1.5.2"].points == 5               # a column fed by the quiz
    assert got["1.6.2"].value == 100.0 and got["1.6.2"].points == 7           # gva teaches, gva2 wrote a question
    assert got["1.6.3"].value == 100.0                                        # gva built lessons, gva2 a question
    assert got["2.3.3"].source == "entered" and got["2.3.3"].value is None    # evidence only: the school answers
    assert got["2.3.3"].evidence[0]["params"] == {"n": 1, "total": 2}
    assert all(x.source == "measured" for c, x in got.items() if load().indicator(c).measured)


def test_a_teacher_of_two_schools_counts_where_they_taught(db: Session, world) -> None:  # noqa: ANN001
    """School B's teacher also teaches in school A, but used the platform only in B: active and building in B, not
    in A."""
    from lms_core.accounts.models import Role, RoleAssignment
    from lms_core.reports.dt_measures import teachers_active, teachers_building

    both = world.other_school_teacher
    db.add(RoleAssignment(user_id=both.id, role=Role.teacher, school_id=world.school.id))
    in_b = b.course_for(db, world, world.other_school, world.other_class, both)
    b.attendance(db, world, in_b.live, world.other_school_student, both)
    b.question(db, world, world.other_school, both)
    db.commit()
    db.refresh(both)
    for measure in (teachers_active, teachers_building):
        in_a = measure(db, world.school_admin, world.school, world.year)
        assert (in_a.params["n"], in_a.params["total"]) == (0, 3), measure.__name__  # gva, gva2 and the visitor
        in_b_measured = measure(db, world.school_admin, world.other_school, world.year)
        assert in_b_measured.params["n"] == 1, measure.__name__


def test_students_who_used_their_account_are_counted_once(db: Session, world) -> None:  # noqa: ANN001
    use = b.course_for(db, world, world.school, world.class_6a, world.teacher)
    b.statement(db, world, world.student, use.course, "viewed")
    b.statement(db, world, world.student, use.course, "completed")
    world.classmate.is_active = False
    b.statement(db, world, world.classmate, use.course, "viewed")  # a locked account is not a user of the platform
    b.statement(db, world, world.student_7a, use.course, "viewed", when=b.in_year(world, days=-30))  # last year
    db.commit()
    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    assert _answers(db, world)["2.3.2"].evidence[0]["params"] == {"n": 1, "total": 3}


def test_refresh_measures_again_what_happened_since(db: Session, world) -> None:  # noqa: ANN001
    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    assert _answers(db, world)["1.3.2"].value == 0.0
    b.course_for(db, world, world.school, world.class_6a, world.teacher)
    b.course_for(db, world, world.school, world.class_7a, world.other_teacher)
    db.commit()
    sa.refresh(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    assert _answers(db, world)["1.3.2"].value == 100.0


def test_online_periods_come_from_the_teaching_plans(db: Session, world) -> None:  # noqa: ANN001
    from lms_core.blended import aggregates, service as blended
    from lms_core.plugins.host import PluginHost
    from tests.blended.conftest import CurriculumPlugin

    host = PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})
    plan = blended.generate_plan(db=db, actor=world.teacher, host=host, class_id=world.class_6a.id,
                                 subject_id=world.subject.id, year_id=world.year.id)
    for period in plan.periods[:2]:
        blended.confirm(db=db, actor=world.teacher, period_id=period.id, mode="online_self_paced",
                        delivered_on=world.year.start_date + timedelta(days=3))
    aggregates.refresh(db=db)
    db.commit()
    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    figure = _answers(db, world)["1.1"].evidence[0]
    # the test curriculum has 70 periods for grade 6; 2 delivered online → 2.9 %
    assert figure["params"]["online"] == 2 and figure["params"]["planned"] == 70
    assert figure["value"] == pytest.approx(2.9)
    assert _answers(db, world)["1.1"].value is None  # the plan itself is for the school to confirm


# --- the school's answers ---------------------------------------------------------------------------------------------

def _start(db: Session, world) -> None:  # noqa: ANN001
    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)


def _enter(db: Session, world, values: dict[str, str], notes: dict[str, str] | None = None):  # noqa: ANN001, ANN202
    return sa.enter(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id,
                    values=values, notes=notes)


def test_entered_answers_are_checked_against_their_rule_and_scored(db: Session, world) -> None:  # noqa: ANN001
    _start(db, world)
    _enter(db, world, {"1.1": "yes", "1.5.1": "12,5", "1.7.3": "no", "2.4.2": "yes"},
           {"1.1": "Kế hoạch số 12/KH-THCS ngày 5/9"})
    got = _answers(db, world)
    assert (got["1.1"].value, got["1.1"].note) == (1.0, "Kế hoạch số 12/KH-THCS ngày 5/9")
    assert (got["1.5.1"].value, got["1.5.1"].points) == (12.5, 12.5)
    assert got["1.7.3"].points == 0 and got["2.4.2"].points == 12
    assert got["1.1"].entered_by_id == world.school_admin.id
    a = db.scalar(select(SelfAssessment).where(SelfAssessment.school_id == world.school.id))
    assert a.group_points == {"1": 12.5, "2": 12.0} and a.score == 24.5 and a.level == 1


@pytest.mark.parametrize(("code", "raw", "problem"), [
    ("1.5.1", "16", sa.BAD_POINTS),       # above the indicator's 15 points
    ("1.5.1", "-1", sa.BAD_POINTS),
    ("1.5.1", "7.125", sa.BAD_POINTS),    # more than two decimals
    ("1.5.1", "mười", sa.BAD_POINTS),
    ("1.5.1", "nan", sa.BAD_POINTS),
    ("1.7.3", "maybe", sa.YES_NO),
    ("1.3.2", "100", sa.IS_MEASURED),     # the platform measures it; the school cannot overrule it
    ("9.9", "yes", sa.UNKNOWN),
])
def test_a_bad_answer_refuses_the_whole_form_and_changes_nothing(db: Session, world, code, raw, problem) -> None:  # noqa: ANN001
    _start(db, world)
    _enter(db, world, {"1.7.1": "4"})
    before = {c: (x.value, x.points, x.note) for c, x in _answers(db, world).items()}
    with pytest.raises(Invalid) as refused:
        _enter(db, world, {"1.7.1": "8", "2.4.1": "yes", code: raw}, {"1.7.1": "đã sửa"})
    db.rollback()
    assert refused.value.message == sa.FIX_ANSWERS
    assert [d["field"] for d in refused.value.details] == [code]
    assert refused.value.details[0]["message"] == problem
    after = {c: (x.value, x.points, x.note) for c, x in _answers(db, world).items()}
    assert after == before
    assert after["1.7.1"] == (4.0, 4.0, "")


def test_a_too_long_note_is_refused(db: Session, world) -> None:  # noqa: ANN001
    _start(db, world)
    with pytest.raises(Invalid) as refused:
        _enter(db, world, {"1.7.3": "yes"}, {"1.7.3": "x" * 1001})
    assert refused.value.details[0]["message"] == sa.BAD_NOTE


def test_submit_needs_every_answer_then_locks_until_reopened(db: Session, world) -> None:  # noqa: ANN001
    _start(db, world)
    entered = [i for i in load().indicators if not i.measured]
    with pytest.raises(Invalid) as refused:
        sa.submit(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    assert refused.value.message == sa.UNANSWERED
    db.rollback()
    answers = {i.code: ("yes" if i.rule in ("mandatory", "yes_no") else "1") for i in entered}
    _enter(db, world, answers)
    done = sa.submit(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    assert done.status == "submitted" and done.submitted_by_id == world.school_admin.id and done.level == 1
    with pytest.raises(Invalid) as locked:
        _enter(db, world, {"1.7.3": "no"})
    assert locked.value.message == sa.LOCKED
    with pytest.raises(Invalid):
        sa.refresh(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    db.rollback()
    assert _answers(db, world)["1.7.3"].value == 1.0
    sa.reopen(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    _enter(db, world, {"1.7.3": "no"})
    assert _answers(db, world)["1.7.3"].value == 0.0


def test_assessment_rows_give_each_indicator_with_its_points_and_the_level(db: Session, world) -> None:  # noqa: ANN001
    _start(db, world)
    _enter(db, world, {"1.5.1": "10"}, {"1.5.1": "Phòng máy 30 máy"})
    rows = sa.assessment_rows(db=db, actor=world.province_staff, school_id=world.school.id, year_id=world.year.id)
    assert [r["code"] for r in rows] == [i.code for i in load().indicators]
    row = next(r for r in rows if r["code"] == "1.5.1")
    assert row["points"] == 10 and row["max_points"] == 15 and row["source"] == "entered"
    assert "Phòng máy 30 máy" in row["evidence"] and row["level"] == load().level(1).name()
    with pytest.raises(Forbidden):
        sa.assessment_rows(db=db, actor=world.teacher, school_id=world.school.id, year_id=world.year.id)
    with pytest.raises(NotFound):
        sa.assessment_rows(db=db, actor=world.province_staff, school_id=world.other_school.id, year_id=world.year.id)


# --- who may do what ----------------------------------------------------------------------------------------------

ACTORS = ["system_admin", "province_staff", "district_staff", "other_district_staff", "school_admin", "teacher",
          "student", "other_school_admin"]
VIEW = {"system_admin": {"school", "other_school", "far_school"}, "province_staff": {"school", "other_school"},
        "district_staff": {"school"}, "other_district_staff": {"other_school"}, "school_admin": {"school"},
        "other_school_admin": {"other_school"}}
EDIT = {"school_admin": {"school"}, "other_school_admin": {"other_school"}}


@pytest.mark.parametrize("actor_name", ACTORS)
def test_permission_matrix_for_check_and_list_filter(db: Session, world, actor_name: str) -> None:  # noqa: ANN001
    actor = getattr(world, actor_name)
    schools = {n: getattr(world, n) for n in ("school", "other_school", "far_school")}
    for rule, expected in (("dt_assessment.view", VIEW), ("dt_assessment.edit", EDIT)):
        assert {n for n, s in schools.items() if permissions.can(actor, rule, s)} == expected.get(actor_name, set())
        listed = set(db.scalars(select(School.id).where(School.id.in_([s.id for s in schools.values()]),
                                                        permissions.visible(actor, rule))))
        assert {n for n, s in schools.items() if s.id in listed} == expected.get(actor_name, set())


@pytest.mark.parametrize("actor_name", ["teacher", "student", "province_staff", "system_admin", "other_school_admin"])
def test_only_the_schools_admin_starts_or_changes_it(db: Session, world, actor_name: str) -> None:  # noqa: ANN001
    actor = getattr(world, actor_name)
    with pytest.raises(Forbidden):
        sa.start(db=db, actor=actor, school_id=world.school.id, year_id=world.year.id)
    _start(db, world)
    with pytest.raises(Forbidden):
        sa.enter(db=db, actor=actor, school_id=world.school.id, year_id=world.year.id, values={"1.7.3": "yes"})
    with pytest.raises(Forbidden):
        sa.submit(db=db, actor=actor, school_id=world.school.id, year_id=world.year.id)
    assert _answers(db, world).get("1.7.3") is None


def test_overview_lists_only_the_area(db: Session, world) -> None:  # noqa: ANN001
    _start(db, world)
    rows = sa.overview(db=db, actor=world.district_staff, year_id=world.year.id)
    assert [(s.id, a is not None) for s, a in rows] == [(world.school.id, True)]
    assert sa.overview(db=db, actor=world.teacher, year_id=world.year.id) == []


# --- the province's corrected file --------------------------------------------------------------------------------

def test_corrupt_province_file_is_refused_and_the_shipped_one_still_applies(db: Session, world) -> None:  # noqa: ANN001
    with pytest.raises(Invalid):
        dt_files.upload(db=db, actor=world.province_staff, province_id=world.province.id, data=b"[[levels]\nlevel=")
    db.rollback()
    assert db.scalar(select(IndicatorFile)) is None
    assert dt_files.framework_for(db, world.province.id)[0].sha256 == load().sha256


def test_a_corrected_file_applies_to_its_province_only_and_survives_a_bad_one(db: Session, world) -> None:  # noqa: ANN001
    corrected = SHIPPED_TEXT.replace("from_points = 50", "from_points = 10", 1).encode("utf-8")
    dt_files.upload(db=db, actor=world.province_staff, province_id=world.province.id, data=corrected,
                    file_name="chi-so.toml")
    with pytest.raises(Invalid):  # over-long maxima: group 1 no longer adds up
        dt_files.upload(db=db, actor=world.province_staff, province_id=world.province.id,
                        data=SHIPPED_TEXT.replace("max_points = 15", "max_points = 16", 1).encode("utf-8"))
    db.rollback()
    assert dt_files.framework_for(db, world.province.id)[0].level(2).from_points == 10
    assert dt_files.framework_for(db, world.other_province.id)[0].level(2).from_points == 50
    _start(db, world)
    _enter(db, world, {"1.5.1": "10", "2.4.2": "yes", "1.1": "yes", "1.2": "yes", "2.1": "yes", "2.2": "yes"})
    a = db.scalar(select(SelfAssessment).where(SelfAssessment.school_id == world.school.id))
    assert a.group_points == {"1": 10, "2": 12} and a.level == 2  # 10 and 12 reach the province's level 2 (from 10)
    dt_files.remove(db=db, actor=world.province_staff, province_id=world.province.id)
    assert dt_files.framework_for(db, world.province.id)[1] is None


@pytest.mark.parametrize("actor_name", ["district_staff", "school_admin", "teacher"])
def test_only_province_staff_and_system_admins_change_the_file(db: Session, world, actor_name: str) -> None:  # noqa: ANN001
    with pytest.raises(Forbidden):
        dt_files.upload(db=db, actor=getattr(world, actor_name), province_id=world.province.id,
                        data=SHIPPED_TEXT.encode("utf-8"))
    with pytest.raises(Forbidden):
        dt_files.upload(db=db, actor=world.province_staff, province_id=world.other_province.id,
                        data=SHIPPED_TEXT.encode("utf-8"))
    dt_files.upload(db=db, actor=world.system_admin, province_id=world.other_province.id,
                    data=SHIPPED_TEXT.encode("utf-8"))
    assert db.scalar(select(IndicatorFile.province_id)) == world.other_province.id


def test_a_province_may_turn_an_indicator_into_a_percentage_the_school_enters(db: Session, world) -> None:  # noqa: ANN001
    corrected = SHIPPED_TEXT.replace('''max_points = 7
rule = "entered"''', '''max_points = 7
rule = "percent_bands"
bands = [{ min = 50, points = 4 }, { min = 90, points = 7 }]''', 1)
    assert corrected != SHIPPED_TEXT
    dt_files.upload(db=db, actor=world.province_staff, province_id=world.province.id, data=corrected.encode("utf-8"))
    _start(db, world)
    _enter(db, world, {"1.6.1": "85,5"})
    assert (_answers(db, world)["1.6.1"].value, _answers(db, world)["1.6.1"].points) == (85.5, 4)  # 50 ≤ 85.5 < 90
    with pytest.raises(Invalid) as refused:
        _enter(db, world, {"1.6.1": "101"})
    assert refused.value.details[0]["message"] == sa.BAD_PERCENT
    db.rollback()
    assert _answers(db, world)["1.6.1"].value == 85.5
