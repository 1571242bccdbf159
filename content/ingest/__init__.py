"""Ingestion of uploaded files: type by bytes, archive safety, text extraction into addressed sections."""

from content.ingest.extract import can_extract, extract
from content.ingest.filetypes import FileType, decode_text, detect
from lms_core.archives import check_zip
from content.ingest.sections import Address, Section

__all__ = ["Address", "FileType", "Section", "can_extract", "check_zip", "decode_text", "detect", "extract"]
