"""FBP804: a JSON body route reads a body as JSON only when its Content-Type says JSON;
`FastAPI(strict_content_type=False)` also reads a body that has no Content-Type at all,
which a cross-site `fetch()` can send with the user's cookie and no preflight.
The default refuses it since FastAPI 0.132.0."""

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path
from fastapi_practices.testing.versions import since

PRACTICE = "security/json-routes-json-only"
BODY = '{"to": "mallory", "amount": 1000}'
# What a page on evil.example makes the victim's browser send: their cookie, its origin.
VICTIM = {"Cookie": "session=s3cret-session", "Origin": "https://evil.example"}
FRONT_END = "https://app.example.com"
MONEY_SENT = {"from": "ada", "to": "mallory", "amount": 1000}
NOT_A_DICT = {
    "detail": [
        {
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": BODY,
        }
    ]
}
CONTENT_TYPES = {
    "json": "application/json",
    "none": None,
    "text": "text/plain",
    "form": "application/x-www-form-urlencoded",
}


@pytest.fixture(scope="module")
def answers() -> dict[str, dict[str, httpx.Response]]:
    """The same JSON text POSTed to each snippet under each Content-Type (or none)."""
    out: dict[str, dict[str, httpx.Response]] = {}
    for name in ("bad", "good", "good_origin"):
        with live_server(snippet_path(PRACTICE, name)) as server:
            out[name] = {}
            if name == "good_origin":
                # The real front end, and a client that is not a browser (no Origin).
                for key, origin in (("front_end", FRONT_END), ("no_origin", None)):
                    headers = {"Cookie": VICTIM["Cookie"], "Content-Type": "application/json"}
                    if origin:
                        headers["Origin"] = origin
                    out[name][key] = httpx.post(
                        f"{server.url}/transfers", content=BODY, headers=headers, timeout=5
                    )
            for key, content_type in CONTENT_TYPES.items():
                headers = dict(VICTIM)
                if content_type:
                    headers["Content-Type"] = content_type
                # httpx adds no Content-Type to raw `content`: "none" goes out without one.
                out[name][key] = httpx.post(
                    f"{server.url}/transfers", content=BODY, headers=headers, timeout=5
                )
                sent = out[name][key].request.headers.get("content-type")
                assert sent == content_type
    return out


@pytest.mark.parametrize("name", ["bad", "good"])
def test_json_content_type_is_accepted(answers, name) -> None:
    response = answers[name]["json"]
    assert response.status_code == 201
    assert response.json() == MONEY_SENT


def test_strict_check_off_reads_a_body_without_content_type(answers) -> None:
    # The request a cross-site fetch() with a Blob body makes: no Content-Type, no
    # preflight, and the money is sent.
    response = answers["bad"]["none"]
    assert response.status_code == 201
    assert response.json() == MONEY_SENT


def test_default_refuses_a_body_without_content_type(answers) -> None:
    response = answers["good"]["none"]
    if since("fastapi", "0.132.0"):
        assert response.status_code == 422
        assert response.json() == NOT_A_DICT
    else:
        # Before 0.132.0 there was no strict check: a body without Content-Type was JSON.
        assert response.status_code == 201
        assert response.json() == MONEY_SENT


@pytest.mark.parametrize("name", ["bad", "good"])
@pytest.mark.parametrize("kind", ["text", "form"])
def test_form_content_types_are_never_read_as_json(answers, name, kind) -> None:
    # What an HTML form can send (text/plain, urlencoded) stays bytes, on every release
    # and whatever strict_content_type says: the body is not a dict, 422.
    response = answers[name][kind]
    assert response.status_code == 422
    assert response.json() == NOT_A_DICT


@pytest.mark.parametrize("kind", ["json", "none", "text", "form"])
def test_origin_check_refuses_other_sites_on_every_release(answers, kind) -> None:
    # Defence in depth: the dependency runs before the body is validated, so evil.example
    # gets 403 whatever it sends, also on releases without the strict check.
    response = answers["good_origin"][kind]
    assert response.status_code == 403
    assert response.json() == {"detail": "Cross-site request refused"}


@pytest.mark.parametrize("kind", ["front_end", "no_origin"])
def test_origin_check_lets_the_front_end_and_other_clients_through(answers, kind) -> None:
    response = answers["good_origin"][kind]
    assert response.status_code == 201
    assert response.json() == MONEY_SENT
