"""``sync`` against the wrong address says which mistake it is (services/sync/diagnosis.py):
https to a plain-HTTP server and the reverse, a wrong path, nothing listening, a
refused login, a fault of the server — each with its exit code, no traceback."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import main
from services.sync.diagnosis import diagnose
from services.sync.errors import Offline, ServerFailed
from tests.sync_harness import PASSWORD, ServerThread, demo_server_db, free_port


@pytest.fixture(autouse=True)
def _office_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("GRIDDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("GRIDDESK_TOKEN_STORE", "file")


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    folder = tmp_path_factory.mktemp("county")
    db = demo_server_db(f"sqlite:///{folder / 'county.sqlite3'}")
    with ServerThread(db) as running:
        yield running
    db.dispose()


def _sync(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str], user: str = "coordinator"
) -> tuple[int, str]:
    argv = ["sync", "--data-dir", str(tmp_path / "desk"), "--create", "--server", server]
    argv += ["--user", user, "--timeout", "10"]
    code = main(argv)
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "Traceback" not in said
    return code, said


def test_https_to_a_plain_http_server(
    county: ServerThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://127.0.0.1:{county.port}"
    code, said = _sync(tmp_path, url, capsys)
    assert code == 3
    assert f"{url} 不支持 https" in said and "请把 https:// 改为 http://" in said


def test_a_wrong_path_is_not_called_unreachable(
    county: ServerThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{county.port}/griddesk/wrong"
    code, said = _sync(tmp_path, url, capsys)
    assert code == 3
    assert "没有区县同步服务（HTTP 404）" in said
    assert "没有响应" not in said


def test_nothing_listening(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, said = _sync(tmp_path, url, capsys)
    assert code == 3
    assert f"{url} 没有响应" in said


def test_a_refused_login(
    county: ServerThread,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRIDDESK_PASSWORD", "not-the-password")
    code, said = _sync(tmp_path, county.url, capsys)
    assert code == 4
    assert "拒绝登录：用户名或密码错误" in said


def test_english_on_request(
    county: ServerThread,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, said = _sync(tmp_path, f"http://127.0.0.1:{county.port}/x", capsys)
    assert code == 3
    assert "there is no county sync service at that address (HTTP 404)" in said


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[int]:
    """A TLS server that answers nothing (as uvicorn with --ssl-certfile does to plain HTTP)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl makes the test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _addr = listener.accept()
            except OSError:
                continue
            raw.settimeout(5)
            try:
                with context.wrap_socket(raw, server_side=True) as tls:
                    tls.recv(1024)
            except (OSError, ssl.SSLError):
                raw.close()  # plain HTTP: the handshake fails and the connection drops

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


def test_http_to_an_https_server(
    tls_server: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{tls_server}"
    code, said = _sync(tmp_path, url, capsys)
    assert code == 3
    assert f"{url} 只支持 https：请把地址中的 http:// 改为 https://" in said


def test_server_faults_and_foreign_servers_are_told_apart() -> None:
    url = "http://county.example:8765"
    assert diagnose(ServerFailed("502 bad_gateway upstream"), url).code == "server_error"
    assert diagnose(ServerFailed("404 not_found"), url).code == "wrong_path"
    foreign = ServerFailed("HTTP 200: the server answered a web page", code="not_protocol")
    assert diagnose(foreign, url).code == "not_protocol"
    nginx = ServerFailed("HTTP 400: The plain HTTP request was sent to HTTPS port")
    assert diagnose(nginx, url).code == "plain_to_tls"
    try:
        socket.getaddrinfo("no-such-host.invalid", 80)
    except socket.gaierror as exc:
        unknown = Offline("ConnectError: name not known")
        unknown.__cause__ = exc
        assert diagnose(unknown, "http://no-such-host.invalid", probe=False).code == "unknown_host"
