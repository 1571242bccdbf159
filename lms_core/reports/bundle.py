"""Signed report bundles: how a school server with poor connectivity sends its blended-learning figures to the
department's server.

The school server exports a .zip holding `bundle.json` (the school's class weeks of a year, keyed by class name,
grade, subject code and week: aggregates only, no ids that differ between servers, no person's name or username),
`bundle.sig` (an Ed25519 signature over the exact bytes of bundle.json, base64) and `public_key.pem` (for
information only: the importer never trusts it). The department registers each school's public key once, after
comparing its fingerprint with the school by phone; an import is accepted only when the signature verifies with the
key registered for the school the bundle names, and the school is in the importer's area. An import replaces the
school's imported class weeks of that year and recomputes its school weeks in one transaction; the same bundle again
changes nothing, an older one is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import ColumnElement, delete, exists, func, insert, select, text, true
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.blended import aggregates
from lms_core.blended.models import ClassWeek, Source, TeachingPlan
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.reports.bundle_models import BundleImport, SchoolKey
from lms_core.settings import get_settings

FORMAT = "truongso-report-bundle"
VERSION = 1
JSON_NAME, SIG_NAME, KEY_NAME = "bundle.json", "bundle.sig", "public_key.pem"
# The request body limit of page routes is 6 MB; a year of a large school (60 classes × 15 subjects × 35 weeks)
# is about 4 MB of JSON and a few hundred KB zipped, so 5 MB leaves room without raising the server-wide limit.
MAX_BUNDLE_BYTES = 5_000_000
MAX_JSON_BYTES = 20_000_000  # uncompressed: a zip bomb is cut off here, whatever its headers claim
MAX_SMALL_BYTES = 4096  # the signature and the public key
MAX_ENTRIES = 16
MAX_ROWS = 100_000
MAX_COUNT = 10_000  # periods of one class, subject and week: far above any real timetable
MAX_PEM_CHARS = 4096
CLOCK_SKEW = timedelta(hours=12)  # a bundle dated later than this ahead of our clock is refused
KEY_FILE = "report_bundle_ed25519.pem"
VIETNAM = timezone(timedelta(hours=7))
PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]{1,1000}-----END PUBLIC KEY-----")

NOT_A_BUNDLE = N_("This file is not a report bundle: choose the .zip file the school's server exported.")
BUNDLE_TOO_LARGE = N_("A report bundle can be at most {mb} MB.")
ENTRY_TOO_LARGE = N_("The file {name} in the bundle is larger than allowed: the bundle is damaged or not from Trường Số.")
MISSING_ENTRY = N_("The bundle has no {name}: export it again on the school's server.")
BAD_ENTRIES = N_("The bundle holds unexpected or repeated files: export it again on the school's server.")
BAD_SIGNATURE_FILE = N_("The bundle's signature file is damaged: export it again on the school's server.")
BAD_FORMAT = N_("The bundle was made by another version of Trường Số ({version}): update the department's server.")
BAD_DATA = N_("The bundle's data is not valid ({where}): it is damaged or was not made by Trường Số.")
DUPLICATE_ROW = N_("The bundle lists class {cls}, subject {subject}, week {week} twice.")
GRADE_CHANGES = N_("The bundle gives class {cls} two different grades.")
NO_SCHOOL = N_("No school with the code {code} exists on this server.")
NOT_RECEIVER = N_("Only department staff of the school's area can register its key or import its bundles.")
NO_KEY = N_("No key is registered for {school} yet. The bundle was signed with the key whose fingerprint is "
            "{fingerprint}: compare it with the school by phone, then register the school's public key.")
BAD_SIGNATURE = N_("The signature does not match the key registered for {school} (fingerprint {fingerprint}): the "
                   "bundle was changed after it was made, or signed by another server. Nothing was imported.")
NO_YEAR = N_("The school year {year} does not exist on this server.")
UNKNOWN_SUBJECTS = N_("The bundle names subjects this server does not have: {codes}.")
HOSTED_HERE = N_("{school} keeps its teaching plans on this server for {year}: importing a bundle would count its "
                 "periods twice.")
OLDER = N_("This bundle was made on {made}, not after the last bundle imported for this school and year (made on "
           "{last}): import the newest bundle instead.")
FUTURE = N_("This bundle is dated {made}, later than now: check the clock of the school's server and export again.")
BAD_KEY = N_("Paste the school's public key as the school's server shows it (a block that starts with "
             "-----BEGIN PUBLIC KEY-----).")
NOTHING_TO_EXPORT = N_("There are no blended-learning figures of this school for {year} yet: teaching plans must be "
                       "made first.")
SCHOOL_NOT_FOUND = N_("This school does not exist.")
YEAR_NOT_FOUND = N_("This school year does not exist.")
UNKNOWN_KEY = N_("unknown")
RECEIVE = "school.report_bundle.receive"
CLASS_NAME_MAX = 20  # the length of blended_class_weeks.class_name


# --- who may receive a school's bundles ------------------------------------------------------------------------

@permissions.rule(RECEIVE, School)
def receive_check(actor: User, school: School) -> bool:
    """Department staff of the school's area, or a system admin."""
    if actor.has_role(Role.system_admin):
        return True
    provinces, districts = permissions.area_of(actor)
    return school.province_id in provinces or (school.district_id is not None and school.district_id in districts)


@receive_check.scope
def receive_scope(actor: User) -> ColumnElement[bool]:
    """The schools whose keys and bundles the actor handles."""
    if actor.has_role(Role.system_admin):
        return true()
    return permissions.school_area_clause(actor, School.province_id, School.district_id)


# --- keys -------------------------------------------------------------------------------------------------------

def fingerprint(key: Ed25519PublicKey) -> str:
    """Return a key's fingerprint as people compare it by phone: 32 hex digits of its SHA-256, in groups of 4."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def public_pem(key: Ed25519PublicKey) -> str:
    """Return a public key as PEM text."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _key_path() -> Path:
    return get_settings().resolved_var_dir / KEY_FILE


def server_key() -> Ed25519PrivateKey:
    """Return this server's signing key, making it on first use (a file readable by the server's user only)."""
    path = _key_path()
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        try:
            os.link(tmp, path)  # atomic and never replaces: two processes racing keep the first key
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} does not hold an Ed25519 private key")
    return key


def school_key_fingerprint() -> str:
    """Return the fingerprint of this server's signing key (what a school reads out to the department)."""
    return fingerprint(server_key().public_key())


def server_public_pem() -> str:
    """Return this server's public key as PEM text (what the department registers)."""
    return public_pem(server_key().public_key())


def parse_public_key(text_in: str) -> Ed25519PublicKey:
    """Return the Ed25519 public key of a pasted or uploaded PEM text (surrounding text is ignored)."""
    found = PEM_BLOCK.search(text_in[:MAX_PEM_CHARS * 2]) if isinstance(text_in, str) else None
    if found is None:
        raise Invalid(BAD_KEY)
    try:
        key = serialization.load_pem_public_key(found.group(0).encode())
    except (ValueError, UnsupportedAlgorithm):
        raise Invalid(BAD_KEY) from None
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid(BAD_KEY)
    return key


def register_key(*, db: Session, actor: User, school_id: int, public_key_pem: str) -> SchoolKey:
    """Register (or replace) the public key a school's server signs its bundles with."""
    school = db.get(School, school_id)
    if school is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    if not permissions.can(actor, RECEIVE, school):
        raise Forbidden(NOT_RECEIVER)
    key = parse_public_key(public_key_pem)
    row = db.scalar(select(SchoolKey).where(SchoolKey.school_id == school.id))
    if row is None:
        row = SchoolKey(school_id=school.id)
        db.add(row)
    row.public_key_pem, row.fingerprint = public_pem(key), fingerprint(key)
    row.registered_by_id, row.registered_at = actor.id, utcnow()
    db.commit()
    return row


# --- export -----------------------------------------------------------------------------------------------------

def pack(document: bytes, key: Ed25519PrivateKey) -> bytes:
    """Return the .zip of a bundle document, its signature and the signer's public key."""
    signature = base64.b64encode(key.sign(document)) + b"\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(JSON_NAME, document)
        zf.writestr(SIG_NAME, signature)
        zf.writestr(KEY_NAME, public_pem(key.public_key()))
    return out.getvalue()


def build_bundle(*, db: Session, school: School, year: AcademicYear, now: datetime | None = None) -> bytes:
    """Return the signed bundle of a school's own figures for a year (no permission check: the CLI's way)."""
    rows = db.execute(
        select(ClassWeek.class_name, ClassWeek.grade, Subject.code, ClassWeek.week, ClassWeek.planned_total,
               ClassWeek.planned_online, ClassWeek.delivered_total, ClassWeek.delivered_online)
        .join(Subject, Subject.id == ClassWeek.subject_id)
        .where(ClassWeek.school_id == school.id, ClassWeek.academic_year_id == year.id,
               ClassWeek.source == Source.local)
        .order_by(ClassWeek.grade, ClassWeek.class_name, Subject.code, ClassWeek.week)).all()
    if not rows:
        raise Invalid(NOTHING_TO_EXPORT, year=year.name)
    names = ("class_name", "grade", "subject", "week", "planned_total", "planned_online", "delivered_total",
             "delivered_online")
    document = {"format": FORMAT, "version": VERSION,
                "school": {"code": school.code, "name": school.name}, "year": year.name,
                "generated_at": (now or utcnow()).astimezone(UTC).isoformat(),
                "class_weeks": [dict(zip(names, r, strict=True)) for r in rows]}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return pack(data, server_key())


def export_bundle(*, db: Session, actor: User, school_id: int, year_id: int) -> bytes:
    """Return the signed report bundle of a school's figures for a year (an admin of the school)."""
    school = db.get(School, school_id)
    if school is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    permissions.require(actor, "school.manage", school)
    year = db.get(AcademicYear, year_id)
    if year is None:
        raise NotFound(YEAR_NOT_FOUND)
    return build_bundle(db=db, school=school, year=year)


# --- reading a bundle -------------------------------------------------------------------------------------------

class BundleSchool(BaseModel):
    """The school a bundle is of."""

    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)


class BundleRow(BaseModel):
    """One class's periods of one subject in one week."""

    model_config = ConfigDict(extra="forbid", strict=True)
    class_name: str = Field(min_length=1, max_length=CLASS_NAME_MAX)
    grade: int = Field(ge=1, le=12)
    subject: str = Field(min_length=1, max_length=16)
    week: int = Field(ge=1, le=aggregates.MAX_WEEK)
    planned_total: int = Field(ge=0, le=MAX_COUNT)
    planned_online: int = Field(ge=0, le=MAX_COUNT)
    delivered_total: int = Field(ge=0, le=MAX_COUNT)
    delivered_online: int = Field(ge=0, le=MAX_COUNT)

    @model_validator(mode="after")
    def _online_within_total(self) -> BundleRow:
        if self.planned_online > self.planned_total or self.delivered_online > self.delivered_total:
            raise ValueError("online periods exceed all periods")
        return self


class BundleDoc(BaseModel):
    """The content of bundle.json."""

    model_config = ConfigDict(extra="forbid", strict=True)
    format: Literal["truongso-report-bundle"]
    version: Literal[1]
    school: BundleSchool
    year: str = Field(min_length=1, max_length=20)
    generated_at: AwareDatetime
    class_weeks: list[BundleRow] = Field(max_length=MAX_ROWS)


def _read_entry(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """Read one entry, stopping past `limit` bytes whatever the zip's headers claim."""
    try:
        with zf.open(name) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError):
        raise Invalid(NOT_A_BUNDLE) from None
    if len(data) > limit:
        raise Invalid(ENTRY_TOO_LARGE, name=name)
    return data


def _unpack(data: bytes) -> tuple[bytes, bytes, bytes | None]:
    """Return bundle.json, the raw signature and public_key.pem (if any) of a bundle's bytes."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise TooLarge(BUNDLE_TOO_LARGE, mb=MAX_BUNDLE_BYTES // 1_000_000)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = [i.filename for i in zf.infolist()]
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        raise Invalid(NOT_A_BUNDLE) from None
    if len(names) > MAX_ENTRIES or len(set(names)) != len(names) or not set(names) <= {JSON_NAME, SIG_NAME, KEY_NAME}:
        raise Invalid(BAD_ENTRIES)
    for name in (JSON_NAME, SIG_NAME):
        if name not in names:
            raise Invalid(MISSING_ENTRY, name=name)
    document = _read_entry(zf, JSON_NAME, MAX_JSON_BYTES)
    try:
        signature = base64.b64decode(_read_entry(zf, SIG_NAME, MAX_SMALL_BYTES).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(BAD_SIGNATURE_FILE) from None
    if len(signature) != 64:
        raise Invalid(BAD_SIGNATURE_FILE)
    key = _read_entry(zf, KEY_NAME, MAX_SMALL_BYTES) if KEY_NAME in names else None
    return document, signature, key


def _parse(document: bytes) -> BundleDoc:
    """Return a bundle document checked against the format (every field bounded), or say what is wrong."""
    try:
        return BundleDoc.model_validate_json(document, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or first["type"]
        try:
            head = json.loads(document)
        except (ValueError, RecursionError):
            head = None
        if isinstance(head, dict) and (head.get("format"), head.get("version")) != (FORMAT, VERSION):
            raise Invalid(BAD_FORMAT, version=f"{head.get('format')!s:.40} {head.get('version')!s:.10}") from None
        raise Invalid(BAD_DATA, where=where[:80]) from None


def _fingerprint_of(pem: bytes | None) -> str:
    try:
        return fingerprint(parse_public_key(pem.decode("ascii"))) if pem else UNKNOWN_KEY
    except (Invalid, UnicodeDecodeError):
        return UNKNOWN_KEY


def _when(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


# --- import -----------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import did: the bundle's school and year, its rows, and whether it had been imported already."""

    school: School
    year: AcademicYear
    rows: int
    already_imported: bool
    record: BundleImport


def _class_weeks(bundle: BundleDoc, subject_ids: dict[str, int], school_id: int,
                 year_id: int) -> list[dict[str, Any]]:
    """Return the bundle's rows as class weeks of this server, refusing repeated keys and classes in two grades."""
    seen: set[tuple[str, str, int]] = set()
    grades: dict[str, int] = {}
    rows = []
    for i, r in enumerate(bundle.class_weeks):
        name = unicodedata.normalize("NFC", r.class_name).strip()
        if not name or len(name) > CLASS_NAME_MAX:  # NFC may lengthen a name the schema checked
            raise Invalid(BAD_DATA, where=f"class_weeks.{i}.class_name")
        if (name, r.subject, r.week) in seen:
            raise Invalid(DUPLICATE_ROW, cls=name, subject=r.subject, week=r.week)
        if grades.setdefault(name, r.grade) != r.grade:
            raise Invalid(GRADE_CHANGES, cls=name)
        seen.add((name, r.subject, r.week))
        rows.append({"school_id": school_id, "academic_year_id": year_id, "class_name": name, "grade": r.grade,
                     "subject_id": subject_ids[r.subject], "week": r.week,
                     "planned_total": r.planned_total, "planned_online": r.planned_online,
                     "delivered_total": r.delivered_total, "delivered_online": r.delivered_online,
                     "class_id": None, "source": Source.bundle})
    return rows


def _hosted_here(db: Session, school_id: int, year_id: int) -> bool:
    """Return whether this server holds the school's own plans or figures for the year."""
    local = exists().where(ClassWeek.school_id == school_id, ClassWeek.academic_year_id == year_id,
                           ClassWeek.source == Source.local)
    plans = exists().where(TeachingPlan.class_id == SchoolClass.id, SchoolClass.school_id == school_id,
                           TeachingPlan.academic_year_id == year_id)
    return bool(db.scalar(select(local | plans)))


def import_bundle(*, db: Session, actor: User, data: bytes) -> ImportResult:
    """Check a school's signed bundle and put its figures in place of the ones it sent before, in one transaction."""
    document, signature, bundle_key = _unpack(data)
    bundle = _parse(document)
    school = db.scalar(select(School).where(School.code == bundle.school.code))
    if school is None:
        raise NotFound(NO_SCHOOL, code=bundle.school.code)
    if not permissions.can(actor, RECEIVE, school):
        raise Forbidden(NOT_RECEIVER)
    registered = db.scalar(select(SchoolKey).where(SchoolKey.school_id == school.id))
    if registered is None:
        raise Invalid(NO_KEY, school=school.name, fingerprint=_fingerprint_of(bundle_key))
    try:
        parse_public_key(registered.public_key_pem).verify(signature, document)
    except InvalidSignature:
        raise Invalid(BAD_SIGNATURE, school=school.name, fingerprint=registered.fingerprint) from None
    year = db.scalar(select(AcademicYear).where(AcademicYear.name == bundle.year))
    if year is None:
        raise Invalid(NO_YEAR, year=bundle.year)
    codes = {r.subject for r in bundle.class_weeks}
    subject_ids = dict(db.execute(select(Subject.code, Subject.id).where(Subject.code.in_(codes))).all()) \
        if codes else {}
    unknown = sorted(codes - set(subject_ids))
    if unknown:
        raise Invalid(UNKNOWN_SUBJECTS, codes=", ".join(unknown[:10]))
    rows = _class_weeks(bundle, subject_ids, school.id, year.id)
    if bundle.generated_at > utcnow() + CLOCK_SKEW:
        raise Invalid(FUTURE, made=_when(bundle.generated_at))
    try:
        return _apply(db, actor=actor, school=school, year=year, bundle=bundle, rows=rows,
                      digest=hashlib.sha256(document).hexdigest(), key=registered)
    except BaseException:
        db.rollback()
        raise


def _apply(db: Session, *, actor: User, school: School, year: AcademicYear, bundle: BundleDoc,
           rows: list[dict[str, Any]], digest: str, key: SchoolKey) -> ImportResult:
    """Replace the school's imported class weeks of the year and its school weeks; log the import; commit."""
    if db.get_bind().dialect.name == "postgresql":  # the worker's lock: no refresh or other import meanwhile
        db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": aggregates.LOCK_KEY})
    of_school = (BundleImport.school_id == school.id, BundleImport.academic_year_id == year.id)
    done = db.scalar(select(BundleImport).where(*of_school, BundleImport.digest == digest))
    if done is not None:
        result = ImportResult(school, year, done.rows, True, done)
        db.rollback()  # ends the transaction and its lock: nothing was written
        return result
    last = db.scalar(select(func.max(BundleImport.generated_at)).where(*of_school))
    if last is not None and bundle.generated_at <= last:
        raise Invalid(OLDER, made=_when(bundle.generated_at), last=_when(last))
    if _hosted_here(db, school.id, year.id):
        raise Conflict(HOSTED_HERE, school=school.name, year=year.name)
    imported = (ClassWeek.school_id == school.id, ClassWeek.academic_year_id == year.id,
                ClassWeek.source == Source.bundle)
    groups = {tuple(g) for g in db.execute(select(ClassWeek.school_id, ClassWeek.academic_year_id, ClassWeek.grade,
                                                  ClassWeek.subject_id).where(*imported).distinct())}
    db.execute(delete(ClassWeek).where(*imported))
    if rows:
        db.execute(insert(ClassWeek), rows)
    groups |= {(school.id, year.id, r["grade"], r["subject_id"]) for r in rows}
    aggregates.refresh_school_weeks(db, groups)
    record = BundleImport(school_id=school.id, academic_year_id=year.id, digest=digest,
                          generated_at=bundle.generated_at, fingerprint=key.fingerprint, rows=len(rows),
                          planned_total=sum(r["planned_total"] for r in rows),
                          delivered_online=sum(r["delivered_online"] for r in rows),
                          imported_by_id=actor.id, imported_at=utcnow())
    db.add(record)
    db.commit()
    return ImportResult(school, year, len(rows), False, record)
