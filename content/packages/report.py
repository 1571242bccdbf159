"""What an import does or would do, per material: counts, problems and warnings; and the refusal that carries it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content.materials.models import Material
from content.packages.manifest import MaterialEntry, VersionEntry
from lms_core.errors import Invalid
from lms_core.i18n import N_, gettext

REJECTED = N_("The package has problems, so nothing was imported.")


@dataclass(frozen=True)
class Note:
    """A problem or a warning: an msgid and its parameters, translated when shown."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """Return the note in the current language."""
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text


@dataclass
class MaterialPlan:
    """What importing one material of the package does (or would do): counts, problems and warnings."""

    entry: MaterialEntry
    existing: Material | None = None
    new_versions: list[tuple[VersionEntry, str]] = field(default_factory=list)  # (version, status here)
    skipped_versions: int = 0
    new_images: list[tuple[str, str]] = field(default_factory=list)  # (sha256, file name)
    new_item_ids: list[int] = field(default_factory=list)
    subject_id: int | None = None
    material_id: int | None = None  # the material here, once written
    errors: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        """Return whether the material itself is new on this server."""
        return self.existing is None

    @property
    def adds_anything(self) -> bool:
        """Return whether importing this material changes anything here."""
        return self.is_new or bool(self.new_versions or self.new_images or self.new_item_ids)


@dataclass
class ImportReport:
    """The outcome of checking (dry run) or importing a package."""

    package_sha256: str
    school_id: int
    plans: list[MaterialPlan]
    new_files: int = 0
    applied: bool = False

    @property
    def errors(self) -> list[Note]:
        """Return every material's problems."""
        return [e for p in self.plans for e in p.errors]

    @property
    def warnings(self) -> list[Note]:
        """Return every material's warnings."""
        return [w for p in self.plans for w in p.warnings]

    @property
    def new_materials(self) -> int:
        """Return how many materials are (or would be) new."""
        return sum(p.is_new for p in self.plans)

    @property
    def new_versions(self) -> int:
        """Return how many versions are (or would be) added."""
        return sum(len(p.new_versions) for p in self.plans)

    @property
    def skipped_versions(self) -> int:
        """Return how many versions of the package were already here."""
        return sum(p.skipped_versions for p in self.plans)

    @property
    def new_images(self) -> int:
        """Return how many page images are (or would be) added."""
        return sum(len(p.new_images) for p in self.plans)

    @property
    def new_mappings(self) -> int:
        """Return how many curriculum mappings are (or would be) added."""
        return sum(len(p.new_item_ids) for p in self.plans)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data, messages translated."""
        return {
            "package_sha256": self.package_sha256, "applied": self.applied, "school_id": self.school_id,
            "new_materials": self.new_materials, "new_versions": self.new_versions,
            "skipped_versions": self.skipped_versions, "new_images": self.new_images,
            "new_mappings": self.new_mappings, "new_files": self.new_files,
            "materials": [{"uid": p.entry.uid, "title": p.entry.title, "new": p.is_new,
                           "material_id": p.material_id or (p.existing.id if p.existing else None),
                           "new_versions": len(p.new_versions), "skipped_versions": p.skipped_versions,
                           "errors": [e.text() for e in p.errors], "warnings": [w.text() for w in p.warnings]}
                          for p in self.plans],
        }


class PackageRejected(Invalid):
    """Some materials of the package have problems; the report lists them per material. Nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(REJECTED)
        self.report = report
        self.details = [{"uid": p.entry.uid, "title": p.entry.title, "errors": [e.text() for e in p.errors]}
                        for p in report.plans if p.errors]
