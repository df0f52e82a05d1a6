"""The application-object rules of `fastapi-practices check` (checker/rules/app_config.py):
docs left public (opt-in), CORS wildcard with credentials, debug=True, on_event, forwarded
headers trusted from anyone, strict Content-Type off. Positive fixtures (code, line, words),
false-positive guards, edge cases, and the snippet tree."""

from __future__ import annotations

from pathlib import Path

from fastapi_practices.checker.base import Rule
from fastapi_practices.checker.rules.app_config import (
    CorsWildcardWithCredentials,
    DebugTrue,
    OnEvent,
    OpenApiUrlNotConfigured,
    StrictContentTypeOff,
    TrustAllForwarded,
)
from fastapi_practices.testing.checker import check, lines

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
RULES: list[type[Rule]] = [
    CorsWildcardWithCredentials,
    DebugTrue,
    OnEvent,
    OpenApiUrlNotConfigured,
    StrictContentTypeOff,
    TrustAllForwarded,
]


# --- FBP503 openapi-url-not-configured ------------------------------------------------


def test_openapi_url_missing_or_literal_is_reported() -> None:
    found = check(
        OpenApiUrlNotConfigured,
        """
        from fastapi import FastAPI
        import fastapi

        app = FastAPI(title="x", docs_url=None)
        other = fastapi.FastAPI(openapi_url="/openapi.json")
        """,
    )
    assert lines(found) == [5, 6]
    assert {f.code for f in found} == {"FBP503"}
    assert "set `openapi_url` from settings" in found[0].message
    assert "constant" in found[1].message
    assert OpenApiUrlNotConfigured.default is False


def test_openapi_url_from_configuration_is_silent() -> None:
    assert not check(
        OpenApiUrlNotConfigured,
        """
        from fastapi import FastAPI
        from app.config import settings

        a = FastAPI(openapi_url=None)
        b = FastAPI(openapi_url="/openapi.json" if settings.show_docs else None)
        c = FastAPI(openapi_url=settings.openapi_url)
        d = FastAPI(**settings.app_kwargs)
        e = FastAPI(openapi_url="")  # falsy: FastAPI serves no schema
        """,
    )


def test_a_fastapi_that_is_not_fastapis_is_silent() -> None:
    assert not check(OpenApiUrlNotConfigured, "class FastAPI: ...\napp = FastAPI()\n")


# --- FBP801 cors-wildcard-with-credentials -------------------------------------------


def test_cors_wildcard_with_credentials_every_spelling() -> None:
    found = check(
        CorsWildcardWithCredentials,
        """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware as StarletteCors

        ORIGINS = ["*"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
        middleware = [Middleware(StarletteCors, allow_origins=("*",), allow_credentials=True)]
        app.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)
        app.add_middleware(
            CORSMiddleware, allow_origin_regex=r"https?://.*", allow_credentials=True
        )
        wrapped = CORSMiddleware(app, allow_origins=["*"], allow_credentials=True)
        """,
    )
    assert lines(found) == [9, 10, 11, 12, 14, 16]
    assert all(f.code == "FBP801" for f in found)
    assert 'origin "*" with credentials' in found[0].message
    assert "matches any origin" in found[3].message


def test_cors_guards() -> None:
    assert not check(
        CorsWildcardWithCredentials,
        """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from app.config import settings

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"])  # no credentials: public
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.origins, allow_credentials=True
        )
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com"],
            allow_credentials=True,
        )
        app.add_middleware(
            CORSMiddleware,
            allow_origin_regex=r"https://[a-z]+\\.example\\.com",
            allow_credentials=True,
        )
        app.add_middleware(CORSMiddleware, allow_origin_regex="(", allow_credentials=True)
        app.add_middleware(GZipMiddleware, allow_origins=["*"], allow_credentials=True)
        """,
    )


# --- FBP808 debug-true ------------------------------------------------------------------


def test_debug_true_is_reported() -> None:
    found = check(
        DebugTrue,
        """
        from fastapi import FastAPI
        from starlette.applications import Starlette

        DEBUG = True
        app = FastAPI(debug=True)
        other = Starlette(debug=DEBUG)
        third = FastAPI()
        third.debug = True
        """,
    )
    assert lines(found) == [6, 7, 9]
    assert "traceback" in found[0].message
    assert {f.code for f in found} == {"FBP808"}


def test_debug_from_settings_is_silent() -> None:
    assert not check(
        DebugTrue,
        """
        from fastapi import FastAPI
        from app.config import settings

        app = FastAPI(debug=settings.environment == "local")
        b = FastAPI(debug=False)
        flask_like.debug = True
        """,
    )


# --- FBP103 on-event --------------------------------------------------------------------


def test_on_event_is_reported_on_apps_and_routers() -> None:
    found = check(
        OnEvent,
        """
        from fastapi import APIRouter, FastAPI

        app = FastAPI()
        router = APIRouter()


        @app.on_event("startup")
        async def start() -> None: ...


        @router.on_event("shutdown")
        def stop() -> None: ...


        app.add_event_handler("startup", start)
        """,
    )
    assert lines(found) == [8, 12, 16]
    assert "lifespan" in found[0].message and "'startup'" in found[0].message


def test_other_on_event_calls_are_silent() -> None:
    assert not check(
        OnEvent,
        """
        bus.on_event("user_created")(handler)
        socket.on_event(name)
        """,
    )


# --- FBP802 trust-all-forwarded ---------------------------------------------------------


def test_trust_all_forwarded_is_reported() -> None:
    found = check(
        TrustAllForwarded,
        """
        import uvicorn
        from fastapi import FastAPI
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app = FastAPI()
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts="*")
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=["*"])
        uvicorn.run(app, proxy_headers=True, forwarded_allow_ips="*")
        config = uvicorn.Config(app, forwarded_allow_ips="*")
        """,
    )
    assert lines(found) == [7, 8, 9, 10]
    assert "trusted_hosts" in found[0].message and "forwarded_allow_ips" in found[2].message
    assert '`trusted_hosts="*"`' not in found[1].message  # it was a list holding "*"


def test_named_proxies_are_silent() -> None:
    assert not check(
        TrustAllForwarded,
        """
        import uvicorn
        from fastapi import FastAPI
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app = FastAPI()
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts="10.0.0.0/8")
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies)
        uvicorn.run(app, forwarded_allow_ips="127.0.0.1")
        other.run(app, forwarded_allow_ips="*")
        uvicorn.run(app, proxy_headers=False, forwarded_allow_ips="*")
        """,
    )


# --- FBP804 strict-content-type-off ----------------------------------------------------


def test_strict_content_type_off_is_reported() -> None:
    found = check(
        StrictContentTypeOff,
        """
        from fastapi import APIRouter, FastAPI

        app = FastAPI(strict_content_type=False)
        router = APIRouter(strict_content_type=False)
        """,
    )
    assert lines(found) == [4, 5]
    assert "Content-Type" in found[0].message


def test_strict_content_type_on_is_silent() -> None:
    assert not check(
        StrictContentTypeOff,
        """
        from fastapi import FastAPI

        app = FastAPI(strict_content_type=True)
        other = FastAPI()
        mine(strict_content_type=False)
        """,
    )
