"""What a report sent upward holds, as plain data in the reader's language: the reporting unit and the body above it,
the period, the heading of a Vietnamese administrative document (national motto, number, place and date), the
sections and their tables, the signature block, and the full per-class or per-school tables for the department's own
analysis. The XLSX, PDF and HTML renderers only lay this out.

The online share is read from the blended-learning aggregates (one query of the unit's figures by grade and subject,
every breakdown summed from it); the usage of the platform from the core's own tables; the repository's coverage,
the materials made and the tutor's use from the plugins, through the `truongso_report_sections` hook, so the core
never imports them. Every figure is limited to the schools the reader may report on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select, union
from sqlalchemy.orm import Session

from lms_core.accounts.models import Role, RoleAssignment, User, UserSession
from lms_core.assessment.models import QuizAttempt
from lms_core.blended import aggregates, shares
from lms_core.blended.shares import Figures, Scope, Window
from lms_core.courses.models import Activity, Course
from lms_core.errors import DomainError, Invalid, NotFound
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import AcademicYear, District, DistrictKind, Province, School, SchoolLevel, Subject, Term
from lms_core.plugins.types import Percent, ReportSection
from lms_core.text import fold

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # a period's dates are the schools' dates
KINDS = ("province", "district", "school")
PERIODS = ("term1", "term2", "year")
MAX_ID = 2_147_483_647

BAD_PERIOD = N_("Choose the first term, the second term or the whole school year.")
BAD_KIND = N_("Reports are made for a province, a district or commune, or a school.")

# The fixed words of an administrative document (Nghị định 30/2020/NĐ-CP); msgids in English, the Vietnamese in the
# catalogue: Cộng hòa Xã hội Chủ nghĩa Việt Nam / Độc lập - Tự do - Hạnh phúc / Báo cáo / Số: ..../{code} /
# {place}, ngày {day} tháng {month} năm {year} / Nơi nhận: / - Lưu: VT. / (Ký, ghi rõ họ tên và đóng dấu).
# Headings are written in capitals by the code (str.upper keeps the diacritics).
NATION = N_("Socialist Republic of Viet Nam")
MOTTO = N_("Independence - Freedom - Happiness")
TITLE = N_("Report")
NUMBER = N_("No.: ..../{code}")
PLACE_DATE = N_("{place}, {month_name} {day_number}, {year}")
RECIPIENTS = N_("Recipients:")
TO_BODY = N_("- {body} (for reporting);")
TO_MINISTRY = N_("- Ministry of Education and Training (for reporting);")
ARCHIVE = N_("- Archived: Office.")
SIGN = N_("(Signature, full name and seal)")
SUBJECT_LINE = N_("On blended teaching and learning: the online share of curriculum periods, the shared repository "
                  "and the use of the platform, {period}, school year {year}")
PERIOD_LINE = N_("Reporting unit: {unit}. Period: {period}, school year {year} ({start} to {end}).")
PERIOD_NAMES = {"term1": N_("first term"), "term2": N_("second term"), "year": N_("whole year"),
                "weeks": N_("weeks {first} to {last}")}
# vi: Sở Giáo dục và Đào tạo {province} / Phòng Giáo dục và Đào tạo {district} / Ủy ban nhân dân {name} /
# Phòng Văn hóa - Xã hội / Hiệu trưởng / Giám đốc / Trưởng phòng
DEPARTMENT = N_("Department of Education and Training of {province}")
OFFICE = N_("Office of Education and Training of {district}")
COMMITTEE = N_("People's Committee of {name}")
SOCIAL_OFFICE = N_("Office of Culture and Social Affairs")
PRINCIPAL, DIRECTOR, HEAD = N_("Principal"), N_("Director"), N_("Head of office")
KIND_NAMES = {DistrictKind.district: N_("{name} District"), DistrictKind.town: N_("{name} Town"),
              DistrictKind.city: N_("{name} City"), DistrictKind.commune: N_("{name} Commune"),
              DistrictKind.ward: N_("{name} Ward")}
KIND_PREFIXES = ("huyen ", "quan ", "thi xa ", "thanh pho ", "xa ", "phuong ", "thi tran ")  # already in the name
PROVINCE_PREFIXES = ("tinh ", "thanh pho ")
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"), N_("August"),
          N_("September"), N_("October"), N_("November"), N_("December"))

# sections, tables and their columns
S_ONLINE = N_("The online share of curriculum periods")
S_USAGE = N_("Use of the platform")
S_SELF = N_("Digital-transformation self-assessment")
T_HEADLINE, T_LEVEL, T_SUBJECT, T_BELOW = (N_("Overall"), N_("By school level"), N_("By subject"),
                                           N_("Below the target"))
T_CHILD = {"province": N_("By district or commune"), "district": N_("By school"), "school": N_("By grade")}
T_CLASS = N_("By class")
C_UNIT = {"province": N_("District or commune"), "district": N_("School"), "school": N_("Grade")}
FIGURE_COLUMNS = (N_("Curriculum periods"), N_("Planned online"), N_("Planned online share"), N_("Delivered"),
                  N_("Delivered online"), N_("Online share"), N_("Target"))
C_INDICATOR, C_VALUE, C_OUT_OF, C_SHARE = N_("Indicator"), N_("Number"), N_("Out of"), N_("Share")
C_LEVEL, C_SUBJECT, C_CLASS, C_GRADE = N_("School level"), N_("Subject"), N_("Class"), N_("Grade")
C_SCHOOL, C_DISTRICT, C_GAP = N_("School"), N_("District or commune"), N_("Gap (percentage points)")
C_CLASS_SUBJECT = N_("Class and subject")
GRADE_N = N_("Grade {n}")
NONE = "—"
H_PLANNED = N_("Periods of the curriculum in the period")
H_PLANNED_ONLINE = N_("Periods planned online")
H_DELIVERED = N_("Periods delivered")
H_DELIVERED_ONLINE = N_("Periods delivered online")
H_SHARE, H_TARGET = N_("Online share (delivered online ÷ curriculum periods)"), N_("Target")
P_REACHED = N_("The online share is {share}, which reaches the target of {target}.")
P_SHORT = N_("The online share is {share}, against a target of {target}: {gap} percentage points short.")
P_NOTHING = N_("No curriculum period is planned in this period: there is no share to report yet.")
P_TARGETS = N_("The province's targets this school year: primary {primary}, lower secondary {lower}, upper secondary "
               "{upper}.")
P_FRESH = N_("Figures as the background worker last brought them up to date ({time}).")
P_NEVER = N_("The background worker has not yet computed these figures.")
P_PENDING = N_("{n} teaching plans changed since then are not counted yet.")
P_NONE_BELOW = N_("Every unit with planned periods reaches its target.")
P_MORE_BELOW = N_("The full list is in the spreadsheet export.")
U_TEACHERS, U_STUDENTS, U_QUIZZES = (N_("Active teachers (used the platform in the period)"),
                                     N_("Active students (used the platform in the period)"),
                                     N_("Quizzes taken (attempts submitted)"))
P_ACTIVE = N_("A user is active when they signed in or recorded any learning activity in the period.")
P_BUNDLED = N_("These figures, and those of the sections after them, leave out the schools that send only their "
               "online share from their own server (report bundles): {schools}.")
P_SELF_LEVEL = N_("Level reached: {level}.")
P_SELF_GROUP = N_("{group}: {points} points, {level}.")
P_SELF_MISSING = N_("The self-assessment is not included: {reason}")
SELF_COLUMNS = (N_("Code"), N_("Indicator"), N_("Points"), N_("Maximum"), N_("Evidence"))
D_SCHOOLS, D_SCHOOL_SUBJECTS, D_CLASSES = N_("By school"), N_("By school and subject"), N_("By class and subject")
BELOW_IN_DOCUMENT = 60  # the rest of a long list is left to the spreadsheet's own sheet


@dataclass(frozen=True)
class Unit:
    """The reporting unit, the body above it, who signs, and the schools the report covers."""

    kind: str
    id: int
    name: str
    governing_body: str  # as a recipient line writes it; the heading's first line is this in capitals
    issuer: str  # the heading's second line (bold), in capitals
    signer: str  # in capitals
    code: str  # the document code after "BC-"
    province: Province
    school_ids: tuple[int, ...]
    scope: Scope

    @property
    def body_line(self) -> str:
        """Return the heading's first line: the governing body in capitals."""
        return self.governing_body.upper()


@dataclass(frozen=True)
class Period:
    """The reporting period: its key, name, weeks of the school year and dates."""

    key: str
    name: str
    year: AcademicYear
    window: Window
    start: date
    end: date


@dataclass
class Table:
    """A titled table: column titles and rows of cells (str, int, float, Percent or None)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    note: str = ""


@dataclass
class Section:
    """A numbered section of the report: paragraphs then tables."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    """One child unit's online share against its target, for the charts."""

    label: str
    share: float
    target: float
    empty: bool


@dataclass
class Report:
    """A whole report, every text already in the reader's language."""

    locale: str
    unit: Unit
    period: Period
    nation: str
    motto: str
    number: str
    place_date: str
    title: str
    subject: str
    period_line: str
    sections: list[Section]
    bars: list[Bar]
    chart_title: str
    recipients_title: str
    recipients: list[str]
    signer: str
    sign_note: str
    details: list[Table]  # the full tables, on sheets of their own


# --- small helpers other packages use too ------------------------------------------------------------------------

def instants(start: date, end: date) -> tuple[datetime, datetime]:
    """Return a period's dates as UTC instants: from its first day's start to the end of its last day (local time)."""
    return (datetime.combine(start, time.min, LOCAL).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, LOCAL).astimezone(UTC))


def reportable_ids(db: Session, actor: User, school_ids: Iterable[int]) -> list[int]:
    """Return those of some schools the actor may report on (what a plugin's section may count)."""
    ids = sorted({int(i) for i in school_ids})
    if not ids:
        return []
    return list(db.scalars(select(School.id).where(School.id.in_(ids), shares.reportable_schools(actor))
                           .order_by(School.id)))


def percent_text(value: float, locale: str) -> str:
    """Return a percentage as the reader writes it (12,5 % in Vietnamese, 12.5% in English)."""
    text = f"{value:.1f}"
    return f"{text.replace('.', ',')} %" if locale == "vi" else f"{text}%"


def number_text(value: float, locale: str) -> str:
    """Return a number with one decimal as the reader writes it."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if locale == "vi" else text


def cell_text(value: Any, locale: str) -> str:
    """Return a table cell as text: percentages and decimals as the reader writes them, thousands grouped."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return percent_text(value, locale)
    if isinstance(value, float):
        return number_text(value, locale)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "." if locale == "vi" else ",")
    return str(value)


# --- unit and period ---------------------------------------------------------------------------------------------

def _district_name(district: District) -> str:
    if fold(district.name + " ").startswith(KIND_PREFIXES):
        return district.name
    return gettext(KIND_NAMES.get(district.kind, "{name}")).format(name=district.name)


def place_of(province: Province) -> str:
    """Return the place written before the date: the province's name without "Tỉnh" or "Thành phố"."""
    name = province.name.strip()
    for prefix in PROVINCE_PREFIXES:
        if fold(name).startswith(prefix):
            return name[len(prefix):].strip() or name
    return name


def unit_of(*, db: Session, actor: User, kind: str, unit_id: int) -> Unit:
    """Return the reporting unit if the actor may report on it (NotFound, Forbidden otherwise)."""
    if kind not in KINDS:
        raise NotFound(BAD_KIND)
    scope = Scope(kind, unit_id)
    unit = shares.check_scope(db=db, actor=actor, scope=scope)
    where = {"province": School.province_id == unit.id, "district": School.district_id == unit.id,
             "school": School.id == unit.id}[kind]
    ids = tuple(db.scalars(select(School.id).where(where, shares.reportable_schools(actor)).order_by(School.id)))
    if kind == "province":
        return Unit(kind, unit.id, unit.name, gettext(COMMITTEE).format(name=unit.name),
                    gettext(DEPARTMENT).format(province=place_of(unit)).upper(), gettext(DIRECTOR).upper(), "SGDĐT",
                    unit, ids, scope)
    if kind == "district":
        name = _district_name(unit)
        office = SOCIAL_OFFICE if unit.kind in (DistrictKind.commune, DistrictKind.ward) else OFFICE
        return Unit(kind, unit.id, name, gettext(COMMITTEE).format(name=name),
                    gettext(office).format(district=name).upper(), gettext(HEAD).upper(),
                    "VHXH" if office == SOCIAL_OFFICE else "PGDĐT", unit.province, ids, scope)
    return Unit(kind, unit.id, unit.name, _school_body(unit), unit.name.upper(), gettext(PRINCIPAL).upper(),
                unit.code.upper(), unit.province, ids, scope)


def _school_body(school: School) -> str:
    """Return the body a school answers to: the province's department for upper secondary, continuing education and
    schools outside any district; else its district's office (its commune's people's committee since 2025)."""
    if school.district is None or school.level not in (SchoolLevel.primary, SchoolLevel.lower_secondary):
        return gettext(DEPARTMENT).format(province=place_of(school.province))
    name = _district_name(school.district)
    if school.district.kind in (DistrictKind.commune, DistrictKind.ward):
        return gettext(COMMITTEE).format(name=name)
    return gettext(OFFICE).format(district=name)


def period_of(*, db: Session, year_id: int, key: str) -> Period:
    """Return the period a key names: term1, term2, year, or weeks-A-B of the school year."""
    year = db.get(AcademicYear, year_id) if isinstance(year_id, int) and 1 <= year_id <= MAX_ID else None
    if year is None:
        raise NotFound(shares.YEAR_NOT_FOUND)
    key = (key or "").strip()
    if key in ("term1", "term2"):
        term = db.scalar(select(Term).where(Term.academic_year_id == year.id, Term.number == int(key[-1])))
        if term is None:
            raise NotFound(shares.TERM_NOT_FOUND)
        win = shares.window(db=db, year_id=year.id, kind="term", term_number=term.number)
        return Period(key, gettext(PERIOD_NAMES[key]), year, win, term.start_date, term.end_date)
    if key == "year":
        win = shares.window(db=db, year_id=year.id, kind="year")
        return Period(key, gettext(PERIOD_NAMES[key]), year, win, year.start_date, year.end_date)
    parts = key.split("-")
    if len(parts) == 3 and parts[0] == "weeks" and all(p.isdecimal() and len(p) <= 2 for p in parts[1:]):
        first, last = int(parts[1]), int(parts[2])
        if 1 <= first <= last <= shares.weeks_in(year):
            start = year.start_date + timedelta(days=7 * (first - 1))
            end = min(year.end_date, year.start_date + timedelta(days=7 * last - 1))
            name = gettext(PERIOD_NAMES["weeks"]).format(first=first, last=last)
            return Period(key, name, year, Window(year.id, "weeks", first, last), start, end)
    raise Invalid(BAD_PERIOD)


# --- the online share --------------------------------------------------------------------------------------------

def _cells(f: Figures) -> tuple[Any, ...]:
    return (f.planned_total, f.planned_online, Percent(f.planned_share), f.delivered_total, f.delivered_online,
            Percent(f.share), Percent(f.target))


def _sum(rows: Iterable[tuple[Any, Figures]]) -> dict[Any, Figures]:
    out: dict[Any, Figures] = defaultdict(Figures)
    for key, f in rows:
        out[key].add(f)
    return out


def _names(db: Session, model: Any, ids: set[Any], column: Any) -> dict[Any, str]:
    ids = {i for i in ids if i is not None}
    return dict(db.execute(select(model.id, column).where(model.id.in_(ids))).all()) if ids else {}


def _online(db: Session, actor: User, unit: Unit, period: Period, locale: str) -> tuple[Section, list[Bar],
                                                                                        list[Table]]:
    """Return the online-share section, the bars of the child units, and the full tables for the extra sheets."""
    school = unit.kind == "school"
    by = ("grade", "class", "subject") if school else ("district", "school", "grade", "subject")
    rows = shares.figures(db=db, actor=actor, scope=unit.scope, win=period.window, by=by)
    key = {d: i for i, d in enumerate(by)}
    subjects = {s.id: s.name(locale) for s in db.scalars(select(Subject).where(
        Subject.id.in_({r.key[key["subject"]] for r in rows})))}
    total = Figures()
    for r in rows:
        total.add(r.figures)
    section = Section("online", gettext(S_ONLINE))
    if not total.planned_total:
        section.paragraphs.append(gettext(P_NOTHING))
    elif total.meets_target:
        section.paragraphs.append(gettext(P_REACHED).format(share=percent_text(total.share, locale),
                                                            target=percent_text(total.target, locale)))
    else:
        section.paragraphs.append(gettext(P_SHORT).format(share=percent_text(total.share, locale),
                                                          target=percent_text(total.target, locale),
                                                          gap=number_text(total.gap, locale)))
    targets = shares.targets(db=db, province_id=unit.province.id, year_id=period.year.id)
    section.paragraphs.append(gettext(P_TARGETS).format(**{k: percent_text(targets[v], locale) for k, v in (
        ("primary", "primary"), ("lower", "lower_secondary"), ("upper", "upper_secondary"))}))
    last = aggregates.last_refresh(db)
    section.paragraphs.append(gettext(P_FRESH).format(time=_local(last)) if last else gettext(P_NEVER))
    waiting = aggregates.pending(db, list(unit.school_ids))
    if waiting:
        section.paragraphs.append(gettext(P_PENDING).format(n=waiting))
    section.tables.append(Table("headline", gettext(T_HEADLINE), (gettext(C_INDICATOR), gettext(C_VALUE)), [
        (gettext(H_PLANNED), total.planned_total), (gettext(H_PLANNED_ONLINE), total.planned_online),
        (gettext(H_DELIVERED), total.delivered_total), (gettext(H_DELIVERED_ONLINE), total.delivered_online),
        (gettext(H_SHARE), Percent(total.share)), (gettext(H_TARGET), Percent(total.target))]))
    columns = tuple(gettext(c) for c in FIGURE_COLUMNS)
    levels = _sum((shares.grade_level(r.key[key["grade"]]), r.figures) for r in rows)
    section.tables.append(Table("level", gettext(T_LEVEL), (gettext(C_LEVEL), *columns), [
        (gettext(shares.LEVEL_NAMES[lv]), *_cells(levels[lv])) for lv in shares.LEVELS if lv in levels]))
    child_col = "grade" if school else ("district" if unit.kind == "province" else "school")
    children = _sum((r.key[key[child_col]], r.figures) for r in rows)
    if child_col == "grade":
        labels = {g: gettext(GRADE_N).format(n=g) for g in children}
    elif child_col == "district":
        labels = _names(db, District, set(children), District.name)
    else:
        labels = _names(db, School, set(children), School.name)
    ordered = sorted(children, key=lambda k: (k is None, labels.get(k, NONE) if child_col != "grade" else k))
    section.tables.append(Table("children", gettext(T_CHILD[unit.kind]), (gettext(C_UNIT[unit.kind]), *columns), [
        (labels.get(k, NONE), *_cells(children[k])) for k in ordered]))
    bars = [Bar(labels.get(k, NONE), children[k].share, children[k].target, not children[k].planned_total)
            for k in ordered]
    if school:
        classes = _sum(((r.key[key["grade"]], r.key[key["class"]]), r.figures) for r in rows)
        section.tables.append(Table("classes", gettext(T_CLASS), (gettext(C_CLASS), *columns), [
            (name, *_cells(classes[(g, name)])) for g, name in sorted(classes)]))
    by_subject = _sum((r.key[key["subject"]], r.figures) for r in rows)
    section.tables.append(Table("subjects", gettext(T_SUBJECT), (gettext(C_SUBJECT), *columns), [
        (subjects.get(s, NONE), *_cells(by_subject[s])) for s in sorted(by_subject, key=lambda s: subjects.get(s, ""))]))
    details, below = _details(db, unit, rows, key, subjects, labels if child_col == "district" else {})
    shown = below[:BELOW_IN_DOCUMENT]
    note = gettext(P_NONE_BELOW) if not below else (gettext(P_MORE_BELOW) if len(below) > len(shown) else "")
    below_col = gettext(C_CLASS_SUBJECT) if school else gettext(C_SCHOOL)
    section.tables.append(Table("below", gettext(T_BELOW), (below_col, gettext(FIGURE_COLUMNS[5]),
                                                            gettext(FIGURE_COLUMNS[6]), gettext(C_GAP)),
                                [(label, Percent(f.share), Percent(f.target), f.gap) for label, f in shown], note))
    if len(below) > len(shown):
        details.append(Table("below", gettext(T_BELOW), section.tables[-1].columns,
                             [(label, Percent(f.share), Percent(f.target), f.gap) for label, f in below]))
    return section, bars, details


def _details(db: Session, unit: Unit, rows: list[shares.Row], key: dict[str, int], subjects: dict[int, str],
             districts: dict[Any, str]) -> tuple[list[Table], list[tuple[str, Figures]]]:
    """Return the full tables (per class × subject, or per school and per school × subject) and the units below
    target, furthest first."""
    columns = tuple(gettext(c) for c in FIGURE_COLUMNS)
    if unit.kind == "school":
        pairs = _sum(((r.key[key["class"]], r.key[key["grade"]], r.key[key["subject"]]), r.figures) for r in rows)
        ordered = sorted(pairs, key=lambda k: (k[1], k[0], subjects.get(k[2], "")))
        table = Table("class_subject", gettext(D_CLASSES), (gettext(C_CLASS), gettext(C_GRADE), gettext(C_SUBJECT),
                                                            *columns),
                      [(c, g, subjects.get(s, NONE), *_cells(pairs[(c, g, s)])) for c, g, s in ordered])
        below = [(f"{c} · {subjects.get(s, NONE)}", pairs[(c, g, s)]) for c, g, s in ordered]
        return [table], _below(below)
    if not districts:
        districts = _names(db, District, {r.key[key["district"]] for r in rows}, District.name)
    schools = _names(db, School, {r.key[key["school"]] for r in rows}, School.name)
    per_school = _sum(((r.key[key["district"]], r.key[key["school"]]), r.figures) for r in rows)
    ordered = sorted(per_school, key=lambda k: (districts.get(k[0], NONE), schools.get(k[1], NONE), k[1]))
    first = Table("schools", gettext(D_SCHOOLS), (gettext(C_DISTRICT), gettext(C_SCHOOL), *columns),
                  [(districts.get(d, NONE), schools.get(s, NONE), *_cells(per_school[(d, s)])) for d, s in ordered])
    by_pair = _sum(((r.key[key["district"]], r.key[key["school"]], r.key[key["subject"]]), r.figures) for r in rows)
    second = Table("school_subject", gettext(D_SCHOOL_SUBJECTS), (gettext(C_DISTRICT), gettext(C_SCHOOL),
                                                                  gettext(C_SUBJECT), *columns),
                   [(districts.get(d, NONE), schools.get(s, NONE), subjects.get(j, NONE), *_cells(by_pair[(d, s, j)]))
                    for d, s, j in sorted(by_pair, key=lambda k: (districts.get(k[0], NONE), schools.get(k[1], NONE),
                                                                  k[1], subjects.get(k[2], "")))])
    return [first, second], _below([(schools.get(s, NONE), per_school[(d, s)]) for d, s in ordered])


def _below(pairs: list[tuple[str, Figures]]) -> list[tuple[str, Figures]]:
    """Keep the units with planned periods short of their target, furthest first (as shares.below_target does)."""
    return sorted(((label, f) for label, f in pairs if f.planned_total and not f.meets_target),
                  key=lambda p: (-p[1].gap, p[0]))


def _local(moment: datetime) -> str:
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


# --- usage of the platform ---------------------------------------------------------------------------------------

def usage(*, db: Session, school_ids: list[int], start: date, end: date) -> ReportSection:
    """Return the core's usage figures of some schools in a period: active teachers and students (signed in or any
    learning statement), quizzes taken (attempts submitted)."""
    from lms_core.progress.models import StatementRow

    begin, stop = instants(start, end)
    # who used the platform: one pass over the period's statements and sessions joined to the schools' people (a
    # join, not "IN", which SQLite would answer with a probe per person and school)
    active = union(select(StatementRow.user_id).where(StatementRow.timestamp >= begin, StatementRow.timestamp < stop),
                   select(UserSession.user_id).where(UserSession.created_at >= begin,
                                                     UserSession.created_at < stop)).subquery()
    members = (select(RoleAssignment.role, func.count(distinct(RoleAssignment.user_id)))
               .join(User, User.id == RoleAssignment.user_id)
               .where(RoleAssignment.school_id.in_(school_ids), RoleAssignment.role.in_((Role.teacher, Role.student)),
                      User.is_active.is_(True)).group_by(RoleAssignment.role))
    whole = dict(db.execute(members).all())
    used = dict(db.execute(members.join(active, active.c.user_id == RoleAssignment.user_id)).all())
    rows = []
    for label, role in ((U_TEACHERS, Role.teacher), (U_STUDENTS, Role.student)):
        n, total = used.get(role, 0), whole.get(role, 0)
        rows.append((gettext(label), n, total, Percent(round(100 * n / total, 1) if total else 0.0)))
    quizzes = db.scalar(select(func.count(QuizAttempt.id)).join(Activity, Activity.id == QuizAttempt.activity_id)
                        .join(Course, Course.id == Activity.course_id)
                        .where(Course.school_id.in_(school_ids), QuizAttempt.status.in_(("submitted", "graded")),
                               QuizAttempt.submitted_at >= begin, QuizAttempt.submitted_at < stop)) or 0
    rows.append((gettext(U_QUIZZES), quizzes, None, None))
    return ReportSection("usage", S_USAGE, (C_INDICATOR, C_VALUE, C_OUT_OF, C_SHARE), tuple(rows), order=20)


def _bundled_schools(db: Session, school_ids: list[int], year_id: int) -> list[str]:
    """Return the names of the schools whose figures of the year reach this server only by report bundles."""
    from lms_core.reports.bundle_models import BundleImport

    ids = set(db.scalars(select(BundleImport.school_id).where(BundleImport.academic_year_id == year_id,
                                                              BundleImport.school_id.in_(school_ids))))
    return sorted(_names(db, School, ids, School.name).values())


def _plugin_table(s: ReportSection) -> Table:
    return Table(s.key, gettext(s.title), tuple(gettext(c) for c in s.columns), [tuple(r) for r in s.rows])


def _self_assessment(db: Session, actor: User, unit: Unit, period: Period) -> Section | None:
    """Return the school's digital-transformation self-assessment, when that module is installed."""
    try:
        from lms_core.reports.selfassessment import assessment_rows
    except ModuleNotFoundError as missing:
        if missing.name != "lms_core.reports.selfassessment":
            raise
        return None
    section = Section("self_assessment", gettext(S_SELF))
    try:
        rows = assessment_rows(db=db, actor=actor, school_id=unit.id, year_id=period.year.id)
    except DomainError as refused:
        section.paragraphs.append(gettext(P_SELF_MISSING).format(reason=refused.translated()))
        return section
    get = _field
    if rows:
        section.paragraphs.append(gettext(P_SELF_LEVEL).format(level=get(rows[0], "level")))
        groups = dict.fromkeys((get(r, "group"), get(r, "group_points"), get(r, "group_level")) for r in rows)
        for group, points, level in groups:
            section.paragraphs.append(gettext(P_SELF_GROUP).format(group=group, points=_number(points), level=level))
    section.tables.append(Table("self_assessment", gettext(S_SELF), tuple(gettext(c) for c in SELF_COLUMNS), [
        (get(r, "code"), get(r, "indicator"), get(r, "points"), get(r, "max_points"), get(r, "evidence") or "")
        for r in rows]))
    return section


def _field(row: Any, name: str) -> Any:
    """Return a field of a self-assessment row (a dict, or an object with attributes)."""
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def _number(value: Any) -> str:
    if isinstance(value, float):
        return number_text(value, current_locale()).removesuffix(",0").removesuffix(".0")
    return str(value)


# --- the whole report --------------------------------------------------------------------------------------------

def build(*, db: Session, actor: User, host: Any, kind: str, unit_id: int, year_id: int, period: str,
          today: date | None = None) -> Report:
    """Return the report of a unit for a period, if the actor may report on the unit."""
    locale = current_locale()
    unit = unit_of(db=db, actor=actor, kind=kind, unit_id=unit_id)
    when = period_of(db=db, year_id=year_id, key=period)
    online, bars, details = _online(db, actor, unit, when, locale)
    sections = [online]
    school_ids = list(unit.school_ids)
    extra = [usage(db=db, school_ids=school_ids, start=when.start, end=when.end),
             *host.report_sections(db=db, actor=actor, school_id=unit.id if unit.kind == "school" else None,
                                   school_ids=school_ids, start=when.start, end=when.end)]
    bundled = _bundled_schools(db, school_ids, year_id)
    extra.sort(key=lambda s: s.order)
    first = extra[0] if extra else None
    for s in extra:
        table = _plugin_table(s)
        section = Section(s.key, table.title, tables=[table])
        if s.key == "usage":
            section.paragraphs.append(gettext(P_ACTIVE))
        if bundled and s is first:  # their people and materials are on their own server: not counted here
            section.paragraphs.append(gettext(P_BUNDLED).format(schools=", ".join(bundled)))
        sections.append(section)
    if unit.kind == "school":
        assessment = _self_assessment(db, actor, unit, when)
        if assessment is not None:
            sections.append(assessment)
    day = today or datetime.now(LOCAL).date()
    recipients = [gettext(TO_BODY).format(body=unit.governing_body)]
    if unit.kind == "province":
        recipients.insert(0, gettext(TO_MINISTRY))
    recipients.append(gettext(ARCHIVE))
    return Report(
        locale=locale, unit=unit, period=when, nation=gettext(NATION).upper(), motto=gettext(MOTTO),
        number=gettext(NUMBER).format(code=f"BC-{unit.code}"),
        place_date=gettext(PLACE_DATE).format(place=place_of(unit.province), day=f"{day.day:02d}",
                                              month=f"{day.month:02d}", year=day.year,
                                              day_number=f"{day.day:02d}" if locale == "vi" else day.day,
                                              month_name=gettext(MONTHS[day.month - 1])),
        title=gettext(TITLE).upper(), subject=gettext(SUBJECT_LINE).format(period=when.name, year=when.year.name),
        period_line=gettext(PERIOD_LINE).format(unit=unit.name, period=when.name, year=when.year.name,
                                                start=when.start.strftime("%d/%m/%Y"),
                                                end=when.end.strftime("%d/%m/%Y")),
        sections=sections, bars=bars, chart_title=online.tables[2].title, recipients_title=gettext(RECIPIENTS),
        recipients=recipients, signer=unit.signer, sign_note=gettext(SIGN), details=details)


def file_name(report: Report, ext: str) -> str:
    """Return an ASCII file name for a report: report-<unit>-<year>-<period>.<ext>."""
    slug = "-".join(fold(report.unit.name).split())[:60] or report.unit.kind
    return f"{'-'.join(fold(gettext(N_('report'))).split()) or 'report'}-{slug}-{report.period.year.name}-" \
           f"{report.period.key}.{ext}"
