"""Web benchmark: requests/s and latency percentiles of the login page and a teacher's dashboard.

Starts a real server process (`truongso serve`, embedded SQLite default) on a temporary var/
with the demo school, then drives it with a real HTTP client (httpx, asyncio) at several
concurrency levels. The client runs on the same machine and takes CPU from the server:
read the figures as a lower bound for a dedicated server.

    .venv/bin/python bench/web.py                      # 1, 10, 50 clients, 10 s each
    .venv/bin/python bench/web.py --seconds 3          # quick
    .venv/bin/python bench/web.py --workers 2 --clients 1 10 50 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(var: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """Prepare the demo school and start the web server; return the process once it answers."""
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(var), "TRUONGSO_PORT": str(port)}
    env.pop("TRUONGSO_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "lms_core.cli", "demo", "--no-serve"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "lms_core.cli", "serve", "--no-worker", "--workers", str(workers)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


def login(base: str) -> dict[str, str]:
    """Log the demo teacher in and return the session cookie."""
    from lms_core.demo import DEMO_PASSWORD

    r = httpx.post(f"{base}/api/auth/login", json={"username": "gv.lan", "password": DEMO_PASSWORD}, timeout=10)
    r.raise_for_status()
    return dict(r.cookies)


async def run_level(base: str, path: str, cookies: dict[str, str], clients: int, seconds: float) -> dict[str, float]:
    """Run `clients` concurrent loops against a path for a while; return the figures."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=30) as client:
        async def loop() -> None:
            nonlocal errors
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                try:
                    r = await client.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += 0 if ok else 1

        began = time.monotonic()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"n": len(latencies), "rps": len(latencies) / elapsed, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "mean": statistics.fmean(latencies) * 1000, "errors": errors}


def main() -> None:
    """Parse arguments, run the benchmark, print one table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="truongso-bench-") as tmp:
        proc = start_server(Path(tmp) / "var", port, args.workers)
        try:
            cookies = login(base)
            rows = []
            for path, jar in (("/login", {}), ("/dashboard", cookies)):
                asyncio.run(run_level(base, path, jar, 2, 1.0))  # warm-up
                for clients in args.clients:
                    rows.append((path, clients, asyncio.run(run_level(base, path, jar, clients, args.seconds))))
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
    print(f"\nbench/web.py — embedded SQLite, {args.workers} web process(es), {os.cpu_count()} cores, "
          f"{args.seconds:g} s per level\n")
    print(f"{'page':<12}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for path, clients, r in rows:
        print(f"{path:<12}{clients:>8}{r['n']:>10}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}")
    print(f"\nreproduce: .venv/bin/python bench/web.py --seconds {args.seconds:g} --workers {args.workers} "
          f"--clients {' '.join(map(str, args.clients))}")


if __name__ == "__main__":
    main()
