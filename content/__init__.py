"""The LCMS: digital materials, their versions, ingestion, review, the shared repository, curriculum."""
