"""With REDIS_URL, every server process shares one cache: a page one process rendered is served
by another from Redis, and a write through either is seen by both (the pages are keyed by the
data version in the database). Two real server processes against this machine's Redis; skipped
where no Redis answers on 127.0.0.1:6379."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A database of its own in the machine's Redis, emptied before and after.
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/13"


def _redis() -> Any:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _request(
    port: int, path: str, token: str, *, method: str = "GET", body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Accept": "application/json",
            # As behind a proxy: every worker sees the site's one host name (the pages' links
            # carry it, so it is part of their cache key).
            "Host": "127.0.0.1",
            **({"Content-Type": "application/json"} if data else {}),
            **{name.replace("_", "-"): value for name, value in headers.items()},
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[int], str, Any]]:
    redis = _redis()
    redis.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        PSEUDONYM_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('shared-cache') / 'db.sqlite3'}",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="shared-cache-test",
    )
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_demo")
    token = _manage(env, "create_api_token", "admin", "--name", "shared-cache", "--days", "1")
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield ports, token.splitlines()[-1], redis
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        redis.flushdb()


def _hits(redis: Any) -> int:
    return int(redis.info("stats")["keyspace_hits"])


def test_a_page_rendered_by_one_process_is_served_by_the_other_from_redis(servers):
    (first, second), token, redis = servers
    status, headers, page = _request(first, "/api/v1/actions/?limit=5", token)
    assert status == 200, page
    stored = [key for key in redis.keys("shared-cache-test:*") if b"api-page" in key]
    assert len(stored) == 1

    hits = _hits(redis)
    status, again_headers, again = _request(second, "/api/v1/actions/?limit=5", token)

    assert status == 200 and again == page
    assert again_headers["ETag"] == headers["ETag"]
    # The second process found the page in Redis and stored none of its own.
    assert _hits(redis) > hits
    assert [key for key in redis.keys("shared-cache-test:*") if b"api-page" in key] == stored


def test_a_write_through_one_process_is_seen_by_both(servers):
    (first, second), token, _redis_client = servers
    status, _headers, page = _request(first, "/api/v1/actions/?limit=1", token)
    assert status == 200, page
    action = page["results"][0]
    status, headers, _detail = _request(second, f"/api/v1/actions/{action['id']}/", token)
    assert status == 200

    new_place = f"Kortrijk {secrets.token_hex(3)}"
    status, _headers, changed = _request(
        second,
        f"/api/v1/actions/{action['id']}/",
        token,
        method="PATCH",
        body={"place": new_place},
        If_Match=headers["ETag"],
    )
    assert status == 200, changed

    for port in (first, second):
        status, _headers, page = _request(port, "/api/v1/actions/?limit=1", token)
        assert status == 200
        assert page["results"][0]["place"] == new_place
