"""Drive a Keycloak server's admin REST API with its own Python client, python-keycloak's KeycloakAdmin.

    python keycloak_drive.py SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]

Run by keycloak.sh with the client's own environment; ADMIN / PASSWORD are the bootstrap admin of the
master realm (the client logs in there and works on the other realms with that token, as a team's
provisioning scripts do). A seeded random workload of an identity team's admin work: realms under names
the team chooses (in every path: `/admin/realms/{realm}/...`) with their unmanaged user attributes
turned on, so users carry `attributes` maps whose keys each team picks (department, cost centre,
`github.login`, `ldap.dn`, ...); clients (confidential, public, bearer-only, service accounts) with
their redirect URIs, protocol mappers and client roles (the role's name in the path); realm roles
(composite ones too), groups nested under groups with their attributes and role mappings, users
created, searched, updated, given passwords, groups and roles, disabled and deleted; client scopes with
mappers, identity providers by alias with mappers, organizations and their members, events settings,
the realm's own settings, and the errors people hit (a user name taken, a missing user or role, a
duplicate realm, a bad payload).
"""

from __future__ import annotations

import random
import sys
import uuid
from typing import Any

import workload  # beside this file
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

TEAMS = ("acme", "payments", "logistics", "hr-portal", "partner-api", "mobile")
ENVS = ("prod", "staging", "dev")
FIRST = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj")
LAST = ("smith", "jones", "garcia", "müller", "kowalski", "tanaka", "okafor", "dubois", "rossi")
DEPTS = ("engineering", "sales", "finance", "support", "legal", "marketing", "ops")
# User attribute keys a realm's admins choose: each realm draws its own few.
ATTR_KEYS = (
    "department",
    "employeeNumber",
    "cost_center",
    "github.login",
    "ldap.dn",
    "phone",
    "locale",
    "manager",
    "hireDate",
    "tenant-id",
    "slack handle",
    "badge_no",
)
APPS = ("web-shop", "admin-console", "billing-api", "mobile-app", "grafana", "jenkins", "data-lake", "crm")
ROLES = ("viewer", "editor", "admin", "auditor", "billing-manager", "support-agent", "api-user", "owner")
CLIENT_ROLES = ("read", "write", "delete", "export", "approve", "manage-users", "view-reports")
IDPS = ("google", "github", "oidc", "saml", "microsoft")


def attr_value(key: str, rng: random.Random) -> list[str]:
    if key == "department":
        return [rng.choice(DEPTS)]
    if key in ("employeeNumber", "badge_no"):
        return [str(rng.randint(1000, 99999))]
    if key == "hireDate":
        return [f"20{rng.randint(10, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    if key == "phone":
        return [f"+1-555-{rng.randint(1000, 9999)}"]
    if key == "locale":
        return [rng.choice(["en", "de", "fr", "ja", "pt-BR"])]
    if key == "ldap.dn":
        return [f"uid={rng.choice(FIRST)},ou={rng.choice(DEPTS)},dc=example,dc=com"]
    return rng.sample([*FIRST, *DEPTS, *TEAMS], rng.randint(1, 2))


class Realm:
    """What the driver knows of one realm it made: its attribute keys and what lives in it."""

    def __init__(self, name: str, keys: list[str]) -> None:
        self.name = name
        self.keys = keys
        self.users: dict[str, str] = {}  # username -> id
        self.clients: dict[str, str] = {}  # clientId -> id
        self.client_roles: dict[str, list[str]] = {}  # client id -> role names
        self.roles: list[str] = []
        self.groups: dict[str, str] = {}  # path -> id
        self.scopes: dict[str, str] = {}  # name -> id
        self.idps: list[str] = []
        self.orgs: dict[str, str] = {}  # name -> id


class Drive:
    def __init__(self, url: str, admin: str, password: str, rng: random.Random) -> None:
        self.rng = rng
        self.kc = KeycloakAdmin(
            server_url=url, username=admin, password=password, realm_name="master", user_realm_name="master"
        )
        self.realms: list[Realm] = []

    def use(self) -> Realm:
        if not self.realms or (len(self.realms) < 5 and self.rng.random() < 0.04):
            self.realm()
        r = self.rng.choice(self.realms)
        self.kc.change_current_realm(r.name)
        return r

    def realm(self) -> None:
        name = f"{self.rng.choice(TEAMS)}-{self.rng.choice(ENVS)}"
        if any(r.name == name for r in self.realms):
            name = f"{name}-{self.rng.randint(2, 99)}"
        self.kc.change_current_realm("master")
        self.kc.create_realm(
            {
                "realm": name,
                "enabled": True,
                "displayName": name.replace("-", " ").title(),
                "registrationAllowed": self.rng.random() < 0.3,
                "loginWithEmailAllowed": True,
                "duplicateEmailsAllowed": False,
                "resetPasswordAllowed": self.rng.random() < 0.5,
                "bruteForceProtected": self.rng.random() < 0.5,
                "accessTokenLifespan": self.rng.choice([300, 600, 900]),
                "organizationsEnabled": True,
                "attributes": {"frontendUrl": f"https://{name}.example.com"} if self.rng.random() < 0.5 else {},
            }
        )
        keys = self.rng.sample(ATTR_KEYS, self.rng.randint(2, 5))
        realm = Realm(name, keys)
        self.realms.append(realm)
        self.kc.change_current_realm(name)
        # Keycloak 24+ drops attributes its user profile does not declare: a team turns unmanaged ones on.
        profile = self.kc.get_realm_users_profile()
        profile["unmanagedAttributePolicy"] = "ENABLED"
        self.kc.update_realm_users_profile(profile)
        if self.rng.random() < 0.5:
            self.kc.set_events({"eventsEnabled": True, "adminEventsEnabled": True, "eventsExpiration": 3600})

    def user(self) -> None:
        r = self.use()
        name = f"{self.rng.choice(FIRST)}.{self.rng.choice(LAST)}{self.rng.randint(1, 99)}"
        if name in r.users:
            self.kc.get_user(r.users[name])
            return
        attrs = {k: attr_value(k, self.rng) for k in r.keys if self.rng.random() < 0.7}
        uid = self.kc.create_user(
            {
                "username": name,
                "email": f"{name}@{r.name}.example.com",
                "firstName": name.split(".")[0].title(),
                "lastName": name.split(".")[1].rstrip("0123456789").title(),
                "enabled": True,
                "emailVerified": self.rng.random() < 0.6,
                "attributes": attrs,
                "requiredActions": self.rng.sample(
                    ["VERIFY_EMAIL", "UPDATE_PASSWORD", "CONFIGURE_TOTP"], self.rng.randint(0, 1)
                ),
            }
        )
        r.users[name] = uid
        if self.rng.random() < 0.6:
            self.kc.set_user_password(uid, f"Pw-{self.rng.randint(10**6, 10**7)}!", temporary=self.rng.random() < 0.5)
        if r.groups and self.rng.random() < 0.6:
            self.kc.group_user_add(uid, r.groups[self.rng.choice(sorted(r.groups))])
        if r.roles and self.rng.random() < 0.5:
            role = self.kc.get_realm_role(self.rng.choice(r.roles))
            self.kc.assign_realm_roles(uid, [role])

    def user_ops(self) -> None:
        r = self.use()
        if not r.users:
            self.user()
            return
        name = self.rng.choice(sorted(r.users))
        uid = r.users[name]
        k = self.rng.randrange(9)
        if k == 0:
            u = self.kc.get_user(uid)
            attrs = u.get("attributes") or {}
            key = self.rng.choice(r.keys)
            attrs[key] = attr_value(key, self.rng)
            self.kc.update_user(uid, {"attributes": attrs, "firstName": u.get("firstName"), "email": u.get("email")})
        elif k == 1:
            self.kc.get_users({"search": name.split(".")[0], "max": self.rng.choice([10, 50])})
        elif k == 2:
            key = self.rng.choice(r.keys)
            self.kc.get_users({"q": f"{key}:{attr_value(key, self.rng)[0]}"})
        elif k == 3:
            self.kc.get_user_groups(uid)
            self.kc.get_realm_roles_of_user(uid)
        elif k == 4:
            self.kc.users_count({"enabled": True} if self.rng.random() < 0.5 else None)
        elif k == 5:
            (self.kc.disable_user if self.rng.random() < 0.5 else self.kc.enable_user)(uid)
        elif k == 6:
            self.kc.get_credentials(uid)
            self.kc.get_sessions(uid)
        elif k == 7 and r.clients:
            cid = r.clients[self.rng.choice(sorted(r.clients))]
            roles = r.client_roles.get(cid)
            if roles:
                role = self.kc.get_client_role(cid, self.rng.choice(roles))
                self.kc.assign_client_role(uid, cid, [role])
                self.kc.get_client_roles_of_user(uid, cid)
        elif len(r.users) > 6:
            self.kc.delete_user(uid)
            del r.users[name]
        else:
            self.kc.get_user_id(name)

    def client(self) -> None:
        r = self.use()
        app = f"{self.rng.choice(APPS)}-{self.rng.choice(ENVS)}"
        if app in r.clients:
            self.kc.get_client(r.clients[app])
            return
        kind = self.rng.randrange(3)
        host = f"https://{app}.{r.name}.example.com"
        cid = self.kc.create_client(
            {
                "clientId": app,
                "name": app.replace("-", " ").title(),
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": kind == 1,
                "serviceAccountsEnabled": kind == 2,
                "standardFlowEnabled": kind != 2,
                "directAccessGrantsEnabled": self.rng.random() < 0.3,
                "redirectUris": [f"{host}/*"] if kind != 2 else [],
                "webOrigins": [host] if kind == 1 else [],
                "rootUrl": host,
                "attributes": {
                    "post.logout.redirect.uris": f"{host}/logout",
                    "pkce.code.challenge.method": "S256" if kind == 1 else "",
                    "access.token.lifespan": str(self.rng.choice([300, 900, 3600])),
                },
            }
        )
        r.clients[app] = cid
        roles = self.rng.sample(CLIENT_ROLES, self.rng.randint(1, 3))
        for role in roles:
            self.kc.create_client_role(
                cid,
                {"name": role, "description": f"{role} on {app}", "attributes": {"scope": [self.rng.choice(DEPTS)]}},
            )
        r.client_roles[cid] = roles
        if self.rng.random() < 0.5:
            key = self.rng.choice(r.keys)
            self.kc.add_mapper_to_client(
                cid,
                {
                    "name": f"{key} claim",
                    "protocol": "openid-connect",
                    "protocolMapper": "oidc-usermodel-attribute-mapper",
                    "config": {
                        "user.attribute": key,
                        "claim.name": key.replace(".", "_"),
                        "jsonType.label": "String",
                        "id.token.claim": "true",
                        "access.token.claim": "true",
                    },
                },
            )

    def client_ops(self) -> None:
        r = self.use()
        if not r.clients:
            self.client()
            return
        app = self.rng.choice(sorted(r.clients))
        cid = r.clients[app]
        k = self.rng.randrange(8)
        if k == 0:
            self.kc.get_clients()
        elif k == 1:
            c = self.kc.get_client(cid)
            self.kc.update_client(
                cid,
                {
                    "description": f"{app} owned by {self.rng.choice(DEPTS)}",
                    "redirectUris": [*c.get("redirectUris", []), f"http://localhost:{self.rng.randint(3000, 9000)}/*"],
                },
            )
        elif k == 2:
            self.kc.get_client_roles(cid)
            roles = r.client_roles.get(cid) or []
            if roles:
                role = self.rng.choice(roles)
                self.kc.get_client_role(cid, role)
                self.kc.get_client_role_members(cid, role)
        elif k == 3:
            c = self.kc.get_client(cid)
            if not c.get("publicClient"):
                self.kc.get_client_secrets(cid)
                if self.rng.random() < 0.3:
                    self.kc.generate_client_secrets(cid)
        elif k == 4:
            self.kc.get_mappers_from_client(cid)
            self.kc.get_client_default_client_scopes(cid)
        elif k == 5:
            role = f"{self.rng.choice(CLIENT_ROLES)}-{self.rng.randint(1, 9)}"
            roles = r.client_roles.setdefault(cid, [])
            if role not in roles:
                self.kc.create_client_role(cid, {"name": role, "description": f"custom {role}"})
                roles.append(role)
            else:
                self.kc.update_client_role(cid, role, {"name": role, "description": f"renamed {role}"})
        elif k == 6:
            c = self.kc.get_client(cid)
            if c.get("serviceAccountsEnabled"):
                self.kc.get_client_service_account_user(cid)
            else:
                self.kc.get_client_id(app)
        elif len(r.clients) > 3:
            self.kc.delete_client(cid)
            del r.clients[app]
            r.client_roles.pop(cid, None)
        else:
            self.kc.get_client_sessions_stats()

    def role(self) -> None:
        r = self.use()
        k = self.rng.randrange(6)
        if k <= 1 or not r.roles:
            name = self.rng.choice(ROLES)
            if name in r.roles:
                name = f"{name}-{self.rng.choice(DEPTS)}"
            if name in r.roles:
                return
            self.kc.create_realm_role(
                {"name": name, "description": f"{name} in {r.name}", "attributes": {"owner": [self.rng.choice(FIRST)]}}
            )
            r.roles.append(name)
            if len(r.roles) > 2 and self.rng.random() < 0.3:
                child = self.kc.get_realm_role(self.rng.choice(r.roles[:-1]))
                self.kc.add_composite_realm_roles_to_role(name, [child])
        elif k == 2:
            self.kc.get_realm_roles(search_text=self.rng.choice(["", "admin", "view"]))
        elif k == 3:
            name = self.rng.choice(r.roles)
            self.kc.get_realm_role(name)
            self.kc.get_realm_role_members(name)
        elif k == 4:
            name = self.rng.choice(r.roles)
            self.kc.update_realm_role(
                name, {"name": name, "description": f"{name}, reviewed by {self.rng.choice(FIRST)}"}
            )
        elif len(r.roles) > 3:
            name = self.rng.choice(r.roles)
            self.kc.delete_realm_role(name)
            r.roles.remove(name)
        else:
            self.kc.get_composite_realm_roles_of_role(self.rng.choice(r.roles))

    def group(self) -> None:
        r = self.use()
        k = self.rng.randrange(6)
        if k <= 1 or not r.groups:
            dept = self.rng.choice(DEPTS)
            parent = None
            path = f"/{dept}"
            if path in r.groups and self.rng.random() < 0.8:
                parent = r.groups[path]
                path = f"{path}/{self.rng.choice(['emea', 'amer', 'apac', 'platform', 'oncall'])}"
            if path in r.groups:
                self.kc.get_group_by_path(path)
                return
            attrs = {"cost_center": [str(self.rng.randint(100, 999))]} if self.rng.random() < 0.6 else {}
            gid = self.kc.create_group({"name": path.rsplit("/", 1)[1], "attributes": attrs}, parent=parent)
            if gid:
                r.groups[path] = gid
                if r.roles and self.rng.random() < 0.5:
                    self.kc.assign_group_realm_roles(gid, [self.kc.get_realm_role(self.rng.choice(r.roles))])
        elif k == 2:
            self.kc.get_groups({"briefRepresentation": self.rng.random() < 0.5})
        elif k == 3:
            path = self.rng.choice(sorted(r.groups))
            gid = r.groups[path]
            self.kc.get_group(gid)
            self.kc.get_group_members(gid)
            if path.count("/") == 1:
                self.kc.get_group_children(gid)
        elif k == 4:
            path = self.rng.choice(sorted(r.groups))
            g = self.kc.get_group(r.groups[path])
            attrs = g.get("attributes") or {}
            attrs[self.rng.choice(["cost_center", "slack", "manager"])] = [self.rng.choice(FIRST)]
            self.kc.update_group(r.groups[path], {"name": g["name"], "attributes": attrs})
        else:
            leaves = [p for p in r.groups if p.count("/") == 2]
            if leaves and len(r.groups) > 4:
                path = self.rng.choice(sorted(leaves))
                self.kc.delete_group(r.groups.pop(path))
            else:
                self.kc.groups_count()

    def scope(self) -> None:
        r = self.use()
        name = (
            f"{self.rng.choice(['profile-extra', 'tenant', 'billing', 'partner'])}-{self.rng.choice(['read', 'write'])}"
        )
        if name not in r.scopes:
            sid = self.kc.create_client_scope(
                {
                    "name": name,
                    "protocol": "openid-connect",
                    "description": f"{name} claims",
                    "attributes": {"include.in.token.scope": "true", "display.on.consent.screen": "false"},
                },
                skip_exists=True,
            )
            r.scopes[name] = sid
            key = self.rng.choice(r.keys)
            self.kc.add_mapper_to_client_scope(
                sid,
                {
                    "name": f"{key}-mapper",
                    "protocol": "openid-connect",
                    "protocolMapper": "oidc-usermodel-attribute-mapper",
                    "config": {
                        "user.attribute": key,
                        "claim.name": key.replace(".", "_"),
                        "access.token.claim": "true",
                    },
                },
            )
            if r.clients and self.rng.random() < 0.6:
                cid = r.clients[self.rng.choice(sorted(r.clients))]
                self.kc.add_client_default_client_scope(cid, sid, {})
        else:
            sid = r.scopes[name]
            self.kc.get_client_scope(sid)
            self.kc.get_mappers_from_client_scope(sid)
        if self.rng.random() < 0.3:
            self.kc.get_client_scopes()

    def idp(self) -> None:
        r = self.use()
        kind = self.rng.choice(IDPS)
        alias = f"{kind}-{self.rng.choice(['corp', 'partners', 'contractors'])}"
        if alias in r.idps:
            k = self.rng.randrange(3)
            if k == 0:
                self.kc.get_idp(alias)
                self.kc.get_idp_mappers(alias)
            elif k == 1:
                self.kc.update_idp(
                    alias,
                    {
                        "alias": alias,
                        "providerId": self.kc.get_idp(alias)["providerId"],
                        "displayName": f"{alias} ({self.rng.choice(ENVS)})",
                        "enabled": True,
                    },
                )
            else:
                self.kc.delete_idp(alias)
                r.idps.remove(alias)
            return
        provider = {"google": "google", "github": "github", "microsoft": "microsoft", "saml": "saml"}.get(kind, "oidc")
        config: dict[str, Any] = {
            "clientId": f"kc-{r.name}",
            "clientSecret": uuid.UUID(int=self.rng.getrandbits(128)).hex,
            "syncMode": "IMPORT",
        }
        if provider == "oidc":
            config.update(
                {"authorizationUrl": "https://idp.example.com/auth", "tokenUrl": "https://idp.example.com/token"}
            )
        if provider == "saml":
            config = {
                "singleSignOnServiceUrl": "https://idp.example.com/saml",
                "nameIDPolicyFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
                "syncMode": "IMPORT",
            }
        self.kc.create_idp(
            {
                "alias": alias,
                "providerId": provider,
                "enabled": True,
                "displayName": alias,
                "trustEmail": self.rng.random() < 0.5,
                "config": config,
            }
        )
        r.idps.append(alias)
        if self.rng.random() < 0.5:
            key = self.rng.choice(r.keys)
            self.kc.add_mapper_to_idp(
                alias,
                {
                    "name": f"{key} import",
                    "identityProviderAlias": alias,
                    "identityProviderMapper": "hardcoded-attribute-idp-mapper",
                    "config": {"attribute": key, "attribute.value": self.rng.choice(DEPTS), "syncMode": "INHERIT"},
                },
            )
        self.kc.get_idps()

    def org(self) -> None:
        r = self.use()
        company = self.rng.choice(["Initech", "Globex", "Umbrella", "Hooli", "Stark"])
        name = f"{company} {self.rng.choice(['EU', 'US', 'APAC'])}"
        if name not in r.orgs:
            domain = name.lower().replace(" ", "-") + ".example.com"
            oid = self.kc.create_organization(
                {
                    "name": name,
                    "alias": name.lower().replace(" ", "-"),
                    "enabled": True,
                    "domains": [{"name": domain, "verified": False}],
                    "attributes": {"tier": [self.rng.choice(["gold", "silver"])]},
                }
            )
            if oid:
                r.orgs[name] = oid
            return
        oid = r.orgs[name]
        if r.users and self.rng.random() < 0.6:
            uid = r.users[self.rng.choice(sorted(r.users))]
            try:
                self.kc.organization_user_add(uid, oid)
            except KeycloakError as e:  # already a member: 409
                print(f"expected: {str(e)[:80]}", file=sys.stderr)
        self.kc.get_organization(oid)
        self.kc.get_organization_members(oid)
        if self.rng.random() < 0.3:
            self.kc.get_organizations()

    def realm_ops(self) -> None:
        r = self.use()
        k = self.rng.randrange(6)
        if k == 0:
            self.kc.get_realm(r.name)
        elif k == 1:
            self.kc.update_realm(
                r.name,
                {
                    "displayName": f"{r.name} ({self.rng.choice(DEPTS)})",
                    "ssoSessionIdleTimeout": self.rng.choice([1800, 3600]),
                },
            )
        elif k == 2:
            self.kc.get_realms()
        elif k == 3:
            self.kc.get_events({"max": 20})
            self.kc.get_admin_events({"max": 20})
        elif k == 4:
            self.kc.get_authentication_flows()
            self.kc.get_required_actions()
        else:
            self.kc.get_realm_default_roles()

    def errors(self) -> None:
        r = self.use()
        k = self.rng.randrange(6)
        try:
            if k == 0 and r.users:
                self.kc.create_user({"username": self.rng.choice(sorted(r.users)), "enabled": True})
            elif k == 1:
                self.kc.get_user(str(uuid.UUID(int=self.rng.getrandbits(128))))
            elif k == 2:
                self.kc.get_realm_role(f"no-such-{self.rng.choice(ROLES)}")
            elif k == 3:
                self.kc.change_current_realm("master")
                self.kc.create_realm({"realm": r.name, "enabled": True})
            elif k == 4:
                self.kc.get_group(str(uuid.UUID(int=self.rng.getrandbits(128))))
            else:
                self.kc.get_idp(f"missing-{self.rng.choice(IDPS)}")
        except KeycloakError as e:
            print(f"expected: {type(e).__name__} {str(e)[:80]}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, ["url", "admin", "password"], rounds=560)
    rng = random.Random(a.seed)
    d = Drive(a.url, a.admin, a.password, rng)
    d.kc.get_server_info()
    steps = [
        (d.user, 10),
        (d.user_ops, 10),
        (d.client, 4),
        (d.client_ops, 6),
        (d.role, 5),
        (d.group, 6),
        (d.scope, 2),
        (d.idp, 2),
        (d.org, 2),
        (d.realm_ops, 3),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(KeycloakError,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
