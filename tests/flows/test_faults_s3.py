"""Network faults of S3, injected by a real HTTP proxy on loopback in front of the moto server.

Throttling (503 SlowDown), plain 503s, timeouts and dropped connections are retried by
``flows.sources.s3`` (exponential backoff with jitter) and the read succeeds; persistent
throttling gives up after the configured attempts with a clear message; AccessDenied, NoSuchKey
and bad credentials fail fast (no retry: the proxy counts the requests).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from core.errors import EvidenceError
from core.settings import get_settings
from flows.sources import s3 as s3_source
from tests.services import S3Endpoint, free_port

BODY = b"customer_id,name\n10,Ann\n11,Bob\n"


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    xml = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>"
    return status, xml.encode()


FAULTS: dict[str, tuple[int, bytes]] = {
    "slowdown": _error(503, "SlowDown", "Please reduce your request rate."),
    "unavailable": _error(503, "ServiceUnavailable", "Service is unable to handle request."),
    "access_denied": _error(403, "AccessDenied", "Access Denied"),
    "bad_key": _error(403, "InvalidAccessKeyId", "The AWS Access Key Id does not exist."),
}


@dataclass
class FaultProxy:
    """Forwards every request to the upstream S3 endpoint, except those a fault plan claims.

    ``plan`` is a list of (predicate, fault) consumed in order: the first request matching the
    head of the plan gets its fault (``slowdown``, ``unavailable``, ``access_denied``,
    ``bad_key``, ``drop`` to close the connection without answering, ``delay:<s>`` to answer
    late). ``always`` applies one fault to every request.
    """

    upstream: str
    port: int = field(default_factory=free_port)
    plan: list[tuple[Callable[[str, str], bool], str]] = field(default_factory=list)
    always: str | None = None
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fault_for(self, method: str, path: str) -> str:
        with self.lock:
            fault = self.always or ""
            if not fault and self.plan and self.plan[0][0](method, path):
                fault = self.plan.pop(0)[1]
            self.requests.append((method, path, fault or "forwarded"))
            return fault

    def count(self, fault: str | None = None) -> int:
        return sum(1 for r in self.requests if fault is None or r[2] == fault)


def any_request(method: str, path: str) -> bool:
    return True


def object_get(method: str, path: str) -> bool:
    return method == "GET" and "list-type" not in path


@pytest.fixture
def proxy(s3_endpoint: S3Endpoint) -> Iterator[FaultProxy]:
    state = FaultProxy(upstream=s3_endpoint.url)
    target = urlsplit(state.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fault = state.fault_for(self.command, self.path)
            if fault == "drop":
                # Close the connection without a byte of answer (botocore sees it dropped).
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if fault in FAULTS:
                status, payload = FAULTS[fault]
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header(
                    "Content-Length", str(0 if self.command == "HEAD" else len(payload))
                )
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                return
            if fault.startswith("delay:"):
                time.sleep(float(fault.split(":", 1)[1]))
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            # A HEAD answer keeps the object's length; a GET answer is sent whole, unchunked.
            skip = {"connection", "transfer-encoding"}
            if self.command != "HEAD":
                skip.add("content-length")
            for key, value in answer.getheaders():
                if key.lower() not in skip:
                    self.send_header(key, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # timed out
                    self.wfile.write(data)
            upstream.close()

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def bucket(
    s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A bucket with one object, written directly to moto; credentials as a user sets them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_endpoint.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", s3_endpoint.region)
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    name = f"faults-{tmp_path.name.replace('_', '-').lower()[-30:]}".strip("-")
    direct = boto3.client("s3", endpoint_url=s3_endpoint.url)
    direct.create_bucket(Bucket=name)
    direct.put_object(Bucket=name, Key="data/customers.csv", Body=BODY)
    yield name
    get_settings.cache_clear()


def _fetch(proxy: FaultProxy, url: str, tmp_path: Path) -> Any:
    return s3_source.fetch(url, cache=tmp_path / "cache", endpoint_url=proxy.url)


@pytest.mark.parametrize("fault", ["slowdown", "unavailable", "drop"])
def test_transient_faults_are_retried_and_the_read_succeeds(
    proxy: FaultProxy, bucket: str, tmp_path: Path, fault: str
) -> None:
    # Two faults on the metadata request and two on the download itself.
    proxy.plan = [
        (any_request, fault),
        (any_request, fault),
        (object_get, fault),
        (object_get, fault),
    ]
    fetched = _fetch(proxy, f"s3://{bucket}/data/customers.csv", tmp_path)
    assert fetched.downloaded == 1
    assert fetched.files[0].read_bytes() == BODY
    assert proxy.count(fault) == 4 and proxy.plan == []


def test_a_timeout_is_retried(proxy: FaultProxy, bucket: str) -> None:
    """A late answer times the request out; the module's retry policy asks again."""
    proxy.plan = [(any_request, "delay:3")]
    quick = boto3.client(
        "s3", endpoint_url=proxy.url, config=s3_source.RETRIES.merge(Config(read_timeout=1))
    )
    objects = s3_source.resolve_objects(quick, f"s3://{bucket}/data/customers.csv")
    assert [o.key for o in objects] == ["data/customers.csv"]
    assert proxy.count("delay:3") == 1 and proxy.count("forwarded") == 1


def test_persistent_throttling_gives_up_after_bounded_retries(
    proxy: FaultProxy, bucket: str, tmp_path: Path
) -> None:
    proxy.always = "slowdown"
    # The HEAD answer has no body, so the message can only name the status.
    with pytest.raises(
        EvidenceError, match=r"kept throttling or was unavailable \(503\) through every retry"
    ) as caught:
        _fetch(proxy, f"s3://{bucket}/data/customers.csv", tmp_path)
    assert caught.value.source == f"s3://{bucket}/data/customers.csv"
    # botocore turns max_attempts (retries) into total_max_attempts (the first try + retries) in
    # place when a client is created.
    retries = s3_source.RETRIES.retries
    max_attempts = retries.get("total_max_attempts") or retries["max_attempts"] + 1
    # Every attempt was made, and no more.
    assert [r[0] for r in proxy.requests] == ["HEAD"] * max_attempts


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("access_denied", "access denied"),
        ("bad_key", "bad credentials: the access key id is not known"),
    ],
)
def test_refusals_fail_fast_without_retry(
    proxy: FaultProxy, bucket: str, tmp_path: Path, fault: str, message: str
) -> None:
    proxy.always = fault
    with pytest.raises(EvidenceError, match=message):
        _fetch(proxy, f"s3://{bucket}/data/customers.csv", tmp_path)
    # One HEAD (no body, so no reason) and one GET to learn why: never a retry.
    assert [r[0] for r in proxy.requests] == ["HEAD", "GET"]


def test_a_missing_key_fails_fast(proxy: FaultProxy, bucket: str, tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="no such object"):
        _fetch(proxy, f"s3://{bucket}/data/missing.csv", tmp_path)
    # HEAD 404, then one listing of the prefix of that name: no retry.
    assert [r[0] for r in proxy.requests] == ["HEAD", "GET"]
    assert all(r[2] == "forwarded" for r in proxy.requests)
