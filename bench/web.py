"""Web benchmark: requests/s and latency percentiles of the login page and a teacher's dashboard.

Starts a real server process (`truongso serve`, embedded SQLite default) on a temporary var/
with the demo school, then drives it at several concurrency levels with `wrk` (Debian's
package; C, cheap on CPU) when it is installed, else with httpx on asyncio (Python: the
client then takes a large share of the 2 cores and the figures are pessimistic). Either way
the client shares the machine with the server.

    .venv/bin/python bench/web.py                      # 1, 10, 50 clients, 10 s each
    .venv/bin/python bench/web.py --seconds 3          # quick
    .venv/bin/python bench/web.py --workers 2 --clients 1 10 50 100
    .venv/bin/python bench/web.py --client httpx        # force the Python client
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
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


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %f %f %f %f %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def run_wrk(base: str, path: str, cookies: dict[str, str], clients: int, seconds: float, script: Path) -> dict[str, float]:
    """Run wrk with `clients` connections; return the same figures as run_level."""
    cmd = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{max(1, int(seconds))}s", "-s", str(script), "--timeout", "10s"]
    if cookies:
        cmd += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    out = subprocess.run([*cmd, base + path], capture_output=True, text=True, check=True).stdout
    n, duration, p50, p95, p99, errors = re.search(r"WRK (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)", out).groups()
    return {"n": int(n), "rps": int(n) / float(duration), "p50": float(p50), "p95": float(p95), "p99": float(p99),
            "errors": int(errors)}


def main() -> None:
    """Parse arguments, run the benchmark, print one table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, default=None, help="web server processes (default: the setting's)")
    parser.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    args = parser.parse_args()
    if args.workers is None:
        from lms_core.settings import Settings

        args.workers = Settings().web_workers
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="truongso-bench-") as tmp:
        proc = start_server(Path(tmp) / "var", port, args.workers)
        try:
            cookies = login(base)
            script = Path(tmp) / "report.lua"
            script.write_text(WRK_SCRIPT)
            rows = []
            for path, jar in (("/login", {}), ("/dashboard", cookies)):
                asyncio.run(run_level(base, path, jar, 2, 1.0))  # warm-up
                for clients in args.clients:
                    if client == "wrk":
                        figures = run_wrk(base, path, jar, clients, args.seconds, script)
                    else:
                        figures = asyncio.run(run_level(base, path, jar, clients, args.seconds))
                    rows.append((path, clients, figures))
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
    print(f"\nbench/web.py — embedded SQLite, {args.workers} web process(es), {os.cpu_count()} cores, "
          f"{args.seconds:g} s per level, client {client} on the same machine\n")
    print(f"{'page':<12}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for path, clients, r in rows:
        print(f"{path:<12}{clients:>8}{r['n']:>10}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}")
    print(f"\nreproduce: .venv/bin/python bench/web.py --seconds {args.seconds:g} --workers {args.workers} "
          f"--clients {' '.join(map(str, args.clients))} --client {client}")


if __name__ == "__main__":
    main()
