"""Browser tests: the real ``musharaka admin`` process on demo data, driven by Debian's
Chromium through Playwright (no browser download; ``./dev test`` installs ``chromium``).

Without /usr/bin/chromium the tests skip with that reason, or fail under
``MUSHARAKA_REQUIRE_SERVICES=1``. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.support import services

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_LOGIN = ("amina", "amina-browser-password")
STAFF_LOGIN = ("karim", "karim-browser-password")

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        services.unavailable(
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install chromium; ./dev test installs it)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        services.unavailable("browser tests need the playwright Python package (dev extra)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _musharaka(env: dict[str, str], cwd: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        check=True,
        timeout=600,
        capture_output=True,
    )


@dataclass(frozen=True)
class AdminServer:
    url: str
    database_url: str
    env: dict[str, str]
    media_dir: Path  # the file store the server plays residents' recordings from

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path


@pytest.fixture(scope="session")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminServer]:
    """`musharaka demo-data`, two logins with `musharaka staff add`, then `musharaka admin`."""
    _require_chromium()
    workdir = tmp_path_factory.mktemp("admin-server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    database_url = f"sqlite+aiosqlite:///{workdir / 'admin.sqlite'}"
    media_dir = workdir / "media"
    env.update(
        {
            "MUSHARAKA_DATABASE_URL": database_url,
            "MUSHARAKA_ADMIN_SECRET_KEY": secrets.token_urlsafe(48),
            "MUSHARAKA_ADMIN_PORT": str(port),
            "MUSHARAKA_LOG_LEVEL": "WARNING",
            "MUSHARAKA_MEDIA_DIR": str(media_dir),
            "PYTHONPATH": str(ROOT),
        }
    )
    _musharaka(env, workdir, "demo-data")
    for (username, password), (telegram_id, role) in (
        (ADMIN_LOGIN, ("9000", "admin")),
        (STAFF_LOGIN, ("9001", "staff")),
    ):
        _musharaka(
            env, workdir, "staff", "add", telegram_id, "--role", role,
            "--username", username, "--password", password,
        )  # fmt: skip
    log = (workdir / "admin.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "admin"],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, workdir / "admin.log")
        yield AdminServer(url=url, database_url=database_url, env=env, media_dir=media_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"musharaka admin exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"musharaka admin did not answer within 120 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, admin_server: AdminServer) -> Iterator[Any]:
    context = browser.new_context(
        base_url=admin_server.url,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, login: tuple[str, str]) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/login")
    page.fill("#username", login[0])
    page.fill("#password", login[1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


T = TypeVar("T")


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine from a browser test (Playwright's sync API holds this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
