# Image for docker-compose.yml: the platform installed from this checkout (CPU-only PyTorch pin).
FROM python:3.11-slim
WORKDIR /srv/truongso
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml constraints.txt README.md babel.cfg ./
COPY lms_core ./lms_core
COPY content ./content
RUN pip install --no-cache-dir -c constraints.txt . \
 && python -c "from lms_core.cli import compile_messages; compile_messages()"
EXPOSE 8000
CMD ["truongso", "serve"]
