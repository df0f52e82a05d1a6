"""FBP807: a login that skips the hash for unknown users tells an attacker which users exist.

Each snippet is served by uvicorn on 127.0.0.1 and sent the same failed logins, one at a
time: an unknown user, and a known user with a wrong password. The ratio of the median
answer times is what an attacker reads: far above 1 when unknown users return early, about
1 when every login verifies one Argon2 hash.
"""

import secrets
import statistics
import time
from typing import Any

import argon2
import httpx
import pytest

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "security/argon2-constant-time-login"
LOGINS = 5  # of each kind, per snippet; each known-user login costs one Argon2 verification
DEADLINE = 60.0  # seconds, per snippet, whatever the machine's load
RIGHT = {"username": "alice", "password": "correct horse battery staple"}
UNKNOWN = {"username": "mallory", "password": "guess-1"}
KNOWN_WRONG = {"username": "alice", "password": "guess-1"}


def timed_login(url: str, body: dict[str, str]) -> tuple[float, httpx.Response]:
    """One login over a fresh connection, as an attacker's script sends them."""
    with httpx.Client(timeout=30) as client:
        start = time.perf_counter()
        response = client.post(f"{url}/login", json=body)
        return time.perf_counter() - start, response


def run(name: str) -> dict[str, Any]:
    """Serve one snippet; check its hashes and API key; time its failed logins."""
    module = load_snippet(snippet_path(PRACTICE, name))
    out: dict[str, Any] = {"hash": module.USERS["alice"], "unknown": [], "known": []}
    with live_app(module.app) as url:
        # The right password works (so the known user's hash is real); warms both paths.
        out["right"] = httpx.post(f"{url}/login", json=RIGHT, timeout=30)
        timed_login(url, UNKNOWN)
        deadline = time.monotonic() + DEADLINE
        for _ in range(LOGINS):  # interleaved, so load on the machine hits both alike
            for kind, body in (("unknown", UNKNOWN), ("known", KNOWN_WRONG)):
                elapsed, response = timed_login(url, body)
                # Same status and body either way: only the time tells them apart.
                assert response.status_code == 401
                assert response.json() == {"detail": "Incorrect username or password"}
                out[kind].append(elapsed)
            assert time.monotonic() < deadline, f"{name}: logins took over {DEADLINE:.0f} s"
        key = module.STATS_KEY
        out["stats"] = [
            httpx.get(f"{url}/stats", headers=headers, timeout=5)
            for headers in ({"X-API-Key": key}, {"X-API-Key": key[:-1] + "!"}, {})
        ]
    out["ratio"] = statistics.median(out["known"]) / statistics.median(out["unknown"])
    return out


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    return {name: run(name) for name in ("bad", "good")}


def test_early_return_for_unknown_users_is_measurably_faster(runs, record) -> None:
    ratio = runs["bad"]["ratio"]
    record(
        "bad",
        f"`bad.py`: median wrong-password login / median unknown-user login ({LOGINS} each)",
        round(ratio, 1),
        f"{ratio:.1f}×",
    )
    # One Argon2 verification against none at all: many times slower; margin kept generous.
    assert ratio > 5


def test_dummy_hash_makes_both_logins_cost_the_same(runs, record) -> None:
    ratio = runs["good"]["ratio"]
    record(
        "good",
        f"`good.py`: median wrong-password login / median unknown-user login ({LOGINS} each)",
        round(ratio, 2),
        f"{ratio:.2f}×",
    )
    assert 0.5 < ratio < 2
    assert runs["bad"]["ratio"] > 2.5 * ratio


@pytest.mark.parametrize("name", ["bad", "good"])
def test_argon2id_hashes_and_api_key_checks(runs, name) -> None:
    """Both store Argon2id hashes (pwdlib's recommended hasher) that verify, and both API key
    checks accept the key and refuse anything else: they differ only in how they compare."""
    got = runs[name]
    assert got["hash"].startswith("$argon2id$")
    defaults = argon2.PasswordHasher()  # what PasswordHash.recommended() configures
    params = f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}"
    assert got["hash"].split("$")[3] == params
    assert got["right"].json() == {"user": "alice"}
    right, wrong, missing = got["stats"]
    assert right.json() == {"users": 1}
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Invalid API key"}
    assert missing.status_code == 422


def test_compare_digest_refuses_non_ascii_str_so_good_compares_bytes() -> None:
    """Why good.py encodes before comparing: with `str` arguments a non-ASCII header value
    would raise (a 500) instead of failing the comparison."""
    with pytest.raises(TypeError):
        secrets.compare_digest("clé", "clé")
    assert secrets.compare_digest("clé".encode(), "clé".encode())
