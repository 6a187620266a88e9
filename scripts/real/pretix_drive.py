"""Drive a pretix server's REST API as pretix's API documentation shows it (requests, team API tokens).

    python pretix_drive.py URL TOKENS --seed N [--rounds R] [--max-seconds S]

Run by pretix.sh; TOKENS is a file of `organizer token` lines (pretix_setup.py's). pretix ships no Python
client: its docs show each call with curl and JSON, as here. Two organizers' box offices: events under
slugs people choose (`jazz-night-2027-03`, `pyconn-2027`), their settings, tax rules, categories, items
(tickets, merchandise, add-ons) with variations, quotas, questions, vouchers (codes people choose, in
batches too), orders created with positions, attendees and answers, read and filtered, changed, paid,
extended, cancelled; order positions; check-in lists and check-ins through the check-in RPC; gift
cards with transactions; webhooks; events cloned, changed and deleted. Errors: events, orders and
vouchers that are not there (404), a slug or voucher code taken, an order for an item of another
event, a bad token (401), a body the API refuses (400).
"""

from __future__ import annotations

import datetime
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

SERIES = (("jazz-night", "Jazz Night", "Jazznacht"), ("pyconn", "PyCon Nordics", "PyCon Nordics"),
          ("sprint-weekend", "Sprint Weekend", "Sprint-Wochenende"),
          ("big-band-gala", "Big Band Gala", "Big-Band-Gala"),
          ("django-girls", "Django Girls Workshop", "Django Girls Workshop"), ("late-set", "Late Set", "Spätset"),
          ("summer-open-air", "Summer Open Air", "Sommer Open Air"))
VENUES = ("A-Trane, Pestalozzistr. 105, Berlin", "Kulturhuset, Stockholm", "Radialsystem, Berlin", "Online",
          "Aula Magna, Uppsala")
TICKETS = (("Regular", "Normal", "39.00"), ("Student", "Ermäßigt", "19.00"), ("Early bird", "Frühbucher", "29.00"),
           ("Patron", "Förderer", "120.00"), ("Speaker", "Referent", "0.00"), ("Workshop day", "Workshoptag", "59.00"))
MERCH = (("T-Shirt", ("S", "M", "L", "XL")), ("Tote bag", ()), ("Vinyl LP", ("black", "gold")), ("Hoodie", ("M", "L")))
FIRST = ("Anne", "Dmitri", "Priya", "Kenji", "Lucía", "Tomasz", "Amara", "Jonas", "Mei", "Olu", "Sven", "Fatima")
LAST = ("Müller", "Ivanov", "Sharma", "Tanaka", "García", "Kowalski", "Okafor", "Berg", "Chen", "Larsen")
CODES = ("EARLYBIRD", "SPEAKER", "PRESS", "STAFF", "SPONSOR-ACME", "JAZZFRIENDS", "STUDENT-UU", "CREW")


class Drive:
    def __init__(self, url: str, tokens: dict[str, str], rng: random.Random) -> None:
        self.url, self.rng = url.rstrip("/") + "/api/v1", rng
        self.http = {org: requests.Session() for org in tokens}
        for org, token in tokens.items():
            self.http[org].headers["Authorization"] = f"Token {token}"
        self.orgs = sorted(tokens)
        self.events: list[tuple[str, str]] = []                  # (organizer, event slug)
        self.items: dict[tuple[str, str], list[int]] = {}        # event -> item ids
        self.variations: dict[int, list[int]] = {}               # item -> variation ids
        self.quotas: dict[tuple[str, str], list[int]] = {}
        self.questions: dict[tuple[str, str], list[int]] = {}
        self.vouchers: dict[tuple[str, str], list[int]] = {}
        self.orders: dict[tuple[str, str], list[str]] = {}
        self.checkins: dict[tuple[str, str], list[int]] = {}
        self.secrets: dict[tuple[str, str], list[str]] = {}
        self.giftcards: dict[str, list[int]] = {}
        self.webhooks: dict[str, list[int]] = {}

    # --- helpers
    def call(self, method: str, org: str, path: str, **kw: Any) -> requests.Response:
        return self.http[org].request(method, f"{self.url}/organizers/{org}{path}", timeout=60, **kw)

    def event(self) -> tuple[str, str] | None:
        return self.rng.choice(self.events) if self.events else None

    def ev(self, e: tuple[str, str]) -> str:
        return f"/events/{e[1]}"

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST), self.rng.choice(LAST)

    # --- events
    def create_event(self) -> None:
        org = self.rng.choice(self.orgs)
        slug_stem, en, de = self.rng.choice(SERIES)
        start = datetime.datetime(2027, 1, 1, 19, 30) + datetime.timedelta(days=self.rng.randrange(300))
        slug = f"{slug_stem}-{start:%Y-%m}" if self.rng.random() < 0.6 \
            else f"{slug_stem}{start:%y}{self.rng.randint(1, 9)}"
        body: dict[str, Any] = {
            "name": {"en": f"{en} {start:%B %Y}", "de": f"{de} {start:%B %Y}"}, "slug": slug, "currency": "EUR",
            "date_from": start.isoformat() + "Z", "is_public": self.rng.random() < 0.8, "live": False,
            "location": {"en": self.rng.choice(VENUES)}, "has_subevents": False,
            "timezone": "Europe/Berlin", "meta_data": {}, "plugins": ["pretix.plugins.banktransfer"],
        }
        if self.rng.random() < 0.5:
            body["date_to"] = (start + datetime.timedelta(hours=self.rng.choice((3, 8, 48)))).isoformat() + "Z"
        if self.rng.random() < 0.4:
            body["presale_start"] = (start - datetime.timedelta(days=60)).isoformat() + "Z"
        r = self.call("POST", org, "/events/", json=body)
        if r.status_code == 201:
            e = (org, slug)
            self.events.append(e)
            self.setup_event(e)

    def setup_event(self, e: tuple[str, str]) -> None:
        org = e[0]
        self.call("PATCH", org, self.ev(e) + "/settings/", json={"locales": ["en", "de"], "locale": "en",
                                                               "payment_banktransfer__enabled": True})
        tax = self.call("POST", org, self.ev(e) + "/taxrules/", json={"name": {"en": "VAT"}, "rate": "19.00"})
        tax_id = tax.json()["id"] if tax.status_code == 201 else None
        cat = self.call("POST", org, self.ev(e) + "/categories/", json={"name": {"en": "Tickets", "de": "Tickets"},
                                                                      "position": 0, "is_addon": False})
        cat_id = cat.json()["id"] if cat.status_code == 201 else None
        ids = []
        for en, de, price in self.rng.sample(TICKETS, self.rng.randint(2, 4)):
            r = self.call("POST", org, self.ev(e) + "/items/", json={
                "name": {"en": en, "de": de}, "default_price": price, "category": cat_id, "tax_rule": tax_id,
                "admission": True, "active": True, "personalized": self.rng.random() < 0.7})
            if r.status_code == 201:
                ids.append(r.json()["id"])
        self.items[e] = ids
        if ids:
            r = self.call("POST", org, self.ev(e) + "/quotas/", json={
                "name": "Main hall", "size": self.rng.choice((50, 120, 400)), "items": ids, "variations": []})
            self.quotas[e] = [r.json()["id"]] if r.status_code == 201 else []
        r = self.call("POST", org, self.ev(e) + "/checkinlists/", json={
            "name": "Main entrance", "all_products": True, "limit_products": []})
        self.checkins[e] = [r.json()["id"]] if r.status_code == 201 else []

    def read_event(self) -> None:
        which = self.rng.random()
        org = self.rng.choice(self.orgs)
        if which < 0.3 or not self.events:
            params: dict[str, str] = {}
            if self.rng.random() < 0.5:
                params[self.rng.choice(("is_public", "live", "has_subevents"))] = self.rng.choice(("true", "false"))
            if self.rng.random() < 0.3:
                params["ordering"] = self.rng.choice(("date_from", "-date_from", "slug"))
            self.call("GET", org, "/events/", params=params)
        elif which < 0.45:
            self.http[org].get(f"{self.url}/organizers/", timeout=60)
            self.http[org].get(f"{self.url}/organizers/{org}/", timeout=60)
        else:
            e = self.rng.choice(self.events)
            self.call("GET", e[0], self.ev(e) + ("/settings/" if self.rng.random() < 0.3 else "/"))

    def change_event(self) -> None:
        e = self.event()
        if e is None:
            return
        which = self.rng.random()
        if which < 0.4:
            self.call("PATCH", e[0], self.ev(e) + "/", json={"location": {"en": self.rng.choice(VENUES)}})
        elif which < 0.7:
            change = self.rng.choice(({"max_items_per_order": self.rng.randint(4, 10)},
                                      {"contact_mail": f"tickets@{e[0]}.example"},
                                      {"attendee_names_asked": self.rng.random() < 0.5},
                                      {"payment_term_days": self.rng.choice((3, 7, 14))}))
            self.call("PATCH", e[0], self.ev(e) + "/settings/", json=change)
        elif which < 0.85 and len(self.events) < 40:
            slug = f"{e[1][:40]}-encore"
            clone = {"slug": slug, "name": {"en": f"{e[1]} (encore)"}, "date_from": "2027-12-01T20:00:00Z",
                     "currency": "EUR", "live": False}
            r = self.call("POST", e[0], self.ev(e) + "/clone/", json=clone)
            if r.status_code == 201:
                self.events.append((e[0], slug))
                self.items[(e[0], slug)] = []
        elif len(self.events) > 6 and not self.orders.get(e):  # noqa: SIM102 (the DELETE is called only then)
            if self.call("DELETE", e[0], self.ev(e) + "/").status_code == 204:
                self.events.remove(e)

    # --- catalog
    def merch(self) -> None:
        e = self.event()
        if e is None:
            return
        name, sizes = self.rng.choice(MERCH)
        body: dict[str, Any] = {"name": {"en": name}, "default_price": self.rng.choice(("15.00", "25.00", "35.00")),
                                "admission": False, "active": True, "has_variations": bool(sizes)}
        if sizes:
            body["variations"] = [{"value": {"en": s}, "active": True, "default_price": None} for s in sizes]
        r = self.call("POST", e[0], self.ev(e) + "/items/", json=body)
        if r.status_code == 201:
            item = r.json()
            self.items.setdefault(e, []).append(item["id"])
            self.variations[item["id"]] = [v["id"] for v in item.get("variations", [])]

    def read_catalog(self) -> None:
        e = self.event()
        if e is None:
            return
        which = self.rng.random()
        if which < 0.35:
            params = {"active": "true"} if self.rng.random() < 0.3 else {}
            self.call("GET", e[0], self.ev(e) + "/items/", params=params)
        elif which < 0.6 and self.items.get(e):
            item = self.rng.choice(self.items[e])
            if self.variations.get(item) and self.rng.random() < 0.5:
                self.call("GET", e[0], self.ev(e) + f"/items/{item}/variations/")
            else:
                self.call("GET", e[0], self.ev(e) + f"/items/{item}/")
        elif which < 0.8:
            path = self.rng.choice(("/categories/", "/taxrules/", "/questions/", "/checkinlists/"))
            self.call("GET", e[0], self.ev(e) + path)
        elif self.quotas.get(e):
            q = self.rng.choice(self.quotas[e])
            self.call("GET", e[0], self.ev(e) + f"/quotas/{q}/" + ("availability/" if self.rng.random() < 0.5 else ""))
        else:
            self.call("GET", e[0], self.ev(e) + "/quotas/")

    def change_catalog(self) -> None:
        e = self.event()
        if e is None or not self.items.get(e):
            return
        item = self.rng.choice(self.items[e])
        which = self.rng.random()
        if which < 0.4:
            self.call("PATCH", e[0], self.ev(e) + f"/items/{item}/",
                      json=self.rng.choice(({"default_price": self.rng.choice(("19.00", "45.00", "99.00"))},
                                            {"active": self.rng.random() < 0.7},
                                            {"description": {"en": "Doors open 30 minutes before."}})))
        elif which < 0.65 and self.quotas.get(e):
            self.call("PATCH", e[0], self.ev(e) + f"/quotas/{self.rng.choice(self.quotas[e])}/",
                      json={"size": self.rng.choice((60, 150, 500))})
        elif which < 0.85:
            r = self.call("POST", e[0], self.ev(e) + "/questions/", json={
                "question": {"en": self.rng.choice(("Dietary requirements", "Company", "T-shirt size", "Pronouns"))},
                "type": self.rng.choice(("S", "T", "B")), "identifier": f"Q{self.rng.randint(1000, 9999)}",
                "required": self.rng.random() < 0.3,
                "items": self.items[e], "ask_during_checkin": False})
            if r.status_code == 201:
                self.questions.setdefault(e, []).append(r.json()["id"])
        elif self.variations.get(item):
            v = self.rng.choice(self.variations[item])
            self.call("PATCH", e[0], self.ev(e) + f"/items/{item}/variations/{v}/",
                      json={"default_price": self.rng.choice(("20.00", "30.00"))})

    # --- vouchers
    def voucher(self) -> None:
        e = self.event()
        if e is None:
            return
        which = self.rng.random()
        if which < 0.45:
            code = f"{self.rng.choice(CODES)}{self.rng.randint(10, 99)}"
            body: dict[str, Any] = {"code": code, "max_usages": self.rng.choice((1, 5, 50)),
                                    "price_mode": self.rng.choice(("percent", "subtract", "set")),
                                    "value": self.rng.choice(("10.00", "25.00", "100.00")),
                                    "comment": f"for {' '.join(self.person())}"}
            if self.items.get(e) and self.rng.random() < 0.5:
                body["item"] = self.rng.choice(self.items[e])
            r = self.call("POST", e[0], self.ev(e) + "/vouchers/", json=body)
            if r.status_code == 201:
                self.vouchers.setdefault(e, []).append(r.json()["id"])
        elif which < 0.55:
            stem = self.rng.choice(CODES)
            body = [{"code": f"{stem}-{self.rng.randint(1000, 9999)}", "max_usages": 1, "price_mode": "percent",
                     "value": "50.00"} for _ in range(self.rng.randint(2, 5))]
            r = self.call("POST", e[0], self.ev(e) + "/vouchers/batch_create/", json=body)
            if r.status_code == 201:
                self.vouchers.setdefault(e, []).extend(v["id"] for v in r.json())
        elif which < 0.8:
            params = {"code": f"{self.rng.choice(CODES)}{self.rng.randint(10, 99)}"} if self.rng.random() < 0.4 else {}
            self.call("GET", e[0], self.ev(e) + "/vouchers/", params=params)
        elif self.vouchers.get(e):
            v = self.rng.choice(self.vouchers[e])
            if self.rng.random() < 0.5:
                self.call("PATCH", e[0], self.ev(e) + f"/vouchers/{v}/", json={"max_usages": self.rng.randint(2, 20)})
            elif self.call("DELETE", e[0], self.ev(e) + f"/vouchers/{v}/").status_code == 204:
                self.vouchers[e].remove(v)

    # --- orders
    def order(self) -> None:
        e = self.event()
        if e is None or not self.items.get(e):
            return
        positions = []
        for _ in range(self.rng.randint(1, 3)):
            given, family = self.person()
            item = self.rng.choice(self.items[e])
            pos: dict[str, Any] = {"item": item, "attendee_name_parts": {"given_name": given, "family_name": family}}
            if self.variations.get(item):
                pos["variation"] = self.rng.choice(self.variations[item])
            if self.questions.get(e) and self.rng.random() < 0.4:
                pos["answers"] = [{"question": self.rng.choice(self.questions[e]), "answer": "vegetarian",
                                   "options": []}]
            positions.append(pos)
        given, family = self.person()
        email = f"{given.lower()}.{family.lower()}@example.org".encode("ascii", "ignore").decode()
        body: dict[str, Any] = {"email": email,
                                "locale": self.rng.choice(("en", "de")), "sales_channel": "web",
                                "payment_provider": self.rng.choice(("banktransfer", "banktransfer", None)),
                                "positions": positions, "status": self.rng.choice(("n", "n", "p"))}
        if self.rng.random() < 0.3:
            body["invoice_address"] = {"company": f"{family} GmbH", "name_parts": {"given_name": given,
                                       "family_name": family}, "street": "Hauptstr. 1", "zipcode": "10115",
                                       "city": "Berlin", "country": "DE", "is_business": True}
        r = self.call("POST", e[0], self.ev(e) + "/orders/", json=body)
        if r.status_code == 201:
            o = r.json()
            self.orders.setdefault(e, []).append(o["code"])
            self.secrets.setdefault(e, []).extend(p["secret"] for p in o.get("positions", []))

    def read_orders(self) -> None:
        e = self.event()
        if e is None:
            return
        which = self.rng.random()
        if which < 0.35:
            params: dict[str, str] = {}
            if self.rng.random() < 0.5:
                params["status"] = self.rng.choice(("n", "p", "c", "e"))
            if self.rng.random() < 0.2:
                params["email"] = f"{self.person()[0].lower()}@example.org"
            if self.rng.random() < 0.3:
                params["ordering"] = self.rng.choice(("datetime", "-datetime", "code"))
            self.call("GET", e[0], self.ev(e) + "/orders/", params=params)
        elif which < 0.7 and self.orders.get(e):
            self.call("GET", e[0], self.ev(e) + f"/orders/{self.rng.choice(self.orders[e])}/")
        elif which < 0.85:
            self.call("GET", e[0], self.ev(e) + "/orderpositions/",
                      params={"attendee_name": self.person()[1]} if self.rng.random() < 0.3 else {})
        else:
            self.call("GET", e[0], "/orders/" if self.rng.random() < 0.5 else "/orderpositions/")

    def change_order(self) -> None:
        e = self.event()
        if e is None or not self.orders.get(e):
            return
        code = self.rng.choice(self.orders[e])
        which = self.rng.random()
        if which < 0.4:
            self.call("POST", e[0], self.ev(e) + f"/orders/{code}/mark_paid/", json={})
        elif which < 0.45:
            self.call("POST", e[0], self.ev(e) + f"/orders/{code}/extend/",
                      json={"expires": str(datetime.date.today() + datetime.timedelta(days=self.rng.randint(20, 40))),
                            "force": False})
        elif which < 0.7:
            self.call("PATCH", e[0], self.ev(e) + f"/orders/{code}/",
                      json=self.rng.choice(({"comment": "called the box office"}, {"email": "changed@example.org"},
                                            {"checkin_attention": self.rng.random() < 0.5})))
        elif which < 0.85:
            self.call("POST", e[0], self.ev(e) + f"/orders/{code}/mark_canceled/", json={"send_email": False})
        else:
            self.call("GET", e[0], self.ev(e) + f"/orders/{code}/payments/")

    def checkin(self) -> None:
        e = self.event()
        if e is None or not self.checkins.get(e):
            return
        lst = self.rng.choice(self.checkins[e])
        if self.secrets.get(e) and self.rng.random() < 0.6:
            self.call("POST", e[0], "/checkinrpc/redeem/", json={"secret": self.rng.choice(self.secrets[e]),
                                                                 "lists": [lst], "type": "entry", "force": False})
        else:
            self.call("GET", e[0], self.ev(e) + f"/checkinlists/{lst}/" +
                      ("positions/" if self.rng.random() < 0.5 else "status/"))

    # --- organizer level
    def giftcard(self) -> None:
        org = self.rng.choice(self.orgs)
        cards = self.giftcards.setdefault(org, [])
        which = self.rng.random()
        if which < 0.35 or not cards:
            r = self.call("POST", org, "/giftcards/", json={"secret": f"GIFT-{self.rng.randint(100000, 999999)}",
                                                            "value": self.rng.choice(("25.00", "50.00")),
                                                            "currency": "EUR", "testmode": False})
            if r.status_code == 201:
                cards.append(r.json()["id"])
        elif which < 0.6:
            self.call("GET", org, "/giftcards/")
        elif which < 0.8:
            self.call("POST", org, f"/giftcards/{self.rng.choice(cards)}/transact/",
                      json={"value": self.rng.choice(("-10.00", "5.00")), "text": "box office"})
        else:
            self.call("GET", org, f"/giftcards/{self.rng.choice(cards)}/transactions/")

    def webhook(self) -> None:
        org = self.rng.choice(self.orgs)
        hooks = self.webhooks.setdefault(org, [])
        which = self.rng.random()
        if which < 0.4 or not hooks:
            r = self.call("POST", org, "/webhooks/", json={
                "target_url": f"https://hooks.{org}.example/pretix/{self.rng.randint(1, 99)}", "enabled": False,
                "all_events": True, "limit_events": [],
                "action_types": self.rng.sample(["pretix.event.order.placed", "pretix.event.order.paid",
                                                 "pretix.event.order.canceled", "pretix.event.checkin"], 2)})
            if r.status_code == 201:
                hooks.append(r.json()["id"])
        elif which < 0.7:
            self.call("GET", org, "/webhooks/")
        elif which < 0.9:
            self.call("PATCH", org, f"/webhooks/{self.rng.choice(hooks)}/", json={"enabled": False})
        elif self.call("DELETE", org, f"/webhooks/{hooks[-1]}/").status_code == 204:
            hooks.pop()

    def errors(self) -> None:
        org = self.rng.choice(self.orgs)
        which = self.rng.randrange(6)
        if which == 0:
            self.call("GET", org, f"/events/{self.rng.choice(SERIES)[0]}-1999-01/")
        elif which == 1 and self.events:
            e = self.rng.choice(self.events)
            self.call("POST", e[0], "/events/", json={"name": {"en": "dup"}, "slug": e[1], "currency": "EUR",
                                                      "date_from": "2027-05-01T19:00:00Z"})
        elif which == 2 and self.events:
            e = self.rng.choice(self.events)
            self.call("GET", e[0], self.ev(e) + f"/orders/Z{self.rng.randint(1000, 9999)}/")
        elif which == 3 and self.events:
            e = self.rng.choice(self.events)
            self.call("POST", e[0], self.ev(e) + "/orders/", json={"email": "x@example.org", "positions": [
                {"item": 999999}]})
        elif which == 4:
            requests.get(f"{self.url}/organizers/{org}/events/", headers={"Authorization": "Token wrongtoken"},
                         timeout=60)
        else:
            self.call("POST", org, "/giftcards/", json={"secret": "", "value": "abc"})


def main() -> None:
    args = parse(__doc__, ["url", "tokens"], 900)
    tokens = dict(line.split() for line in Path(args.tokens).read_text().splitlines() if line.strip())
    d = Drive(args.url, tokens, random.Random(args.seed))
    for _ in range(4):
        d.create_event()
    steps: list[tuple[Callable[[], object], float]] = [
        (d.create_event, 2), (d.read_event, 4), (d.change_event, 2), (d.merch, 1.5), (d.read_catalog, 5),
        (d.change_catalog, 2.5), (d.voucher, 4), (d.order, 7), (d.read_orders, 6), (d.change_order, 4),
        (d.checkin, 3), (d.giftcard, 1.5), (d.webhook, 1), (d.errors, 2),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds)


if __name__ == "__main__":
    main()
