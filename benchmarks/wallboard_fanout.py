"""Wallboard fan-out: N WebSocket clients, a center of M simulated agents under load.

The server (a real call center on the simulated PBX, in real time, plus the web app)
runs in its own process; the clients run here. Every patch carries ``changed_at``
(wall clock of the first event it reflects); a client's latency is its receive time
minus that. Prints p50/p99/max over every delivery.

    .venv/bin/python benchmarks/wallboard_fanout.py --clients 200 --agents 500
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

if TYPE_CHECKING:
    from callcenter.settings import Settings

TOKEN = "bench-token-0123456789"  # noqa: S105


def settings_for(agents: int, calls_per_hour: float, data_dir: str) -> "Settings":
    from callcenter.settings import Settings  # noqa: PLC0415
    from callcenter.web.auth import token_digest  # noqa: PLC0415

    queues = ["reservations", "bookings", "complaints", "key_accounts"]
    return Settings.model_validate({
        "general": {"data_dir": data_dir},
        "simulation": {"calls_per_hour": calls_per_hour, "seed": 1,
                       "handle_time_seconds": 45.0, "patience_seconds": 90.0},
        "web": {"secure_cookies": False,
                "users": [{"name": "bench", "password_hash": "scrypt$2$1$1$AA==$AA=="}],
                "api_tokens": [{"name": "bench", "sha256": token_digest(TOKEN)}]},
        "queues": [{"name": q, "wrap_up": 5.0} for q in queues],
        "agents": [{"id": str(10000 + i), "name": f"Agent {i}",
                    "queues": {queues[i % 4]: 0, queues[(i + 1) % 4]: 1}}
                   for i in range(agents)],
    })  # fmt: skip


def serve(
    agents: int, calls_per_hour: float, seconds: float, port_out: "mp.Queue[int]"
) -> None:
    import tempfile  # noqa: PLC0415

    from callcenter.center import make_call_center  # noqa: PLC0415
    from callcenter.web.app import create_app, start_web  # noqa: PLC0415

    async def main() -> None:
        with tempfile.TemporaryDirectory() as data_dir:
            center = make_call_center(settings_for(agents, calls_per_hour, data_dir))
            await center.pbx.start()
            center.log_in_simulated_agents()
            task = asyncio.create_task(center.runtime.run())
            runner = await start_web(create_app(center), "127.0.0.1", 0)
            port_out.put(runner.addresses[0][1])
            await asyncio.sleep(seconds)
            await runner.cleanup()
            center.runtime.stop()
            await task
            await center.pbx.close()

    asyncio.run(main())


async def client(session: aiohttp.ClientSession, url: str, latencies: list[float],
                 counts: dict[str, int], until: float) -> None:  # fmt: skip
    async with session.ws_connect(url, headers={"Authorization": f"Bearer {TOKEN}"},
                                  max_msg_size=0) as ws:  # fmt: skip
        counts["connected"] += 1
        while time.time() < until:
            try:
                message = await ws.receive(timeout=max(0.1, until - time.time()))
            except TimeoutError:
                break
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            received = time.time()
            frame = json.loads(message.data)
            counts[frame["type"]] += 1
            if frame["type"] == "patch":
                latencies.append(received - frame["changed_at"])


async def run_clients(port: int, clients: int, seconds: float) -> None:
    url = f"http://127.0.0.1:{port}/ws"
    latencies: list[float] = []
    counts = {"connected": 0, "snapshot": 0, "patch": 0}
    until = time.time() + seconds
    connector = aiohttp.TCPConnector(limit=0)  # the default limit is 100 connections
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session, url, latencies, counts, until)
                               for _ in range(clients)))  # fmt: skip
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    p99 = ms[int(len(ms) * 0.99) - 1] if ms else float("nan")
    print(f"clients connected      {counts['connected']}")
    print(
        f"snapshots / patches    {counts['snapshot']} / {counts['patch']}"
        f"  ({counts['patch'] / max(1, counts['connected']) / seconds:.1f}/s each)"
    )
    print(
        f"delivery latency (ms)  p50 {statistics.median(ms):.1f}  p99 {p99:.1f}"
        f"  max {ms[-1]:.1f}"
    )
    print(f"within 1 s at p99      {'yes' if p99 < 1000 else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--calls-per-hour", type=float, default=20000.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    ports: mp.Queue[int] = mp.Queue()
    server = mp.Process(target=serve, args=(args.agents, args.calls_per_hour,
                                            args.seconds + 15, ports))  # fmt: skip
    server.start()
    port = ports.get(timeout=60)
    print(
        f"center: {args.agents} agents, {args.calls_per_hour:.0f} calls/hour; "
        f"{args.clients} WebSocket clients for {args.seconds:.0f} s"
    )
    time.sleep(3)  # let traffic build up
    asyncio.run(run_clients(port, args.clients, args.seconds))
    server.terminate()
    server.join()


if __name__ == "__main__":
    main()
