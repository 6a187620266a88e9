"""specbuild.http: the one secret rule the examples' redactor and the drift reports share."""

from __future__ import annotations

import pytest

from specbuild.http import HeaderPolicy, email, is_api_key_header, secret_name, secret_value
from specbuild.learn.render import redact


@pytest.mark.parametrize("name", ["password", "X-Api-Key", "client_secret", "accessToken", "oauth",
                                  "Authorization", "session_id", "ssn", "card_number", "cvv", "iban", "auth",
                                  "APIKey", "api_key", "accesstoken", "clientsecret", "refresh_tokens",
                                  "Set-Cookie", "X-CSRF-Token", "private_key", "pwd", "newPassword", "pass",
                                  "admin_pass", "smtp_pass", "newPass"])
def test_secret_names(name: str) -> None:
    assert secret_name(name)


@pytest.mark.parametrize("name", ["author_association", "authors", "priorityClassName", "businessName",
                                  "runtimeClassName", "name", "pinned", "description", "cardinality",
                                  "authenticated", "authored_at", "tokenizer", "secretary", "possession",
                                  "spinner", "keyboard", "api_version", "sessionless", "pinyin", "pass_rate",
                                  "passType", "passes", "bypass", "compass", "passing"])
def test_names_that_only_contain_a_secret_word_are_not_secret(name: str) -> None:
    # whole words only: "auth" in author_association or authenticated, "ssn" in clas-sN-ame, "session" in
    # possession, "pin" in spinner
    assert not secret_name(name)


@pytest.mark.parametrize("name", ["token_endpoint_auth_method", "token_type", "token_use", "access_token_strategy",
                                  "authorization_code_grant_access_token_lifespan", "token_endpoint",
                                  "authorization_endpoint", "end_session_endpoint", "token_type_hint",
                                  "token_endpoint_auth_methods_supported", "id_token_signing_alg_values_supported",
                                  "password_policy", "password_min_length", "authType", "secretKind",
                                  "session_timeout", "token_expires_at"])
def test_names_that_say_what_kind_of_secret_are_not_secret(name: str) -> None:
    """OAuth 2.0 and OpenID Connect name their vocabulary after the token it is about: a client's
    ``token_endpoint_auth_method`` (``client_secret_basic``), a token answer's ``token_type`` (``bearer``), a
    discovery document's ``token_endpoint`` (a URL), Hydra's ``access_token_strategy`` (``opaque``) and token
    lifespans (``1h``). A word after the secret one that says which kind, how, where or how long (a type, a
    method, an endpoint, a strategy, a lifespan, an algorithm) names what describes the secret, never the
    secret: Hydra's recordings had 723 ``token_endpoint_auth_method`` values REDACTED of 1,069 exchanges."""
    assert not secret_name(name)


@pytest.mark.parametrize("name", ["id_token_hint", "refresh_token", "session_id", "login_session_id",
                                  "client_secret_hash", "auth_header", "api_key_value", "password_reset_token",
                                  "access_token", "X-Auth-Token"])
def test_a_secret_word_after_a_descriptor_or_before_another_word_stays_secret(name: str) -> None:
    """A secret word last, or followed by no descriptor, stays secret: ``id_token_hint`` is an ID token,
    ``password_reset_token`` a token, ``auth_header`` a credential, ``session_id`` a session's handle."""
    assert secret_name(name)


def test_credential_shaped_values_are_secret_whatever_their_name() -> None:
    assert secret_value("Bearer abc.def") and secret_value("ghp_0123456789abcdef")
    assert not secret_value("new") and email("a@example.org") and not email("@handle")


def test_the_redactor_keeps_what_the_learned_schema_allows() -> None:
    example = {"author_association": "OWNER", "password": "hunter2", "user": {"email": "a@b.io"},
               "priorityClassName": "system-node-critical", "note": "Bearer abc.def"}
    assert redact(example) == {"author_association": "OWNER", "password": "REDACTED",
                               "user": {"email": "user@example.com"}, "priorityClassName": "system-node-critical",
                               "note": "REDACTED"}


def test_the_redactor_hides_a_json_web_keys_private_members() -> None:
    """An example of Hydra's key sets showed their private keys (``d``); the recorder hides them (a ``kty``
    beside them), and so does the examples' redactor; the public members and a ``d`` elsewhere stay."""
    example = {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83O", "y": "x_FE", "d": "jpsQ"}], "d": "a field"}
    assert redact(example) == {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83O", "y": "x_FE", "d": "REDACTED"}],
                               "d": "a field"}


def test_header_policy_keeps_api_headers_and_drops_generic_and_credential_ones() -> None:
    policy = HeaderPolicy(include=("x-forwarded-*",), exclude=("x-debug",))
    assert policy.request("x-tenant") and policy.request("x-forwarded-for")
    assert not policy.request("user-agent") and not policy.request("x-api-key") and not policy.request("x-debug")
    assert policy.response("x-rate-limit") and not policy.response("x-cache")
    # conditional requests are the API's concurrency and caching contract (412, 304), not transport
    assert policy.request("if-match") and policy.request("if-none-match") and policy.response("etag")
    # tracing: a client's correlation id (django-guid's and pulp-glue's Correlation-ID, Sentry's) rides
    # on every call with one value per run: no parameter a generated client should have to fill in
    assert not any(HeaderPolicy().request(name) for name in ("correlation-id", "sentry-trace", "x-trace-id"))
    assert not any(HeaderPolicy().response(name) for name in ("correlation-id", "x-trace-id"))  # echoed back


def test_an_sdks_telemetry_headers_are_no_parameters_but_a_clients_credentials_stay_its_own() -> None:
    """openfga-sdk's X-OpenFGA-Client-Method (an enum of its method names, required on /write) and its bulk
    request id, Stainless SDKs' X-Stainless-*, Google's X-Goog-Api-Client and AWS's X-Amz-User-Agent say which
    client called: the server ignores them. A client's id or key (X-IBM-Client-Id) is a credential: never a
    parameter either, and not telemetry; an API's own X-Client-Version header stays a parameter."""
    policy = HeaderPolicy()
    for name in ("x-openfga-client-method", "x-openfga-client-bulk-request-id", "x-stainless-lang",
                 "x-stainless-retry-count", "x-goog-api-client", "x-amz-user-agent"):
        assert not policy.request(name), name
    assert policy.request("x-client-version") and policy.request("x-tenant-client")
    assert policy.request("x-ibm-client-id")  # documented where seen, as before (the secret rule redacts it)
    assert HeaderPolicy(include=("x-openfga-*",)).request("x-openfga-client-method")  # the user's word wins


def test_a_clients_credential_of_several_words_is_no_telemetry() -> None:
    """X-<vendor>-Client-Api-Key, -Access-Token, -Secret are credentials as -Key and -Token are: an API key
    scheme's (is_api_key_header), no parameter and no telemetry; a -Password header is documented where seen."""
    policy = HeaderPolicy()
    for name in ("x-acme-client-api-key", "x-acme-client-access-token", "x-acme-client-auth-token",
                 "x-acme-client-secret"):
        assert is_api_key_header(name) and not policy.request(name), name
    assert policy.request("x-acme-client-password") and not is_api_key_header("x-acme-client-password")
    assert not policy.request("x-acme-client-method") and not policy.request("x-ms-client-request-id")


@pytest.mark.parametrize("name", ["xc-auth", "xc-token", "PRIVATE-TOKEN", "X-Vault-Token", "X-Goog-Api-Key",
                                  "Ocp-Apim-Subscription-Key", "x-functions-key", "X-Registry-Auth", "x-api-key",
                                  "X-Shopify-Access-Token", "X-Emby-Token"])
def test_a_vendors_own_credential_header_is_an_api_key(name: str) -> None:
    """NocoDB's ``xc-auth`` and ``xc-token`` were optional header parameters on every call, no security
    scheme: a generated client took the admin's session per call. A header named for a credential is one."""
    policy = HeaderPolicy()
    assert is_api_key_header(name) and not policy.request(name.lower())
    assert policy.credentials == {name.lower()}  # what builder._credential reads


@pytest.mark.parametrize("name", ["X-Gotify-Key", "x-rapidapi-key", "X-Mashape-Key", "X-Auth-Key", "X-TBA-Auth-Key"])
def test_a_vendors_x_name_key_header_is_an_api_key(name: str) -> None:
    """Gotify's applications push with ``X-Gotify-Key`` (its Swagger's ``appTokenHeader``): it was learned as
    an optional header parameter of ``POST /message`` and the operation allowed anonymous calls (``{}``). A
    vendor's ``X-<name>-Key`` (RapidAPI's, Mashape's, Cloudflare's ``X-Auth-Key``, The Blue Alliance's
    ``X-TBA-Auth-Key``) is the client's key, as ``X-<name>-Token`` is."""
    policy = HeaderPolicy()
    assert is_api_key_header(name) and not policy.request(name.lower())
    assert policy.credentials == {name.lower()}


@pytest.mark.parametrize("name", ["X-Cache-Key", "x-partition-key", "X-Dedup-Key", "x-routing-key", "X-Sort-Key",
                                  "X-Idempotency-Key", "x-lock-key", "x-primary-key", "X-Foo-Bar-Key", "x-key",
                                  "X-Retry-Key", "X-Checksum-Key", "X-Resume-Key", "X-Index-Key", "X-Order-Key"])
def test_a_key_header_that_says_what_it_keys_is_no_credential(name: str) -> None:
    """A cache's, a partition's, a deduplication's, a retry's key: the API's parameters, as is a name of
    more words than ``X-<name>-Key`` (no vendor's credential is called so in the wild, and a purpose
    reads as one)."""
    assert not is_api_key_header(name)


@pytest.mark.parametrize("name", ["X-CSRF-Token", "X-XSRF-TOKEN", "x-next-page-token", "X-Upload-Token",
                                  "Idempotency-Key", "x-request-token", "X-Refresh-Token", "x-author", "x-key-id",
                                  "x-token-type", "x-oauth-scopes", "x-ibm-client-id", "x-tokenizer",
                                  "-token", "token-", "x--token", "a+token"])
def test_a_header_that_names_another_token_or_only_mentions_one_is_no_credential(name: str) -> None:
    """A form's token (CSRF), a page's, an upload's, a retry's key, a token's type: the API's parameters; so
    is a name a scheme's cannot tell from another's (``-token`` and ``token-`` were both ``apiKeyHeaderToken``)."""
    assert not is_api_key_header(name)
    policy = HeaderPolicy()
    policy.request(name.lower())
    assert not policy.credentials


def test_the_users_globs_decide_parameters_and_a_refused_credential_is_still_a_credential() -> None:
    """``--include-header`` makes a credential-named header a parameter (no scheme); ``--exclude-header``
    only keeps it from the parameters: what it carries is still the client's credential."""
    included, excluded = HeaderPolicy(include=("xc-*",)), HeaderPolicy(exclude=("xc-*",))
    assert included.request("xc-token") and not included.credentials
    assert not excluded.request("xc-token") and excluded.credentials == {"xc-token"}
