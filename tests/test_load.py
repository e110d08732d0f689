"""Load: many concurrent clients on one real server, loopback only.

16 tornado AsyncHTTPClient coroutines send a mix of reads and writes for a bounded time (3 s;
30 s with ``--run-slow``).  No request may fail (no 5xx, no 4xx, no connection error), no
acknowledged write may be lost, and the server's memory (VmRSS) may not grow by more than
50 MB between a third of the run and its end.  The request rate is printed, not asserted.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from .hardening import lean_server, rss_kib

CLIENTS = 16
RSS_GROWTH_LIMIT_KIB = 50 * 1024


class Client:
    def __init__(self, n: int, http: AsyncHTTPClient, server, pid: str, slot_ids: list[str]):
        self.n, self.http, self.server, self.pid, self.slot_ids = n, http, server, pid, slot_ids
        self.rng = random.Random(n)
        self.created: dict[str, str] = {}  # name -> id, acknowledged
        self.deleted: set[str] = set()
        self.requests = 0
        self.failures: list[str] = []
        self.count = 0

    async def call(self, method: str, path: str, body=None, expect=(200,)):
        kwargs = {
            "method": method,
            "headers": {"Authorization": f"token {self.server.token}"},
            "request_timeout": 60,
        }
        if body is not None:
            kwargs["body"] = json.dumps(body)
        try:
            response = await self.http.fetch(self.server.url + path, raise_error=False, **kwargs)
        except (HTTPClientError, OSError) as err:
            self.failures.append(f"{method} {path}: {err!r}")
            return None
        self.requests += 1
        if response.code not in expect:
            self.failures.append(f"{method} {path}: {response.code} {response.body[:200]!r}")
            return None
        return json.loads(response.body) if response.body else {}

    async def run(self, deadline: float):
        while time.monotonic() < deadline:
            roll = self.rng.random()
            mine = [name for name in self.created if name not in self.deleted]
            if roll < 0.15:
                await self.call("GET", "/api/secrets/user-secrets")
            elif roll < 0.35:
                await self.call("GET", "/api/secrets/projects?path=proj/sub/nb.ipynb")
            elif roll < 0.45:
                await self.call("GET", f"/api/secrets/projects/{self.pid}")
            elif roll < 0.55:
                await self.call("GET", "/api/secrets/status")
            elif roll < 0.60 and mine:
                await self.call(
                    "GET", f"/api/secrets/user-secrets/{self.created[self.rng.choice(mine)]}"
                )
            elif roll < 0.78 or not mine:
                name = f"c{self.n:02d}-{self.count:05d}"
                self.count += 1
                model = await self.call(
                    "POST",
                    "/api/secrets/user-secrets",
                    {"name": name, "value": f"v-{name}"},
                    expect=(201,),
                )
                if model is not None:
                    self.created[name] = model["id"]
            elif roll < 0.86:
                name = self.rng.choice(mine)
                await self.call(
                    "PATCH",
                    f"/api/secrets/user-secrets/{self.created[name]}",
                    {"value": f"v2-{name}"},
                )
            elif roll < 0.94:
                slot = self.rng.choice(self.slot_ids)
                body = (
                    {"secret_id": self.created[self.rng.choice(mine)]}
                    if self.rng.random() < 0.5
                    else {"value": f"slot-value-{self.n}-{self.count}"}
                )
                await self.call("PUT", f"/api/secrets/projects/{self.pid}/slots/{slot}/value", body)
            else:
                name = self.rng.choice(mine)
                if (
                    await self.call(
                        "DELETE", f"/api/secrets/user-secrets/{self.created[name]}", expect=(204,)
                    )
                    is not None
                ):
                    self.deleted.add(name)


def test_concurrent_clients_lose_nothing_and_memory_stays_bounded(tmp_path, request):
    duration = 30.0 if request.config.getoption("--run-slow") else 3.0
    server = lean_server(tmp_path)
    (server.root / "proj" / "sub").mkdir(parents=True)
    server.start()
    try:
        status, project = server.json(
            "POST", "/api/secrets/projects", {"path": "proj", "name": "Load"}
        )
        assert status == 201, project
        slot_ids = []
        for n in range(4):
            status, slot = server.json(
                "POST",
                f"/api/secrets/projects/{project['id']}/slots",
                {"name": f"Slot {n}", "filename": f"slot-{n}", "env": f"LOAD_{n}"},
            )
            assert status == 201, slot
            slot_ids.append(slot["id"])

        async def main():
            http = AsyncHTTPClient(force_instance=True, max_clients=CLIENTS * 2)
            clients = [Client(n, http, server, project["id"], slot_ids) for n in range(CLIENTS)]
            start = time.monotonic()
            deadline = start + duration
            rss = {}

            async def sample():
                await asyncio.sleep(duration / 3)
                rss["third"] = rss_kib(server.pid)

            sampler = asyncio.ensure_future(sample())
            await asyncio.gather(*(c.run(deadline) for c in clients))
            elapsed = time.monotonic() - start
            await sampler
            rss["end"] = rss_kib(server.pid)
            http.close()
            return clients, elapsed, rss

        clients, elapsed, rss = asyncio.run(main())
        failures = [f for c in clients for f in c.failures]
        assert not failures, failures[:10]
        requests = sum(c.requests for c in clients)
        assert requests > CLIENTS  # every client got answers

        status, listing = server.json("GET", "/api/secrets/user-secrets")
        assert status == 200
        listed = {s["name"]: s["id"] for s in listing["secrets"]}
        for client in clients:
            for name, secret_id in client.created.items():
                if name in client.deleted:
                    assert name not in listed, f"deleted {name} is back"
                else:
                    assert listed.get(name) == secret_id, f"acknowledged {name} lost"
        status, model = server.json("GET", f"/api/secrets/projects/{project['id']}")
        assert status == 200 and len(model["slots"]) == 4
        growth = rss["end"] - rss["third"]
        print(
            f"\nload: {CLIENTS} clients, {requests} requests in {elapsed:.1f} s = {requests / elapsed:.0f} req/s; "
            f"{sum(len(c.created) for c in clients)} created, {sum(len(c.deleted) for c in clients)} deleted; "
            f"RSS {rss['third'] // 1024} MiB at 1/3, {rss['end'] // 1024} MiB at the end"
        )
        assert growth <= RSS_GROWTH_LIMIT_KIB, f"server RSS grew by {growth} KiB"
    finally:
        server.stop(signal.SIGTERM)
    assert "Traceback" not in server.log()
