"""Drive a GNU Mailman 3 core through its own REST client, mailmanclient.

    python mailman_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by mailman.sh with the venv's python (mailmanclient installed beside the server). A few communities'
mailing lists, as Postorius (Mailman's web UI, a mailmanclient user) and a list admin's scripts do it:
domains under names people own, lists under names people pick (`announce`, `dev-team`, `board.private`,
`meetup.berlin`, `gsoc2026`) made with the styles Mailman ships, their settings read and changed
(description, subject prefix, moderation actions), owners and moderators added; members subscribed under
addresses people type (`anne.mueller+lists@...`, `o.brien@...`), some needing a moderator's approval,
their preferences changed, found by role and address, unsubscribed; users with several addresses,
verified, renamed, searched, deleted; posts injected into the incoming queue (non-members' are held),
the held ones accepted, discarded or rejected; bans, header-match rules, templates, archivers; the
server's configuration sections, styles, queues; errors (a list or user that is not there: 404, a list
name taken, an address that is no address: 400, a member that is not one).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

from mailmanclient import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

DOMAINS = (
    "lists.example.org",
    "python-users.example.net",
    "mail.chaos-club.example",
    "lists.dorfverein-altbach.example",
    "ml.k8s-meetup.example.io",
)
LISTS = (
    "announce",
    "dev",
    "dev-team",
    "users",
    "board.private",
    "jobs",
    "help_desk",
    "release-2.1",
    "community",
    "security",
    "translators-de",
    "off-topic",
    "meetup.berlin",
    "gsoc2026",
    "infra-alerts",
    "vorstand",
    "newsletter",
    "ci-notifications",
)
STYLES = ("legacy-default", "legacy-announce", "private-default")
FIRST = ("Anne", "Bob", "Chloé", "Dmitri", "Eva", "Farah", "Gustav", "Hiro", "Ines", "Jonas", "Kemal", "Léa",
         "Mateo", "Nora", "Oisín", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Ursula", "Wen")
LAST = ("Müller", "Smith", "O'Brien", "Nguyen", "Kowalski", "García", "Schmidt", "Tanaka", "Rossi", "Haddad",
        "Johansson", "Dubois", "Okafor", "Ivanova", "Patel")
MAIL_HOSTS = ("example.com", "mail.example.net", "posteo.example", "uni-heidelberg.example", "fastmail.example")
DELIVERY_MODES = ("regular", "plaintext_digests", "mime_digests", "summary_digests")
HEADERS = ("X-Spam-Flag", "Subject", "From", "X-Mailer", "List-Id", "X-Spam-Score")
TEMPLATES = ("list:member:regular:footer", "list:user:notice:welcome", "list:admin:action:post",
             "list:member:digest:header")
SECTIONS = ("mailman", "webservice", "mta", "archiver.prototype", "styles", "language.en", "digests", "nntp")
SUBJECTS = ("Meeting notes 2026-03-04", "Re: [dev] flaky test in CI", "Call for volunteers!", "Frage zur Anmeldung",
            "Release 2.1.0 is out", "unsubscribe", "Job: backend developer (remote)", "Fwd: security advisory")


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.c = Client(url + "/3.1", "restadmin", "restpass")
        self.rng = rng
        self.domains: list[str] = []
        self.lists: list[str] = []  # fqdn listnames
        self.members: dict[str, list[str]] = {}
        self.users: list[str] = []
        self.n = 0

    def person(self) -> tuple[str, str]:
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        self.n += 1
        local = r.choice((
            f"{first}.{last}", f"{first[0]}.{last}", f"{first}{self.n}", f"{first}.{last}+lists",
            f"{last}_{first}", f"{first.lower()}-{self.n}",
        ))
        local = local.lower().replace("'", "").replace(" ", "")
        local = local.encode("ascii", "ignore").decode() or f"user{self.n}"
        return f"{local}{self.n}@{r.choice(MAIL_HOSTS)}", f"{first} {last}"

    def domain(self) -> None:
        free = [d for d in DOMAINS if d not in self.domains]
        if not free:
            return self.read_domain()
        host = self.rng.choice(free)
        self.c.create_domain(host, description=f"Mailing lists of {host.split('.')[1]}",
                             owner=f"postmaster@{host}")
        self.domains.append(host)

    def read_domain(self) -> None:
        if not self.domains:
            return self.domain()
        d = self.c.get_domain(self.rng.choice(self.domains))
        r = self.rng.random()
        if r < 0.4:
            [m.fqdn_listname for m in d.lists]
        elif r < 0.6:
            [o.user_id for o in d.owners]
        elif r < 0.8:
            [dd.mail_host for dd in self.c.domains]
        else:
            d.add_owner(self.person()[0])

    def new_list(self) -> None:
        if not self.domains:
            self.domain()
        host = self.rng.choice(self.domains)
        taken = {f.split("@")[0] for f in self.lists if f.endswith("@" + host)}
        free = [n for n in LISTS if n not in taken]
        if not free:
            return self.settings()
        name = self.rng.choice(free)
        ml = self.c.get_domain(host).create_list(name, style_name=self.rng.choice(STYLES))
        self.lists.append(ml.fqdn_listname)
        self.members[ml.fqdn_listname] = []
        s = ml.settings
        s["description"] = f"{name.replace('-', ' ').replace('.', ' ').title()} at {host}"
        s["subject_prefix"] = f"[{name}] "
        if self.rng.random() < 0.5:
            s["default_nonmember_action"] = "hold"
        s.save()
        ml.add_owner(self.person()[0])

    def a_list(self) -> Any:
        if not self.lists:
            self.new_list()
        return self.c.get_list(self.rng.choice(self.lists))

    def settings(self) -> None:
        ml = self.a_list()
        s = ml.settings
        r = self.rng.random()
        if r < 0.5:
            s["description"] = self.rng.choice(SUBJECTS)
            s["max_message_size"] = self.rng.choice((40, 100, 512, 0))
            s["advertised"] = self.rng.random() < 0.7
            s.save()
        elif r < 0.7:
            s["default_member_action"] = self.rng.choice(("defer", "hold", "accept"))
            s["reply_goes_to_list"] = self.rng.choice(("no_munging", "point_to_list", "explicit_header"))
            s.save()
        else:
            dict(s)

    def subscribe(self) -> None:
        ml = self.a_list()
        email, name = self.person()
        approved = self.rng.random() < 0.8
        res = ml.subscribe(email, name, pre_verified=True, pre_confirmed=True, pre_approved=approved,
                           delivery_mode=self.rng.choice(DELIVERY_MODES), send_welcome_message=False)
        if approved or not isinstance(res, dict):
            self.members.setdefault(ml.fqdn_listname, []).append(email)

    def roster(self) -> None:
        ml = self.a_list()
        r = self.rng.random()
        if r < 0.25:
            [m.email for m in ml.members]
        elif r < 0.4:
            [m.email for m in ml.find_members(role=self.rng.choice(("member", "owner", "moderator", "nonmember")))]
        elif r < 0.5:
            [o.email for o in ml.owners] + [m.email for m in ml.moderators]
        elif r < 0.65:
            page = ml.get_member_page(count=self.rng.choice((5, 10, 25)), page=self.rng.choice((1, 1, 2)))
            [m.email for m in page]
        elif r < 0.8 and self.members.get(ml.fqdn_listname):
            m = ml.get_member(self.rng.choice(self.members[ml.fqdn_listname]))
            m.address, m.role, m.delivery_mode  # noqa: B018 (each attribute is a GET of the REST API)
        elif r < 0.9:
            [m.fqdn_listname for m in self.c.get_list_page(count=self.rng.choice((5, 10)), page=1)]
        else:
            [m.list_id for m in self.c.get_lists(advertised=self.rng.random() < 0.5)]

    def preferences(self) -> None:
        ml = self.a_list()
        emails = self.members.get(ml.fqdn_listname)
        if not emails:
            return self.subscribe()
        m = ml.get_member(self.rng.choice(emails))
        p = m.preferences
        p["delivery_mode"] = self.rng.choice(DELIVERY_MODES)
        p["receive_own_postings"] = self.rng.random() < 0.5
        if self.rng.random() < 0.3:
            p["delivery_status"] = self.rng.choice(("enabled", "by_user"))
        p.save()

    def unsubscribe(self) -> None:
        ml = self.a_list()
        emails = self.members.get(ml.fqdn_listname)
        if not emails:
            return self.subscribe()
        email = emails.pop(self.rng.randrange(len(emails)))
        ml.unsubscribe(email, pre_confirmed=True, pre_approved=True)

    def roles(self) -> None:
        ml = self.a_list()
        email = self.person()[0]
        if self.rng.random() < 0.6:
            ml.add_moderator(email)
        else:
            ml.add_owner(email)
            if self.rng.random() < 0.3:
                ml.remove_owner(email)

    def user(self) -> None:
        email, name = self.person()
        u = self.c.create_user(email, f"pw-{self.rng.getrandbits(40):x}", name)
        self.users.append(email)
        if self.rng.random() < 0.6:
            other = self.person()[0]
            a = u.add_address(other)
            if self.rng.random() < 0.7:
                a.verify()
                u.preferred_address = other

    def read_user(self) -> None:
        if not self.users:
            return self.user()
        email = self.rng.choice(self.users)
        r = self.rng.random()
        u = self.c.get_user(email)
        if r < 0.25:
            [a.email for a in u.addresses]
        elif r < 0.4:
            u.display_name = self.person()[1]
            u.save()
        elif r < 0.55:
            p = u.preferences
            p["preferred_language"] = self.rng.choice(("en", "de", "fr", "es"))
            p.save()
        elif r < 0.65:
            [s.list_id for s in u.subscriptions]
        elif r < 0.8:
            [x.user_id for x in self.c.find_users(email.split("@")[0][:4])]
        elif r < 0.9:
            self.c.get_address(email).verified  # noqa: B018 (each attribute is a GET of the REST API)
        else:
            u.delete()
            self.users.remove(email)

    def post(self) -> None:
        ml = self.a_list()
        member = self.members.get(ml.fqdn_listname)
        sender = self.rng.choice(member) if member and self.rng.random() < 0.4 else self.person()[0]
        subject = self.rng.choice(SUBJECTS)
        text = (f"From: {sender}\nTo: {ml.fqdn_listname}\nSubject: {subject}\n"
                f"Message-ID: <{self.rng.getrandbits(64):x}@{sender.split('@')[1]}>\n\nHello list,\n\n{subject}\n")
        self.c.queues["in"].inject(ml.list_id, text)

    def moderate(self) -> None:
        ml = self.a_list()
        r = self.rng.random()
        if r < 0.5:
            held = list(ml.held)
            if held:
                h = self.rng.choice(held)
                ml.get_held_message(h.request_id).subject  # noqa: B018 (each attribute is a GET of the REST API)
                getattr(h, self.rng.choice(("accept", "discard", "reject", "defer")))()
            else:
                ml.get_held_count()
        else:
            reqs = list(ml.requests)
            if reqs:
                req = self.rng.choice(reqs)
                ml.get_request(req["token"])
                ml.moderate_request(req["token"], self.rng.choice(("accept", "accept", "reject", "discard")))
            else:
                ml.get_requests_count()

    def bans(self) -> None:
        r = self.rng.random()
        bans = self.a_list().bans if r < 0.6 else self.c.bans
        if self.rng.random() < 0.6:
            bans.add(self.rng.choice((self.person()[0], f"^.*@spam{self.n}\\.example$")))
        else:
            [b.email for b in bans]

    def rules(self) -> None:
        ml = self.a_list()
        hm = ml.header_matches
        r = self.rng.random()
        if r < 0.5:
            hm.add(self.rng.choice(HEADERS), self.rng.choice(("yes", "^\\*\\*\\*", ".*viagra.*", "[0-9]{3,}")),
                   self.rng.choice(("hold", "discard", "reject", "accept")))
        elif r < 0.8:
            [(h.header, h.pattern) for h in hm]
        else:
            ml.set_template(self.rng.choice(TEMPLATES), f"http://127.0.0.1:9/templates/{ml.list_id}/footer.txt")
            [t.name for t in ml.templates]

    def system(self) -> None:
        r = self.rng.random()
        if r < 0.2:
            self.c.system["mailman_version"]
        elif r < 0.5:
            dict(self.c.configuration[self.rng.choice(SECTIONS)])
        elif r < 0.6:
            self.c.styles  # noqa: B018 (each attribute is a GET of the REST API)
        elif r < 0.7:
            self.c.queues["in"].files  # noqa: B018 (each attribute is a GET of the REST API)
        elif r < 0.8:
            dict(self.a_list().archivers)
        elif r < 0.9:
            self.c.pipelines, self.c.chains  # noqa: B018 (each attribute is a GET of the REST API)
        else:
            [m.list_id for m in self.c.find_lists(self.rng.choice(self.users) if self.users else self.person()[0])]

    def remove(self) -> None:
        if len(self.lists) < 6:
            return self.new_list()
        fq = self.lists.pop(self.rng.randrange(len(self.lists)))
        self.members.pop(fq, None)
        self.c.delete_list(fq)

    def errors(self) -> None:
        r = self.rng.random()
        try:
            if r < 0.2:
                self.c.get_list(f"{self.rng.choice(LISTS)}-old@{self.rng.choice(DOMAINS)}")
            elif r < 0.4:
                self.a_list().subscribe(self.rng.choice(("not-an-address", "anne@", "@example.com", "bob at example")),
                                        pre_verified=True, pre_confirmed=True, pre_approved=True)
            elif r < 0.55 and self.lists:
                host = self.rng.choice(self.lists).split("@")[1]
                self.c.get_domain(host).create_list(self.rng.choice(self.lists).split("@")[0])
            elif r < 0.7:
                self.c.get_user(self.person()[0])
            elif r < 0.8:
                self.c.get_domain(f"lists.{self.rng.choice(('acme', 'gone', 'old-site'))}.example")
            elif r < 0.9:
                self.a_list().get_member(self.person()[0])
            else:
                self.a_list().unsubscribe(self.person()[0])
        except (HTTPError, ValueError) as e:
            print(f"expected: {type(e).__name__}: {str(e)[:100]}", file=sys.stderr)


def main() -> int:
    a = parse(__doc__, ["url"], rounds=620)
    rng = random.Random(a.seed)
    d = Drive(a.url.rstrip("/"), rng)
    for _ in range(3):
        d.domain()
    for _ in range(8):
        d.new_list()
    for _ in range(20):
        d.subscribe()
    steps = [
        (d.domain, 0.5),
        (d.read_domain, 3),
        (d.new_list, 2),
        (d.settings, 6),
        (d.subscribe, 12),
        (d.roster, 10),
        (d.preferences, 5),
        (d.unsubscribe, 3),
        (d.roles, 3),
        (d.user, 5),
        (d.read_user, 8),
        (d.post, 6),
        (d.moderate, 5),
        (d.bans, 3),
        (d.rules, 3),
        (d.system, 4),
        (d.remove, 1),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(HTTPError, ValueError, KeyError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
