"""The JWT rules of `fastapi-practices check` (checker/rules/auth.py), all FBP402:
python-jose imports, decodes without a pinned algorithm or without verification, and
secrets typed into the code. Positive fixtures, false-positive guards, the line between
them and ruff's S105/S106 (checked by running ruff), and the snippet tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi_practices.checker.base import Rule
from fastapi_practices.checker.rules.auth import (
    JwtDecodeWithoutAlgorithms,
    JwtLiteralSecret,
    PythonJose,
)
from fastapi_practices.testing.checker import check, lines

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
RULES: list[type[Rule]] = [JwtDecodeWithoutAlgorithms, JwtLiteralSecret, PythonJose]


def test_python_jose_imports_are_reported() -> None:
    found = check(
        PythonJose,
        """
        import jose
        from jose import JWTError, jwt
        from jose.exceptions import ExpiredSignatureError
        import jose.jwt as jj
        import jwt
        from josepy import JWK
        from authlib.jose import JsonWebToken
        """,
    )
    assert lines(found) == [2, 3, 4, 5]
    assert all(f.code == "FBP402" and "PyJWT" in f.message for f in found)


def test_decode_without_algorithms_is_reported() -> None:
    found = check(
        JwtDecodeWithoutAlgorithms,
        """
        import jwt
        from jose import jwt as jose_jwt


        def claims(token: str, key: str) -> dict:
            a = jwt.decode(token, key)
            b = jose_jwt.decode(token, key)
            c = jwt.decode(token, options={"verify_signature": False})
            d = jwt.decode(token, key, algorithms=["HS256"], options={"verify_signature": False})
            return a | b | c | d
        """,
    )
    assert lines(found) == [7, 8, 9, 10]
    assert "without `algorithms=`" in found[0].message
    assert "verify_signature" in found[2].message and "verify_signature" in found[3].message


def test_pinned_decodes_and_other_decoders_are_silent() -> None:
    assert not check(
        JwtDecodeWithoutAlgorithms,
        """
        import base64
        import jwt
        from app.config import settings


        def claims(token: str, key: str, **kw) -> dict:
            jwt.decode(token, key, algorithms=[settings.jwt_algorithm])
            jwt.decode(token, key, ["HS256"])
            jwt.decode(token, key, **kw)
            jwt.decode(token, key, options={"verify_signature": True}, algorithms=["HS256"])
            base64.b64decode(token)
            manager = object()
            return manager.jwt.decode(token)
        """,
    )


def test_a_local_name_jwt_is_not_pyjwt() -> None:
    assert not check(
        JwtDecodeWithoutAlgorithms,
        """
        def claims(jwt, token):
            return jwt.decode(token)
        """,
    )


def test_literal_secrets_are_reported() -> None:
    found = check(
        JwtLiteralSecret,
        """
        import jwt
        from jose import jwt as jose_jwt

        KEY = "hunter2hunter2"


        def tokens(payload: dict, token: str) -> None:
            jwt.encode(payload, "literal-secret", algorithm="HS256")
            jwt.encode(payload, key=b"bytes-secret", algorithm="HS256")
            jwt.decode(token, KEY, algorithms=["HS256"])
            jose_jwt.decode(token, "another", algorithms=["HS256"])
        """,
    )
    assert lines(found) == [9, 10, 11, 12]
    assert "literal" in found[0].message and "`jwt.encode`" in found[0].message
    assert "constant `KEY`" in found[2].message


def test_secrets_from_settings_public_keys_and_ruffs_names_are_silent() -> None:
    assert not check(
        JwtLiteralSecret,
        """
        import jwt
        from app.config import settings

        SECRET_KEY = "left-to-ruff-S105"
        PUBLIC = "-----BEGIN PUBLIC KEY-----\\nMIIB...\\n-----END PUBLIC KEY-----"


        def tokens(payload: dict, token: str) -> None:
            jwt.encode(payload, settings.jwt_secret.get_secret_value(), algorithm="HS256")
            jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
            jwt.decode(token, PUBLIC, algorithms=["RS256"])
            jwt.decode(token, "", options={"verify_signature": False})
            jwt.encode(payload)
        """,
    )


RUFF_PROBE = """\
import jwt

SECRET_KEY = "hunter2hunter2"
KEY = "hunter2hunter2"


def make(payload, token):
    jwt.encode(payload, "literal-secret", algorithm="HS256")
    jwt.encode(payload, key="literal-secret", algorithm="HS256")
    jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    jwt.decode(token, KEY, algorithms=["HS256"])
    jwt.encode(payload, secret="literal-secret")
"""


def test_ruff_reports_named_secrets_and_the_rule_reports_only_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "probe.py"
    path.write_text(RUFF_PROBE)
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run(
        [
            str(ruff),
            "check",
            "--isolated",
            "--select",
            "S105,S106",
            "--output-format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    theirs = {(item["code"], item["location"]["row"]) for item in json.loads(out.stdout)}
    assert theirs == {("S105", 3), ("S106", 12)}
    ours = lines(check(JwtLiteralSecret, RUFF_PROBE))
    assert ours == [8, 9, 11]
    assert not {row for _, row in theirs} & set(ours)
    assert JwtLiteralSecret.ruff == ("S105", "S106")
