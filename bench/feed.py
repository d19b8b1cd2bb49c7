"""The changesets subscription under load: N WebSocket clients (graphql-transport-ws) on one
`taiqu serve`, while another process writes; how long from each write's commit until every
client has its changeset (p50, p95, max over clients and writes).

    .venv/bin/python -m bench.feed --meters 20000 --clients 100 --writes 20

Each write moves one meter to another area of its feeder with a one-file load (meters.csv),
straight into the store from this process: the server learns of it as of any load.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets

from bench.topology import KEYS, percentiles, serve
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder

SUBSCRIBE = "subscription { changesets { graphVersion source } }"


async def _client(port: int, key: str, got: dict[int, list[float]], ready: asyncio.Event) -> Any:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        max_queue=None,
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    ready.set()
    async for raw in ws:
        message = json.loads(raw)
        if message.get("type") == "next":
            version = message["payload"]["data"]["changesets"]["graphVersion"]
            got.setdefault(version, []).append(time.monotonic())
    return ws


def _meters(folder: Path) -> list[dict[str, str]]:
    with (folder / "meters.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _move_folder(tmp: Path, header: list[str], row: dict[str, str], area: str, n: int) -> Path:
    folder = tmp / f"move-{n}"
    folder.mkdir()
    with (folder / "meters.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerow({**row, "transformer_code": area})
    return folder


async def run(meters: int, clients: int, writes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="taiqu-feed-") as tmp_text:
        tmp = Path(tmp_text)
        network = tmp / "net"
        write_folder(generate(meters, seed=7), network)
        home = tmp / "home"
        store = EmbeddedStore(home)
        load_folder(store, network)
        rows = _meters(network)
        header = list(rows[0])
        customers = [r for r in rows if r["role"] == "customer"]
        areas = sorted({r["transformer_code"] for r in customers})
        process, port = serve({"TAIQU_HOME": str(home)})
        try:
            got: dict[int, list[float]] = {}
            readies = [asyncio.Event() for _ in range(clients)]
            tasks = [asyncio.create_task(_client(port, KEYS[port], got, r)) for r in readies]
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
            await asyncio.sleep(1.0)  # every subscription registered with the feed
            committed: dict[int, float] = {}
            for n in range(writes):
                meter = customers[n]
                target = areas[(areas.index(meter["transformer_code"]) + 1) % len(areas)]
                folder = _move_folder(tmp, header, meter, target, n)
                await asyncio.to_thread(load_folder, store, folder)
                committed[store.version()] = time.monotonic()
                await asyncio.sleep(0.3)
            await asyncio.sleep(2.0)
            for task in tasks:
                task.cancel()
        finally:
            process.terminate()
            process.wait(timeout=30)
            store.close()
    latencies = [
        (t - committed[v]) * 1000 for v, times in got.items() if v in committed for t in times
    ]
    delivered = sum(len(got.get(v, [])) for v in committed)
    return {
        "meters": meters,
        "clients": clients,
        "writes": writes,
        "delivered": delivered,
        "expected": clients * writes,
        "latency_ms": percentiles([x / 1000 for x in latencies]) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    result = asyncio.run(run(args.meters, args.clients, args.writes))
    print(json.dumps(result, indent=1))
    return 0 if result["delivered"] == result["expected"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
