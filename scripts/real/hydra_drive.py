"""Drive an Ory Hydra through its own `hydra` CLI and its own Python SDK (ory-hydra-client).

    python hydra_drive.py ADMIN_URL PUBLIC_URL HYDRA_BIN --seed N [--rounds R] [--max-seconds S]

Run by hydra.sh with the venv's python (ory-hydra-client installed). An identity team's OAuth 2.0 and
OpenID Connect provider, as its operators and its login and consent app run it: OAuth 2.0 clients under
names people pick (`Acme Shop (web)`, `Grafana`, `billing-service`, `Müller GmbH Kundenportal`), some
under ids they choose (`grafana-prod`, `ci.runner-02`), made, read, listed (paged, by name and owner),
replaced, patched, their token lifespans set, deleted (the CLI: a process per command); JSON Web Key sets
under names people pick (`billing-signing`, `partner.acme.jwt`), made, read, one key read and replaced,
deleted; client-credentials tokens (the CLI's `perform`), introspected and revoked, a client's tokens
deleted; the authorization-code flow as a browser and the login and consent app walk it (the browser:
`/oauth2/auth` and its redirects, requests; the app: the SDK's login, consent and logout requests
accepted or rejected), the code exchanged, the user info read, refresh tokens used; consent and login
sessions listed and revoked per user; trusted JWT-bearer issuers; OpenID Connect dynamic registration;
discovery, the public keys, health and version; errors (a client, key set or challenge that is not there:
404, a secret that is wrong: 401, a client that is no valid client: 400).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import ory_hydra_client as hydra
import requests
from ory_hydra_client.api import jwk_api, metadata_api, o_auth2_api, oidc_api, wellknown_api
from ory_hydra_client.exceptions import ApiException
from ory_hydra_client.model.accept_o_auth2_consent_request import AcceptOAuth2ConsentRequest
from ory_hydra_client.model.accept_o_auth2_consent_request_session import AcceptOAuth2ConsentRequestSession
from ory_hydra_client.model.accept_o_auth2_login_request import AcceptOAuth2LoginRequest
from ory_hydra_client.model.json_patch import JsonPatch
from ory_hydra_client.model.json_patch_document import JsonPatchDocument
from ory_hydra_client.model.json_web_key import JsonWebKey
from ory_hydra_client.model.o_auth2_client import OAuth2Client
from ory_hydra_client.model.o_auth2_client_token_lifespans import OAuth2ClientTokenLifespans
from ory_hydra_client.model.reject_o_auth2_request import RejectOAuth2Request
from ory_hydra_client.model.trust_o_auth2_jwt_grant_issuer import TrustOAuth2JwtGrantIssuer
from ory_hydra_client.model.trusted_o_auth2_jwt_grant_json_web_key import TrustedOAuth2JwtGrantJsonWebKey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

APPS = ("Acme Shop (web)", "Grafana", "billing-service", "Müller GmbH Kundenportal", "Nextcloud", "Home Assistant",
        "iOS app", "Android app", "GitLab", "Jenkins CI", "partner: Globex", "support-desk", "Wiki.js",
        "data-export cron", "Status page", "Mattermost")
CHOSEN_IDS = ("grafana-prod", "ci.runner-02", "shop-frontend", "billing-svc", "mobile_ios", "partner-globex",
              "wiki", "status")
OWNERS = ("team-identity", "payments@acme.example", "ops", "mobile-team", "partners@acme.example")
SCOPES = ("openid", "offline_access", "profile", "email", "orders:read", "orders:write", "billing.admin",
          "api://reports/read")
AUDIENCES = ("https://api.acme.example", "https://billing.acme.example/v2", "urn:acme:reports")
KEY_SETS = ("billing-signing", "partner.acme.jwt", "mtls-2026", "id-token-rotation", "webhooks_hmac",
            "sso.saml.bridge", "api-gateway")
ALGS = (("RS256", "sig"), ("ES256", "sig"), ("ES512", "sig"), ("ES256", "enc"), ("EdDSA", "sig"), ("PS256", "sig"))
USERS = ("anne.mueller", "bob@acme.example", "c.nguyen", "dmitri", "eva.k", "farah.h@acme.example", "5f0c9a2e-77b1",
         "hiro.tanaka", "ines", "jonas.schmidt")
ISSUERS = ("https://ci.acme.example", "https://token.actions.githubusercontent.example",
           "https://accounts.partner-globex.example", "https://sts.windows.example/3c2b")
CALLBACK = "http://127.0.0.1:5555/callback"


class Drive:
    def __init__(self, admin: str, public: str, binary: str, rng: random.Random) -> None:
        self.admin, self.public, self.bin, self.rng = admin, public, binary, rng
        conf = hydra.Configuration(host=admin)
        self.api = hydra.ApiClient(conf)
        self.oauth = o_auth2_api.OAuth2Api(self.api)
        self.jwk = jwk_api.JwkApi(self.api)
        self.meta = metadata_api.MetadataApi(self.api)
        pub = hydra.ApiClient(hydra.Configuration(host=public))
        self.oidc = oidc_api.OidcApi(pub)
        self.wellknown = wellknown_api.WellknownApi(pub)
        self.clients: dict[str, dict[str, Any]] = {}  # id -> the created client (secret included)
        self.web: list[str] = []  # clients for the authorization-code flow
        self.sets: list[str] = []
        self.tokens: list[tuple[str, str]] = []  # (client id, access token)
        self.subjects: list[str] = []
        self.id_tokens: list[str] = []
        self.refresh: list[tuple[str, str]] = []
        self.issuers: list[str] = []
        self.dynamic: list[tuple[str, str]] = []  # (client id, registration access token)

    def cli(self, *args: str, public: bool = False) -> Any:
        url = self.public if public else self.admin
        p = subprocess.run([self.bin, *args, "-e", url, "--format", "json"], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip()[:200])
        return json.loads(p.stdout) if p.stdout.strip() else None

    # clients
    def create_client(self, web: bool | None = None) -> None:
        r = self.rng
        web = r.random() < 0.45 if web is None else web
        args = ["create", "client", "--name", r.choice(APPS), "--scope", ",".join(r.sample(SCOPES, r.randint(1, 4)))]
        if web:
            args += ["--grant-type", "authorization_code,refresh_token", "--response-type", "code",
                     "--redirect-uri", CALLBACK, "--scope", "openid,offline_access,profile,email",
                     "--post-logout-callback", "http://127.0.0.1:5555/bye"]
        else:
            args += ["--grant-type", "client_credentials", "--token-endpoint-auth-method",
                     r.choice(("client_secret_basic", "client_secret_basic", "client_secret_post"))]
        if r.random() < 0.3:
            cid = f"{r.choice(CHOSEN_IDS)}-{r.randint(1, 999)}"
            args += ["--id", cid]
        if r.random() < 0.6:
            args += ["--owner", r.choice(OWNERS)]
        if r.random() < 0.5:
            args += ["--audience", ",".join(r.sample(AUDIENCES, r.randint(1, 2)))]
        if r.random() < 0.4:
            args += ["--contact", f"{r.choice(USERS).split('@')[0]}@acme.example"]
        if r.random() < 0.4:
            args += ["--metadata", json.dumps({"team": r.choice(OWNERS), "tier": r.choice(("gold", "free"))})]
        if r.random() < 0.3:
            args += ["--client-uri", f"https://{r.choice(('shop', 'wiki', 'status'))}.acme.example",
                     "--logo-uri", "https://cdn.acme.example/logo.png"]
        c = self.cli(*args)
        self.clients[c["client_id"]] = c
        if web:
            self.web.append(c["client_id"])

    def a_client(self) -> str:
        if not self.clients:
            self.create_client()
        return self.rng.choice(sorted(self.clients))

    def read_client(self) -> None:
        r = self.rng.random()
        if r < 0.45:
            self.cli("get", "client", self.a_client())
        elif r < 0.65:
            self.cli("list", "clients", "--page-size", str(self.rng.choice((5, 10, 100))))
        elif r < 0.8:
            self.oauth.list_o_auth2_clients(page_size=self.rng.choice((10, 25, 50)),
                                            client_name=self.rng.choice(APPS), _check_return_type=False)
        elif r < 0.9:
            self.oauth.list_o_auth2_clients(owner=self.rng.choice(OWNERS), _check_return_type=False)
        else:
            self.oauth.get_o_auth2_client(self.a_client(), _check_return_type=False)

    def update_client(self) -> None:
        r = self.rng
        cid = self.a_client()
        x = r.random()
        if x < 0.4:
            web = cid in self.web
            args = ["update", "client", cid, "--name", r.choice(APPS) + r.choice(("", " v2", " (staging)")),
                    "--scope", "openid,offline_access,profile,email" if web else r.choice(SCOPES)]
            if web:
                args += ["--grant-type", "authorization_code,refresh_token", "--redirect-uri", CALLBACK,
                         "--post-logout-callback", "http://127.0.0.1:5555/bye"]
            else:
                args += ["--grant-type", "client_credentials"]
            self.cli(*args)
        elif x < 0.75:
            ops = [JsonPatch(_check_type=False, op="replace", path="/client_name", value=r.choice(APPS))]
            if r.random() < 0.5:
                contact = f"{r.choice(USERS).split('@')[0]}@acme.example"
                ops.append(JsonPatch(_check_type=False, op="add", path="/contacts/-", value=contact))
            if r.random() < 0.4:
                center = {"cost_center": str(r.randint(1000, 9999))}
                ops.append(JsonPatch(_check_type=False, op="replace", path="/metadata", value=center))
            self.oauth.patch_o_auth2_client(cid, JsonPatchDocument(ops, _check_type=False), _check_return_type=False)
        elif x < 0.9:
            span = r.choice(("1h", "30m", "24h", "720h", "15m0s"))
            spans = OAuth2ClientTokenLifespans(
                _check_type=False, authorization_code_grant_access_token_lifespan=span,
                client_credentials_grant_access_token_lifespan=r.choice(("1h", "5m")),
                refresh_token_grant_refresh_token_lifespan="720h")
            self.oauth.set_o_auth2_client_lifespans(cid, o_auth2_client_token_lifespans=spans, _check_return_type=False)
        else:
            c = self.clients[cid]
            body = OAuth2Client(_check_type=False, client_name=r.choice(APPS),
                                grant_types=c.get("grant_types", ["client_credentials"]),
                                redirect_uris=c.get("redirect_uris") or [], scope=c.get("scope", "openid"),
                                client_secret=c.get("client_secret"), owner=r.choice(OWNERS))
            self.oauth.set_o_auth2_client(cid, body, _check_return_type=False)

    def delete_client(self) -> None:
        if len(self.clients) < 4:
            return
        cid = self.a_client()
        if self.rng.random() < 0.7:
            self.cli("delete", "client", cid)
        else:
            self.oauth.delete_o_auth2_client(cid)
        self.clients.pop(cid)
        if cid in self.web:
            self.web.remove(cid)

    def import_clients(self) -> None:
        r = self.rng
        docs = [{"client_name": r.choice(APPS), "grant_types": ["client_credentials"],
                 "scope": " ".join(r.sample(SCOPES, 2)), "owner": r.choice(OWNERS)} for _ in range(r.randint(1, 3))]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(docs, f)
        out = self.cli("import", "clients", f.name)
        Path(f.name).unlink()
        for c in out if isinstance(out, list) else (out.get("items") or []) if isinstance(out, dict) else []:
            if "client_id" in c:
                self.clients[c["client_id"]] = c

    # JSON Web Keys
    def create_keys(self) -> None:
        r = self.rng
        name = r.choice(KEY_SETS) + ("" if r.random() < 0.6 else f"-{r.randint(2, 9)}")
        alg, use = r.choice(ALGS)
        self.cli("create", "jwks", name, "--alg", alg, "--use", use)
        if name not in self.sets:
            self.sets.append(name)

    def read_keys(self) -> None:
        r = self.rng
        names = self.sets or ["hydra.openid.id-token"]
        name = r.choice([*names, "hydra.openid.id-token"])
        x = r.random()
        if x < 0.4:
            self.cli("get", "jwks", name)
        elif x < 0.6:
            self.jwk.get_json_web_key_set(name, _check_return_type=False)
        else:
            keys = self.jwk.get_json_web_key_set(name, _check_return_type=False)["keys"]
            if keys:
                key = keys[0]
                self.jwk.get_json_web_key(name, key["kid"], _check_return_type=False)
                if x > 0.85 and name != "hydra.openid.id-token":
                    k = key.to_dict() if hasattr(key, "to_dict") else dict(key)
                    self.jwk.set_json_web_key(name, k["kid"], json_web_key=JsonWebKey(**k, _check_type=False),
                                              _check_return_type=False)

    def delete_keys(self) -> None:
        if not self.sets:
            return
        name = self.rng.choice(self.sets)
        if self.rng.random() < 0.6:
            self.cli("delete", "jwks", name)
            self.sets.remove(name)
        else:
            keys = self.jwk.get_json_web_key_set(name, _check_return_type=False)["keys"]
            if keys:
                self.jwk.delete_json_web_key(name, keys[0]["kid"])
            if len(keys) <= 1:
                self.sets.remove(name)

    # tokens
    def m2m(self) -> None:
        r = self.rng
        m2m = [c for c in sorted(self.clients) if c not in self.web and "client_secret" in self.clients[c]]
        if not m2m:
            self.create_client(web=False)
            return
        cid = r.choice(m2m)
        c = self.clients[cid]
        args = ["perform", "client-credentials", "--client-id", cid, "--client-secret", c["client_secret"]]
        scope = [s for s in (c.get("scope") or "").split() if r.random() < 0.6]
        if scope:
            args += ["--scope", ",".join(scope)]
        if c.get("audience") and r.random() < 0.5:
            args += ["--audience", c["audience"][0]]
        tok = self.cli(*args, public=True)
        self.tokens.append((cid, tok["access_token"]))

    def introspect(self) -> None:
        if not self.tokens:
            self.m2m()
            return
        cid, tok = self.rng.choice(self.tokens)
        x = self.rng.random()
        if x < 0.6:
            self.cli("introspect", "token", tok)
        elif x < 0.8:
            self.oauth.introspect_o_auth2_token(tok, scope=self.rng.choice(SCOPES), _check_return_type=False)
        elif x < 0.92 and cid in self.clients:
            self.cli("revoke", "token", "--client-id", cid, "--client-secret", self.clients[cid]["client_secret"],
                     tok, public=True)
            self.tokens.remove((cid, tok))
        elif cid in self.clients:
            self.cli("delete", "access-tokens", cid)
            self.tokens = [t for t in self.tokens if t[0] != cid]

    # the authorization-code flow: the browser (requests) and the login and consent app (the SDK)
    def login_flow(self) -> None:
        r = self.rng
        if len(self.web) < 2:
            self.create_client(web=True)
        cid = r.choice(self.web)
        secret = self.clients[cid]["client_secret"]
        browser = requests.Session()
        state = base64.urlsafe_b64encode(r.randbytes(12)).decode().rstrip("=")
        verifier = base64.urlsafe_b64encode(r.randbytes(32)).decode().rstrip("=")
        query = {"client_id": cid, "response_type": "code", "redirect_uri": CALLBACK, "state": state,
                 "scope": " ".join(["openid", *r.sample(("offline_access", "profile", "email"), r.randint(0, 3))]),
                 "nonce": base64.urlsafe_b64encode(r.randbytes(9)).decode()}
        if r.random() < 0.5:
            digest = hashlib.sha256(verifier.encode()).digest()
            query["code_challenge"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            query["code_challenge_method"] = "S256"
        if r.random() < 0.2:
            query["prompt"] = r.choice(("login", "consent"))
        loc = browser.get(self.public + "/oauth2/auth", params=query, allow_redirects=False).headers["location"]
        challenge = parse_qs(urlparse(loc).query)["login_challenge"][0]
        login = self.oauth.get_o_auth2_login_request(challenge, _check_return_type=False)
        subject = login["subject"] if login["skip"] else r.choice(USERS)
        if not login["skip"] and r.random() < 0.1:
            why = RejectOAuth2Request(_check_type=False, error="access_denied",
                                      error_description="The user cancelled the sign-in")
            out = self.oauth.reject_o_auth2_login_request(challenge, reject_o_auth2_request=why,
                                                          _check_return_type=False)
            browser.get(out["redirect_to"], allow_redirects=False)
            return
        accept = AcceptOAuth2LoginRequest(_check_type=False, subject=subject, remember=r.random() < 0.5,
                                          remember_for=r.choice((0, 3600, 86400)), acr="0")
        out = self.oauth.accept_o_auth2_login_request(challenge, accept_o_auth2_login_request=accept,
                                                      _check_return_type=False)
        loc = browser.get(out["redirect_to"], allow_redirects=False).headers["location"]
        challenge = parse_qs(urlparse(loc).query)["consent_challenge"][0]
        consent = self.oauth.get_o_auth2_consent_request(challenge, _check_return_type=False)
        if not consent.get("skip") and r.random() < 0.1:
            why = RejectOAuth2Request(_check_type=False, error="access_denied", error_description="Consent not given")
            out = self.oauth.reject_o_auth2_consent_request(challenge, reject_o_auth2_request=why,
                                                            _check_return_type=False)
            browser.get(out["redirect_to"], allow_redirects=False)
            return
        session = AcceptOAuth2ConsentRequestSession(
            _check_type=False,
            id_token={"email": f"{subject.split('@')[0]}@acme.example", "name": subject.replace(".", " ").title()},
            access_token={"roles": r.sample(("admin", "reader", "billing"), r.randint(1, 2))})
        grant = AcceptOAuth2ConsentRequest(
            _check_type=False, grant_scope=consent["requested_scope"],
            grant_access_token_audience=consent.get("requested_access_token_audience") or [],
            remember=r.random() < 0.5, remember_for=3600, session=session)
        out = self.oauth.accept_o_auth2_consent_request(challenge, accept_o_auth2_consent_request=grant,
                                                        _check_return_type=False)
        loc = browser.get(out["redirect_to"], allow_redirects=False).headers["location"]
        code = parse_qs(urlparse(loc).query).get("code")
        if not code:
            return
        form = {"grant_type": "authorization_code", "code": code[0], "redirect_uri": CALLBACK}
        if "code_challenge" in query:
            form["code_verifier"] = verifier
        tok = requests.post(self.public + "/oauth2/token", data=form, auth=(cid, secret)).json()
        if subject not in self.subjects:
            self.subjects.append(subject)
        if "access_token" in tok:
            self.tokens.append((cid, tok["access_token"]))
            requests.get(self.public + "/userinfo", headers={"Authorization": "Bearer " + tok["access_token"]})
        if "id_token" in tok:
            self.id_tokens.append(tok["id_token"])
        if "refresh_token" in tok:
            self.refresh.append((cid, tok["refresh_token"]))

    def refresh_token(self) -> None:
        if not self.refresh:
            self.login_flow()
            return
        i = self.rng.randrange(len(self.refresh))
        cid, rt = self.refresh[i]
        if cid not in self.clients:
            self.refresh.pop(i)
            return
        tok = requests.post(self.public + "/oauth2/token", data={"grant_type": "refresh_token", "refresh_token": rt},
                            auth=(cid, self.clients[cid]["client_secret"])).json()
        if "refresh_token" in tok:
            self.refresh[i] = (cid, tok["refresh_token"])
            self.tokens.append((cid, tok["access_token"]))
        else:
            self.refresh.pop(i)

    def logout(self) -> None:
        if not self.id_tokens:
            return
        hint = self.id_tokens.pop(self.rng.randrange(len(self.id_tokens)))
        browser = requests.Session()
        resp = browser.get(self.public + "/oauth2/sessions/logout", params={
            "id_token_hint": hint, "post_logout_redirect_uri": "http://127.0.0.1:5555/bye", "state": "bye"},
            allow_redirects=False)
        loc = resp.headers.get("location", "")
        challenge = parse_qs(urlparse(loc).query).get("logout_challenge")
        if not challenge:
            return
        self.oauth.get_o_auth2_logout_request(challenge[0], _check_return_type=False)
        if self.rng.random() < 0.8:
            out = self.oauth.accept_o_auth2_logout_request(challenge[0], _check_return_type=False)
            browser.get(out["redirect_to"], allow_redirects=False)
        else:
            self.oauth.reject_o_auth2_logout_request(challenge[0])

    def sessions(self) -> None:
        r = self.rng
        subject = r.choice(self.subjects or list(USERS))
        x = r.random()
        if x < 0.55:
            self.oauth.list_o_auth2_consent_sessions(subject, _check_return_type=False)
        elif x < 0.75 and self.web:
            self.oauth.revoke_o_auth2_consent_sessions(subject, client=r.choice(self.web))
        elif x < 0.85:
            self.oauth.revoke_o_auth2_consent_sessions(subject, all=True)
        else:
            self.oauth.revoke_o_auth2_login_sessions(subject=subject)

    # trusted JWT-bearer issuers
    def trust(self) -> None:
        r = self.rng
        x = r.random()
        if x < 0.35 or not self.issuers:
            name = r.choice(self.sets) if self.sets else None
            if name is None:
                self.create_keys()
                return
            key = self.jwk.get_json_web_key_set(name, _check_return_type=False)["keys"][0]
            pub = {k: key[k] for k in ("kid", "kty", "alg", "use", "n", "e", "crv", "x", "y") if k in key}
            body = TrustOAuth2JwtGrantIssuer(
                issuer=r.choice(ISSUERS), scope=r.sample(SCOPES, 2),
                expires_at=datetime.datetime(2030, r.randint(1, 12), 1, tzinfo=datetime.UTC),
                jwk=TrustedOAuth2JwtGrantJsonWebKey(**pub, _check_type=False),
                **({"allow_any_subject": True} if r.random() < 0.3 else {"subject": r.choice(USERS)}),
                _check_type=False)
            out = self.oauth.trust_o_auth2_jwt_grant_issuer(trust_o_auth2_jwt_grant_issuer=body,
                                                            _check_return_type=False)
            self.issuers.append(out["id"])
        elif x < 0.6:
            self.oauth.list_trusted_o_auth2_jwt_grant_issuers(
                **({"issuer": r.choice(ISSUERS)} if r.random() < 0.5 else {}), _check_return_type=False)
        elif x < 0.85:
            self.oauth.get_trusted_o_auth2_jwt_grant_issuer(r.choice(self.issuers), _check_return_type=False)
        else:
            self.oauth.delete_trusted_o_auth2_jwt_grant_issuer(self.issuers.pop(r.randrange(len(self.issuers))))

    # OpenID Connect dynamic client registration (public)
    def register(self) -> None:
        r = self.rng
        x = r.random()
        if x < 0.4 or not self.dynamic:
            out = requests.post(self.public + "/oauth2/register", json={
                "client_name": r.choice(APPS), "redirect_uris": [CALLBACK], "grant_types": ["authorization_code"],
                "response_types": ["code"], "contacts": [f"{r.choice(USERS).split('@')[0]}@partner.example"]}).json()
            if "registration_access_token" in out:
                self.dynamic.append((out["client_id"], out["registration_access_token"]))
            return
        cid, rat = r.choice(self.dynamic)
        auth = {"Authorization": "Bearer " + rat}
        if x < 0.75:
            requests.get(f"{self.public}/oauth2/register/{cid}", headers=auth)
        elif x < 0.9:
            out = requests.put(f"{self.public}/oauth2/register/{cid}", headers=auth, json={
                "client_name": r.choice(APPS) + " (partner)", "redirect_uris": [CALLBACK],
                "grant_types": ["authorization_code"], "response_types": ["code"]}).json()
            if "registration_access_token" in out:
                self.dynamic[self.dynamic.index((cid, rat))] = (cid, out["registration_access_token"])
        else:
            requests.delete(f"{self.public}/oauth2/register/{cid}", headers=auth)
            self.dynamic.remove((cid, rat))

    def discovery(self) -> None:
        x = self.rng.random()
        if x < 0.3:
            requests.get(self.public + "/.well-known/openid-configuration")
        elif x < 0.55:
            requests.get(self.public + "/.well-known/jwks.json")
        elif x < 0.7:
            self.meta.is_alive(_check_return_type=False)
        elif x < 0.85:
            self.meta.is_ready(_check_return_type=False)
        else:
            self.meta.get_version(_check_return_type=False)

    def errors(self) -> None:
        r = self.rng
        x = r.random()
        try:
            if x < 0.2:
                self.oauth.get_o_auth2_client(r.choice(CHOSEN_IDS) + "-gone", _check_return_type=False)
            elif x < 0.35:
                self.jwk.get_json_web_key_set(r.choice(KEY_SETS) + "-old", _check_return_type=False)
            elif x < 0.5:
                self.oauth.get_o_auth2_login_request(base64.urlsafe_b64encode(r.randbytes(16)).decode(),
                                                     _check_return_type=False)
            elif x < 0.65 and self.clients:
                cid = self.a_client()
                requests.post(self.public + "/oauth2/token", data={"grant_type": "client_credentials"},
                              auth=(cid, "not-the-secret"))
            elif x < 0.8:
                bad = OAuth2Client(_check_type=False, client_name=r.choice(APPS), redirect_uris=["not a url"],
                                   grant_types=["authorization_code"])
                self.oauth.create_o_auth2_client(bad, _check_return_type=False)
            elif x < 0.85:
                self.cli("create", "jwks", r.choice(KEY_SETS), "--alg", r.choice(("HS256", "HS512")), "--use", "sig")
            elif x < 0.9:
                self.oauth.get_o_auth2_consent_request(base64.urlsafe_b64encode(r.randbytes(16)).decode(),
                                                       _check_return_type=False)
            else:
                self.oauth.introspect_o_auth2_token("ory_at_" + base64.urlsafe_b64encode(r.randbytes(24)).decode(),
                                                   _check_return_type=False)
        except (ApiException, RuntimeError) as e:
            print(f"expected: {type(e).__name__}: {str(e)[:100]}", file=sys.stderr)


def main() -> int:
    a = parse(__doc__, ["admin", "public", "binary"], rounds=600)
    rng = random.Random(a.seed)
    d = Drive(a.admin.rstrip("/"), a.public.rstrip("/"), a.binary, rng)
    for _ in range(6):
        d.create_client()
    for _ in range(3):
        d.create_client(web=True)
    for _ in range(3):
        d.create_keys()
    steps = [
        (d.create_client, 6),
        (d.read_client, 10),
        (d.update_client, 6),
        (d.delete_client, 2),
        (d.import_clients, 1),
        (d.create_keys, 3),
        (d.read_keys, 6),
        (d.delete_keys, 1.5),
        (d.m2m, 8),
        (d.introspect, 6),
        (d.login_flow, 7),
        (d.refresh_token, 3),
        (d.logout, 2),
        (d.sessions, 4),
        (d.trust, 3),
        (d.register, 3),
        (d.discovery, 4),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds,
        tolerated=(ApiException, RuntimeError, KeyError, IndexError, ValueError, requests.RequestException,
                   subprocess.TimeoutExpired, hydra.exceptions.OpenApiException))
    time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
