"""The ASGI entry point for uvicorn and other servers."""

from lms_core.web.app import create_app

app = create_app()
