"""Reading a content pack (a directory of data: pack.toml, materials/, questions/*.toml) and checking it whole.

A pack is read without a database: its schema, its files (type decided by the bytes, text extracted as an upload's
would be), its questions (the bank's own checks), its curriculum references (against the shipped trees) and, when
given, the tutor evaluation questions written with it. Problems are for the pack's authors, so they are plain
English sentences naming the file and the entry; `content.packs.check` prints them.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from content.curriculum.seed import PERIODS_CSV, TREES_DIR, read_csv
from content.ingest import FileType, Section, can_extract, detect, extract
from content.materials.models import Licence, MaterialKind
from content.materials.service import ACCEPTED, LANGUAGES
from lms_core.assessment.data import from_data
from lms_core.assessment.items import Item, Level, check
from lms_core.errors import DomainError

# Materials and questions of packs get stable uids derived from the pack and the slug, so that installing a pack
# again, or a newer version of it, finds what the previous install made.
UID_NAMESPACE = uuid.UUID("6b1f3c1e-2a55-4d0e-9c1d-7a3e5b9f0c42")
MAX_FILE_BYTES = 20 * 1024 * 1024

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
CurriculumRef = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,16}/\d{1,2}/\d{1,3}(\.\d{1,3})?$")]
LevelName = Literal["nhan_biet", "thong_hieu", "van_dung", "van_dung_cao"]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]

_KIND_OF = {FileType.markdown: MaterialKind.page, FileType.pptx: MaterialKind.slides,
            FileType.pdf: MaterialKind.document, FileType.docx: MaterialKind.document,
            FileType.mp3: MaterialKind.audio, FileType.m4a: MaterialKind.audio, FileType.ogg: MaterialKind.audio,
            FileType.wav: MaterialKind.audio, FileType.mp4: MaterialKind.video, FileType.webm: MaterialKind.video}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PackInfo(_Strict):
    """The [pack] table: what the pack is and which version of it this is."""

    id: Slug
    version: Annotated[int, Field(ge=1, le=1_000_000)]
    title: Text200
    title_en: Text200
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    licence: Licence = Licence.cc_by_sa


class MaterialEntry(_Strict):
    """One [[material]] of pack.toml."""

    slug: Slug
    file: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    transcript: Annotated[str, StringConstraints(max_length=200)] | None = None
    title: Text200
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    subject: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,16}$")]
    grades: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=1, max_length=12)]
    language: str = "vi"
    tags: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=60)]], Field(max_length=10)] = []
    levels: Annotated[list[LevelName], Field(min_length=1, max_length=4)]
    curriculum: Annotated[list[CurriculumRef], Field(min_length=1, max_length=20)]


class PackFile(_Strict):
    """The whole of pack.toml."""

    pack: PackInfo
    material: Annotated[list[MaterialEntry], Field(min_length=1, max_length=2000)]


class QuestionMeta(BaseModel):
    """The pack's own keys of a [[question]]; the rest is the question itself (the bank's data format)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    id: Slug
    material: Slug
    subject: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,16}$")]
    grade: Annotated[int, Field(ge=1, le=12)]
    level: LevelName
    difficulty: Annotated[int, Field(ge=1, le=5)]
    curriculum: Annotated[list[CurriculumRef], Field(min_length=1, max_length=20)]


@dataclass
class PackMaterial:
    """A material of a pack, read: its entry, kind, bytes (or page text) and extracted sections."""

    entry: MaterialEntry
    kind: str
    file_type: FileType
    data: bytes
    transcript: bytes | None = None
    sections: list[Section] = field(default_factory=list)

    @property
    def body_markdown(self) -> str | None:
        """Return the page's Markdown text when the material is a written page."""
        return self.data.decode("utf-8") if self.kind == MaterialKind.page else None

    def uid(self, pack_id: str) -> str:
        """Return the material's stable uid on every server."""
        return str(uuid.uuid5(UID_NAMESPACE, f"{pack_id}/material/{self.entry.slug}"))


@dataclass
class PackQuestion:
    """A question of a pack, read: its pack keys and the question as the bank holds it."""

    meta: QuestionMeta
    item: Item
    source: str

    def uid(self, pack_id: str) -> str:
        """Return the question's stable uid on every server."""
        return str(uuid.uuid5(UID_NAMESPACE, f"{pack_id}/question/{self.meta.id}"))


@dataclass
class Pack:
    """A pack read from its directory, and what is wrong with it (empty when it can be installed)."""

    path: Path
    info: PackInfo | None = None
    materials: list[PackMaterial] = field(default_factory=list)
    questions: list[PackQuestion] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Return the pack's id (its directory's name when pack.toml could not be read)."""
        return self.info.id if self.info else self.path.name


@cache
def curriculum_keys() -> frozenset[str]:
    """Return every SUBJECT/GRADE/KEY of the shipped curriculum trees (topics and lessons)."""
    keys: set[str] = set()
    for path in sorted(TREES_DIR.glob("*.csv")):
        for r in read_csv(path):
            keys.add(f"{r['subject_code']}/{int(r['grade'])}/{r['topic_no']}")
            keys.add(f"{r['subject_code']}/{int(r['grade'])}/{r['topic_no']}.{r['lesson_no']}")
    return frozenset(keys)


@cache
def subject_grades() -> frozenset[tuple[str, int]]:
    """Return the (subject code, grade) pairs of the shipped programme."""
    return frozenset((r["subject_code"], int(r["grade"])) for r in read_csv(PERIODS_CSV))


def _where(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])


def _inside(root: Path, name: str) -> Path | None:
    path = (root / name).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None


def _check_refs(problems: list[str], where: str, subject: str, grades: list[int], refs: list[str]) -> None:
    for g in grades:
        if (subject, g) not in subject_grades():
            problems.append(f"{where}: subject {subject} is not taught in grade {g}")
    for ref in refs:
        if ref not in curriculum_keys():
            problems.append(f"{where}: curriculum item {ref} is not in any shipped tree")


def _read_material(root: Path, entry: MaterialEntry, problems: list[str]) -> PackMaterial | None:
    where = f"material {entry.slug}"
    path = _inside(root, entry.file)
    if path is None:
        problems.append(f"{where}: file {entry.file} is missing or outside the pack")
        return None
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{where}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return None
    file_type = detect(data, path.name)
    kind = _KIND_OF.get(file_type)
    if kind is None:
        problems.append(f"{where}: {entry.file} is {file_type.value}, which a pack cannot ship")
        return None
    if entry.language not in LANGUAGES:
        problems.append(f"{where}: language {entry.language} is not offered")
    material = PackMaterial(entry=entry, kind=kind, file_type=file_type, data=data)
    try:
        if kind == MaterialKind.page:
            material.sections = extract(data, FileType.markdown)
        elif can_extract(file_type):
            if file_type not in ACCEPTED.get(kind, ()):
                raise ValueError(f"a {kind} cannot hold {file_type.value}")
            material.sections = extract(data, file_type)
    except (DomainError, ValueError) as exc:
        problems.append(f"{where}: the text cannot be extracted ({getattr(exc, 'message', exc)})")
        return None
    if entry.transcript:
        tpath = _inside(root, entry.transcript)
        if kind not in (MaterialKind.audio, MaterialKind.video):
            problems.append(f"{where}: only audio and video have a transcript")
        elif tpath is None or detect(tpath.read_bytes()) != FileType.vtt:
            problems.append(f"{where}: transcript {entry.transcript} is missing or not WebVTT")
        else:
            material.transcript = tpath.read_bytes()
            material.sections = extract(material.transcript, FileType.vtt)
    elif kind in (MaterialKind.audio, MaterialKind.video):
        problems.append(f"{where}: audio and video need a WebVTT transcript")
    if not any(s.text.strip() for s in material.sections):
        problems.append(f"{where}: no text could be extracted")
    _check_refs(problems, where, entry.subject, entry.grades, entry.curriculum)
    return material


def _read_questions(root: Path, slugs: set[str], problems: list[str]) -> list[PackQuestion]:
    out: list[PackQuestion] = []
    seen: set[str] = set()
    for path in sorted((root / "questions").glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
            problems.append(f"{path.name}: not valid TOML ({exc})")
            continue
        if set(raw) - {"question"} or not isinstance(raw.get("question"), list):
            problems.append(f"{path.name}: a question file holds only [[question]] tables")
            continue
        for n, entry in enumerate(raw["question"], start=1):
            where = f"{path.name} question {entry.get('id', n) if isinstance(entry, dict) else n}"
            try:
                meta = QuestionMeta.model_validate(entry)
                item = from_data({**(meta.model_extra or {}), "level": meta.level, "difficulty": meta.difficulty,
                                  "tags": entry.get("tags", [])})
            except ValidationError as exc:
                problems.append(f"{where}: {_where(exc)}")
                continue
            except DomainError:
                problems.append(f"{where}: the question's fields do not form a question of its type")
                continue
            unknown = set(meta.model_extra or {}) - set(item.__dataclass_fields__) - {"tags"}
            if unknown:
                problems.append(f"{where}: unknown keys {sorted(unknown)}")
            if meta.id in seen:
                problems.append(f"{where}: the id {meta.id} is used twice")
            seen.add(meta.id)
            if meta.material not in slugs:
                problems.append(f"{where}: material {meta.material} is not in pack.toml")
            problems.extend(f"{where}: {p}" for p in check(item))
            if item.level not in {lv.value for lv in Level}:
                problems.append(f"{where}: unknown level")
            _check_refs(problems, where, meta.subject, [meta.grade], meta.curriculum)
            out.append(PackQuestion(meta=meta, item=item, source=path.name))
    return out


def read_pack(path: Path) -> Pack:
    """Read and check a pack directory; the returned pack lists every problem found."""
    pack = Pack(path=path)
    try:
        raw = tomllib.loads((path / "pack.toml").read_text(encoding="utf-8"))
        parsed = PackFile.model_validate(raw)
    except FileNotFoundError:
        pack.problems.append("pack.toml is missing")
        return pack
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        pack.problems.append(f"pack.toml is not valid TOML ({exc})")
        return pack
    except ValidationError as exc:
        pack.problems.append(f"pack.toml: {_where(exc)}")
        return pack
    pack.info = parsed.pack
    if parsed.pack.id != path.name:
        pack.problems.append(f"pack id {parsed.pack.id} differs from its directory {path.name}")
    slugs: set[str] = set()
    for entry in parsed.material:
        if entry.slug in slugs:
            pack.problems.append(f"material {entry.slug}: the slug is used twice")
        slugs.add(entry.slug)
        material = _read_material(path, entry, pack.problems)
        if material is not None:
            pack.materials.append(material)
    pack.questions = _read_questions(path, slugs, pack.problems)
    return pack


def heading_texts(material: PackMaterial) -> set[str]:
    """Return every heading a section of the material sits under (what a citation names)."""
    return {h for s in material.sections for h in s.address.heading_path} | {
        s.text for s in material.sections if s.kind in ("heading", "slide")}


def check_eval(pack: Pack, path: Path) -> list[str]:
    """Return what is wrong with a tutor evaluation file written for this pack."""
    import json

    problems: list[str] = []
    by_slug = {m.entry.slug: m for m in pack.materials}
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {n}"
        try:
            row: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc})")
            continue
        missing = {"id", "pack", "lang", "question", "material", "section", "answer"} - set(row)
        if missing:
            problems.append(f"{where}: missing {sorted(missing)}")
            continue
        if row["id"] in seen:
            problems.append(f"{where}: id {row['id']} used twice")
        seen.add(row["id"])
        if row["pack"] != pack.name or row["lang"] not in ("vi", "en"):
            problems.append(f"{where}: wrong pack or language")
        material = by_slug.get(row["material"])
        if material is None:
            problems.append(f"{where}: material {row['material']} is not in the pack")
        elif row.get("page") is not None or row.get("slide") is not None:
            unit = "page" if row.get("page") is not None else "slide"
            held = {getattr(s.address, unit) for s in material.sections}
            if row[unit] not in held:
                problems.append(f"{where}: {row['material']} has no {unit} {row[unit]}")
        elif row.get("start") is None and row["section"] not in heading_texts(material):
            problems.append(f"{where}: section “{row['section']}” is not a heading of {row['material']}")
    return problems
