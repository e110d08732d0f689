"""Hub mode (issue 14): a real JupyterHub, a real PostgreSQL and the secrets service.

Rows:

- ``hub_projects``: ``GET /api/secrets/projects?path=`` (100 filled slots) of a server whose
  store is ``HubSecretStore`` against the same request of a server on the local SQLite store,
  paired in the same run (target ≤ 2×).
- ``hub_refresh``: what one periodic refresh of one server costs (a 100-slot project): the
  service requests it sends and its time, against the same refresh on the local store.
- ``hub_load_p50`` / ``hub_load_p99``: the service with 10,000 users × 10 secrets in PostgreSQL
  answering the refresh checks of 1,000 simulated servers (each its own user and token,
  ``GET api/state`` with ``If-None-Match``) from 32 connections; the service's CPU per request
  and the rate it sustained are in the notes (what a 30 s refresh interval needs).

The servers and the service run as separate processes; the hub checks each token once (the
service caches identities for ``token_cache_seconds``), which the warm-up does.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import threading
import time
from pathlib import Path

from .fixtures import OWNER, cpu_seconds, make_project, populate_store, run_clients, server, workdir
from .fixtures import new_key as new_local_key
from .timing import Row, paired, percentile, ratio_row

SLOTS = 100
CLIENTS = 8
USERS = 10_000
SECRETS_PER_USER = 10
SERVERS = 1_000
LOAD_CONNECTIONS = 32
PROJECTS = ("GET", "/api/secrets/projects?path=", None)


def _stack(work: Path):
    from tests.hub.hub_process import HubProcess
    from tests.hub.postgres import Postgres
    from tests.hub.service_stack import HERE, SecretsServiceProcess

    pg = Postgres().start()
    marker = os.urandom(8).hex()
    service = SecretsServiceProcess(work, pg.url, marker)
    spec = {"name": "jupyter-secrets", "url": service.url, "token": service.token}
    hub = HubProcess(
        work / "hub",
        users=(OWNER,),
        marker=marker,
        config=HERE / "service_hub_config.py",
        extra_env={"JS_HUB_SECRETS_SERVICE": json.dumps(spec)},
    )
    return pg, hub, service


class _ServiceClient:
    def __init__(self, url: str, token: str):
        from urllib.parse import urlparse

        parsed = urlparse(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        self.prefix = "/services/jupyter-secrets/"
        self.token = token

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, dict]:
        all_headers = {"Authorization": f"token {self.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        self.conn.request(method, self.prefix + path, body=data, headers=all_headers)
        response = self.conn.getresponse()
        # Header names as the server spells them (tornado: "Etag"), looked up lower-case.
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, response.read(), headers


def _fill_hub_project(client: _ServiceClient, project) -> None:
    for i, slot in enumerate(project.slots):
        status, raw, _ = client.call(
            "POST",
            "api/create-and-bind",
            {
                "project_id": project.project_id,
                "slot_id": slot.id,
                "name": f"secret-{i}",
                "value_base64": base64.b64encode(f"hub-bench-value-{i:04d}".encode()).decode(),
            },
        )
        assert status == 201, raw


def _populate_users(db_url: str, keys_text: str, names: list[str]) -> float:
    """``SECRETS_PER_USER`` sealed secrets for each name, written in bulk; seconds taken."""
    import asyncio

    from sqlalchemy import insert

    from jupyter_secrets.hub import db
    from jupyter_secrets.hub.keys import ServiceKeys, load_service_keyring
    from jupyter_secrets.rules import name_key

    keys = ServiceKeys(load_service_keyring(keys_text))
    start = time.perf_counter()

    async def go() -> None:
        engine = db.make_engine(db_url)
        now = "2026-12-01T00:00:00Z"
        for chunk in range(0, len(names), 1000):
            users, secrets = [], []
            for name in names[chunk : chunk + 1000]:
                wrapped = keys.new_wrapped_data_key(name)
                users.append({"name": name, "data_key": wrapped, "version": 1, "created": now})
                for n in range(SECRETS_PER_USER):
                    sid = os.urandom(16).hex()
                    secrets.append(
                        {
                            "user": name,
                            "id": sid,
                            "name": f"secret-{n}",
                            "name_key": name_key(f"secret-{n}"),
                            "ciphertext": keys.seal(name, wrapped, sid, b"v" * 40, False),
                            "binary": False,
                            "created": now,
                            "modified": now,
                            "expires": None,
                        }
                    )
            async with engine.begin() as conn:
                await conn.execute(insert(db.users), users)
                await conn.execute(insert(db.secrets), secrets)
        await engine.dispose()

    asyncio.run(go())
    return time.perf_counter() - start


def _admin(hub, method: str, path: str, body) -> tuple[int, object]:
    """An admin request straight to the hub's API, with a long timeout (bulk user creation)."""
    import urllib.error
    import urllib.request

    url = f"http://127.0.0.1:{hub.ports['hub']}/hub/api{path}"
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method=method)
    req.add_header("Authorization", f"token {hub.admin_token}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=600) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _tokens(hub, names: list[str]) -> list[str]:
    for chunk in range(0, len(names), 100):
        status, body = _admin(hub, "POST", "/users", {"usernames": names[chunk : chunk + 100]})
        assert status in (201, 409), body
    tokens = []
    for name in names:
        status, body = _admin(hub, "POST", f"/users/{name}/tokens", {"expires_in": 7200})
        assert status == 201 and isinstance(body, dict), body
        tokens.append(body["token"])
    return tokens


def _load(
    service_url: str, tokens: list[str], seconds: float, once: bool = False
) -> tuple[list[float], int]:
    """Every simulated server asks ``GET api/state`` with its ETag, round robin (``once``: each
    server one time, however long it takes)."""
    etags: dict[int, str] = {}
    latencies: list[list[float]] = [[] for _ in range(LOAD_CONNECTIONS)]
    stop_at = time.perf_counter() + seconds
    errors: list[BaseException] = []

    def work(n: int) -> None:
        client = _ServiceClient(service_url, "")
        mine = list(range(n, len(tokens), LOAD_CONNECTIONS))
        i = 0
        try:
            while (i < len(mine)) if once else (time.perf_counter() < stop_at):
                server_n = mine[i % len(mine)]
                client.token = tokens[server_n]
                headers = {"If-None-Match": etags[server_n]} if server_n in etags else {}
                t = time.perf_counter()
                status, _, reply_headers = client.call("GET", "api/state", headers=headers)
                latencies[n].append(time.perf_counter() - t)
                assert status in (200, 304), status
                etags[server_n] = reply_headers.get("etag", "")
                i += 1
        except BaseException as err:
            errors.append(err)

    threads = [
        threading.Thread(target=work, args=(n,), daemon=True) for n in range(LOAD_CONNECTIONS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    if errors:
        raise RuntimeError(f"load client failed: {errors[0]!r}")
    flat = [x for own in latencies for x in own]
    return flat, len(flat)


def _idle(service_url: str, token: str, count: int) -> list[float]:
    client = _ServiceClient(service_url, token)
    status, _, headers = client.call("GET", "api/state")
    etag = {"If-None-Match": headers.get("etag", "")}
    out = []
    for _ in range(count):
        t = time.perf_counter()
        status, _, _ = client.call("GET", "api/state", headers=etag)
        out.append(time.perf_counter() - t)
        assert status == 304, status
    return out


def run(quick: bool = False) -> list[Row]:
    from jupyter_secrets.store.hub import HubSecretStore
    from jupyter_secrets.store.sqlite import SQLiteSecretStore

    # --quick (the smoke test): the same code paths, small numbers.
    repeats, per_client = (1, 5) if quick else (5, 40)
    users, servers, load_seconds = (200, 40, 2.0) if quick else (USERS, SERVERS, 20.0)
    rows: list[Row] = []
    with workdir("hub") as work:
        pg, hub, service = _stack(work)
        try:
            # The service first: the hub waits at start for the external services it routes to.
            service.start(f"http://127.0.0.1:{hub.ports['hub']}/hub/api")
            hub.start()
            reply = hub.admin("POST", f"/users/{OWNER}/tokens", {"expires_in": 7200})
            owner_token = reply.body["token"]
            service_url = service.url + "/services/jupyter-secrets/"

            # ---- two servers on one 100-slot project: local SQLite store vs hub store
            local_key = new_local_key()
            local = server(work / "local", local_key)
            project = make_project(local.root, SLOTS)
            populate_store(local.store_path, local_key, SLOTS, project, local.root)
            hubbed = server(work / "hubbed", local_key)
            make_project(hubbed.root, 0)  # replaced below by the same slot file
            (hubbed.root / ".jupyter" / "secret-slots.json").write_bytes(
                (local.root / ".jupyter" / "secret-slots.json").read_bytes()
            )
            hubbed.env.update(
                {"JUPYTER_SECRETS_HUB_URL": service_url, "JUPYTERHUB_API_TOKEN": owner_token}
            )
            _fill_hub_project(_ServiceClient(service.url, owner_token), project)
            local.start()
            hubbed.start()
            try:
                for sp in (local, hubbed):
                    run_clients(sp, lambda c, i: PROJECTS, clients=CLIENTS, per_client=3)
                samples: dict[str, list[float]] = {"hub": [], "local": []}

                def batch(sp, key):
                    def measure() -> float:
                        lat, _ = run_clients(
                            sp, lambda c, i: PROJECTS, clients=CLIENTS, per_client=per_client
                        )
                        samples[key].append(percentile(lat, 50))
                        return 0.0

                    return measure

                paired(batch(hubbed, "hub"), batch(local, "local"), repeats)
            finally:
                hubbed.stop()
                local.stop()
            rows.append(
                ratio_row(
                    "hub_projects",
                    f"GET /api/secrets/projects?path= ({SLOTS} filled slots), p50, hub store, {CLIENTS} clients",
                    "the same on the local SQLite store",
                    samples["hub"],
                    samples["local"],
                    unit="s",
                    target="≤ 2×",
                    limit=2.0,
                    note=f"{CLIENTS * per_client} requests per batch; service and PostgreSQL on the same machine",
                )
            )

            # ---- one refresh of one server: what FileSync.write asks the store per project
            os.environ["JUPYTERHUB_API_TOKEN"] = owner_token
            try:
                store = HubSecretStore(url=service_url)
            finally:
                os.environ.pop("JUPYTERHUB_API_TOKEN", None)
            local_store = SQLiteSecretStore.open(
                str(local.store_path), env={"JUPYTER_SECRETS_KEY": local_key}
            )
            counted = {"n": 0}
            send = store._send

            def counting(*args, **kwargs):
                counted["n"] += 1
                return send(*args, **kwargs)

            store._send = counting  # type: ignore[method-assign]

            def refresh(s) -> float:
                if s is store:
                    store._checked_at = 0.0  # the refresh interval has passed: check again
                t = time.perf_counter()
                bound = s.bound_secrets(OWNER, project.project_id)
                s.read_values(OWNER, [m.id for m in bound.values()])
                return time.perf_counter() - t

            refresh(store)
            refresh(local_store)
            counted["n"] = 0
            n_refresh = 5 if quick else 21
            r_hub, r_local = paired(lambda: refresh(store), lambda: refresh(local_store), n_refresh)
            per_refresh = counted["n"] / n_refresh
            store.close()
            local_store.close()
            rows.append(
                ratio_row(
                    "hub_refresh",
                    f"one refresh of one server ({SLOTS}-slot project), hub store",
                    "the same on the local SQLite store",
                    r_hub,
                    r_local,
                    unit="s",
                    target="1 request per interval",
                    note=f"{per_refresh:.1f} request(s) to the service per refresh (a 304 when nothing changed)",
                )
            )
            rows[-1].met = per_refresh <= 1.0

            # ---- the service under many users and servers (its rows fail alone)
            try:
                rows.extend(_load_rows(pg, hub, service, users, servers, load_seconds, quick))
            except Exception as err:
                rows.extend(
                    Row(
                        key=f"hub_load_p{p}",
                        what="bench_hub load",
                        baseline="",
                        error=f"{type(err).__name__}: {err}",
                    )
                    for p in (50, 99)
                )
        finally:
            service.kill()
            hub.stop()
            pg.stop()
    return rows


def _load_rows(
    pg, hub, service, users: int, servers: int, load_seconds: float, quick: bool
) -> list[Row]:
    rows: list[Row] = []
    names = [f"load-{n:05d}" for n in range(users)]
    fill_s = _populate_users(pg.url, service.keys, names)
    tokens = _tokens(hub, names[:servers])
    # Warm-up: every server's first check (its token checked with the hub, then cached by
    # the service for token_cache_seconds) and first full state; timed for the notes.
    t_cold = time.perf_counter()
    cold, _ = _load(service.url, tokens, 0, once=True)
    cold_s = time.perf_counter() - t_cold
    idle = _idle(service.url, tokens[0], 50 if quick else 300)
    cpu0, t0 = cpu_seconds(service.proc.pid), time.perf_counter()
    latencies, count = _load(service.url, tokens, load_seconds)
    cpu = cpu_seconds(service.proc.pid) - cpu0
    wall = time.perf_counter() - t0
    rate = count / wall
    note = (
        f"{users} users × {SECRETS_PER_USER} secrets in PostgreSQL (filled in {fill_s:.0f} s), "
        f"{servers} simulated servers over {LOAD_CONNECTIONS} connections; {rate:.0f} checks/s "
        f"sustained, service CPU {1e3 * cpu / max(count, 1):.2f} ms per check "
        f"({100 * cpu / wall:.0f}% of a core); a 30 s refresh interval needs "
        f"{servers / 30:.0f} checks/s for {servers} servers; before that, every server's "
        f"first check (token checked with the hub, full state) took {cold_s:.0f} s for all, "
        f"p50 {1e3 * percentile(cold, 50):.0f} ms"
    )
    for p in (50, 99):
        rows.append(
            ratio_row(
                f"hub_load_p{p}",
                f"GET api/state (ETag check) under {servers} servers refreshing, p{p}",
                "the same check, one client on the idle service",
                [percentile(latencies, p)],
                [percentile(idle, p)],
                unit="s",
                target="report",
                note=note,
            )
        )
    return rows
