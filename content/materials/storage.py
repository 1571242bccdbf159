"""Materials keep their files in the platform's content-addressed store (lms_core.storage)."""

from lms_core.storage import (FILE_TOO_LARGE, Staged, files_dir, forget, keep, path_for,  # noqa: F401 (re-exported)
                              stage)
