"""Drive an Ory Kratos (admin and public APIs) through its own Python SDK (ory-kratos-client) and `kratos` CLI.

    python kratos_drive.py ADMIN_URL PUBLIC_URL KRATOS_BINARY --seed N [--rounds R] [--max-seconds S]

Run by kratos.sh. A web shop's identity service: customers sign up, log in, look at their sessions, change
their profile and password, ask for recovery and verification codes and log out through the native (API)
self-service flows of the public API, as the shop's mobile app does with the SDK's FrontendApi; the shop's
back office manages identities through the admin API (IdentityApi: customers and staff made, imported in
batches, read with their credentials, patched with JSON patches, replaced, deleted; their sessions listed,
extended, revoked; recovery links and codes made; identity schemas read; CourierApi: the queued mails listed
by status and recipient) and through the `kratos` CLI (import, list, get and delete identities: a process
per command). Traits people fill in (names, e-mails, usernames, departments), public and admin metadata
under keys each back-office tool picks (`plan`, `crm.id`, `stripe_customer`, `kyc.status`, ...); errors (an
identity or flow that is not there: 404, a second sign-up with an e-mail taken or traits the schema refuses:
400, a wrong password: 400, a request without a session: 401).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ory_kratos_client as k
from ory_kratos_client.rest import ApiException

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

FIRST = ("Anne", "Dmitri", "Priya", "Kenji", "Lucía", "Tomasz", "Amara", "Jonas", "Mei", "Olu", "Sven", "Fatima",
         "Chloé", "Ravi", "Ingrid", "Mateo")
LAST = ("Müller", "Ivanov", "Sharma", "Tanaka", "García", "Kowalski", "Okafor", "Berg", "Chen", "Adeyemi",
        "Larsen", "Haddad", "Dubois", "Patel", "Nilsson", "Rossi")
DOMAINS = ("example.com", "mail.example.org", "shop-customers.test", "gmail.test")
DEPARTMENTS = ("support", "warehouse", "finance", "engineering", "marketing")
LOCALES = ("en-US", "de-DE", "fr-FR", "pt-BR", "ja-JP")
PUBLIC_META = (("plan", ("free", "plus", "pro")), ("crm.id", None), ("referral_code", None),
               ("stripe_customer", None), ("loyaltyTier", ("bronze", "silver", "gold")), ("avatar_url", None))
ADMIN_META = (("kyc.status", ("pending", "verified", "rejected")), ("notes", None), ("support_tier", (1, 2, 3)),
              ("fraud-score", None), ("imported_from", ("shopify", "magento", "csv")))


class Drive:
    def __init__(self, admin: str, public: str, binary: str, rng: random.Random) -> None:
        self.admin_url, self.bin, self.rng = admin, binary, rng
        self.ids = k.IdentityApi(k.ApiClient(k.Configuration(host=admin)))
        self.courier = k.CourierApi(k.ApiClient(k.Configuration(host=admin)))
        self.meta = k.MetadataApi(k.ApiClient(k.Configuration(host=admin)))
        self.front = k.FrontendApi(k.ApiClient(k.Configuration(host=public)))
        self.people: dict[str, dict[str, Any]] = {}  # identity id -> email, password, schema, token
        self.n = 0

    def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ApiException as e:
            print(f"{fn.__name__}: {e.status} {str(e.body)[:100]}", file=sys.stderr)
        except ValueError as e:  # a model the SDK cannot read back
            print(f"{fn.__name__}: {str(e)[:100]}", file=sys.stderr)
        return None

    def cli(self, *args: str) -> str:
        p = subprocess.run([self.bin, *args, "-e", self.admin_url, "--format", "json"], capture_output=True,
                           text=True, timeout=60)
        if p.returncode:
            print(f"kratos {' '.join(args)[:80]}: {p.stderr.strip()[:120]}", file=sys.stderr)
        return p.stdout

    def person(self) -> tuple[str, str, str]:
        self.n += 1
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{self.n}@{self.rng.choice(DOMAINS)}"
        return first, last, email.encode("ascii", "ignore").decode()

    def password(self) -> str:
        return f"Sh0p-{self.rng.getrandbits(40):x}-pass!"

    def traits(self, schema: str) -> dict[str, Any]:
        first, last, email = self.person()
        if schema == "employee":
            t: dict[str, Any] = {"email": email, "username": f"{first[0].lower()}{last.lower()}{self.n}"
                                 .encode("ascii", "ignore").decode(), "department": self.rng.choice(DEPARTMENTS)}
            if self.rng.random() < 0.5:
                t["manager"] = self.rng.choice(("anne.mueller", "ravi.patel", "cto"))
            return t
        t = {"email": email, "name": {"first": first, "last": last}}
        if self.rng.random() < 0.5:
            t["locale"] = self.rng.choice(LOCALES)
        if self.rng.random() < 0.3:
            t["newsletter"] = self.rng.random() < 0.5
        if self.rng.random() < 0.3:
            t["phone"] = f"+49 151 {self.rng.randint(1000000, 9999999)}"
        return t

    def metadata(self, table: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in self.rng.sample(table, self.rng.randint(1, 3)):
            out[key] = self.rng.choice(values) if values else f"{key[:3]}_{self.rng.getrandbits(32):08x}"
        return out

    def pid(self) -> str | None:
        return self.rng.choice(sorted(self.people)) if self.people else None

    # --- the shop's app: self-service flows on the public API
    def register(self) -> None:
        schema = "customer"
        traits, pw = self.traits(schema), self.password()
        flow = self.call(self.front.create_native_registration_flow)
        if flow is None:
            return
        body = k.UpdateRegistrationFlowBody(k.UpdateRegistrationFlowWithPasswordMethod(
            method="password", password=pw, traits=traits))
        got = self.call(self.front.update_registration_flow, flow=flow.id, update_registration_flow_body=body)
        if got is not None and got.identity is not None:
            self.people[got.identity.id] = {"email": traits["email"], "password": pw, "schema": schema,
                                            "token": got.session_token}
            if self.rng.random() < 0.3:
                self.call(self.front.get_registration_flow, id=flow.id)

    def login(self) -> None:
        known = [p for p in sorted(self.people) if self.people[p]["password"]]
        if not known:
            return self.register()
        who = self.people[self.rng.choice(known)]
        flow = self.call(self.front.create_native_login_flow, refresh=self.rng.random() < 0.1 or None)
        if flow is None:
            return
        if self.rng.random() < 0.2:
            self.call(self.front.get_login_flow, id=flow.id)
        wrong = self.rng.random() < 0.12
        body = k.UpdateLoginFlowBody(k.UpdateLoginFlowWithPasswordMethod(
            method="password", identifier=who["email"], password=who["password"] + ("x" if wrong else "")))
        got = self.call(self.front.update_login_flow, flow=flow.id, update_login_flow_body=body)
        if got is not None:
            who["token"] = got.session_token

    def me(self) -> None:
        live = [p for p in sorted(self.people) if self.people[p].get("token")]
        if not live:
            return self.login()
        who = self.people[self.rng.choice(live)]
        r = self.rng.random()
        if r < 0.5:
            self.call(self.front.to_session, x_session_token=who["token"])
        elif r < 0.7:
            self.call(self.front.list_my_sessions, x_session_token=who["token"], page_size=self.rng.choice((10, 50)))
        elif r < 0.8:
            self.call(self.front.disable_my_other_sessions, x_session_token=who["token"])
        else:
            self.call(self.front.perform_native_logout,
                      perform_native_logout_body=k.PerformNativeLogoutBody(session_token=who["token"]))
            who["token"] = None

    def settings(self) -> None:
        live = [p for p in sorted(self.people) if self.people[p].get("token")]
        if not live:
            return self.login()
        pid = self.rng.choice(live)
        who = self.people[pid]
        flow = self.call(self.front.create_native_settings_flow, x_session_token=who["token"])
        if flow is None:
            return
        if self.rng.random() < 0.6 and who["schema"] == "customer":
            traits = dict(flow.identity.traits)
            traits["locale"] = self.rng.choice(LOCALES)
            if self.rng.random() < 0.5:
                traits["newsletter"] = self.rng.random() < 0.5
            body = k.UpdateSettingsFlowBody(k.UpdateSettingsFlowWithProfileMethod(method="profile", traits=traits))
        else:
            pw = self.password()
            body = k.UpdateSettingsFlowBody(k.UpdateSettingsFlowWithPasswordMethod(method="password", password=pw))
            who["password"] = pw
        self.call(self.front.update_settings_flow, flow=flow.id, update_settings_flow_body=body,
                  x_session_token=who["token"])

    def recover(self) -> None:
        pid = self.pid()
        email = self.people[pid]["email"] if pid and self.rng.random() < 0.8 else self.person()[2]
        if self.rng.random() < 0.5:
            flow = self.call(self.front.create_native_recovery_flow)
            if flow is not None:
                body = k.UpdateRecoveryFlowBody(k.UpdateRecoveryFlowWithCodeMethod(method="code", email=email))
                self.call(self.front.update_recovery_flow, flow=flow.id, update_recovery_flow_body=body)
        else:
            flow = self.call(self.front.create_native_verification_flow)
            if flow is not None:
                self.call(self.front.update_verification_flow, flow=flow.id,
                          update_verification_flow_body=k.UpdateVerificationFlowBody(
                              k.UpdateVerificationFlowWithCodeMethod(method="code", email=email)))
                if self.rng.random() < 0.3:
                    self.call(self.front.get_verification_flow, id=flow.id)

    # --- the back office: the admin API and the CLI
    def create(self) -> None:
        schema = "employee" if self.rng.random() < 0.3 else "customer"
        traits, pw = self.traits(schema), self.password()
        body = k.CreateIdentityBody(schema_id=schema, traits=traits,
                                    state=self.rng.choice(("active", "active", "inactive")),
                                    metadata_public=self.metadata(PUBLIC_META) if self.rng.random() < 0.6 else None,
                                    metadata_admin=self.metadata(ADMIN_META) if self.rng.random() < 0.5 else None,
                                    credentials=k.IdentityWithCredentials(password=k.IdentityWithCredentialsPassword(
                                        config=k.IdentityWithCredentialsPasswordConfig(password=pw))))
        r = self.rng.random()
        if r < 0.6:
            got = self.call(self.ids.create_identity, create_identity_body=body)
            if got is not None:
                self.people[got.id] = {"email": traits["email"], "password": pw, "schema": schema, "token": None}
        elif r < 0.8:
            patches = [k.IdentityPatch(create=body, patch_id=str(uuid.UUID(int=self.rng.getrandbits(128))))]
            for _ in range(self.rng.randint(0, 3)):
                t = self.traits(schema)
                patches.append(k.IdentityPatch(create=k.CreateIdentityBody(schema_id=schema, traits=t)))
            got = self.call(self.ids.batch_patch_identities,
                            patch_identities_body=k.PatchIdentitiesBody(identities=patches))
            for res in (got.identities or []) if got is not None else []:
                if res.identity:
                    self.people[res.identity] = {"email": "", "password": "", "schema": schema, "token": None}
        else:
            path = Path.cwd() / f"import-{self.n}.json"
            path.write_text(json.dumps(body.to_dict()))
            out = self.cli("import", "identities", str(path))
            path.unlink()
            try:
                got = json.loads(out)
                self.people[got["id"]] = {"email": traits["email"], "password": pw, "schema": schema, "token": None}
            except (ValueError, KeyError, TypeError):
                pass

    def read(self) -> None:
        pid, r = self.pid(), self.rng.random()
        if pid is None:
            return self.create()
        if r < 0.25:
            self.call(self.ids.get_identity, id=pid,
                      include_credential=self.rng.choice((None, ["password"], ["password", "code"])))
        elif r < 0.45:
            kw: dict[str, Any] = {"page_size": self.rng.choice((25, 100, 250))}
            if self.rng.random() < 0.3 and self.people[pid]["email"]:
                kw = {"credentials_identifier": self.people[pid]["email"]}
            elif self.rng.random() < 0.2:
                kw["ids"] = self.rng.sample(sorted(self.people), min(3, len(self.people)))
            self.call(self.ids.list_identities, **kw)
        elif r < 0.55:
            self.cli("list", "identities", "--page-size", str(self.rng.choice((50, 100))))
        elif r < 0.65:
            self.cli("get", "identity", *self.rng.sample(sorted(self.people), min(self.rng.randint(1, 2),
                                                                                  len(self.people))))
        elif r < 0.75:
            self.call(self.ids.list_identity_sessions, id=pid, active=self.rng.choice((None, True)))
        elif r < 0.85:
            got = self.call(self.ids.list_sessions, page_size=50, expand=self.rng.choice((None, ["identity"])))
            if got:
                s = self.rng.choice(got)
                self.call(self.ids.get_session, id=s.id, expand=self.rng.choice((None, ["identity", "devices"])))
        elif r < 0.92:
            self.call(self.ids.list_identity_schemas)
        else:
            self.call(self.ids.get_identity_schema, id=self.rng.choice(("customer", "employee")))

    def change(self) -> None:
        pid, r = self.pid(), self.rng.random()
        if pid is None:
            return self.create()
        who = self.people[pid]
        if r < 0.35:
            ops = self.rng.choice((
                [k.JsonPatch(op="replace", path="/state", value=self.rng.choice(("active", "inactive")))],
                [k.JsonPatch(op="add", path="/metadata_public", value=self.metadata(PUBLIC_META))],
                [k.JsonPatch(op="add", path="/metadata_admin", value=self.metadata(ADMIN_META))],
                [k.JsonPatch(op="remove", path="/metadata_public")],
            ))
            self.call(self.ids.patch_identity, id=pid, json_patch=ops)
        elif r < 0.55:
            cur = self.call(self.ids.get_identity, id=pid)
            if cur is not None:
                traits = dict(cur.traits)
                if cur.schema_id == "customer":
                    traits["locale"] = self.rng.choice(LOCALES)
                else:
                    traits["department"] = self.rng.choice(DEPARTMENTS)
                self.call(self.ids.update_identity, id=pid, update_identity_body=k.UpdateIdentityBody(
                    schema_id=cur.schema_id, traits=traits, state=cur.state or "active",
                    metadata_public=self.metadata(PUBLIC_META) if self.rng.random() < 0.5 else cur.metadata_public,
                    metadata_admin=cur.metadata_admin))
        elif r < 0.68:
            if self.rng.random() < 0.5:
                self.call(self.ids.create_recovery_link_for_identity,
                          create_recovery_link_for_identity_body=k.CreateRecoveryLinkForIdentityBody(
                              identity_id=pid, expires_in=self.rng.choice(("1h", "12h", None))))
            else:
                self.call(self.ids.create_recovery_code_for_identity,
                          create_recovery_code_for_identity_body=k.CreateRecoveryCodeForIdentityBody(
                              identity_id=pid, expires_in=self.rng.choice(("15m", "1h", None))))
        elif r < 0.78:
            got = self.call(self.ids.list_identity_sessions, id=pid)
            if got:
                s = self.rng.choice(got)
                if self.rng.random() < 0.5:
                    self.call(self.ids.extend_session, id=s.id)
                else:
                    self.call(self.ids.disable_session, id=s.id)
            elif self.rng.random() < 0.5:
                self.call(self.ids.delete_identity_sessions, id=pid)
        elif r < 0.85 and len(self.people) > 6:
            if self.rng.random() < 0.5:
                self.call(self.ids.delete_identity, id=pid)
            else:
                self.cli("delete", "identity", pid)
            del self.people[pid]
        elif r < 0.9:
            self.call(self.ids.delete_identity_credentials, id=pid, type=self.rng.choice(("totp", "lookup_secret")))
        else:
            who["token"] = None
            self.call(self.ids.delete_identity_sessions, id=pid)

    def mail(self) -> None:
        r = self.rng.random()
        if r < 0.6:
            kw: dict[str, Any] = {"page_size": self.rng.choice((20, 100))}
            if self.rng.random() < 0.4:
                kw["status"] = self.rng.choice(("queued", "sent", "processing", "abandoned"))
            pid = self.pid()
            if pid and self.people[pid]["email"] and self.rng.random() < 0.3:
                kw["recipient"] = self.people[pid]["email"]
            got = self.call(self.courier.list_courier_messages, **kw)
            if got and self.rng.random() < 0.5:
                self.call(self.courier.get_courier_message, id=self.rng.choice(got).id)
        elif r < 0.8:
            self.call(self.rng.choice((self.meta.is_alive, self.meta.is_ready, self.meta.get_version)))
        else:
            self.call(self.ids.list_identity_schemas, per_page=self.rng.choice((None, 10)))

    def errors(self) -> None:
        r = self.rng.random()
        if r < 0.2:
            self.call(self.ids.get_identity, id=str(uuid.UUID(int=self.rng.getrandbits(128))))
        elif r < 0.35:
            self.call(self.front.to_session, x_session_token=f"ory_st_{self.rng.getrandbits(64):x}")
        elif r < 0.5:
            pid = self.pid()
            if pid and self.people[pid]["email"]:
                flow = self.call(self.front.create_native_registration_flow)
                if flow is not None:
                    traits = self.traits("customer")
                    traits["email"] = self.people[pid]["email"]
                    self.call(self.front.update_registration_flow, flow=flow.id,
                              update_registration_flow_body=k.UpdateRegistrationFlowBody(
                                  k.UpdateRegistrationFlowWithPasswordMethod(method="password",
                                                                             password=self.password(), traits=traits)))
        elif r < 0.65:
            self.call(self.ids.create_identity, create_identity_body=k.CreateIdentityBody(
                schema_id="employee", traits={"email": self.person()[2], "username": "x"}))
        elif r < 0.75:
            self.call(self.front.get_login_flow, id=str(uuid.UUID(int=self.rng.getrandbits(128))))
        elif r < 0.85:
            self.call(self.ids.get_identity_schema, id=self.rng.choice(("vendor", "partner-v2")))
        else:
            self.call(self.ids.create_recovery_link_for_identity,
                      create_recovery_link_for_identity_body=k.CreateRecoveryLinkForIdentityBody(
                          identity_id=str(uuid.UUID(int=self.rng.getrandbits(128)))))


def main() -> int:
    a = parse(__doc__, ("admin", "public", "binary"), rounds=700)
    rng = random.Random(a.seed)
    d = Drive(a.admin, a.public, a.binary, rng)
    for _ in range(4):
        d.register()
        d.create()
    steps = [
        (d.register, 6),
        (d.login, 9),
        (d.me, 8),
        (d.settings, 4),
        (d.recover, 4),
        (d.create, 7),
        (d.read, 12),
        (d.change, 8),
        (d.mail, 4),
        (d.errors, 3),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(KeyError, ValueError, IndexError, AttributeError, TypeError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
