"""Drive a Home Assistant instance's REST API through its own CLI and client, `homeassistant-cli` (hass-cli).

    python homeassistant_drive.py SERVER_URL SETUP_URL DIR --seed N [--rounds R] [--max-seconds S]

Run by homeassistant.sh in hass-cli's environment. The owner is made on SETUP_URL (the server itself, not
recorded) by the onboarding the frontend does first; then everything goes through SERVER_URL (the proxy):
hass-cli's client (`homeassistant_cli.remote`, the functions its commands call, in this process) and its
command (`hass-cli`, a process per command, for a share of the calls), and the REST calls the frontend and
the integrations people script make that hass-cli has no command for (requests, the same bearer token):
automations', scripts' and scenes' configurations under ids people pick, calendars, the camera proxy,
history and logbook periods, conversation and intents, config checks. A household's home: the demo
integration's lights, climate, covers, locks and media players, the owner's helpers (input_boolean,
input_number, input_select, input_text, counter, timer), sensors an ESP board and a phone push by
`POST /api/states/<entity_id>` (`sensor.living_room_temperature`, `binary_sensor.garage_door`), services
called on them, events people name fired, templates rendered; updates, removals and errors (an entity or
service that is not there, a body the server refuses, a wrong token).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests
from homeassistant_cli import remote
from homeassistant_cli.config import Configuration
from homeassistant_cli.exceptions import HomeAssistantCliError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

ROOMS = ("living_room", "kitchen", "bedroom", "office", "garage", "hallway", "kids_room", "attic", "bathroom",
         "back_yard", "basement", "guest_room")
SENSORS = {"temperature": ("°C", "temperature", lambda r: round(r.uniform(15, 26), 1)),
           "humidity": ("%", "humidity", lambda r: r.randint(30, 70)),
           "co2": ("ppm", "carbon_dioxide", lambda r: r.randint(400, 1600)),
           "illuminance": ("lx", "illuminance", lambda r: r.randint(0, 900)),
           "power": ("W", "power", lambda r: round(r.uniform(0, 2500), 1)),
           "battery": ("%", "battery", lambda r: r.randint(5, 100))}
BINARY = ("door", "window", "motion", "occupancy", "moisture")
PHONES = ("annes_pixel", "tom_iphone", "ipad_kitchen", "grandmas_phone")
DEMO = ("light.bed_light", "light.ceiling_lights", "light.kitchen_lights", "light.office_rgbw_lights",
        "light.living_room_rgbww_lights", "light.entrance_color_white_lights", "climate.hvac", "climate.ecobee",
        "climate.heatpump", "cover.kitchen_window", "cover.hall_window", "cover.living_room_window",
        "cover.garage_door", "lock.front_door", "lock.kitchen_door", "lock.poorly_installed_door",
        "media_player.living_room", "media_player.bedroom", "media_player.walkman", "media_player.kitchen",
        "switch.decorative_lights", "switch.ac", "fan.living_room_fan", "fan.ceiling_fan", "sensor.outside_temperature",
        "sensor.outside_humidity", "weather.demo_weather_south", "sun.sun", "zone.home")
HELPERS = ("input_boolean.guest_mode", "input_boolean.vacation", "input_boolean.night_mode",
           "input_number.target_temperature", "input_number.alarm_volume", "input_select.house_mode",
           "input_text.welcome_message", "counter.coffee_cups", "counter.door_openings", "timer.laundry",
           "timer.oven")
EVENTS = ("doorbell_pressed", "nfc_tag_scanned", "garage_left_open", "backup_completed", "kids_home",
          "washing_machine_done", "custom.alarm_armed", "zigbee2mqtt_button")
TEMPLATES = ("{{ states('sensor.outside_temperature') }}",
             "{{ states.light | selectattr('state','eq','on') | list | count }}",
             "{% for s in states.sensor %}{{ s.entity_id }}={{ s.state }}\n{% endfor %}",
             "{{ is_state('input_boolean.guest_mode', 'on') }}", "{{ now().strftime('%H:%M') }}",
             "{{ state_attr('climate.hvac', 'temperature') }}", "{{ area_entities('kitchen') }}",
             "Hello {{ name }}, it is {{ states('sensor.outside_temperature') }} outside")
SCRIPTS = ("morning_routine", "good_night", "movie_time", "leave_home", "wake_up_kids", "dinner_is_ready")
SCENES = ("Romantic dinner", "Reading", "Cinema", "All off", "Breakfast", "Party mode")
CALENDARS = ("calendar.calendar_1", "calendar.calendar_2")
CAMERAS = ("camera.demo_camera",)


class Drive:
    def __init__(self, url: str, token: str, rng: random.Random) -> None:
        self.url, self.token, self.rng = url, token, rng
        self.ctx = Configuration()
        self.ctx.server, self.ctx.token = url, token
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"
        self.pushed: list[str] = []
        self.automations: list[str] = []
        self.scenes: list[str] = []
        self.scripts: list[str] = []
        self.cli = ["hass-cli", "--server", url, "--token", token, "--output", "json"]
        self.clock = dt.datetime.now(dt.UTC)

    # -- the three ways in -------------------------------------------------------------------------------
    def hc(self, *args: str) -> str:
        p = subprocess.run([*self.cli, *args], capture_output=True, text=True, timeout=60)
        if p.returncode:
            print(f"hass-cli {' '.join(args)[:80]}: {(p.stderr or p.stdout).strip()[-160:]}", file=sys.stderr)
        return p.stdout

    def http(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None,
             token: str | None = None) -> Any:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        r = self.s.request(method, self.url + path, json=body, params=params, headers=headers, timeout=60)
        if r.headers.get("Content-Type", "").startswith("application/json") and r.content:
            return r.json()
        return None

    def entity(self) -> str:
        pool = list(DEMO) + list(HELPERS) + self.pushed
        return self.rng.choice(pool)

    def ts(self, back_hours: float) -> str:
        t = self.clock - dt.timedelta(hours=back_hours, minutes=self.rng.randint(0, 59))
        return t.replace(second=0, microsecond=0).isoformat()

    # -- sensors and phones pushing states ---------------------------------------------------------------
    def push(self) -> None:
        r = self.rng.random()
        room = self.rng.choice(ROOMS)
        if r < 0.6:
            kind = self.rng.choice(sorted(SENSORS))
            unit, cls, value = SENSORS[kind]
            eid = f"sensor.{room}_{kind}"
            attrs = {"unit_of_measurement": unit, "device_class": cls, "state_class": "measurement",
                     "friendly_name": f"{room.replace('_', ' ').title()} {kind}"}
            if self.rng.random() < 0.3:
                attrs["battery_level"] = self.rng.randint(10, 100)
            state: Any = value(self.rng)
        elif r < 0.85:
            kind = self.rng.choice(BINARY)
            eid = f"binary_sensor.{room}_{kind}"
            attrs = {"device_class": kind, "friendly_name": f"{room.replace('_', ' ').title()} {kind}"}
            state = self.rng.choice(("on", "off"))
        else:
            phone = self.rng.choice(PHONES)
            eid = f"device_tracker.{phone}"
            attrs = {"source_type": "gps", "latitude": round(52.37 + self.rng.uniform(-0.05, 0.05), 5),
                     "longitude": round(4.89 + self.rng.uniform(-0.05, 0.05), 5),
                     "gps_accuracy": self.rng.randint(5, 60), "battery": self.rng.randint(5, 100)}
            state = self.rng.choice(("home", "not_home", "work", "school"))
        if self.rng.random() < 0.7:
            remote.set_state(self.ctx, eid, {"state": str(state), "attributes": attrs})
        else:
            self.hc("state", "edit", eid, "--json", json.dumps({"state": str(state), "attributes": attrs}))
        if eid not in self.pushed:
            self.pushed.append(eid)

    def unpush(self) -> None:
        if not self.pushed:
            return self.push()
        eid = self.pushed.pop(self.rng.randrange(len(self.pushed)))
        if self.rng.random() < 0.7:
            remote.remove_state(self.ctx, eid)
        else:
            self.hc("state", "delete", eid)

    # -- reading states ----------------------------------------------------------------------------------
    def states(self) -> None:
        r = self.rng.random()
        if r < 0.55:
            remote.get_state(self.ctx, self.entity())
        elif r < 0.7:
            remote.get_states(self.ctx)
        elif r < 0.85:
            self.hc("state", "get", self.entity())
        else:
            self.hc("state", "list", self.rng.choice(("light", "sensor", "input_", "climate", "binary_sensor")))

    def services(self) -> None:
        rng = self.rng
        r = rng.random()
        lights = [e for e in DEMO if e.startswith("light.")]
        if r < 0.2:
            data = {"entity_id": rng.choice(lights)}
            if rng.random() < 0.5:
                data["brightness_pct"] = rng.choice((10, 40, 75, 100))
            if rng.random() < 0.3:
                data["rgb_color"] = [rng.randint(0, 255) for _ in range(3)]
            remote.call_service(self.ctx, "light", rng.choice(("turn_on", "turn_on", "toggle")), data)
        elif r < 0.28:
            remote.call_service(self.ctx, "light", "turn_off", {"entity_id": rng.sample(lights, 2)})
        elif r < 0.36:
            remote.call_service(self.ctx, "climate", "set_temperature",
                                {"entity_id": rng.choice(("climate.hvac", "climate.ecobee", "climate.heatpump")),
                                 "temperature": rng.choice((18, 19.5, 21, 22))})
        elif r < 0.42:
            remote.call_service(self.ctx, "cover", rng.choice(("open_cover", "close_cover", "stop_cover")),
                                {"entity_id": rng.choice(("cover.kitchen_window", "cover.hall_window",
                                                          "cover.garage_door"))})
        elif r < 0.48:
            remote.call_service(self.ctx, "media_player", rng.choice(("volume_set", "media_pause", "media_play")),
                                {"entity_id": rng.choice(("media_player.living_room", "media_player.bedroom")),
                                 **({"volume_level": round(rng.random(), 2)} if rng.random() < 0.5 else {})})
        elif r < 0.56:
            name = rng.choice(("guest_mode", "vacation", "night_mode"))
            remote.call_service(self.ctx, "input_boolean", rng.choice(("turn_on", "turn_off", "toggle")),
                                {"entity_id": f"input_boolean.{name}"})
        elif r < 0.62:
            remote.call_service(self.ctx, "input_number", "set_value",
                                {"entity_id": "input_number.target_temperature", "value": rng.randint(16, 24)})
        elif r < 0.67:
            remote.call_service(self.ctx, "input_select", "select_option",
                                {"entity_id": "input_select.house_mode",
                                 "option": rng.choice(("Home", "Away", "Night", "Holiday"))})
        elif r < 0.72:
            remote.call_service(self.ctx, "counter", rng.choice(("increment", "increment", "reset")),
                                {"entity_id": rng.choice(("counter.coffee_cups", "counter.door_openings"))})
        elif r < 0.76:
            remote.call_service(self.ctx, "timer", rng.choice(("start", "cancel", "pause")),
                                {"entity_id": rng.choice(("timer.laundry", "timer.oven"))})
        elif r < 0.8:
            remote.call_service(self.ctx, "persistent_notification", "create",
                                {"title": rng.choice(("Laundry", "Backup", "Battery low")),
                                 "message": "Done at " + self.ts(0),
                                 "notification_id": rng.choice(("laundry", "backup"))})
        elif r < 0.84:
            remote.call_service(self.ctx, "homeassistant", "update_entity", {"entity_id": self.entity()})
        elif r < 0.88:
            remote.get_services(self.ctx)
        elif r < 0.93:
            self.hc("service", "call", "switch." + rng.choice(("turn_on", "turn_off", "toggle")), "--arguments",
                    "entity_id=" + rng.choice(("switch.decorative_lights", "switch.ac")))
        elif r < 0.96:
            self.hc("service", "list", rng.choice(("light", "input_boolean", "climate", "")))
        else:
            remote.call_service(self.ctx, "lock", rng.choice(("lock", "unlock")),
                                {"entity_id": rng.choice(("lock.front_door", "lock.kitchen_door"))})

    def scripted(self) -> None:
        """Scripts, scenes and automations: their configurations under ids people pick, run by services."""
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            sid = rng.choice(SCRIPTS)
            body = {"alias": sid.replace("_", " ").capitalize(), "mode": rng.choice(("single", "restart")),
                    "sequence": [{"service": "light.turn_on", "target": {"entity_id": rng.choice(DEMO[:6])}},
                                 {"delay": {"seconds": rng.randint(0, 2)}}]}
            if rng.random() < 0.3:
                body["icon"] = "mdi:weather-night"
            self.http("POST", f"/api/config/script/config/{sid}", body)
            if sid not in self.scripts:
                self.scripts.append(sid)
        elif r < 0.4 and self.scripts:
            sid = rng.choice(self.scripts)
            if rng.random() < 0.5:
                self.http("GET", f"/api/config/script/config/{sid}")
            else:
                remote.call_service(self.ctx, "script", sid, {})
        elif r < 0.6:
            aid = str(rng.randint(1_700_000_000_000, 1_760_000_000_000))
            body = {"id": aid, "alias": rng.choice(("Porch light at sunset", "Notify when laundry done",
                                                    "Heating off when window open", "Lights off at midnight")),
                    "description": "", "mode": "single",
                    "trigger": [{"platform": "state", "entity_id": rng.choice(HELPERS), "to": "on"}],
                    "condition": [], "action": [{"service": "light.toggle",
                                                 "target": {"entity_id": rng.choice(DEMO[:6])}}]}
            self.http("POST", f"/api/config/automation/config/{aid}", body)
            self.automations.append(aid)
        elif r < 0.72 and self.automations:
            aid = rng.choice(self.automations)
            if rng.random() < 0.6:
                self.http("GET", f"/api/config/automation/config/{aid}")
            else:
                self.http("DELETE", f"/api/config/automation/config/{aid}")
                self.automations.remove(aid)
        elif r < 0.85:
            name = rng.choice(SCENES)
            sid = str(rng.randint(1_700_000_000_000, 1_760_000_000_000))
            ents = {e: {"state": rng.choice(("on", "off"))} for e in rng.sample(DEMO[:6], 2)}
            self.http("POST", f"/api/config/scene/config/{sid}", {"id": sid, "name": name, "entities": ents})
            self.scenes.append(sid)
        elif self.scenes:
            sid = rng.choice(self.scenes)
            if rng.random() < 0.5:
                self.http("GET", f"/api/config/scene/config/{sid}")
            else:
                self.http("DELETE", f"/api/config/scene/config/{sid}")
                self.scenes.remove(sid)
        else:
            remote.call_service(self.ctx, "automation", "reload", {})

    def events(self) -> None:
        r = self.rng.random()
        ev = self.rng.choice(EVENTS)
        data = self.rng.choice(({}, {"source": "esp32"}, {"tag_id": f"{self.rng.randint(1000, 9999)}-tag"},
                                {"room": self.rng.choice(ROOMS), "who": self.rng.choice(("anne", "tom"))}))
        if r < 0.5:
            remote.fire_event(self.ctx, ev, data)
        elif r < 0.7:
            self.hc("event", "fire", ev, "--json", json.dumps(data))
        else:
            remote.get_event_listeners(self.ctx)

    def templates(self) -> None:
        t = self.rng.choice(TEMPLATES)
        if self.rng.random() < 0.75:
            remote.render_template(self.ctx, t, {"name": self.rng.choice(("Anne", "Tom"))})
        else:
            self.hc_template(t)

    def hc_template(self, t: str) -> None:
        p = subprocess.run([*self.cli, "template", "-"], input=t, capture_output=True, text=True, timeout=60)
        if p.returncode:
            print(f"hass-cli template: {(p.stderr or p.stdout).strip()[-160:]}", file=sys.stderr)

    def periods(self) -> None:
        rng = self.rng
        r = rng.random()
        ents = rng.sample(list(DEMO[:10]) + self.pushed, min(2, len(self.pushed) + 10))
        if r < 0.35:
            start = self.clock - dt.timedelta(hours=rng.choice((1, 3, 12)))
            remote.get_history(self.ctx, ents, start_time=start)
        elif r < 0.5:
            self.http("GET", f"/api/history/period/{self.ts(rng.choice((1, 6, 24)))}",
                      params={"filter_entity_id": ",".join(ents), "minimal_response": "",
                              "no_attributes": ""} if rng.random() < 0.5 else {"filter_entity_id": ents[0]})
        elif r < 0.7:
            self.http("GET", f"/api/logbook/{self.ts(rng.choice((1, 6, 24)))}",
                      params={"entity": ents[0]} if rng.random() < 0.5 else None)
        elif r < 0.8:
            self.http("GET", "/api/calendars")
        elif r < 0.9:
            start = self.clock.date()
            self.http("GET", f"/api/calendars/{rng.choice(CALENDARS)}",
                      params={"start": f"{start}T00:00:00Z", "end": f"{start + dt.timedelta(days=7)}T00:00:00Z"})
        else:
            r2 = self.s.get(self.url + f"/api/camera_proxy/{rng.choice(CAMERAS)}", timeout=60)
            r2.close()

    def system(self) -> None:
        r = self.rng.random()
        if r < 0.2:
            remote.get_config(self.ctx)
        elif r < 0.3:
            self.hc("config", "release")
        elif r < 0.4:
            remote.validate_api(self.ctx)
        elif r < 0.5:
            remote.get_raw_error_log(self.ctx)
        elif r < 0.6:
            self.http("POST", "/api/config/core/check_config")
        elif r < 0.8:
            self.http("POST", "/api/conversation/process",
                      {"text": self.rng.choice(("turn on the kitchen lights", "what is the temperature outside",
                                                "turn off bed light", "open the garage door", "hello")),
                       "language": "en"})
        elif r < 0.9:
            self.http("GET", "/api/components")
        else:
            self.hc("config", self.rng.choice(("components", "full", "whitelist-dirs")))

    def errors(self) -> None:
        r = self.rng.random()
        if r < 0.25:
            remote.get_state(self.ctx, self.rng.choice(("light.garden", "sensor.nope", "switch.old_heater")))
        elif r < 0.4:
            self.http("POST", f"/api/states/sensor.{self.rng.choice(ROOMS)}_broken", {"attributes": {}})
        elif r < 0.55:
            self.http("POST", "/api/services/light/turn_on", {"entity_id": "light.bed_light", "brightness": "max"})
        elif r < 0.65:
            self.http("GET", "/api/states", token="wrong." + str(self.rng.randint(1, 99)))
        elif r < 0.75:
            self.http("POST", "/api/template", {"template": "{{ states('sensor.x' }}"})
        elif r < 0.85:
            self.http("GET", f"/api/config/automation/config/{self.rng.randint(1, 999)}")
        else:
            self.http("DELETE", f"/api/states/sensor.{self.rng.choice(ROOMS)}_never_made")


def onboard(setup: str) -> str:
    """The frontend's onboarding: the owner, then a token for the frontend's client id."""
    client = setup.rstrip("/") + "/"
    r = requests.post(setup + "/api/onboarding/users", timeout=60,
                      json={"client_id": client, "name": "Anne", "username": "anne", "password": "correct horse 9",
                            "language": "en"})
    r.raise_for_status()
    code = r.json()["auth_code"]
    t = requests.post(setup + "/auth/token", timeout=60,
                      data={"grant_type": "authorization_code", "code": code, "client_id": client})
    t.raise_for_status()
    # the onboarding's later steps (core_config sets up the met.no weather integration, which would reach
    # outside) are left out: the configuration gives the location and units
    return str(t.json()["access_token"])


def main() -> int:
    a = parse(__doc__, ("url", "setup", "dir"), rounds=1100)
    rng = random.Random(a.seed)
    d = Drive(a.url, onboard(a.setup), rng)
    for _ in range(8):
        d.push()
    steps = [
        (d.push, 12),
        (d.unpush, 2),
        (d.states, 16),
        (d.services, 16),
        (d.scripted, 6),
        (d.events, 6),
        (d.templates, 5),
        (d.periods, 8),
        (d.system, 5),
        (d.errors, 3),
    ]
    run(rng, steps, a.rounds, a.max_seconds,
        tolerated=(HomeAssistantCliError, requests.RequestException, KeyError, ValueError, OSError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
