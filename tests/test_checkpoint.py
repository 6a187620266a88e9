"""The checkpoint pieces: the state file's format, dead-letter lines, the output folder's lock."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specbuild import run
from specbuild.cli.app import main
from specbuild.errors import InputError, RecordError, UsageError
from specbuild.io.files import dumps, write_temp
from specbuild.kafka import checkpoint
from specbuild.kafka.checkpoint import (
    STATE_NAME,
    STATE_VERSION,
    Checkpoints,
    DeadLetter,
    State,
    dead_letter_line,
    decode_state,
    encode_state,
    locked,
    open_dead_letter,
)
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document
from tests.helpers import FIXTURES, ex

USERS = [ln for ln in (FIXTURES / "users.jsonl").read_bytes().splitlines() if ln.strip()]


def test_state_round_trips_and_refuses_what_it_did_not_write() -> None:
    builder = SpecBuilder()
    Fold(builder).feed((v, "x") for v in USERS[:20])
    state = decode_state(encode_state(State(builder, {("t", 0): 7})), "s")
    assert state.positions == {("t", 0): 7}
    assert dumps(build_document(state.builder)) == dumps(build_document(builder))
    with pytest.raises(InputError, match="not a specbuild state"):
        decode_state(b"hello\n", "s")
    with pytest.raises(InputError, match="state format 99 is not 8: re-learn or use specbuild x"):
        decode_state(b"specbuild-state 99 x\n...", "s")
    with pytest.raises(InputError, match="cannot read the saved state"):
        decode_state(b"specbuild-state %d x\ntruncated" % STATE_VERSION, "s")


def test_dead_letter_lines_keep_the_value() -> None:
    err = RecordError("not-json", "bad", "t[0]@1")
    assert json.loads(dead_letter_line(b'{"a"', err)) == {"origin": "t[0]@1", "reason": "not-json",
                                                           "detail": "bad", "value": '{"a"'}



def test_undecodable_values_are_dead_lettered_as_base64(tmp_path: Path) -> None:
    path = tmp_path / "dead.jsonl"
    with open_dead_letter(path) as fh:
        dead = DeadLetter(fh)
        dead.write(b"\xff\xfe", RecordError("not-json", "bad", "t[0]@2"))
        dead.write(None, RecordError("tombstone", "null", "t[0]@3"))
        dead.flush()
    lines = [json.loads(ln) for ln in path.read_bytes().splitlines()]
    assert (dead.written, lines[0]["value_base64"], lines[1]["value"]) == (2, "//4=", None)


def test_one_follower_per_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with locked(out):
        assert out.is_dir()
        with pytest.raises(UsageError, match="already following"), locked(out):
            pass
    with locked(out):  # released on exit
        pass


def test_the_state_holds_only_redacted_examples_and_is_private(tmp_path: Path) -> None:
    builder = SpecBuilder(examples=True)
    builder.add(ex("post", "/login", body={"password": "correct horse battery staple!",
                                           "email": "ann@corp.example"},
                   resp={"token": "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"}))
    out = tmp_path / "out"
    with locked(out):
        Checkpoints(out, "json", None, None).write(State(builder, {("t", 0): 1}))
    saved = (out / ".specbuild-state.json").read_bytes()
    for secret in (b"correct horse battery staple!", b"ann@corp.example", b"sk_live_51HxYzAbCdEfGhIjKlMnOpQr"):
        assert secret not in saved
    assert b"REDACTED" in saved
    assert stat.S_IMODE((out / ".specbuild-state.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / ".specbuild.lock").stat().st_mode) == 0o600


def test_a_planted_lock_symlink_is_refused_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "elsewhere" / "created-by-specbuild"
    victim.parent.mkdir()
    (out / ".specbuild.lock").symlink_to(victim)
    with pytest.raises(UsageError, match=r"\.specbuild\.lock: is a symbolic link"), locked(out):
        pass
    assert not victim.exists()


@pytest.mark.parametrize("content", [None, b"[1, 2]", b"specbuild-state %d x\n[1, 2]" % STATE_VERSION])
def test_a_state_that_is_a_folder_or_not_an_object_exits_2(
        tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]) -> None:
    """The follower reads its state before it connects: no broker needed (exit 70 for a folder before)."""
    state = tmp_path / STATE_NAME
    if content is None:
        state.mkdir()
    else:
        state.write_bytes(content)
    with pytest.raises(SystemExit) as done:
        main(["build", "-s", "kafka", "-b", "127.0.0.1:9", "--topic", "t", "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert done.value.code == 2, err
    assert f"{state}: " in err and ("cannot read the saved state" in err or "not a specbuild state" in err)
    assert "Internal error" not in err


def test_a_replay_renders_its_spec_every_render_interval_and_at_the_end(tmp_path: Path) -> None:
    """--until-end: each checkpoint saves the state; the spec is rendered only when due, and at the last one."""
    now = [0.0]
    store = Checkpoints(tmp_path, "json", None, None, render_every=120.0, clock=lambda: now[0])
    builder = SpecBuilder()
    fold = Fold(builder)
    fold.feed((v, "x") for v in USERS[:10])
    now[0] = 30.0
    doc, target = store.write(State(builder, {("t", 0): 10}))
    assert (doc, target) == ({}, None) and not (tmp_path / "openapi.json").exists()
    assert decode_state((tmp_path / STATE_NAME).read_bytes(), "s").positions == {("t", 0): 10}
    now[0] = 125.0
    doc, target = store.write(State(builder, {("t", 0): 10}))
    assert target == tmp_path / "openapi.json" and json.loads(target.read_bytes()) == doc
    fold.feed((v, "x") for v in USERS[10:])
    now[0] = 130.0
    store.stopping = True
    doc, target = store.write(State(builder, {("t", 0): len(USERS)}))
    assert target is not None and target.read_bytes() == dumps(build_document(builder))
    assert decode_state((tmp_path / STATE_NAME).read_bytes(), "s").positions == {("t", 0): len(USERS)}


def test_a_follower_renders_at_every_checkpoint_by_default(tmp_path: Path) -> None:
    builder = SpecBuilder()
    Fold(builder).feed((v, "x") for v in USERS[:10])
    doc, target = Checkpoints(tmp_path, "json", None, None).write(State(builder, {("t", 0): 10}))
    assert target is not None and target.read_bytes() == dumps(doc)


def test_a_state_written_elsewhere_is_put_in_place_after_the_spec_and_written_here_if_that_failed(
        tmp_path: Path) -> None:
    builder = SpecBuilder()
    Fold(builder).feed((v, "x") for v in USERS[:10])
    state = State(builder, {("t", 0): 10})
    spec = tmp_path / "openapi.json"
    seen: list[bool] = []
    written = write_temp(tmp_path / STATE_NAME, encode_state(state), private=True)  # as a fold worker does

    def encoded() -> Path:
        seen.append(spec.exists())  # waited for only once the spec is written
        return written

    state.encoded = encoded
    Checkpoints(tmp_path, "json", None, None).write(state)
    assert seen == [True] and (tmp_path / STATE_NAME).read_bytes() == encode_state(State(builder, {("t", 0): 10}))
    assert not written.exists() and stat.S_IMODE((tmp_path / STATE_NAME).stat().st_mode) == 0o600
    (tmp_path / STATE_NAME).unlink()
    Checkpoints(tmp_path, "json", None, None).write(State(builder, {("t", 0): 10}, encoded=lambda: None))
    assert decode_state((tmp_path / STATE_NAME).read_bytes(), "s").positions == {("t", 0): 10}


def test_a_spec_that_fails_leaves_no_state_written_elsewhere_behind(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    builder = SpecBuilder()
    Fold(builder).feed((v, "x") for v in USERS[:10])
    state = State(builder, {("t", 0): 10})
    written = write_temp(tmp_path / STATE_NAME, encode_state(state), private=True)
    state.encoded = lambda: written

    def invalid(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("an invalid spec")

    monkeypatch.setattr(checkpoint, "build_serialised", invalid)
    with pytest.raises(RuntimeError, match="an invalid spec"):
        Checkpoints(tmp_path, "json", None, None).write(state)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_checkpoint_has_its_spec_validated_by_a_standby_when_there_is_one(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """--until-end: the standby forked before the consumer judges the spec, and this process serialises it
    meanwhile (before it waits for the verdict); one that does not answer leaves it to this process (the
    same document either way)."""
    asked: list[object] = []
    events: list[str] = []
    serialise = run.dumps
    monkeypatch.setattr(run, "dumps", lambda doc, fmt="json": (events.append("serialised"), serialise(doc, fmt))[1])

    def standby(task: Callable[[], Any]) -> Callable[[], Any] | None:
        asked.append(task)
        return lambda: (events.append("waited"), task())[1]

    def gone(task: Callable[[], Any]) -> Callable[[], Any] | None:
        asked.append(task)
        return None

    # two documents: a verdict is remembered by content, and a document judged once is not asked again
    for n, ready in ((30, standby), (40, gone)):
        builder = SpecBuilder()
        Fold(builder).feed((v, "x") for v in USERS[:n])
        out = tmp_path / str(n)
        out.mkdir()
        doc, target = Checkpoints(out, "json", None, None, ready=ready).write(State(builder, {("t", 0): n}))
        assert target is not None and target.read_bytes() == dumps(build_document(builder)) == dumps(doc)
        assert len(asked) == (1 if n == 30 else 2)
        assert events[:2] == ["serialised", "waited"]
