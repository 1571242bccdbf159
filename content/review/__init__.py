"""Review of material versions: the workflow, the queue and the heads of subject groups who review."""

from content.review import service as _service  # noqa: F401  (installs the guard on sharing unreviewed materials)
