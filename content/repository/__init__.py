"""The shared repository (kho học liệu số dùng chung): search index, search, reuse."""

from content.repository import index as _index  # noqa: F401  (installs the listeners that keep the index in step)
