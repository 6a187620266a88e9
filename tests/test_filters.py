"""filters: the globs of --include-path/--exclude-path, --host and --method; and the fold that applies them."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from specbuild.errors import UsageError
from specbuild.filters import RecordFilter
from specbuild.io.files import dumps
from specbuild.io.jsonl import iter_lines
from specbuild.learn import native
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document, feed_sharded, plan_shards
from tests.helpers import FIXTURES, record


@pytest.mark.parametrize(("glob", "path", "kept"), [
    ("/api/**", "/api/users/1", True),
    ("/api/**", "/api", True),             # a trailing /** keeps the prefix itself
    ("/api/**", "/apiary", False),
    ("/api/*", "/api/users", True),
    ("/api/*", "/api/users/1", False),     # * stays within a segment
    ("/**/health", "/health", True),
    ("/**/health", "/v1/internal/health", True),
    ("/**/health", "/healthz", False),
    ("/users/?", "/users/7", True),
    ("/users/?", "/users/77", False),
    ("health", "/health", True),           # a glob without its leading slash means the same path
    ("/users/", "/users", True),           # paths are compared without their trailing slash
    ("/a.b", "/aXb", False),               # only * ? ** are special
    ("**", "/anything/at/all", True),
])
def test_path_globs(glob: str, path: str, kept: bool) -> None:
    keep = RecordFilter.of(include=[glob])
    assert keep is not None
    assert keep.keeps("GET", path, "") is kept


def test_each_kind_of_filter_must_pass_and_exclude_wins() -> None:
    keep = RecordFilter.of(include=["/api/**"], exclude=["/api/health"], hosts=["api.example.com"],
                           methods=["get", "Post"])
    assert keep is not None
    assert keep.keeps("GET", "/api/users", "api.example.com")
    assert keep.keeps("POST", "/api/users", "API.example.com:8443")  # any case; no port in the glob: any port
    assert not keep.keeps("DELETE", "/api/users", "api.example.com")
    assert not keep.keeps("GET", "/api/health", "api.example.com")
    assert not keep.keeps("GET", "/other", "api.example.com")
    assert not keep.keeps("GET", "/api/users", "")  # no host known: not the host asked for
    assert keep.said == "--include-path '/api/**' --exclude-path '/api/health' --host 'api.example.com' " \
                        "--method 'get' --method 'Post'"


@pytest.mark.parametrize(("glob", "host", "kept"), [
    ("*.example.com", "api.example.com", True),
    ("*.example.com", "example.com", False),
    ("localhost:3000", "localhost:3000", True),
    ("localhost:3000", "localhost:8080", False),
    ("localhost:3000", "localhost", False),
    ("[::1]", "[::1]:8080", True),
    ("[::1]:8080", "[::1]:8080", True),
    ("api.example.com", "admin:s3cr3t@api.example.com", True),  # a HAR's URL with userinfo: the host is after @
    ("admin", "admin:s3cr3t@api.example.com", False),
])
def test_host_globs(glob: str, host: str, kept: bool) -> None:
    keep = RecordFilter.of(hosts=[glob])
    assert keep is not None
    assert keep.keeps("GET", "/", host) is kept


def test_no_filter_is_none_and_a_bad_method_is_a_usage_error() -> None:
    assert RecordFilter.of() is None
    with pytest.raises(UsageError, match="--method 'FETCH' is not an HTTP method"):
        RecordFilter.of(methods=["fetch"])
    with pytest.raises(UsageError, match="--host takes a host name"):
        RecordFilter.of(hosts=[" "])


def test_a_filter_survives_a_pickle() -> None:
    keep = RecordFilter.of(include=["/a/**"], hosts=["*.x.org"], methods=["GET"])
    assert pickle.loads(pickle.dumps(keep)) == keep


def _fold(lines: list[tuple[bytes, str]], keep: RecordFilter | None, *, accelerated: bool) -> Fold[SpecBuilder]:
    fold = Fold(SpecBuilder(), keep=keep)
    fold.native(accelerated)
    fold.feed(lines)
    return fold


@pytest.mark.parametrize("accelerated", [False, True])
def test_the_fold_counts_what_it_leaves_out_and_learns_only_the_rest(accelerated: bool) -> None:
    if accelerated and native.fields_decoder() is None:
        pytest.skip("the native module is not built")
    lines = list(iter_lines(str(FIXTURES / "users.jsonl")))
    keep = RecordFilter.of(include=["/users/*"], methods=["GET"])
    fold = _fold(lines, keep, accelerated=accelerated)
    alone = [(raw, origin) for raw, origin in lines
             if json.loads(raw)["request"]["method"].upper() == "GET"
             and json.loads(raw)["request"]["pathname"].count("/") == 2]
    assert fold.stats.filtered == len(lines) - len(alone) > 0
    assert fold.stats.learned == len(alone)
    # what the filter kept is learned as if it had been all there was
    assert dumps(build_document(fold.builder)) == dumps(build_document(_fold(alone, None,
                                                                             accelerated=accelerated).builder))


def test_the_host_header_stands_in_for_a_missing_host() -> None:
    rec = record(path="/a", host="")
    rec["request"]["headers"]["Host"] = "api.example.com:3000"
    del rec["request"]["host"]
    lines = [(json.dumps(rec).encode(), "t:1")]
    keep = RecordFilter.of(hosts=["api.example.com"])
    assert _fold(lines, keep, accelerated=False).stats.learned == 1
    if native.fields_decoder() is not None:
        assert _fold(lines, keep, accelerated=True).stats.learned == 1


def test_a_sharded_replay_filters_as_one_process_does(tmp_path: Path) -> None:
    path = tmp_path / "users.jsonl"
    path.write_bytes((FIXTURES / "users.jsonl").read_bytes() * 4)
    keep = RecordFilter.of(exclude=["/users/*"])
    one = _fold(list(iter_lines(str(path))), keep, accelerated=True)
    many = Fold(SpecBuilder(), keep=keep)
    feed_sharded(many, plan_shards(str(path), 2, min_bytes=0))
    assert (many.stats.read, many.stats.learned, many.stats.filtered) == \
           (one.stats.read, one.stats.learned, one.stats.filtered)
    assert dumps(build_document(many.builder)) == dumps(build_document(one.builder))
