"""Which indicator set applies to a province, and the department's corrected file for it.

Department staff of a province (at province level) and system admins may upload a corrected TOML file for the
province: it is checked whole (lms_core.reports.dt_indicators.parse) and stored only if every check passes, so a
refused upload leaves the previous file, or the shipped one, in force. Removing it brings the shipped file back.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.db import utcnow
from lms_core.errors import Forbidden, NotFound
from lms_core.i18n import N_
from lms_core.org.models import Province
from lms_core.reports.dt_indicators import Framework, load, parse, shipped_bytes
from lms_core.reports.selfassessment_models import IndicatorFile
from lms_core.text import nfc

PROVINCE_NOT_FOUND = N_("This province does not exist.")
CANNOT_MANAGE = N_("Only department staff of this province and system administrators can change its indicator file.")
MAX_NAME = 255


@permissions.rule("dt_indicators.manage", Province)
def indicators_manage(actor: User, province: Province) -> bool:
    return actor.has_role(Role.system_admin) or province.id in permissions.area_of(actor)[0]


@indicators_manage.scope
def indicators_manage_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    return Province.id.in_(permissions.area_of(actor)[0])


def province_file(db: Session, province_id: int) -> IndicatorFile | None:
    """Return a province's corrected indicator file, if it has one."""
    return db.scalar(select(IndicatorFile).where(IndicatorFile.province_id == province_id))


def framework_for(db: Session, province_id: int) -> tuple[Framework, IndicatorFile | None]:
    """Return the indicator set that applies in a province (its corrected file, else the shipped one)."""
    row = province_file(db, province_id)
    if row is None:
        return load(), None
    return load(row.text.encode("utf-8")), row


def manageable_provinces(*, db: Session, actor: User) -> list[Province]:
    """Return the provinces whose indicator file the actor may change."""
    return list(db.scalars(select(Province).where(permissions.visible(actor, "dt_indicators.manage"))
                           .order_by(Province.name)))


def _province(db: Session, actor: User, province_id: int) -> Province:
    province = db.get(Province, province_id)
    if province is None:
        raise NotFound(PROVINCE_NOT_FOUND)
    if not permissions.can(actor, "dt_indicators.manage", province):
        raise Forbidden(CANNOT_MANAGE)
    return province


def upload(*, db: Session, actor: User, province_id: int, data: bytes, file_name: str = "") -> IndicatorFile:
    """Check a corrected indicator file whole and make it the province's; a refused file changes nothing."""
    province = _province(db, actor, province_id)
    fw = parse(data)
    row = province_file(db, province.id)
    if row is None:
        row = IndicatorFile(province_id=province.id)
        db.add(row)
    row.text, row.sha256 = nfc(data.decode("utf-8")), fw.sha256
    row.file_name = nfc(file_name or "").strip()[:MAX_NAME]
    row.uploaded_by_id, row.uploaded_at = actor.id, utcnow()
    db.commit()
    return row


def remove(*, db: Session, actor: User, province_id: int) -> None:
    """Drop a province's corrected file, so the shipped indicator set applies again."""
    province = _province(db, actor, province_id)
    row = province_file(db, province.id)
    if row is not None:
        db.delete(row)
        db.commit()


def current_text(*, db: Session, actor: User, province_id: int) -> str:
    """Return the text of the indicator file that applies in a province (to download and correct)."""
    province = _province(db, actor, province_id)
    row = province_file(db, province.id)
    return row.text if row is not None else shipped_bytes().decode("utf-8")
