"""Security schemes: what each call sends (tests/features/security) against a server on
127.0.0.1, sync and async; the errors for credentials nobody gave or that cannot be
sent; credentials in no repr, error or log; how arguments are named."""

from __future__ import annotations

import asyncio
import base64
import inspect
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SpecError
from generator.load import load
from generator.lower import lower

from .loopback import Loopback, Reply, sync_and_async
from .test_features import package

sec = package("security")

# none of them can turn up by chance in generated text (an idempotency key is a random
# UUID: "ada" once did)
USER, PASSWORD, TOKEN = "ada-USER-0", "pa:ss wörd", "tok-SECRET-1"
HEADER_KEY, QUERY_KEY, COOKIE, PARTNER = "hk-SECRET-2", "qk/SECRET 3&", "ck-SECRET-4", "pt-SECRET-5"
ALL = {"username": USER, "password": PASSWORD, "access_token": TOKEN, "api_key_header": HEADER_KEY,
       "api_key_query": QUERY_KEY, "session_cookie": COOKIE, "partner_token": PARTNER}
ENVS = ("OPENAI_USERNAME", "OPENAI_PASSWORD", "OPENAI_ACCESS_TOKEN", "OPENAI_API_KEY_HEADER",
        "OPENAI_API_KEY_QUERY", "OPENAI_SESSION_COOKIE", "OPENAI_PARTNER_TOKEN")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVS + ("OPENAI_BASE_URL",):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as s:
        s.responder = lambda seen: Reply(body={"ok": True})
        yield s


def clients(server: Loopback, **credentials: Any) -> tuple[Any, Any]:
    options = {"base_url": server.url + "/v1", "timeout": 5.0, "max_retries": 0, **credentials}
    return sec.Client(**options), sec.AsyncClient(**options)


def both(server: Loopback, name: str, credentials: dict[str, Any], **kwargs: Any) -> list[dict[str, str]]:
    """Call ``name`` sync and async; the headers each request carried."""
    before = len(server.requests)
    results = sync_and_async(*clients(server, **credentials), lambda c: getattr(c, name)(**kwargs))
    assert [r.ok for r in results] == [True, True]
    seen = server.requests[before:]
    assert len(seen) == 2 and seen[0].path == seen[1].path
    return [s.headers for s in seen]


AUTH_HEADERS = ("authorization", "x-acme-token", "cookie")


def auth(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in AUTH_HEADERS}


# ----- what each call sends ------------------------------------------------------------------


def test_the_default_sends_the_first_alternative_whose_credentials_were_given(server: Loopback) -> None:
    for headers in both(server, "get_me", ALL):  # basic comes first
        assert auth(headers) == {"authorization": basic(USER, PASSWORD)}
    for headers in both(server, "get_me", {"access_token": TOKEN, "username": USER}):  # no password: OAuth2
        assert auth(headers) == {"authorization": f"Bearer {TOKEN}"}
    for headers in both(server, "get_me", {"username": USER, "password": ""}):  # an empty password is one
        assert auth(headers) == {"authorization": basic(USER, "")}
    assert {s.path for s in server.requests} == {"/v1/me"}


def test_an_operation_with_empty_security_sends_nothing(server: Loopback) -> None:
    for headers in both(server, "list_public", ALL) + both(server, "list_public", {}):
        assert auth(headers) == {}
    assert {s.path for s in server.requests} == {"/v1/public"}


def test_an_empty_alternative_makes_credentials_optional(server: Loopback) -> None:
    for headers in both(server, "get_optional", {}):
        assert auth(headers) == {}
    for headers in both(server, "get_optional", {"access_token": TOKEN}):
        assert auth(headers) == {"authorization": f"Bearer {TOKEN}"}


def test_schemes_of_one_requirement_are_sent_together(server: Loopback) -> None:
    for headers in both(server, "get_report", ALL):
        assert auth(headers) == {"x-acme-token": HEADER_KEY, "cookie": f"session={COOKIE}"}
    # a cookie of the caller's own is kept beside the session
    client, _ = clients(server, **ALL)
    with client:
        client.get_report(extra_headers={"Cookie": "theme=dark"})
    assert server.requests[-1].headers["cookie"] == f"theme=dark; session={COOKIE}"


def test_an_api_key_in_the_query(server: Loopback, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for headers in both(server, "search", {"api_key_query": QUERY_KEY}, q="a b"):
        assert auth(headers) == {}
    assert server.requests[-1].path == "/v1/search?q=a%20b&key=qk%2FSECRET%203%26"
    client, _ = clients(server, api_key_query=QUERY_KEY)
    with client:
        raw = client.with_raw_response.search(q="x", extra_query={"page": 2})
    assert server.requests[-1].path == "/v1/search?q=x&page=2&key=qk%2FSECRET%203%26"
    assert raw.url == f"{server.url}/v1/search?q=x&page=2&key=***"
    assert "SECRET" not in repr(raw) and "SECRET" not in caplog.text and "key=***" in caplog.text


def test_an_unsupported_scheme_is_left_out_of_the_alternatives(server: Loopback) -> None:
    # HTTP digest comes first but cannot be sent: the bearer token (scheme "Bearer") is
    for headers in both(server, "get_partner", {"partner_token": PARTNER}):
        assert auth(headers) == {"authorization": f"Bearer {PARTNER}"}


def test_credentials_from_the_environment(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_USERNAME", "env-user")
    monkeypatch.setenv("OPENAI_PASSWORD", "env-pass")
    monkeypatch.setenv("OPENAI_API_KEY_QUERY", "env-key")
    for headers in both(server, "get_me", {}):
        assert auth(headers) == {"authorization": basic("env-user", "env-pass")}
    for headers in both(server, "get_me", {"username": "arg-user"}):  # an argument wins over its variable
        assert auth(headers) == {"authorization": basic("arg-user", "env-pass")}
    both(server, "search", {}, q="x")
    assert server.requests[-1].path == "/v1/search?q=x&key=env-key"


def test_a_header_the_caller_sets_stands_in_for_the_scheme(server: Loopback) -> None:
    for headers in both(server, "get_me", {"default_headers": {"Authorization": "Token mine"}}):
        assert auth(headers) == {"authorization": "Token mine"}
    client, _ = clients(server, **ALL)
    with client:  # the caller's own header wins over a credential
        client.get_me(extra_headers={"Authorization": "Token per-call"})
    assert server.requests[-1].headers["authorization"] == "Token per-call"


# ----- errors --------------------------------------------------------------------------------


def test_a_call_without_the_credentials_it_needs_raises_before_any_request(server: Loopback) -> None:
    cases = [
        ("get_me", {}, {}, "GET /me needs credentials: pass username and password, or access_token to the client "
         "(or set OPENAI_USERNAME and OPENAI_PASSWORD, or OPENAI_ACCESS_TOKEN in the environment)"),
        ("get_me", {"username": USER}, {}, "GET /me needs credentials: pass username and password, or access_token "
         "to the client (or set OPENAI_USERNAME and OPENAI_PASSWORD, or OPENAI_ACCESS_TOKEN in the environment)"),
        ("get_report", {"api_key_header": HEADER_KEY}, {}, "GET /reports needs credentials: pass api_key_header and "
         "session_cookie to the client (or set OPENAI_API_KEY_HEADER and OPENAI_SESSION_COOKIE in the environment)"),
        ("search", {}, {"q": "x"}, "GET /search needs credentials: pass api_key_query to the client "
         "(or set OPENAI_API_KEY_QUERY in the environment)"),
        ("get_partner", {"access_token": TOKEN}, {}, "GET /partner needs credentials: pass partner_token to the "
         "client (or set OPENAI_PARTNER_TOKEN in the environment)"),
    ]
    for name, credentials, kwargs, message in cases:
        client, aclient = clients(server, **credentials)
        with client, pytest.raises(sec.ClientError) as info:
            getattr(client, name)(**kwargs)
        assert str(info.value) == message

        async def go(aclient: Any = aclient, name: str = name, kwargs: dict[str, Any] = kwargs) -> str:
            async with aclient:
                with pytest.raises(sec.ClientError) as ainfo:
                    await getattr(aclient, name)(**kwargs)
            return str(ainfo.value)

        assert asyncio.run(go()) == message
    assert server.requests == []


@pytest.mark.parametrize("credentials, message", [
    ({"api_key_header": "k\r\nX-Injected: 1"}, "api_key_header must be a string of printable ASCII characters"),
    ({"session_cookie": "a; b=c"}, "session_cookie cannot hold ';', ',' or spaces"),
    ({"username": "a:b"}, "username cannot hold ':'"),
    ({"partner_token": 123}, "partner_token must be a string, not int"),
])
def test_a_credential_that_cannot_be_sent_is_refused_without_echoing_it(credentials: dict[str, Any],
                                                                          message: str) -> None:
    with pytest.raises(sec.ClientError) as info:
        sec.Client(**credentials)
    assert str(info.value).startswith(message)
    assert str(next(iter(credentials.values()))) not in str(info.value)


def test_credentials_appear_in_no_repr_error_or_log(server: Loopback, caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sec._retries, "sleep", lambda delay: None)
    caplog.set_level(logging.DEBUG)
    server.script(*[Reply(401, {"error": {"message": "no"}})] * 8)
    secrets = list(ALL.values()) + [basic(USER, PASSWORD).split()[1]]
    texts: list[str] = []
    with sec.Client(**ALL, base_url=server.url + "/v1", max_retries=1) as client:
        texts += [repr(client), str(client), repr(client._config), repr(client.with_options(timeout=3.0)._config)]
        for name, kwargs in [("get_me", {}), ("get_report", {}), ("search", {"q": "x"}), ("get_partner", {})]:
            try:
                getattr(client, name)(**kwargs)
            except sec.APIStatusError as exc:
                texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(exc.__dict__),
                          repr(exc.response), exc.response.url]
        for security in [((sec.client._AUTH_BASIC_AUTH,),), ((sec.client._AUTH_API_KEY_HEADER,
                                                              sec.client._AUTH_SESSION_COOKIE),),
                         ((sec.client._AUTH_API_KEY_QUERY,),)]:
            request = client._config.prepare(sec._base_client.RequestOptions("GET", "/x", security=security))[0]
            texts += [repr(request), repr(request.headers), str(request.headers.keys())]
    texts.append(caplog.text)
    assert len(texts) > 20 and "GET" in caplog.text
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)
        assert "qk%2FSECRET" not in text


# ----- naming and lowering -------------------------------------------------------------------


def test_arguments_by_kind_by_scheme_name_when_kinds_repeat_and_only_for_used_schemes() -> None:
    names = list(inspect.signature(sec.Client).parameters)
    assert names[:7] == list(ALL)
    assert "unused" not in names and "api_key" not in names
    # several credentials are keyword-only; one may be positional (the fragment's api_key)
    assert all(inspect.signature(sec.Client).parameters[n].kind is inspect.Parameter.KEYWORD_ONLY for n in ALL)
    import fine_tuning_client

    first = next(iter(inspect.signature(fine_tuning_client.Client).parameters.values()))
    assert (first.name, first.kind) == ("api_key", inspect.Parameter.POSITIONAL_OR_KEYWORD)


def test_a_spec_without_security_gives_a_client_without_credentials() -> None:
    ops = package("pagination_item_id")
    assert not any("key" in n or "token" in n for n in inspect.signature(ops.Client).parameters)
    assert ops.client._CREDENTIALS == ()


SPEC = """\
openapi: 3.1.0
info: {{title: t, version: "1"}}
security: {security}
paths:
  /a:
    get:
      operationId: getA
      {op_security}
      responses: {{"204": {{description: ok}}}}
components:
  securitySchemes:
{schemes}
"""


def lowered(tmp_path: Path, schemes: str, security: str = "[]", op_security: str = "") -> Any:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(security=security, op_security=op_security, schemes=schemes), encoding="utf-8")
    return lower(load(path), "p", "ACME")


def test_two_bearer_schemes_take_their_names(tmp_path: Path) -> None:
    """The OpenAI snapshot's case: ApiKeyAuth and AdminApiKeyAuth, both HTTP bearer."""
    pkg = lowered(tmp_path, "    ApiKeyAuth: {type: http, scheme: bearer}\n"
                            "    AdminApiKeyAuth: {type: http, scheme: bearer}\n"
                            "    Basic: {type: http, scheme: basic}\n"
                            "    Other: {type: http, scheme: basic}",
                  "[{ApiKeyAuth: []}, {AdminApiKeyAuth: []}, {Basic: []}, {Other: []}]")
    assert [(c.arg, c.env, c.sent) for c in pkg.credentials] == [
        ("api_key_auth", "ACME_API_KEY_AUTH", "header"), ("admin_api_key_auth", "ACME_ADMIN_API_KEY_AUTH", "header"),
        ("basic_username", "ACME_BASIC_USERNAME", "username"), ("basic_password", "ACME_BASIC_PASSWORD", "password"),
        ("other_username", "ACME_OTHER_USERNAME", "username"), ("other_password", "ACME_OTHER_PASSWORD", "password"),
    ]
    one = lowered(tmp_path, "    Key: {type: apiKey, in: query, name: k}\n    Token: {type: openIdConnect, "
                            "openIdConnectUrl: 'https://x'}\n    Unused: {type: http, scheme: bearer}",
                  op_security="security: [{Key: []}, {Token: []}]")
    assert [c.arg for c in one.credentials] == ["api_key", "access_token"]
    assert [[s.name for s in alt] for alt in one.operations[0].security] == [["Key"], ["Token"]]
    # a scheme named like a constructor argument takes `_`
    timeout = lowered(tmp_path, "    timeout: {type: apiKey, in: header, name: T}\n"
                                "    b: {type: apiKey, in: header, name: B}", "[{timeout: [], b: []}]")
    assert [c.arg for c in timeout.credentials] == ["timeout_", "b"]


@pytest.mark.parametrize("schemes, security, message", [
    ("    K: {type: apiKey, in: header, name: K}", "[{Nope: []}]",
     "/security/0/Nope: no security scheme 'Nope' in components/securitySchemes"),
    ("    K: {type: apiKey, in: body, name: K}", "[{K: []}]",
     "/components/securitySchemes/K/in: an apiKey security scheme needs an 'in' of header, query or cookie"),
    ("    K: {type: apiKey, in: header}", "[{K: []}]",
     "/components/securitySchemes/K/name: an apiKey security scheme needs a non-empty string name"),
    ("    K: {type: magic}", "[{K: []}]", "/components/securitySchemes/K/type: unknown security scheme type 'magic'"),
    ("    K: {type: apiKey, in: header, name: K}", "{K: []}", "/security: security must be a list, not a mapping"),
])
def test_security_the_client_cannot_read_is_a_clean_error(tmp_path: Path, schemes: str, security: str,
                                                           message: str) -> None:
    with pytest.raises(SpecError) as info:
        lowered(tmp_path, schemes, security)
    assert message in str(info.value)


def test_schemes_the_client_cannot_send_warn(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(security="[{D: []}, {M: []}]", op_security="", schemes=(
        "    D: {type: http, scheme: digest}\n    M: {type: mutualTLS}")), encoding="utf-8")
    said: list[str] = []
    pkg = lower(load(path, on_warning=lambda w: said.append(str(w))), "p")
    assert [w.split(": ", 1)[1] for w in said] == [
        "/components/securitySchemes/D: HTTP digest authentication is not supported: the client sends nothing for it",
        "/components/securitySchemes/M: mutual TLS is not supported: the client sends no certificate for it",
    ]
    assert pkg.credentials == () and pkg.operations[0].security == ()


CORPUS_CREDENTIALS = {
    # [{}, BasicAuth, BearerAuth] by default; PassportAuth is a second bearer scheme
    "ga4gh_drs": ["username", "password", "bearer_auth", "passport_auth"],
    "oai_non_oauth_scopes": ["api_key"],  # bearer, with scopes that OAuth does not define
    "sendgrid_mail": ["api_key"],
    "spotify": ["access_token"],
    "xero_accounting": ["access_token"],
    "xero_identity": ["access_token"],  # BasicAuth is declared but no operation uses it
    "oai_uspto": [],
}


@pytest.mark.parametrize("name", sorted(CORPUS_CREDENTIALS))
def test_corpus_specs_take_the_credentials_their_schemes_name(name: str) -> None:
    from .test_corpus import ENTRIES

    entry = next(e for e in ENTRIES if e.name == name)
    pkg = lower(load(entry.path, ref_map=entry.ref_map, on_warning=lambda w: None), "p", "X")
    assert [c.arg for c in pkg.credentials] == CORPUS_CREDENTIALS[name]
