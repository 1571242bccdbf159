"""The shipped content packs, installed, as the demo's teachers find them: pack materials and questions by subject
and grade, in the order the pack's authors wrote them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.materials.models import Material
from content.packs.install import install_pack
from content.packs.pack import MaterialEntry, Pack, QuestionMeta, read_pack
from lms_core.assessment.items import Item, QType
from lms_core.assessment.models import Question
from lms_core.plugins.host import PluginHost

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackMaterialRow:
    """A pack material as installed: the material and what its pack says about it."""

    material: Material
    entry: MaterialEntry
    pack: str
    order: int

    @property
    def topic(self) -> int:
        """Return the curriculum topic number the material first serves (its unit in a course)."""
        return int(self.entry.curriculum[0].split("/")[2].split(".")[0])

    @property
    def sort_key(self) -> tuple[int, int, str, int]:
        """Return where the material goes in a course: by topic, then lesson, then the pack's own order."""
        key = self.entry.curriculum[0].split("/")[2].split(".")
        return (int(key[0]), int(key[1]) if len(key) > 1 else 0, self.pack, self.order)


@dataclass(frozen=True)
class PackQuestionRow:
    """A pack question as installed: the bank question and its pack keys."""

    question: Question
    meta: QuestionMeta
    item: Item
    pack: str

    @property
    def essay(self) -> bool:
        """Return whether a teacher grades it by hand."""
        return self.item.type == QType.essay


@dataclass
class Catalogue:
    """What the installed packs offer, by (subject code, grade)."""

    materials: dict[tuple[str, int], list[PackMaterialRow]] = field(default_factory=lambda: defaultdict(list))
    questions: dict[tuple[str, int], list[PackQuestionRow]] = field(default_factory=lambda: defaultdict(list))
    installed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def shipped_packs(host: PluginHost) -> list[Path]:
    """Return the directories of the packs the installed plugins ship."""
    return [p.path for _, p in sorted(host.content_packs().items())]


def install(*, db: Session, host: PluginHost, paths: list[Path]) -> Catalogue:
    """Install each pack (again: nothing changes when it is installed already) and return what they offer.

    A pack with problems is left out and named in `refused` (packs are written by many hands; the demo goes on)."""
    catalogue = Catalogue()
    for path in paths:
        pack = read_pack(Path(path))
        if pack.problems or pack.info is None:
            log.warning("demo: content pack %s left out: %s", pack.name, "; ".join(pack.problems[:3]))
            catalogue.refused.append(pack.name)
            continue
        install_pack(db=db, pack=pack, host=host)
        catalogue.installed.append(pack.name)
        _add(db, catalogue, pack)
    for rows in catalogue.materials.values():
        rows.sort(key=lambda r: r.sort_key)
    return catalogue


def _add(db: Session, catalogue: Catalogue, pack: Pack) -> None:
    uids = {m.uid(pack.name): (n, m) for n, m in enumerate(pack.materials)}
    for material in db.scalars(select(Material).where(Material.uid.in_(list(uids)))):
        n, m = uids[material.uid]
        if material.published_version_id is None:
            continue
        for grade in m.entry.grades:
            catalogue.materials[(m.entry.subject, grade)].append(PackMaterialRow(material, m.entry, pack.name, n))
    quids = {q.uid(pack.name): (n, q) for n, q in enumerate(pack.questions)}
    found = db.scalars(select(Question).where(Question.uid.in_(list(quids)), Question.archived.is_(False),
                                              Question.current_version_id.is_not(None)))
    for question in sorted(found, key=lambda row: quids[row.uid][0]):  # the pack's order, whatever the ids
        q = quids[question.uid][1]
        catalogue.questions[(q.meta.subject, q.meta.grade)].append(PackQuestionRow(question, q.meta, q.item,
                                                                                   pack.name))
