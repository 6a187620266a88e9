"""Drive a Matrix Synapse homeserver with its own ecosystem's Python client, matrix-nio (`AsyncClient`).

    python synapse_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by synapse.sh in the server's environment (matrix-nio installed beside it). A team's chat as its
members' clients use it: accounts registered under the handles people pick (`alice`, `bob.smith`,
`dave-ops`), each on a device it names; rooms and spaces under the aliases the team chooses
(`#release_train:realset.test`, `#ops.alerts:...`), invites, joins, leaves, kicks, bans; messages of
the standard types and of event types a team's bots define (`com.acme.deploy`), edits, reactions,
redactions, state events of custom types under state keys people choose, typing, read markers and
receipts, incremental syncs with filters, history pages, context, profiles, presence, media uploads and
downloads, push rules, devices, aliases; and the errors clients meet (a room nobody may see, an alias
taken, a wrong password, a user already in the room, a missing event).
"""

from __future__ import annotations

import asyncio
import io
import random
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from nio import AsyncClient, MessageDirection, PushRuleKind, RoomPreset, RoomVisibility
from nio.events.account_data import PushEventMatch, PushNotify, PushSetTweak

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload

SERVER = "realset.test"
PASSWORD = "realset-pass-1"
# Handles people pick, and the device each first signs in from.
USERS = ["alice", "bob.smith", "carol_dev", "dave-ops", "erin", "frank.w", "grace", "heidi_qa", "ivan", "judy.k"]
DEVICES = ["Element Desktop", "laptop", "iPhone 15", "work-pc", "nheko on arch", "Fluffychat"]
# Rooms a team makes: the alias's local part, the display name, its topic.
ROOMS = [
    ("engineering", "Engineering", "all things eng"),
    ("design-review", "Design review", "mocks & feedback"),
    ("random", "Random", "water cooler"),
    ("ops.alerts", "Ops alerts", "paged by alertmanager"),
    ("release_train", "Release train", "weekly cut on Tuesdays"),
    ("book-club", "Book club", "this month: Dune"),
    ("incident-2291", "INC-2291 db failover", "war room"),
    ("frontend", "Frontend", "react, css, pain"),
    ("sre-oncall", "SRE on-call", "handover notes"),
    ("welcome", "Welcome!", "say hi"),
]
SPACES = [("acme-hq", "ACME HQ"), ("platform-team", "Platform team")]
# Event types a team's bots and widgets define, with the keys each chooses for its content.
CUSTOM_EVENTS = {
    "com.acme.deploy": ["service", "version", "env", "commit"],
    "org.example.poll.vote": ["poll_id", "choice"],
    "io.ci.build_status": ["pipeline", "status", "duration_s"],
}
CUSTOM_STATE = {
    "com.acme.board.config": ["columns", "wip_limit", "owner"],
    "im.vector.modular.widgets": ["type", "url", "name", "data"],
    "org.example.room.sla": ["response_minutes", "escalate_to"],
}
STATE_KEYS = ["", "sprint-42", "q3 roadmap", "grafana", "jira.PROJ", "standup"]
WORDS = ["deploy", "rollback", "lgtm", "coffee", "p99", "flaky", "ship it", "merge", "oncall", "retro"]
MEDIA_TYPES = {"txt": "text/plain", "md": "text/markdown", "svg": "image/svg+xml", "csv": "text/csv"}
REACTIONS = ["👍", "🎉", "👀", "✅", "😂", ":shipit:"]


class Team:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.url, self.rng = url, rng
        self.loop = asyncio.new_event_loop()
        self.clients: dict[str, AsyncClient] = {}
        self.rooms: dict[str, str] = {}  # alias local part -> room id
        self.members: dict[str, set[str]] = {}  # room id -> local parts joined
        self.events: dict[str, list[str]] = {}  # room id -> event ids sent
        self.media: list[str] = []
        self.rules: list[str] = []

    def go(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def uid(self, name: str) -> str:
        return f"@{name}:{SERVER}"

    def who(self, room: str | None = None) -> tuple[str, AsyncClient]:
        names = sorted(self.members.get(room, ())) if room else []
        name = self.rng.choice(names or list(self.clients))
        return name, self.clients[name]

    def room(self) -> str:
        return self.rng.choice(list(self.rooms.values()))

    # -- setup ------------------------------------------------------------------------------------
    def setup(self) -> None:
        for name in USERS:
            c = AsyncClient(self.url, name)
            self.go(c.register(name, PASSWORD, device_name=self.rng.choice(DEVICES)))
            self.clients[name] = c
            self.go(c.set_displayname(name.replace(".", " ").replace("_", " ").title()))
        for alias, title, topic in ROOMS[:6]:
            self.create_room(alias, title, topic)
        for alias, title in SPACES:
            self.create_room(alias, title, None, space=True)

    def create_room(self, alias: str, title: str, topic: str | None, space: bool = False) -> None:
        name, c = self.who()
        invite = [self.uid(u) for u in self.rng.sample(USERS, 3) if u != name]
        state = [
            {"type": t, "state_key": self.rng.choice(STATE_KEYS), "content": self.custom(keys)}
            for t, keys in self.rng.sample(sorted(CUSTOM_STATE.items()), self.rng.randint(0, 2))
        ]
        r = self.go(
            c.room_create(
                visibility=self.rng.choice([RoomVisibility.public, RoomVisibility.private]),
                alias=alias,
                name=title,
                topic=topic,
                preset=self.rng.choice([RoomPreset.public_chat, RoomPreset.private_chat, None]),
                invite=invite,
                initial_state=state,
                space=space,
            )
        )
        room_id = getattr(r, "room_id", None)
        if room_id:
            self.rooms[alias] = room_id
            self.members[room_id] = {name}
            for u in invite:
                local = u[1:].split(":")[0]
                if self.rng.random() < 0.8 and getattr(self.go(self.clients[local].join(room_id)), "room_id", None):
                    self.members[room_id].add(local)

    def custom(self, keys: list[str]) -> dict[str, Any]:
        """Content of a team's own event type: some of its keys, each with the one type the bot gives it."""
        return {k: self.value(k) for k in self.rng.sample(keys, self.rng.randint(1, len(keys)))}

    def value(self, key: str) -> Any:
        r = self.rng
        gen: dict[str, Callable[[], Any]] = {
            "service": lambda: r.choice(["billing", "search-api", "web"]),
            "version": lambda: f"1.{r.randint(0, 9)}.{r.randint(0, 30)}",
            "env": lambda: r.choice(["staging", "prod", "eu-west"]),
            "commit": lambda: f"{r.getrandbits(40):010x}",
            "poll_id": lambda: f"poll-{r.randint(1, 40)}",
            "choice": lambda: r.randint(0, 3),
            "pipeline": lambda: r.choice(["build", "lint", "e2e"]),
            "status": lambda: r.choice(["passed", "failed", "running"]),
            "duration_s": lambda: r.randint(3, 900),
            "columns": lambda: r.sample(["todo", "doing", "review", "done"], r.randint(2, 4)),
            "wip_limit": lambda: r.randint(1, 8),
            "owner": lambda: f"@{r.choice(USERS)}:{SERVER}",
            "type": lambda: r.choice(["m.custom", "jitsi", "grafana"]),
            "url": lambda: f"https://{r.choice(['grafana', 'meet', 'wiki'])}.example.com/{r.randint(1, 99)}",
            "name": lambda: r.choice(["Dashboards", "Standup call", "Runbook"]),
            "data": lambda: {"title": r.choice(WORDS), "dashboard": f"d-{r.randint(1, 9)}"},
            "response_minutes": lambda: r.choice([15, 30, 60, 240]),
            "escalate_to": lambda: f"@{r.choice(USERS)}:{SERVER}",
        }
        return gen[key]()

    # -- steps ------------------------------------------------------------------------------------
    def send_message(self) -> None:
        room = self.room()
        _, c = self.who(room)
        kind = self.rng.choice(["m.text", "m.text", "m.notice", "m.emote"])
        content: dict[str, Any] = {"msgtype": kind, "body": " ".join(self.rng.sample(WORDS, 3))}
        if self.rng.random() < 0.3:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = f"<b>{content['body']}</b>"
        if self.rng.random() < 0.2 and self.events.get(room):
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": self.rng.choice(self.events[room])}}
        r = self.go(c.room_send(room, "m.room.message", content))
        if getattr(r, "event_id", None):
            self.events.setdefault(room, []).append(r.event_id)

    def send_custom(self) -> None:
        room = self.room()
        _, c = self.who(room)
        etype, keys = self.rng.choice(sorted(CUSTOM_EVENTS.items()))
        r = self.go(c.room_send(room, etype, self.custom(keys)))
        if getattr(r, "event_id", None):
            self.events.setdefault(room, []).append(r.event_id)

    def react_or_edit(self) -> None:
        room = self.room()
        if not self.events.get(room):
            return self.send_message()
        _, c = self.who(room)
        target = self.rng.choice(self.events[room])
        if self.rng.random() < 0.6:
            content = {
                "m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": self.rng.choice(REACTIONS)}
            }
            self.go(c.room_send(room, "m.reaction", content))
        else:
            body = " ".join(self.rng.sample(WORDS, 2))
            content = {
                "msgtype": "m.text",
                "body": f"* {body}",
                "m.new_content": {"msgtype": "m.text", "body": body},
                "m.relates_to": {"rel_type": "m.replace", "event_id": target},
            }
            self.go(c.room_send(room, "m.room.message", content))

    def redact(self) -> None:
        room = self.room()
        if not self.events.get(room):
            return None
        _, c = self.who(room)
        event = self.events[room].pop(self.rng.randrange(len(self.events[room])))
        self.go(c.room_redact(room, event, reason=self.rng.choice([None, "oops", "wrong room", "contains a secret"])))

    def history(self) -> None:
        room = self.room()
        _, c = self.who(room)
        r = self.go(c.room_messages(room, limit=self.rng.choice([10, 20, 50])))
        if getattr(r, "end", None) and self.rng.random() < 0.5:
            self.go(c.room_messages(room, start=r.end, limit=10, direction=MessageDirection.back))
        if self.events.get(room) and self.rng.random() < 0.5:
            ev = self.rng.choice(self.events[room])
            self.go(self.rng.choice([c.room_context(room, ev, limit=5), c.room_get_event(room, ev)]))

    def sync(self) -> None:
        _, c = self.who()
        flt = self.rng.choice(
            [
                None,
                {"room": {"timeline": {"limit": 5}}},
                {"presence": {"types": ["m.presence"]}, "room": {"state": {"lazy_load_members": True}}},
            ]
        )
        self.go(
            c.sync(
                timeout=0,
                sync_filter=flt,
                since=c.next_batch or None,
                set_presence=self.rng.choice([None, "online", "unavailable"]),
            )
        )

    def state(self) -> None:
        room = self.room()
        _, c = self.who(room)
        roll = self.rng.random()
        if roll < 0.3:
            self.go(c.room_get_state(room))
        elif roll < 0.6:
            etype, keys = self.rng.choice(sorted(CUSTOM_STATE.items()))
            self.go(c.room_put_state(room, etype, self.custom(keys), state_key=self.rng.choice(STATE_KEYS)))
        elif roll < 0.8:
            etype = self.rng.choice(
                ["m.room.name", "m.room.topic", "m.room.power_levels", "m.room.join_rules", *CUSTOM_STATE]
            )
            # a custom type under a state key people chose; now and then a key the room never had: 404
            key = self.rng.choice(STATE_KEYS) if etype in CUSTOM_STATE or self.rng.random() < 0.1 else ""
            self.go(c.room_get_state_event(room, etype, key))
        else:
            self.go(c.update_room_topic(room, f"{self.rng.choice(WORDS)} — updated {self.rng.randint(1, 99)}"))

    def membership(self) -> None:
        room = self.room()
        inside = self.members.setdefault(room, set())
        outside = [u for u in USERS if u not in inside]
        roll = self.rng.random()
        if roll < 0.35 and outside:
            name = self.rng.choice(outside)
            r = self.go(self.clients[name].join(room))  # a public room joins; a private one refuses (403)
            if getattr(r, "room_id", None):
                inside.add(name)
        elif roll < 0.6 and outside and inside:
            _, c = self.who(room)
            self.go(c.room_invite(room, self.uid(self.rng.choice(outside))))
        elif roll < 0.75 and len(inside) > 1:
            name = self.rng.choice(sorted(inside))
            self.go(self.clients[name].room_leave(room))
            inside.discard(name)
            if self.rng.random() < 0.5:
                self.go(self.clients[name].room_forget(room))
        elif roll < 0.9 and len(inside) > 1:
            name, c = self.who(room)
            target = self.rng.choice(sorted(inside - {name}))
            act = self.rng.choice(["kick", "ban", "unban"])
            if act == "kick":
                self.go(c.room_kick(room, self.uid(target), reason=self.rng.choice([None, "spam", "off-topic"])))
            elif act == "ban":
                self.go(c.room_ban(room, self.uid(target), reason="repeated spam"))
                self.go(c.room_unban(room, self.uid(target)))
            else:
                self.go(c.room_invite(room, self.uid(target)))  # already in the room: 403
            inside.discard(target)
        else:
            _, c = self.who(room)
            self.go(self.rng.choice([c.joined_members(room), c.joined_rooms(), c.room_get_visibility(room)]))

    def presence_profile(self) -> None:
        name, c = self.who()
        other = self.uid(self.rng.choice(USERS))
        roll = self.rng.random()
        if roll < 0.3:
            self.go(
                c.set_presence(
                    self.rng.choice(["online", "unavailable", "offline"]),
                    self.rng.choice([None, "in a meeting", "lunch 🍜", "heads down"]),
                )
            )
        elif roll < 0.5:
            self.go(c.get_presence(other))
        elif roll < 0.7:
            self.go(self.rng.choice([c.get_profile(other), c.get_displayname(other), c.get_avatar(other)]))
        elif roll < 0.85:
            self.go(c.set_displayname(f"{name.split('.')[0].title()} ({self.rng.choice(['PTO', 'oncall', 'WFH'])})"))
        else:
            room = self.room()
            self.go(c.room_typing(room, self.rng.random() < 0.7, timeout=self.rng.choice([5000, 30000])))

    def receipts(self) -> None:
        room = self.room()
        if not self.events.get(room):
            return None
        _, c = self.who(room)
        ev = self.rng.choice(self.events[room])
        if self.rng.random() < 0.5:
            self.go(c.update_receipt_marker(room, ev))
        else:
            self.go(c.room_read_markers(room, ev, read_event=ev))

    def media_step(self) -> None:
        name, c = self.who()
        if self.media and self.rng.random() < 0.5:
            mxc = self.rng.choice(self.media)
            server, media_id = mxc[len("mxc://") :].split("/", 1)
            if self.rng.random() < 0.7:
                self.go(c.download(mxc=mxc, filename=self.rng.choice([None, "report.txt"])))
            else:
                self.go(c.thumbnail(server, media_id, 64, 64))
            return None
        fname = self.rng.choice(["notes.txt", "standup-2026-12-04.md", "diagram.svg", "data.csv"])
        data = (" ".join(self.rng.choices(WORDS, k=self.rng.randint(5, 60)))).encode()
        ctype = MEDIA_TYPES[fname.rsplit(".", 1)[1]]
        r, _ = self.go(c.upload(io.BytesIO(data), content_type=ctype, filename=fname, filesize=len(data)))
        if getattr(r, "content_uri", None):
            self.media.append(r.content_uri)
            room = self.room()
            if name in self.members.get(room, ()):
                self.go(
                    c.room_send(
                        room,
                        "m.room.message",
                        {
                            "msgtype": "m.file",
                            "body": fname,
                            "url": r.content_uri,
                            "info": {"mimetype": ctype, "size": len(data)},
                        },
                    )
                )

    def aliases_and_rooms(self) -> None:
        roll = self.rng.random()
        _, c = self.who()
        if roll < 0.35 and len(self.rooms) < len(ROOMS) + len(SPACES):
            alias, title, topic = self.rng.choice([r for r in ROOMS if r[0] not in self.rooms] or ROOMS)
            self.create_room(alias, title, topic)  # an alias taken: 400 M_ROOM_IN_USE
        elif roll < 0.6:
            alias = self.rng.choice([r[0] for r in ROOMS + [(s[0], "", "") for s in SPACES]])
            self.go(c.room_resolve_alias(f"#{alias}:{SERVER}"))
        elif roll < 0.8:
            local = self.rng.choice(["eng", "oncall", "team." + self.rng.choice(WORDS).replace(" ", "-")])
            room_alias = f"#{local}:{SERVER}"
            alias_room = self.room()
            _, owner = self.who(alias_room)
            self.go(owner.room_put_alias(room_alias, alias_room))
            if self.rng.random() < 0.5:
                self.go(owner.room_delete_alias(room_alias))
        elif roll < 0.9:
            self.go(
                c.list_public_rooms(
                    limit=self.rng.choice([None, 5, 20]),
                    filter_generic_search_term=self.rng.choice([None, "ops", "review"]),
                )
            )
        else:
            space = self.rooms.get(self.rng.choice(SPACES)[0])
            if space:
                self.go(c.space_get_hierarchy(space, limit=10))

    def account(self) -> None:
        name, c = self.who()
        roll = self.rng.random()
        if roll < 0.2:
            self.go(self.rng.choice([c.whoami(), c.devices(), c.login_info(), c.content_repository_config()]))
        elif roll < 0.35:
            fresh = AsyncClient(self.url, name)
            self.go(fresh.login(self.rng.choice([PASSWORD, PASSWORD, "hunter2"]), device_name=self.rng.choice(DEVICES)))
            if fresh.access_token and self.rng.random() < 0.6:
                self.go(fresh.logout())
            self.go(fresh.close())
        elif roll < 0.5:
            r = self.go(c.devices())
            if getattr(r, "devices", None):
                dev = self.rng.choice(r.devices)
                self.go(c.update_device(dev.id, {"display_name": self.rng.choice(DEVICES)}))
        elif roll < 0.7:
            rule = self.rng.choice(["mute-standup", "keyword.deploy", "ops_page"])
            kind = self.rng.choice([PushRuleKind.override, PushRuleKind.content, PushRuleKind.underride])
            if rule in self.rules and self.rng.random() < 0.5:
                self.go(c.delete_pushrule("global", kind, rule))
                self.rules.remove(rule)
            else:
                conds = (
                    [PushEventMatch("content.body", self.rng.choice(WORDS))] if kind != PushRuleKind.content else None
                )
                pattern = self.rng.choice(WORDS) if kind == PushRuleKind.content else None
                self.go(
                    c.set_pushrule(
                        "global",
                        kind,
                        rule,
                        actions=[PushNotify(), PushSetTweak("sound", "default")],
                        conditions=conds,
                        pattern=pattern,
                    )
                )
                self.rules.append(rule)
        elif roll < 0.85:
            self.go(c.get_openid_token(c.user_id))
        else:
            room = self.room()
            self.go(c.room_messages(room + "x", limit=5))  # a room id nobody knows: 403


def main() -> None:
    a = workload.parse(__doc__, ["url"], rounds=900)
    rng = random.Random(a.seed)
    team = Team(a.url, rng)
    team.setup()
    steps: list[tuple[Callable[[], object], float]] = [
        (team.send_message, 14),
        (team.send_custom, 4),
        (team.react_or_edit, 6),
        (team.redact, 2),
        (team.history, 8),
        (team.sync, 10),
        (team.state, 8),
        (team.membership, 8),
        (team.presence_profile, 7),
        (team.receipts, 4),
        (team.media_step, 5),
        (team.aliases_and_rooms, 5),
        (team.account, 6),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds)
    for c in team.clients.values():
        team.go(c.close())


if __name__ == "__main__":
    main()
