"""The deployment files stay valid: docker-compose parses, CI runs exactly `make test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_has_the_four_services() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"api", "worker", "postgres", "redis"} <= set(spec["services"])
    env = spec["services"]["worker"]["environment"]
    assert env["TRUONGSO_BROKER_URL"].startswith("redis://")
    assert env["TRUONGSO_DATABASE_URL"].startswith("postgresql+psycopg://")


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_docker_compose_config_parses_offline() -> None:
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_ci_runs_exactly_make_test() -> None:
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert "make test" in lines and "set -euo pipefail" in lines


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n\n")[1]
    assert "make demo" in head and "make test" in head
