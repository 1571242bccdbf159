"""The exam builder: draws bank questions for a blueprint, makes the versions (mã đề) and their answer keys.

Drawing takes, for every cell of the blueprint (topic × part × level), questions of the subject and grade whose
type belongs to the part, whose level is the cell's and which carry the topic's tag or curriculum item. A question
is drawn at most once; when questions match several cells, the draw is a maximum matching (a cell short of
questions takes one from a cell that can replace it), so "missing" is only reported when the bank really lacks it.

Everything follows from a seed: the same blueprint, seed and bank versions give the same draw and the same versions.
An exam record (JSON) keeps the drawn question versions and every version's order and option permutations, so the
same papers can be downloaded again later, whatever the bank became.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.assessment import blueprint as bpm
from lms_core.assessment import rules  # noqa: F401 (registers question.view)
from lms_core.assessment.blueprint import PART_TYPES, PARTS, Blueprint, Part
from lms_core.assessment.data import from_data
from lms_core.assessment.items import LEVEL_LABELS, Item, Level, QType
from lms_core.assessment.models import Question, QuestionCurriculumItem, QuestionTag, QuestionVersion
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.text import fold

RECORD_FORMAT = "truongso-exam"
RECORD_VERSION = 1
MAX_VERSIONS = 24
MAX_CANDIDATES = 5_000
MAX_RECORD = 2_000_000
FIRST_CODE = 101
SEED = re.compile(r"[A-Za-z0-9_-]{1,40}")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATEMENT_LETTERS = "abcd"
SAME_LAYOUT_TRIES = 20
# Options that name other options ("Cả A và B đều đúng", "all of the above") keep their order.
_REFERS = re.compile(r"(?i)\b(cả|tất cả|đều đúng|đều sai|all of|none of|both|neither)\b|\b[A-F]\s*(,|và|and|&)\s*[A-F]\b")

BAD_SEED = N_("The seed must be 1 to 40 letters, digits, dashes or underscores.")
BAD_VERSIONS = N_("The number of versions must be from 1 to {max}.")
SHORTAGE = N_("The bank does not have enough questions for this blueprint.")
BAD_RECORD = N_("This file is not an exam record saved by Trường Số, or it was changed.")
RECORD_GONE = N_("A question of this exam is no longer in the bank, or you may not see it.")
NEEDED_HAVE = N_("{topic} × {level} ({part}): {needed} questions needed, {available} in the bank.")
NEEDED_SHARED = N_("{topic} × {level} ({part}): {needed} questions needed, {available} in the bank, of which "
                   "{used} are already drawn for other cells.")


@dataclass(frozen=True)
class Candidate:
    """A bank question that may be drawn: its id, the version drawn, its content, tags and curriculum items."""

    question_id: int
    version_id: int
    item: Item
    tags: frozenset[str] = frozenset()
    curriculum_ids: frozenset[int] = frozenset()

    def fits(self, row: bpm.Row, part: Part, level: Level) -> bool:
        """Return whether this question can fill a cell (its type, level, and the topic's tag or curriculum item)."""
        if self.item.type not in PART_TYPES[part] or self.item.level != level.value:
            return False
        by_tag = bool(row.tag.strip()) and fold(row.tag) in self.tags
        by_item = row.curriculum_item_id is not None and row.curriculum_item_id in self.curriculum_ids
        return by_tag or by_item


def candidate(question_id: int, version_id: int, item: Item, tags: Iterable[str] = (),
              curriculum_ids: Iterable[int] = ()) -> Candidate:
    """Return a candidate with its tags folded for matching (case and accents do not matter)."""
    return Candidate(question_id, version_id, item, frozenset(fold(t) for t in tags if t.strip()),
                     frozenset(curriculum_ids))


Cell = tuple[int, Part, Level]


@dataclass
class Availability:
    """A cell of the blueprint: how many questions it needs, how many in the bank fit it, how many were drawn."""

    row: int
    topic: str
    part: Part
    level: Level
    needed: int
    available: int
    drawn: int

    @property
    def short(self) -> bool:
        """Return whether the cell could not be filled."""
        return self.drawn < self.needed

    def message(self) -> tuple[str, dict[str, object]]:
        """Return what is missing in this cell as an msgid and its params (the level and part are msgids)."""
        params: dict[str, object] = {"topic": self.topic, "level": LEVEL_LABELS[self.level],
                                     "part": bpm.PART_LABELS[self.part], "needed": self.needed,
                                     "available": self.available}
        if self.available > self.drawn:
            return NEEDED_SHARED, {**params, "used": self.available - self.drawn}
        return NEEDED_HAVE, params


@dataclass
class Draw:
    """The questions drawn per cell and the availability of every cell."""

    picks: dict[Cell, list[Candidate]]
    cells: list[Availability]

    @property
    def shortages(self) -> list[Availability]:
        """Return the cells the bank could not fill."""
        return [c for c in self.cells if c.short]

    @property
    def complete(self) -> bool:
        """Return whether every cell was filled."""
        return not self.shortages


def check_seed(seed: str) -> str:
    """Return the seed when it is usable; refuse it otherwise."""
    if not isinstance(seed, str) or not SEED.fullmatch(seed):
        raise Invalid(BAD_SEED)
    return seed


def draw(bp: Blueprint, candidates: Iterable[Candidate], seed: str) -> Draw:
    """Return the questions drawn for every cell (never one twice), and what each cell lacks."""
    check_seed(seed)
    pool = sorted({c.question_id: c for c in candidates}.values(), key=lambda c: c.question_id)
    rng = random.Random(f"draw:{seed}")
    cells: list[tuple[Cell, int]] = [((r, part, level), n) for r, part, level, n in bp.cells()]
    options: dict[Cell, list[Candidate]] = {}
    for cell, _n in cells:
        row = bp.rows[cell[0]]
        fitting = [c for c in pool if c.fits(row, cell[1], cell[2])]
        rng.shuffle(fitting)
        options[cell] = fitting
    need = dict(cells)
    owner: dict[int, Cell] = {}
    taken: dict[Cell, list[Candidate]] = {cell: [] for cell, _ in cells}
    for cell, n in cells:
        for c in options[cell]:
            if len(taken[cell]) >= n:
                break
            if c.question_id not in owner:
                owner[c.question_id] = cell
                taken[cell].append(c)
    for cell, n in cells:
        while len(taken[cell]) < n and _augment(cell, options, owner, taken):
            pass
    availability = [Availability(cell[0], bp.rows[cell[0]].label, cell[1], cell[2], need[cell],
                                 len(options[cell]), len(taken[cell])) for cell, _ in cells]
    return Draw(picks=taken, cells=availability)


def _augment(start: Cell, options: dict[Cell, list[Candidate]], owner: dict[int, Cell],
             taken: dict[Cell, list[Candidate]]) -> bool:
    """Give `start` one more question, moving others between cells along a path when needed; return success."""
    parent: dict[Cell, tuple[Cell, Candidate]] = {}
    seen = {start}
    queue = [start]
    while queue:
        cell = queue.pop(0)
        for c in options[cell]:
            holder = owner.get(c.question_id)
            if holder is None:
                _take(cell, c, owner, taken)
                while cell != start:
                    previous, moved = parent[cell]
                    taken[cell].remove(moved)
                    _take(previous, moved, owner, taken)
                    cell = previous
                return True
            if holder not in seen:
                seen.add(holder)
                parent[holder] = (cell, c)
                queue.append(holder)
    return False


def _take(cell: Cell, c: Candidate, owner: dict[int, Cell], taken: dict[Cell, list[Candidate]]) -> None:
    owner[c.question_id] = cell
    taken[cell].append(c)


# ---- versions ---------------------------------------------------------------------------------------------------

@dataclass
class Slot:
    """A drawn question of the exam: the version drawn, its content, where it belongs and the points it carries."""

    question_id: int
    version_id: int
    item: Item
    part: Part
    level: Level
    row: int
    points: Decimal


@dataclass
class Placed:
    """A question as one version prints it: the slot, and the order of its options (None: not shuffled)."""

    slot: int
    options: list[int] | None = None


@dataclass
class Version:
    """One version (mã đề) of the exam: its code and its questions in print order, part by part."""

    code: str
    questions: list[Placed]


@dataclass
class Exam:
    """An exam built from a blueprint: the seed, the drawn questions and its versions."""

    blueprint: Blueprint
    seed: str
    slots: list[Slot]
    versions: list[Version] = field(default_factory=list)

    def parts_of(self, version: Version) -> list[tuple[Part, list[Placed]]]:
        """Return a version's questions grouped by part, in part order, empty parts left out."""
        grouped = [(part, [p for p in version.questions if self.slots[p.slot].part == part]) for part in PARTS]
        return [(part, placed) for part, placed in grouped if placed]

    def version(self, code: str) -> Version:
        """Return the version with a code."""
        found = next((v for v in self.versions if v.code == code), None)
        if found is None:
            raise Invalid(BAD_RECORD)
        return found


def _option_order(item: Item, rng: random.Random) -> list[int] | None:
    """Return the order a version shows a question's options in (tf_group statements and others: None)."""
    if item.type not in (QType.single, QType.multiple):
        return None
    order = list(range(len(item.choices)))
    if not any(_REFERS.search(c.text) for c in item.choices):
        rng.shuffle(order)
    return order


def _layout(slots: list[Slot], rng: random.Random) -> list[Placed]:
    placed: list[Placed] = []
    for part in PARTS:
        indices = [i for i, s in enumerate(slots) if s.part == part]
        rng.shuffle(indices)
        placed.extend(Placed(i, _option_order(slots[i].item, rng)) for i in indices)
    return placed


def _signature(placed: list[Placed]) -> tuple[Any, ...]:
    return tuple((p.slot, tuple(p.options or ())) for p in placed)


def check_versions(count: int) -> int:
    """Return the number of versions when it is allowed; refuse it otherwise."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_VERSIONS:
        raise Invalid(BAD_VERSIONS, max=MAX_VERSIONS)
    return count


def build(bp: Blueprint, drawn: Draw, seed: str, *, versions: int = 4, first_code: int = FIRST_CODE) -> Exam:
    """Return the exam: the drawn questions and `versions` versions with shuffled questions and options."""
    check_seed(seed)
    check_versions(versions)
    if not drawn.complete:
        raise Invalid(SHORTAGE)
    slots = [Slot(c.question_id, c.version_id, c.item, part, level, row, bp.points[part])
             for row, part, level, _n in bp.cells() for c in drawn.picks[(row, part, level)]]
    exam = Exam(blueprint=bp, seed=seed, slots=slots)
    seen: set[tuple[Any, ...]] = set()
    for index in range(versions):
        code = str(first_code + index)
        for attempt in range(SAME_LAYOUT_TRIES):  # two versions printed alike would defeat the purpose
            placed = _layout(slots, random.Random(f"version:{seed}:{code}:{attempt}"))
            if _signature(placed) not in seen:
                break
        seen.add(_signature(placed))
        exam.versions.append(Version(code, placed))
    return exam


# ---- answer keys ------------------------------------------------------------------------------------------------

@dataclass
class KeyEntry:
    """The key of one question of a version: its part and number there, the answer, the points."""

    part: Part
    number: int
    slot: int
    points: Decimal
    letters: str = ""                                   # single, multiple: the letters of the right options
    truths: list[bool] = field(default_factory=list)    # tf_group: statement a–d true or false
    text: str = ""                                      # numeric, short_text: the answer to write
    item: Item | None = None                            # essay: its rubric is the key


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", ",")


def answer_key(exam: Exam, version: Version) -> list[KeyEntry]:
    """Return the key of a version in print order (question numbers restart in each part, as the 2025 papers do)."""
    entries: list[KeyEntry] = []
    for part, placed in exam.parts_of(version):
        for number, p in enumerate(placed, start=1):
            slot = exam.slots[p.slot]
            item = slot.item
            entry = KeyEntry(part=part, number=number, slot=p.slot, points=slot.points)
            if item.type in (QType.single, QType.multiple):
                order = p.options if p.options is not None else list(range(len(item.choices)))
                entry.letters = "".join(LETTERS[k] for k, original in enumerate(order) if item.choices[original].correct)
            elif item.type == QType.tf_group:
                entry.truths = [s.true for s in item.statements]
            elif item.type == QType.numeric:
                entry.text = " ; ".join(_number_text(k.value) + (f" ± {_number_text(k.tolerance)}" if k.tolerance else "")
                                        for k in item.numeric)
            elif item.type == QType.short_text:
                entry.text = " / ".join(item.accepted)
            else:
                entry.item = item
            entries.append(entry)
    return entries


# ---- the exam record --------------------------------------------------------------------------------------------

def record(exam: Exam) -> dict[str, Any]:
    """Return the exam record: the blueprint, the seed, the drawn versions and every version's layout."""
    return {
        "format": RECORD_FORMAT, "version": RECORD_VERSION, "seed": exam.seed,
        "blueprint": bpm.to_data(exam.blueprint),
        "questions": [{"question_id": s.question_id, "version_id": s.version_id, "part": s.part.value,
                       "level": s.level.value, "row": s.row, "points": bpm.decimal_text(s.points)} for s in exam.slots],
        "versions": [{"code": v.code, "questions": [[p.slot, p.options] for p in v.questions]}
                     for v in exam.versions],
    }


def record_json(exam: Exam) -> str:
    """Return the exam record as the small JSON file a teacher keeps."""
    return json.dumps(record(exam), ensure_ascii=False, separators=(",", ":"))


@dataclass
class RecordData:
    """An exam record as read from a file, before its question versions are loaded."""

    blueprint: Blueprint
    seed: str
    questions: list[dict[str, Any]]
    versions: list[dict[str, Any]]

    def version_ids(self) -> list[int]:
        """Return the ids of the question versions the record names."""
        return [q["version_id"] for q in self.questions]


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(BAD_RECORD)
    return value


def parse_record(data: bytes | str) -> RecordData:
    """Return what an exam record file holds; anything else (or a changed record) is refused."""
    if len(data) > MAX_RECORD:
        raise TooLarge(BAD_RECORD)
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Invalid(BAD_RECORD) from None
    if not isinstance(raw, dict) or raw.get("format") != RECORD_FORMAT or not isinstance(raw.get("questions"), list) \
            or not isinstance(raw.get("versions"), list) or not isinstance(raw.get("seed"), str):
        raise Invalid(BAD_RECORD)
    try:
        bp = bpm.from_data(raw.get("blueprint"))
    except (Invalid, TooLarge):
        raise Invalid(BAD_RECORD) from None
    questions = raw["questions"]
    if not 1 <= len(questions) <= bpm.MAX_QUESTIONS or not 1 <= len(raw["versions"]) <= MAX_VERSIONS:
        raise Invalid(BAD_RECORD)
    clean: list[dict[str, Any]] = []
    for q in questions:
        if not isinstance(q, dict) or q.get("part") not in {p.value for p in PARTS} \
                or q.get("level") not in {lv.value for lv in Level} or not isinstance(q.get("points"), str):
            raise Invalid(BAD_RECORD)
        try:
            points = Decimal(q["points"])
        except ArithmeticError:
            raise Invalid(BAD_RECORD) from None
        if not points.is_finite() or not Decimal(0) < points <= Decimal(100):
            raise Invalid(BAD_RECORD)
        clean.append({"question_id": _int(q.get("question_id"), 1, bpm.MAX_ID),
                      "version_id": _int(q.get("version_id"), 1, bpm.MAX_ID), "part": Part(q["part"]),
                      "level": Level(q["level"]), "row": _int(q.get("row"), 0, max(len(bp.rows) - 1, 0)),
                      "points": points})
    if len({q["question_id"] for q in clean}) != len(clean):
        raise Invalid(BAD_RECORD)
    versions: list[dict[str, Any]] = []
    for v in raw["versions"]:
        if not isinstance(v, dict) or not isinstance(v.get("code"), str) or not re.fullmatch(r"\d{1,6}", v["code"]) \
                or not isinstance(v.get("questions"), list):
            raise Invalid(BAD_RECORD)
        placed = []
        for entry in v["questions"]:
            if not isinstance(entry, list) or len(entry) != 2:
                raise Invalid(BAD_RECORD)
            options = entry[1]
            if options is not None and (not isinstance(options, list) or len(options) > len(LETTERS)):
                raise Invalid(BAD_RECORD)
            placed.append(Placed(_int(entry[0], 0, len(clean) - 1),
                                 None if options is None else [_int(k, 0, len(LETTERS) - 1) for k in options]))
        versions.append({"code": v["code"], "questions": placed})
    if len({v["code"] for v in versions}) != len(versions):
        raise Invalid(BAD_RECORD)
    if not SEED.fullmatch(raw["seed"]):
        raise Invalid(BAD_RECORD)
    return RecordData(blueprint=bp, seed=raw["seed"], questions=clean, versions=versions)


def exam_from_record(data: RecordData, items: dict[int, tuple[int, Item]]) -> Exam:
    """Return the exam a record describes, given its question versions (version id → question id, content)."""
    slots: list[Slot] = []
    for q in data.questions:
        found = items.get(q["version_id"])
        if found is None or found[0] != q["question_id"]:
            raise Invalid(RECORD_GONE)
        item = found[1]
        if item.type not in PART_TYPES[q["part"]]:
            raise Invalid(BAD_RECORD)
        slots.append(Slot(q["question_id"], q["version_id"], item, q["part"], q["level"], q["row"], q["points"]))
    exam = Exam(blueprint=data.blueprint, seed=data.seed, slots=slots)
    for v in data.versions:
        placed: list[Placed] = v["questions"]
        if sorted(p.slot for p in placed) != list(range(len(slots))):
            raise Invalid(BAD_RECORD)
        parts = [PARTS.index(slots[p.slot].part) for p in placed]
        if parts != sorted(parts):
            raise Invalid(BAD_RECORD)
        for p in placed:
            item = slots[p.slot].item
            shuffles = item.type in (QType.single, QType.multiple)
            if (p.options is None) == shuffles or (shuffles and sorted(p.options or []) != list(range(len(item.choices)))):
                raise Invalid(BAD_RECORD)
        exam.versions.append(Version(v["code"], placed))
    return exam


# ---- from the bank ----------------------------------------------------------------------------------------------

def _bank_filters(actor: User, subject_id: int, grade: int) -> list[Any]:
    types = [t.value for part in PARTS for t in PART_TYPES[part]]
    return [permissions.visible(actor, "question.view"), Question.archived.is_(False),
            Question.current_version_id.is_not(None), Question.subject_id == subject_id, Question.grade == grade,
            Question.type.in_(types), Question.level.is_not(None)]


def candidates(*, db: Session, actor: User, subject_id: int, grade: int) -> list[Candidate]:
    """Return the bank questions of a subject and grade the actor may see that a blueprint can draw from."""
    from lms_core.assessment.bank import bank_school

    bank_school(actor)
    where = _bank_filters(actor, subject_id, grade)
    rows = db.execute(select(Question.id, QuestionVersion.id, QuestionVersion.data)
                      .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                      .where(*where).order_by(Question.id).limit(MAX_CANDIDATES)).all()
    tags: dict[int, set[str]] = {}
    for qid, tag in db.execute(select(QuestionTag.question_id, QuestionTag.tag)
                               .join(Question, Question.id == QuestionTag.question_id).where(*where)):
        tags.setdefault(qid, set()).add(tag)
    items: dict[int, set[int]] = {}
    for qid, item_id in db.execute(select(QuestionCurriculumItem.question_id, QuestionCurriculumItem.item_id)
                                   .join(Question, Question.id == QuestionCurriculumItem.question_id).where(*where)):
        items.setdefault(qid, set()).add(item_id)
    found = []
    for qid, vid, data in rows:
        try:
            item = from_data(data)
        except Invalid:
            continue  # a damaged version cannot be printed; it is simply not drawn
        found.append(candidate(qid, vid, item, tags.get(qid, ()), items.get(qid, ())))
    return found


def draw_from_bank(*, db: Session, actor: User, bp: Blueprint, seed: str) -> Draw:
    """Return the draw of a sound blueprint from the questions the actor may see."""
    bpm.require_valid(bp)
    check_seed(seed)
    return draw(bp, candidates(db=db, actor=actor, subject_id=bp.subject_id or 0, grade=bp.grade or 0), seed)


def build_from_bank(*, db: Session, actor: User, bp: Blueprint, seed: str, versions: int) -> Exam:
    """Return an exam built from the bank; refuse it when a cell of the blueprint cannot be filled."""
    check_versions(versions)
    drawn = draw_from_bank(db=db, actor=actor, bp=bp, seed=seed)
    if not drawn.complete:
        exc = Invalid(SHORTAGE)
        exc.details = [{"message": m, "params": p} for m, p in (c.message() for c in drawn.shortages)]
        raise exc
    return build(bp, drawn, seed, versions=versions)


def load_record(*, db: Session, actor: User, data: bytes | str) -> Exam:
    """Return the exam an uploaded record describes, with the exact question versions it names."""
    from lms_core.assessment.bank import bank_school

    bank_school(actor)
    parsed = parse_record(data)
    ids = parsed.version_ids()
    rows = db.execute(select(QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.data)
                      .join(Question, Question.id == QuestionVersion.question_id)
                      .where(QuestionVersion.id.in_(ids), permissions.visible(actor, "question.view"))).all()
    items: dict[int, tuple[int, Item]] = {}
    for vid, qid, raw in rows:
        try:
            items[vid] = (qid, from_data(raw))
        except Invalid:
            raise Invalid(RECORD_GONE) from None
    return exam_from_record(parsed, items)
