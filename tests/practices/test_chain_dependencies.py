"""FBP402: small chained dependencies (token claims -> active user -> owned post) check
every route the same way; checks repeated inline in each route drift apart. Real tokens,
minted here with PyJWT, against the snippets served by uvicorn in a subprocess."""

import secrets
import time
from collections import Counter
from collections.abc import Callable

import httpx
import jwt
import pytest

from fastapi_practices.testing.live import live_server, snippet_path

PRACTICE = "dependencies/chain-dependencies"
SECRET = secrets.token_urlsafe(48)  # 64 characters: long enough for HS256 and HS384
OTHER_SECRET = secrets.token_urlsafe(48)


def mint(
    sub: str, *, key: str | None = SECRET, algorithm: str = "HS256", expires_in: int | None = 300
) -> str:
    claims: dict[str, object] = {"sub": sub}
    if expires_in is not None:
        claims["exp"] = int(time.time()) + expires_in
    return jwt.encode(claims, key, algorithm=algorithm)


# name -> (token, method, post id, status the chained dependencies must answer)
CASES: dict[str, tuple[Callable[[], str | None], str, int, int]] = {
    "valid token, own post": (lambda: mint("ada"), "GET", 1, 200),
    "no token": (lambda: None, "GET", 1, 401),
    "expired token": (lambda: mint("ada", expires_in=-60), "GET", 1, 401),
    "token without exp": (lambda: mint("ada", expires_in=None), "GET", 1, 401),
    "wrong signing key": (lambda: mint("ada", key=OTHER_SECRET), "GET", 1, 401),
    "HS384 with the right key": (lambda: mint("ada", algorithm="HS384"), "GET", 1, 401),
    "alg none (unsigned)": (lambda: mint("ada", key=None, algorithm="none"), "GET", 1, 401),
    "another user's post": (lambda: mint("ada"), "GET", 2, 403),
    "inactive user, own post": (lambda: mint("eve"), "GET", 3, 403),
    "PUT: valid token, own post": (lambda: mint("ada"), "PUT", 1, 200),
    "PUT: expired token": (lambda: mint("ada", expires_in=-60), "PUT", 1, 401),
    "PUT: wrong signing key": (lambda: mint("bob", key=OTHER_SECRET), "PUT", 2, 401),
    "PUT: alg none, forged as bob": (
        lambda: mint("bob", key=None, algorithm="none"),
        "PUT",
        2,
        401,
    ),
    "PUT: another user's post": (lambda: mint("ada"), "PUT", 2, 403),
    "PUT: inactive user, own post": (lambda: mint("eve"), "PUT", 3, 403),
}


def answers(name: str) -> dict[str, int | str]:
    statuses: dict[str, int | str] = {}
    server_for = live_server(snippet_path(PRACTICE, name), env={"JWT_SECRET": SECRET})
    with server_for as server, httpx.Client(base_url=server.url) as client:
        for case, (token, method, post_id, _) in CASES.items():
            value = token()
            headers = {"Authorization": f"Bearer {value}"} if value else {}
            body = {"title": f"edited: {case}"} if method == "PUT" else None
            response = client.request(method, f"/posts/{post_id}", json=body, headers=headers)
            statuses[case] = response.status_code
        # What bob's post says now, read with a genuine token of bob's.
        post = client.get("/posts/2", headers={"Authorization": f"Bearer {mint('bob')}"})
        statuses["bob's post title afterwards"] = post.json()["title"]
    return statuses


@pytest.fixture(scope="module")
def seen() -> dict[str, dict[str, int | str]]:
    return {name: answers(name) for name in ("bad", "good")}


def test_chained_dependencies_reject_every_bad_token_on_every_route(seen, record) -> None:
    good = seen["good"]
    expected = {case: status for case, (_, _, _, status) in CASES.items()}
    assert {case: good[case] for case in CASES} == expected
    assert good["bob's post title afterwards"] == "On the loom"
    matched = sum(good[c] == s for c, s in expected.items())
    per_status = Counter(good[case] for case in CASES)
    record(
        "good",
        "`good.py`: 15 requests (GET and PUT), statuses as expected",
        matched,
        f"{matched} of {len(expected)}: "
        + ", ".join(f"{n} × {status}" for status, n in sorted(per_status.items())),
    )


def test_inline_checks_drift_and_the_put_copy_trusts_forged_tokens(seen, record) -> None:
    bad = seen["bad"]
    # The GET copy pins the algorithm and checks the signature, but does not require
    # `exp`: a token minted without one never expires.
    for case, (_, method, _, status) in CASES.items():
        if method == "GET" and case != "token without exp":
            assert bad[case] == status, case
    assert bad["token without exp"] == 200
    # ...the PUT copy skipped verification: any token that names the owner is accepted.
    accepted = [
        case
        for case, (_, method, _, status) in CASES.items()
        if method == "PUT" and status != 200 and bad[case] == 200
    ]
    assert accepted == [
        "PUT: expired token",
        "PUT: wrong signing key",
        "PUT: alg none, forged as bob",
        "PUT: inactive user, own post",
    ]
    forged_title = bad["bob's post title afterwards"]
    assert forged_title == "edited: PUT: alg none, forged as bob"
    must_fail = [c for c, (_, m, _, s) in CASES.items() if m == "PUT" and s != 200]
    record(
        "bad",
        "`bad.py`: PUT requests that must fail but answered 200",
        len(accepted),
        f"{len(accepted)} of {len(must_fail)}: "
        + "; ".join(c.removeprefix("PUT: ") for c in accepted),
    )
    record(
        "bad_no_exp",
        "`bad.py`: GET with a token that has no `exp` claim",
        bad["token without exp"],
        f"{bad['token without exp']}: accepted, with no expiry to reach",
    )
    record(
        "bad_forged",
        "`bad.py`: bob's post title after an unsigned `alg: none` PUT",
        forged_title,
        f"`{forged_title}`",
    )


def test_the_app_refuses_to_start_without_a_secret(monkeypatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with (
        pytest.raises(RuntimeError, match="jwt_secret"),
        live_server(snippet_path(PRACTICE, "good")),
    ):
        pass


def test_pyjwt_refuses_to_decode_without_algorithms(record) -> None:
    token = mint("ada")
    with pytest.raises(jwt.DecodeError, match='pass in a value for the "algorithms"') as refused:
        jwt.decode(token, SECRET)
    # With verification switched off, nothing is checked: not the signature, not exp.
    expired_unsigned = mint("bob", key=None, algorithm="none", expires_in=-60)
    assert jwt.decode(expired_unsigned, options={"verify_signature": False})["sub"] == "bob"
    record(
        "no_algorithms",
        f"PyJWT {jwt.__version__}: `jwt.decode(token, key)`, no `algorithms`",
        refused.type.__name__,
        f"raises `{refused.type.__name__}`: {refused.value}",
    )
