"""FBP903: on SIGTERM uvicorn answers the requests in flight within its graceful timeout,
then runs the lifespan's shutdown; past the timeout they get a 500, and a shell that does
not exec uvicorn never passes the signal on."""

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path, wait_until

PRACTICE = "operations/graceful-shutdown"
IN_FLIGHT = 4
SLOW = 0.5  # seconds each request takes, well under the generous graceful timeout
GENEROUS = 5  # --timeout-graceful-shutdown, longer than the slowest request
SHORT = 1  # --timeout-graceful-shutdown, shorter than the slowest request
TOO_SLOW = 3.0  # seconds of a request that outlives SHORT
BOUND = 15.0  # no wait in this module lasts longer


def wait_for(condition, what: str) -> None:
    assert wait_until(condition, timeout=BOUND), f"no {what} within {BOUND} s"


def sigterm_mid_requests(name: str, timeout: int, seconds: float) -> tuple[list, str]:
    """Start IN_FLIGHT requests, SIGTERM the server while they all run, and return what
    each client got (a response or an exception) and the server's log."""
    args = ["--log-level", "info", "--timeout-graceful-shutdown", str(timeout)]
    with live_server(snippet_path(PRACTICE, name), args=args) as server:
        results: list = [None] * IN_FLIGHT

        def call(i: int) -> None:
            try:
                results[i] = httpx.get(
                    f"{server.url}/slow", params={"seconds": seconds}, timeout=BOUND
                )
            except httpx.HTTPError as error:
                results[i] = error

        threads = [threading.Thread(target=call, args=(i,)) for i in range(IN_FLIGHT)]
        for thread in threads:
            thread.start()
        wait_for(lambda: server.output().count("request started") == IN_FLIGHT, "requests")
        os.killpg(server.process.pid, signal.SIGTERM)
        for thread in threads:
            thread.join(BOUND)
        # Let it finish here: a second SIGTERM (the end of the `with`) would force it out.
        server.process.join(BOUND)
        assert server.process.exitcode == 0
        return results, server.output()


def test_requests_in_flight_are_answered_before_the_lifespan_closes_the_pool() -> None:
    results, log = sigterm_mid_requests("good", GENEROUS, SLOW)
    assert [r.status_code for r in results] == [200] * IN_FLIGHT
    # The pool was still open when each request used it...
    assert all(r.json() == {"pool_open": True} for r in results)
    # ...because the lifespan's shutdown ran only after every request had finished.
    order = [
        line
        for line in log.splitlines()
        if line in ("request finished", "pool closed") or "Shutting down" in line
    ]
    assert order == ["INFO:     Shutting down"] + ["request finished"] * IN_FLIGHT + ["pool closed"]


def test_without_a_lifespan_nothing_closes_the_pool() -> None:
    results, log = sigterm_mid_requests("bad", GENEROUS, SLOW)
    assert [r.status_code for r in results] == [200] * IN_FLIGHT
    assert log.count("request finished") == IN_FLIGHT
    assert "pool closed" not in log
    assert "Waiting for application shutdown" in log


def test_requests_past_the_graceful_timeout_get_a_500() -> None:
    results, log = sigterm_mid_requests("good", SHORT, TOO_SLOW)
    # uvicorn cancels the route's task; no response had started, so it sends a 500.
    assert [r.status_code for r in results] == [500] * IN_FLIGHT
    assert all(r.text == "Internal Server Error" for r in results)
    assert f"Cancel {IN_FLIGHT} running task(s), timeout graceful shutdown exceeded" in log
    assert "request finished" not in log
    # The lifespan's shutdown still runs, after the cancellation.
    assert log.index("timeout graceful shutdown exceeded") < log.index("pool closed")


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range. uvicorn binds it by number,
    as an entrypoint does (`--fd` would keep a second copy of the socket open, and new
    connections during the shutdown would then hang instead of being refused). Every other
    server in the suite binds port 0, which the kernel picks from the ephemeral range, so
    none of them can take this port before uvicorn binds it."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.sample(range(max(1024, low - 8000), low), 50):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port below {low}")


def start_script(tmp_path: Path, exec_: str) -> tuple[subprocess.Popen, str, Path]:
    """`sh run.sh`, a container's entrypoint script, with or without `exec`."""
    port = free_port()
    folder = snippet_path(PRACTICE, "good").parent
    command = (
        f"{exec_}'{sys.executable}' -m uvicorn good:app --app-dir '{folder}'"
        f" --host 127.0.0.1 --port {port} --timeout-graceful-shutdown {GENEROUS}\n"
    )
    script = tmp_path / "run.sh"
    script.write_text(command)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        shell = subprocess.Popen(
            ["sh", str(script)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        assert shell.poll() is None, f"the server exited:\n{log.read_text()}"
        try:
            # This snippet's route without its parameter: refused before the handler runs, so
            # the log gets no "request started" the tests below wait for.
            response = httpx.get(f"{url}/slow", timeout=0.5)
        except httpx.HTTPError:
            return False
        return response.status_code == 422 and "seconds" in response.text

    wait_for(serving, "server")
    return shell, url, log


def stop_group(shell: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(shell.pid, signal.SIGKILL)
    shell.wait(BOUND)


def test_a_shell_without_exec_does_not_pass_sigterm_to_uvicorn(tmp_path: Path) -> None:
    shell, url, log = start_script(tmp_path, "")
    try:
        shell.send_signal(signal.SIGTERM)  # what `docker stop` sends to the entrypoint
        shell.wait(BOUND)
        # The shell is gone; uvicorn never heard of it and goes on serving.
        assert httpx.get(f"{url}/slow", params={"seconds": 0}, timeout=BOUND).status_code == 200
        assert "Shutting down" not in log.read_text()
    finally:
        stop_group(shell)


def test_exec_uvicorn_shuts_down_gracefully_and_refuses_new_connections(tmp_path: Path) -> None:
    shell, url, log = start_script(tmp_path, "exec ")
    try:
        result: list = []
        call = threading.Thread(
            target=lambda: result.append(
                httpx.get(f"{url}/slow", params={"seconds": SLOW * 2}, timeout=BOUND)
            )
        )
        call.start()
        wait_for(lambda: "request started" in log.read_text(), "request")
        shell.send_signal(signal.SIGTERM)  # the shell's process is uvicorn now
        wait_for(lambda: "Shutting down" in log.read_text(), "shutdown")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/slow", params={"seconds": 0}, timeout=BOUND)
        call.join(BOUND)
        assert result[0].status_code == 200
        # uvicorn shuts down, then re-raises the signal it handled: it ends "killed by SIGTERM".
        assert shell.wait(BOUND) == -signal.SIGTERM
        text = log.read_text()
        assert text.index("Shutting down") < text.index("pool closed")
        assert "Finished server process" in text
    finally:
        stop_group(shell)
