"""ORM classes of people, their roles and their login sessions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow
from lms_core.i18n import N_
from lms_core.text import fold


class Role(StrEnum):
    """Roles a user can hold; a person may hold several (a principal who teaches)."""

    student = "student"
    teacher = "teacher"
    school_admin = "school_admin"
    department_staff = "department_staff"
    system_admin = "system_admin"


ROLE_LABELS: dict[str, str] = {
    Role.student: N_("Student"),
    Role.teacher: N_("Teacher"),
    Role.school_admin: N_("School administrator"),
    Role.department_staff: N_("Department staff"),
    Role.system_admin: N_("System administrator"),
}


class User(Base):
    """A person who logs in."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))
    external_code: Mapped[str | None] = mapped_column(String(40))
    # Name and username without accents, kept by the ORM, so a search typed without accents
    # (common on phones) still finds "Nguyễn Văn An".
    search_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    def has_role(self, role: str) -> bool:
        """Return whether the user holds a role anywhere."""
        return any(r.role == role for r in self.roles)

    def role_names(self) -> list[str]:
        """Return the user's roles, most powerful first, without repeats."""
        order = list(Role)
        return sorted({r.role for r in self.roles}, key=lambda r: -order.index(Role(r)))

    def school_ids(self, *roles: str) -> set[int]:
        """Return the schools where the user holds one of the roles."""
        return {r.school_id for r in self.roles if r.role in roles and r.school_id is not None}


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_search_key(_mapper: object, _connection: object, user: User) -> None:
    user.search_key = search_key(user.full_name, user.username)


def search_key(full_name: str, username: str) -> str:
    """Return the accent-free text a user is found by."""
    return f"{fold(full_name)} {username} {fold(username)}"[:200]


class RoleAssignment(Base):
    """One role of a user, scoped to a school, a district or a province (or nothing, for a system admin)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "school_id", "district_id", "province_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(back_populates="roles")


class TeacherSubject(Base):
    """A subject a teacher teaches."""

    __tablename__ = "teacher_subjects"
    __table_args__ = (UniqueConstraint("user_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))


class TeachingAssignment(Base):
    """A teacher teaching a subject to a class, or being its homeroom teacher (subject empty)."""

    __tablename__ = "teaching_assignments"
    __table_args__ = (UniqueConstraint("class_id", "teacher_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    is_homeroom: Mapped[bool] = mapped_column(Boolean, default=False)


class ClassEnrolment(Base):
    """A student belonging to a class."""

    __tablename__ = "class_enrolments"
    __table_args__ = (UniqueConstraint("class_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class LoginThrottle(Base):
    """Failed-login counter per username, known or not, so a lock-out reveals nothing."""

    __tablename__ = "login_throttle"
    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A login session; the cookie holds a random token and only its hash is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))
    user: Mapped[User] = relationship(lazy="joined")
