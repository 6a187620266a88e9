"""Drive a Nautobot server through its own client library, pynautobot.

    python nautobot_drive.py SERVER_URL TOKEN --seed N [--rounds R] [--max-seconds S]

Run by nautobot.sh in the server's environment. A network team's source of truth: a location tree (regions,
sites, buildings under the names the team gives them: `EU West`, `Amsterdam DC1`, `nyc-edge 2`), tenants,
manufacturers and device types, devices with interfaces, platforms, roles, custom fields the team defined
(`asset_owner`, `support contract`, ...), free-form local config contexts whose keys each device's
owner picks (`ntp_servers`, `snmp.community`, `bgp`), tags; prefixes in the global namespace, IP addresses
taken from them (`available-ips`), VLANs; circuits from providers; notes on devices; lists filtered by
location, status, tag, custom field and lookup expressions (`name__ic`), paged; objects updated (PATCH,
single and in bulk) and deleted (single and in bulk); GraphQL queries; and the errors people hit (a name
taken, an object that is gone, a filter value that is no choice, a wrong token).
"""

from __future__ import annotations

import ipaddress
import random
import sys
from pathlib import Path
from typing import Any

import pynautobot
from pynautobot.core.graphql import GraphQLException

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

REGIONS = ["EU West", "US East", "APAC", "LatAm-South"]
SITES = [
    "Amsterdam DC1", "Frankfurt FRA-2", "nyc-edge 2", "Ashburn_IAD3", "Singapore SG1", "São Paulo GRU", "Tokyo.NRT",
]
BUILDINGS = ["Building A", "Hall 3", "cage-17", "MMR North", "Suite 4100"]
TENANTS = ["Acme Corp", "globex", "Initech (legacy)", "umbrella-health", "Stark_Industries", "Wayne Enterprises"]
VENDORS = {
    "Arista": ["DCS-7050SX3-48YC8", "DCS-7280CR3-32P4"],
    "Cisco": ["C9300-48P", "N9K-C93180YC-FX", "ISR4431"],
    "Juniper": ["MX204", "EX4300-48T", "SRX345"],
    "Palo Alto Networks": ["PA-3220"],
}
ROLES = ["core switch", "access-switch", "edge router", "firewall", "oob console", "leaf", "spine"]
PLATFORMS = ["eos", "ios-xe", "junos", "nx-os", "panos"]
TAGS = ["pci-scope", "production", "lab", "decom 2027", "managed-by-ansible", "needs.audit"]
CUSTOM_FIELDS = [("asset_owner", "text"), ("support_contract", "text"), ("rack_units", "integer"),
                 ("in_monitoring", "boolean"), ("purchase_date", "date")]
CONTEXT_KEYS = ["ntp_servers", "snmp", "syslog_host", "bgp", "dns", "aaa", "banner", "mgmt_vrf", "lldp",
                "snmp.community", "ospf-area"]
IFNAMES = ["Ethernet1", "Ethernet2", "Ethernet49/1", "GigabitEthernet0/0/1", "xe-0/0/0", "ge-0/0/12", "mgmt0",
           "Loopback0", "Port-Channel10", "TenGigE0/1"]
IFTYPES = ["1000base-t", "10gbase-x-sfpp", "25gbase-x-sfp28", "100gbase-x-qsfp28", "virtual", "lag"]
PROVIDERS = ["Zayo", "Lumen", "Cogent Communications", "NTT", "euNetworks"]
CIRCUIT_TYPES = ["Internet transit", "MPLS", "dark-fiber", "IX port"]
WORDS = ["replaced PSU", "RMA opened", "moved to rack B12", "firmware upgraded", "fan alarm", "audit ok",
         "cable relabelled", "console unreachable"]
DEVICE_STATUSES = ["Active", "Planned", "Staged", "Offline", "Decommissioning", "Inventory", "Failed"]


class Netops:
    def __init__(self, url: str, token: str, seed: int) -> None:
        self.url, self.token = url, token
        self.rng = random.Random(seed)
        self.nb = pynautobot.api(url, token=token)
        self.ids: dict[str, dict[str, str]] = {}
        self.devices: list[Any] = []
        self.interfaces: list[Any] = []
        self.prefixes: list[Any] = []
        self.ips: list[Any] = []
        self.vlans: list[Any] = []
        self.circuits: list[Any] = []
        self.n = 0

    # -- helpers ---------------------------------------------------------------------------------------
    def status(self, name: str) -> str:
        return self.ids["status"][name]

    def pick(self, kind: str) -> str:
        return self.ids[kind][self.rng.choice(sorted(self.ids[kind]))]

    def context(self) -> dict[str, Any]:
        r = self.rng
        out: dict[str, Any] = {}
        for key in r.sample(CONTEXT_KEYS, r.randint(1, 4)):
            out[key] = {
                "ntp_servers": [f"10.0.{r.randint(0, 9)}.{r.randint(1, 250)}" for _ in range(r.randint(1, 3))],
                "snmp": {"community": r.choice(["public-ro", "netops"]), "location": r.choice(SITES)},
                "syslog_host": f"syslog{r.randint(1, 3)}.corp.example",
                "bgp": {"asn": r.randint(64512, 65534), "neighbors": r.randint(1, 8)},
                "dns": [r.choice(["1.1.1.1", "9.9.9.9", "10.0.0.53"])],
                "aaa": {"tacacs": r.random() < 0.5},
                "banner": r.choice(["Authorized access only", "Property of Acme"]),
                "mgmt_vrf": r.choice(["MGMT", "oob"]),
                "lldp": r.random() < 0.7,
                "snmp.community": r.choice(["ro", "rw"]),
                "ospf-area": f"0.0.0.{r.randint(0, 3)}",
            }[key]
        return out

    def custom(self) -> dict[str, Any]:
        r = self.rng
        vals = {"asset_owner": r.choice(["netops", "Ana Lima", "facilities"]),
                "support_contract": f"SC-{r.randint(1000, 9999)}", "rack_units": r.randint(1, 4),
                "in_monitoring": r.random() < 0.7,
                "purchase_date": f"202{r.randint(0, 6)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}"}
        return {k: vals[k] for k in r.sample(sorted(vals), r.randint(1, 3))}

    # -- setup -----------------------------------------------------------------------------------------
    def setup(self) -> None:
        nb = self.nb
        self.ids["status"] = {s.name: s.id for s in nb.extras.statuses.all()}
        region = nb.dcim.location_types.create(name="Region", nestable=True)
        site = nb.dcim.location_types.create(
            name="Site", parent=region.id,
            content_types=["dcim.device", "ipam.prefix", "ipam.vlan", "circuits.circuittermination"],
        )
        nb.dcim.location_types.create(name="Building", parent=site.id, content_types=["dcim.device"])
        self.ids["region"] = {}
        for name in REGIONS:
            self.ids["region"][name] = nb.dcim.locations.create(
                name=name, location_type=region.id, status=self.status("Active")
            ).id
        self.ids["site"] = {}
        for i, name in enumerate(SITES):
            parent = self.ids["region"][REGIONS[i % len(REGIONS)]]
            self.ids["site"][name] = nb.dcim.locations.create(
                name=name, location_type=site.id, parent=parent, status=self.status("Active"),
                facility=f"F{i}", time_zone=self.rng.choice(["Europe/Amsterdam", "America/New_York", "Asia/Tokyo"]),
            ).id
        self.ids["tenant"] = {t: nb.tenancy.tenants.create(name=t).id for t in TENANTS}
        self.ids["manufacturer"], self.ids["device_type"] = {}, {}
        for vendor, models in VENDORS.items():
            m = nb.dcim.manufacturers.create(name=vendor)
            self.ids["manufacturer"][vendor] = m.id
            for model in models:
                self.ids["device_type"][model] = nb.dcim.device_types.create(manufacturer=m.id, model=model).id
        self.ids["role"] = {
            r: nb.extras.roles.create(name=r, content_types=["dcim.device"]).id for r in ROLES
        }
        self.ids["platform"] = {p: nb.dcim.platforms.create(name=p).id for p in PLATFORMS}
        self.ids["tag"] = {
            t: nb.extras.tags.create(name=t, content_types=["dcim.device", "ipam.prefix", "ipam.ipaddress"]).id
            for t in TAGS
        }
        for key, kind in CUSTOM_FIELDS:
            nb.extras.custom_fields.create(
                label=key.replace("_", " ").title(), key=key, type=kind, content_types=["dcim.device"]
            )
        self.ids["namespace"] = {n.name: n.id for n in nb.ipam.namespaces.all()}
        self.ids["provider"] = {p: nb.circuits.providers.create(name=p).id for p in PROVIDERS}
        self.ids["circuit_type"] = {c: nb.circuits.circuit_types.create(name=c).id for c in CIRCUIT_TYPES}
        for i in range(4):
            self.add_prefix(top=True, index=i)

    # -- steps -----------------------------------------------------------------------------------------
    def add_building(self) -> None:
        self.n += 1
        lt = self.nb.dcim.location_types.get(name="Building")
        name = f"{self.rng.choice(BUILDINGS)} {self.n}"
        loc = self.nb.dcim.locations.create(
            name=name, location_type=lt.id, parent=self.pick("site"), status=self.status("Active")
        )
        self.ids.setdefault("building", {})[name] = loc.id

    def add_device(self) -> None:
        r = self.rng
        self.n += 1
        role = r.choice(ROLES)
        site = r.choice(SITES)
        name = f"{role.split()[0].split('-')[0]}-{r.randint(1, 40):02d}.{site.split()[0].lower()}"
        body: dict[str, Any] = {
            "name": name, "device_type": self.pick("device_type"), "role": self.ids["role"][role],
            "location": self.ids["site"][site], "status": self.status(r.choice(DEVICE_STATUSES[:4])),
        }
        if r.random() < 0.6:
            body["tenant"] = self.pick("tenant")
        if r.random() < 0.7:
            body["platform"] = self.pick("platform")
        if r.random() < 0.5:
            body["serial"] = f"{r.choice(['FDO', 'JAE', 'SSI'])}{r.randint(10000000, 99999999)}"
        if r.random() < 0.6:
            body["custom_fields"] = self.custom()
        if r.random() < 0.5:
            body["local_config_context_data"] = self.context()
        if r.random() < 0.5:
            body["tags"] = [self.pick("tag") for _ in range(r.randint(1, 2))]
        dev = self.nb.dcim.devices.create(**body)
        self.devices.append(dev)
        for ifname in r.sample(IFNAMES, r.randint(1, 3)):
            self.interfaces.append(
                self.nb.dcim.interfaces.create(
                    device=dev.id, name=ifname, type=r.choice(IFTYPES), status=self.status("Active"),
                    enabled=r.random() < 0.9, description=r.choice(["", "uplink", "to core", "server port"]),
                )
            )

    def add_devices_bulk(self) -> None:
        r = self.rng
        self.n += 1
        site = r.choice(SITES)
        rows = [
            {"name": f"access-{self.n}-{i}.{site.split()[0].lower()}", "device_type": self.pick("device_type"),
             "role": self.ids["role"]["access-switch"], "location": self.ids["site"][site],
             "status": self.status("Planned")}
            for i in range(r.randint(2, 4))
        ]
        self.devices.extend(self.nb.dcim.devices.create(rows))

    def add_prefix(self, top: bool = False, index: int = 0) -> None:
        r = self.rng
        self.n += 1
        if top:
            net = f"10.{index * 16}.0.0/12"
            kind = "container"
        else:
            base = ipaddress.ip_network(f"10.{r.randint(0, 63)}.0.0/16")
            net = str(list(base.subnets(new_prefix=24))[self.n % 256])
            kind = "network"
        body: dict[str, Any] = {"prefix": net, "namespace": self.ids["namespace"]["Global"],
                                "status": self.status("Active"), "type": kind}
        if not top:
            body["location"] = self.pick("site")
            if r.random() < 0.5:
                body["description"] = r.choice(["server VLAN", "mgmt", "p2p links", "customer range"])
            if r.random() < 0.4:
                body["tags"] = [self.pick("tag")]
        self.prefixes.append(self.nb.ipam.prefixes.create(**body))

    def take_ip(self) -> None:
        nets = [p for p in self.prefixes if p.type and str(p.type) != "Container"]
        if not nets:
            return self.add_prefix()
        p = self.rng.choice(nets)
        if self.rng.random() < 0.4:
            list(p.available_ips.list())
            return None
        ip = p.available_ips.create({"status": self.status("Active"), "dns_name": f"host{self.n}.corp.example"})
        ip = ip[0] if isinstance(ip, list) else ip
        self.ips.append(ip)
        if self.interfaces and self.rng.random() < 0.6:
            iface = self.rng.choice(self.interfaces)
            self.nb.ipam.ip_address_to_interface.create(ip_address=ip.id, interface=iface.id)
        return None

    def add_vlan(self) -> None:
        r = self.rng
        self.n += 1
        vlan = self.nb.ipam.vlans.create(
            vid=100 + self.n, name=r.choice(["servers", "voice", "guest-wifi", "mgmt", "storage"]) + f"-{self.n}",
            status=self.status("Active"), location=self.pick("site"),
        )
        self.vlans.append(vlan)

    def add_circuit(self) -> None:
        r = self.rng
        self.n += 1
        c = self.nb.circuits.circuits.create(
            cid=f"{r.choice(['ZY', 'LUM', 'CG'])}-{r.randint(100000, 999999)}", provider=self.pick("provider"),
            circuit_type=self.pick("circuit_type"), status=self.status("Active"),
            commit_rate=r.choice([1000, 10000, 100000]),
        )
        self.circuits.append(c)
        if r.random() < 0.6:
            self.nb.circuits.circuit_terminations.create(circuit=c.id, term_side="A", location=self.pick("site"))

    def read(self) -> None:
        r = self.rng
        nb = self.nb
        choice = r.randrange(9)
        if choice == 0 and self.devices:
            nb.dcim.devices.get(r.choice(self.devices).id)
        elif choice == 1:
            list(nb.dcim.devices.filter(location=self.pick("site"), limit=r.choice([10, 50])))
        elif choice == 2:
            list(nb.dcim.devices.filter(status=r.choice(["Active", "Planned"]), role=r.choice(ROLES)))
        elif choice == 3:
            list(nb.dcim.devices.filter(name__ic=r.choice(["core", "edge", "access", "fw"])))
        elif choice == 4:
            list(nb.dcim.devices.filter(tags=r.choice(TAGS)))
        elif choice == 5:
            list(nb.dcim.interfaces.filter(device_id=r.choice(self.devices).id if self.devices else None))
        elif choice == 6:
            list(nb.ipam.prefixes.filter(q=f"10.{r.randint(0, 63)}", depth=r.choice([0, 1])))
        elif choice == 7:
            list(nb.dcim.locations.filter(location_type="Site", parent=r.choice(REGIONS)))
        else:
            nb.dcim.devices.count(tenant=r.choice(TENANTS))

    def read_other(self) -> None:
        r = self.rng
        nb = self.nb
        choice = r.randrange(7)
        if choice == 0:
            list(nb.tenancy.tenants.all())
        elif choice == 1 and self.ips:
            nb.ipam.ip_addresses.get(r.choice(self.ips).id)
        elif choice == 2:
            list(nb.ipam.vlans.filter(vid__gte=100 + r.randint(0, 50)))
        elif choice == 3:
            list(nb.circuits.circuits.filter(provider=r.choice(PROVIDERS)))
        elif choice == 4:
            nb.dcim.interfaces.choices()
        elif choice == 5:
            nb.status()
        else:
            field = f"cf_{r.choice(['asset_owner', 'in_monitoring'])}"
            list(nb.dcim.devices.filter(**{field: r.choice(["netops", "True"])}))

    def graphql(self) -> None:
        r = self.rng
        q = r.choice([
            "query ($site: [String]) { devices(location: $site) { name status { name } primary_ip4 { address } } }",
            "query { locations(location_type: \"Site\") { name parent { name } devices { name } } }",
            "query ($tag: [String]) { prefixes(tags: $tag) { prefix ip_addresses { address dns_name } } }",
        ])
        variables = {"site": [r.choice(SITES)]} if "$site" in q else {"tag": [r.choice(TAGS)]} if "$tag" in q else None
        self.nb.graphql.query(query=q, variables=variables)

    def update(self) -> None:
        r = self.rng
        if not self.devices:
            return
        dev = r.choice(self.devices)
        choice = r.randrange(5)
        if choice == 0:
            dev.update({"status": self.status(r.choice(DEVICE_STATUSES)), "comments": r.choice(WORDS)})
        elif choice == 1:
            dev.update({"custom_fields": self.custom()})
        elif choice == 2:
            dev.update({"local_config_context_data": self.context() if r.random() < 0.8 else None})
        elif choice == 3 and self.interfaces:
            r.choice(self.interfaces).update({"description": r.choice(WORDS), "mtu": r.choice([1500, 9000, 9216])})
        else:
            picked = r.sample(self.devices, min(len(self.devices), r.randint(2, 4)))
            self.nb.dcim.devices.update([{"id": d.id, "asset_tag": f"AT-{r.randint(10000, 99999)}"} for d in picked])

    def note(self) -> None:
        if not self.devices:
            return
        dev = self.rng.choice(self.devices)
        notes = dev.notes
        if self.rng.random() < 0.6:
            notes.create({"note": self.rng.choice(WORDS)})
        else:
            notes.list()

    def delete(self) -> None:
        r = self.rng
        choice = r.randrange(4)
        if choice == 0 and len(self.devices) > 5:
            dev = self.devices.pop(r.randrange(len(self.devices)))
            self.interfaces = [i for i in self.interfaces if i.device.id != dev.id]
            dev.delete()
        elif choice == 1 and len(self.devices) > 8:
            gone = [self.devices.pop(r.randrange(len(self.devices))) for _ in range(2)]
            ids = {d.id for d in gone}
            self.interfaces = [i for i in self.interfaces if i.device.id not in ids]
            self.nb.dcim.devices.delete([d.id for d in gone])
        elif choice == 2 and self.ips:
            self.ips.pop(r.randrange(len(self.ips))).delete()
        elif self.vlans:
            self.vlans.pop(r.randrange(len(self.vlans))).delete()

    def mistakes(self) -> None:
        r = self.rng
        choice = r.randrange(5)
        try:
            if choice == 0:
                self.nb.tenancy.tenants.create(name=r.choice(TENANTS))
            elif choice == 1:
                got = self.nb.dcim.devices.get("7f0c2a4e-3b1d-4e5f-9a6b-0c1d2e3f4a5b")
                print(f"expected none: {got}", file=sys.stderr)
            elif choice == 2:
                list(self.nb.dcim.devices.filter(status="no-such-status"))
            elif choice == 3:
                pynautobot.api(self.url, token="0" * 40).dcim.devices.count()
            else:
                self.nb.dcim.devices.create(name="missing-type", role=self.pick("role"), location=self.pick("site"),
                                            status=self.status("Active"))
        except pynautobot.RequestError as e:
            print(f"expected: {str(e)[:100]}", file=sys.stderr)

    def steps(self) -> list[tuple[Any, float]]:
        return [
            (self.add_building, 2),
            (self.add_device, 10),
            (self.add_devices_bulk, 3),
            (self.add_prefix, 5),
            (self.take_ip, 8),
            (self.add_vlan, 4),
            (self.add_circuit, 3),
            (self.read, 16),
            (self.read_other, 8),
            (self.graphql, 4),
            (self.update, 10),
            (self.note, 4),
            (self.delete, 5),
            (self.mistakes, 4),
        ]


def main() -> None:
    a = parse(__doc__, ["url", "token"], 750)
    ops = Netops(a.url, a.token, a.seed)
    ops.setup()
    run(
        ops.rng, ops.steps(), a.rounds, a.max_seconds,
        tolerated=(
            pynautobot.RequestError, GraphQLException, ValueError, AttributeError, KeyError, IndexError, TypeError,
        ),
    )


if __name__ == "__main__":
    main()
