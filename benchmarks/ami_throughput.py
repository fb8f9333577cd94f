"""AMI event throughput: our AmiClient vs panoramisk vs pyst2, over loopback TCP.

A recorded stream is built from the real Asterisk events in tests/fixtures/ami (every
``Event:`` frame without an ActionID, cycled to ``--events``), then served by a
separate process that logs the client in and writes the whole stream at once, the
way a busy Asterisk bursts. Each client counts events until it has seen them all.

pyst2 reads its socket one byte per ``recv()`` as shipped, so it is measured on a
smaller sample (``--pyst2-events``); the rate is what matters. A variant with a
buffered socket file shows how much of its cost is that one choice.

Run: ``.venv/bin/python -m benchmarks.ami_throughput [--events N] [--repeat N]``;
``--parser-only`` measures the sans-IO parser alone (no socket, CPU time), and
``--peers ours,panoramisk`` runs only some of the clients.
"""

import argparse
import asyncio
import multiprocessing
import re
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callcenter.ami.client import AmiClient
from callcenter.ami.messages import Event
from callcenter.ami.protocol import AmiConnection

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "ami"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
_ACTION_ID = re.compile(rb"ActionID: ([^\r\n]*)", re.IGNORECASE)


def recorded_events() -> list[bytes]:
    frames = []
    for path in sorted([*FIXTURES.glob("*.rx.txt"), *FIXTURES.glob("*.ami.rx.raw")]):
        body = path.read_bytes().split(b"\r\n", 1)[1]
        frames += [
            f + b"\r\n\r\n"
            for f in body.split(b"\r\n\r\n")
            if f.startswith(b"Event:") and b"\r\nActionID:" not in f
        ]
    return frames


def build_stream(count: int) -> bytes:
    frames = recorded_events()
    return b"".join(frames[i % len(frames)] for i in range(count))


def _read_frame(conn: socket.socket, buf: bytearray) -> bytes | None:
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    end = buf.index(b"\r\n\r\n") + 4
    frame = bytes(buf[:end])
    del buf[:end]
    return frame


def _answer(frame: bytes, status: bytes) -> bytes:
    match = _ACTION_ID.search(frame)
    action_id = match.group(1) if match else b""
    return b"Response: " + status + b"\r\nActionID: " + action_id + b"\r\n\r\n"


def serve_once(server: socket.socket, stream: bytes) -> None:
    """Serve one client: banner, login, the whole stream, then answer anything."""
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sendall(BANNER)
    buf = bytearray()
    login = _read_frame(conn, buf)
    if login is None:
        return
    conn.sendall(_answer(login, b"Success"))
    conn.sendall(stream)
    while (frame := _read_frame(conn, buf)) is not None:
        if b"Logoff" in frame:  # Asterisk says Goodbye and hangs up
            conn.sendall(_answer(frame, b"Goodbye"))
            break
        conn.sendall(_answer(frame, b"Success"))
    conn.close()


def with_server(stream: bytes, run: Callable[[int], float]) -> float:
    """Start a server process for one client run; return the run's seconds."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    ctx = multiprocessing.get_context("fork")
    process = ctx.Process(target=serve_once, args=(server, stream), daemon=True)
    process.start()
    server.close()
    try:
        return run(port)
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()


def run_ours(port: int, count: int, *, read_headers: bool = False) -> float:
    async def main() -> float:
        client = AmiClient(
            port=port,
            username="bench",
            secret="x",  # noqa: S106 - a fake server's
            ping_interval=None,
        )
        feed = client.subscribe(maxsize=count + 1)
        start = time.perf_counter()
        async with client:
            seen = 0
            async for event in feed:
                if read_headers:
                    event.headers  # noqa: B018 - the point: split them
                seen += 1
                if seen == count:
                    break
            elapsed = time.perf_counter() - start
        if feed.dropped:
            raise RuntimeError(f"{feed.dropped} events dropped")
        return elapsed

    return asyncio.run(main())


def run_panoramisk(port: int, count: int) -> float:
    from panoramisk import Manager  # noqa: PLC0415 - benchmark peer, optional

    async def main() -> float:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[float] = loop.create_future()
        seen = 0
        start = time.perf_counter()

        def on_event(_manager: Any, _event: Any) -> None:
            nonlocal seen
            seen += 1
            if seen == count and not done.done():
                done.set_result(time.perf_counter() - start)

        manager = Manager(
            loop=loop,
            host="127.0.0.1",
            port=port,
            username="bench",
            secret="x",  # noqa: S106 - a fake server's
            ping_delay=3600,
        )
        manager.register_event("*", on_event)
        await manager.connect()
        elapsed = await done
        manager.close()
        return elapsed

    return asyncio.run(main())


def _pyst2_manager(*, buffered: bool) -> Any:
    import asterisk.manager  # noqa: PLC0415 - benchmark peer

    class Buffered(asterisk.manager.Manager):  # type: ignore[misc]
        def connect(self, host: str, port: int = 5038) -> Any:
            sock = socket.create_connection((host, port))
            self._sock = sock.makefile(
                mode="rwb"
            )  # default buffering, one recv per 8 KiB
            sock.close()
            self._connected.set()
            self._running.set()
            self.message_thread.start()
            self.event_dispatch_thread.start()
            return self._response_queue.get()

    return Buffered() if buffered else asterisk.manager.Manager()


def run_pyst2(port: int, count: int, *, buffered: bool) -> float:
    manager = _pyst2_manager(buffered=buffered)
    finished = threading.Event()
    seen = 0

    def on_event(_event: Any, _manager: Any) -> None:
        nonlocal seen
        seen += 1
        if seen == count:
            finished.set()

    manager.register_event("*", on_event)
    start = time.perf_counter()
    manager.connect("127.0.0.1", port)
    manager.login("bench", "x")
    if not finished.wait(timeout=110):
        raise TimeoutError(f"pyst2 saw {seen} of {count} events")
    elapsed = time.perf_counter() - start
    manager.close()
    return elapsed


def parser_only(stream: bytes, count: int, *, read_headers: bool = False) -> float:
    """Return the CPU seconds ``AmiConnection`` takes for the stream, in 64 KiB reads.

    With ``read_headers`` every event's headers are split too, as a consumer that
    reads them all (the PBX adapter reads a few) would make it.
    """
    conn = AmiConnection()
    data = BANNER + stream
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    seen = 0
    start = time.process_time()
    for chunk in chunks:
        messages = conn.receive_data(chunk)
        seen += len(messages)
        if read_headers:
            for message in messages:
                if isinstance(message, Event):
                    message.headers  # noqa: B018 - the point: split them
    elapsed = time.process_time() - start
    if seen != count + 1:
        raise RuntimeError(f"parsed {seen} messages, expected {count + 1}")
    return elapsed


def report_parser(stream: bytes, count: int, repeat: int) -> list[tuple[str, float]]:
    """Print and return (label, events per CPU second) for the parser alone."""
    rows = []
    for label, read_headers in (
        ("AmiConnection alone, headers untouched", False),
        ("AmiConnection alone, every header read", True),
    ):
        cpu = statistics.median(
            parser_only(stream, count, read_headers=read_headers) for _ in range(repeat)
        )
        print(
            f"  {label:<42} {count / cpu:>9,.0f} events/s"
            f" {cpu / count * 1e6:7.2f} us CPU/event",
            flush=True,
        )
        rows.append((label, count / cpu))
    return rows


def measure(
    name: str, count: int, run: Callable[[int], float], stream: bytes, repeat: int
) -> tuple[str, int, float, float]:
    """Return (name, events, events/s by wall clock, CPU microseconds per event).

    The client process's CPU time is reported too: on a shared machine the wall
    clock measures the neighbours as much as the client.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        cpu = time.process_time()
        walls.append(with_server(stream, run))
        cpus.append(time.process_time() - cpu)
    rate = count / statistics.median(walls)
    cpu_us = statistics.median(cpus) / count * 1e6
    print(
        f"  {name:<34} {count:>8,} events {rate:>9,.0f} events/s"
        f" {cpu_us:7.1f} us CPU/event",
        flush=True,
    )
    return name, count, rate, cpu_us


Result = tuple[str, int, float, float]
PEERS = ("ours", "ours-headers", "panoramisk", "pyst2", "pyst2-buffered")


def run_clients(args: argparse.Namespace, stream: bytes) -> list[Result]:
    """Measure the clients named in ``--peers``, ours first."""
    n = args.events
    n_pyst = min(args.pyst2_events, n)
    n_buf = min(args.pyst2_buffered_events, n)
    runs: dict[str, Callable[[], Result]] = {
        "ours": lambda: measure(
            "callcenter AmiClient", n, lambda p: run_ours(p, n), stream, args.repeat
        ),
        "ours-headers": lambda: measure(
            "AmiClient, consumer reads headers",
            n,
            lambda p: run_ours(p, n, read_headers=True),
            stream,
            args.repeat,
        ),
        "panoramisk": lambda: measure(
            "panoramisk", n, lambda p: run_panoramisk(p, n), stream, args.repeat
        ),
        "pyst2": lambda: measure(
            "pyst2 as shipped",
            n_pyst,
            lambda p: run_pyst2(p, n_pyst, buffered=False),
            build_stream(n_pyst),
            1,
        ),
        "pyst2-buffered": lambda: measure(
            "pyst2, buffered socket (patched)",
            n_buf,
            lambda p: run_pyst2(p, n_buf, buffered=True),
            build_stream(n_buf),
            1,
        ),
    }
    wanted = ["ours", *(p for p in args.peers.split(",") if p != "ours")]
    return [runs[name]() for name in wanted]


def print_table(results: list[Result], parser_rows: list[tuple[str, float]]) -> bool:
    """Print the Markdown table; return whether the 3x target is met."""
    _, _, ours, ours_cpu = results[0]
    peers = [r for r in results if r[0] in {"panoramisk", "pyst2 as shipped"}]
    print("\n| client | events | events/s | us CPU/event | ours x faster (wall/CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name, count, rate, cpu_us in results:
        print(
            f"| {name} | {count:,} | {rate:,.0f} | {cpu_us:.1f} "
            f"| {ours / rate:.1f} / {cpu_us / ours_cpu:.1f} |"
        )
    for label, rate in parser_rows:
        print(f"| {label} (no socket) | {results[0][1]:,} | {rate:,.0f} | - | - |")
    if not peers:
        return True
    rival = max(r[2] for r in peers)
    rival_cpu = min(r[3] for r in peers)
    ok = ours >= 3 * rival
    print(
        "\ntarget: ours >= 3x the faster of panoramisk and pyst2 as shipped: "
        f"{ours / rival:.1f}x by wall clock, {rival_cpu / ours_cpu:.1f}x by CPU"
        f" -> {'met' if ok else 'NOT met'}"
    )
    for name, _, rate, cpu_us in results[1:]:
        if name.startswith("AmiClient,"):
            print(
                f"{name}: {rate / rival:.1f}x by wall clock, "
                f"{rival_cpu / cpu_us:.1f}x by CPU"
            )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--pyst2-events", type=int, default=4_000)
    parser.add_argument("--pyst2-buffered-events", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=1, help="median of N runs")
    parser.add_argument("--parser-only", action="store_true", help="no sockets")
    parser.add_argument(
        "--peers", default=",".join(PEERS[1:]), help=f"subset of {','.join(PEERS)}"
    )
    args = parser.parse_args(argv)
    stream = build_stream(args.events)
    print(
        f"stream: {args.events:,} real Asterisk events, {len(stream) / 1e6:.1f} MB"
        + ("" if args.parser_only else " over loopback")
    )
    if args.parser_only:
        report_parser(stream, args.events, args.repeat)
        return 0
    results = run_clients(args, stream)
    parser_rows = report_parser(stream, args.events, 1)
    return 0 if print_table(results, parser_rows) else 1


if __name__ == "__main__":
    sys.exit(main())
