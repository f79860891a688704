"""A fake ODK Central (its OpenRosa submission endpoint and the form download API), served
by aiohttp on a real local port, that checks each instance against the XForm pyxform writes
for the form, as the real server would.

``server.unavailable()`` answers 503 to everything; ``await server.stop()`` closes the port
(connection refused) and ``await server.start()`` opens the same port again.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from aiohttp import web

from tests.fakes.xform_check import XFormChecker, xform_of


@dataclass
class Received:
    instance_id: str
    xml: bytes
    attachments: dict[str, bytes] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeCentral:
    def __init__(self, token: str, project: int = 1) -> None:
        self.token = token
        self.project = project
        self.port = _free_port()
        self.forms: dict[str, bytes] = {}  # xmlFormId -> XLSForm
        self.media: dict[str, dict[str, bytes]] = {}
        self.checkers: dict[str, XFormChecker] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.answer_503 = False
        self.requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_form(self, form_id: str, xlsform: bytes, media: dict[str, bytes] | None = None) -> None:
        self.forms[form_id] = xlsform
        self.media[form_id] = dict(media or {})
        self.checkers[form_id] = XFormChecker(xform_of(xlsform))

    def unavailable(self, down: bool = True) -> None:
        self.answer_503 = down

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/projects/{project}/submission", self._submission)
        app.router.add_get("/v1/projects/{project}/forms/{form}.xlsx", self._xlsx)
        app.router.add_get("/v1/projects/{project}/forms/{form}/attachments", self._attachments)
        app.router.add_get(
            "/v1/projects/{project}/forms/{form}/attachments/{name}", self._attachment
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _error(self, status: int, code: float, message: str) -> web.Response:
        body = json.dumps({"code": code, "message": message})
        return web.Response(status=status, text=body, content_type="application/json")

    def _guard(self, request: web.Request) -> web.Response | None:
        self.requests += 1
        if self.answer_503:
            return web.Response(status=503, text="Service Unavailable")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, 401.2, "Could not authenticate with the provided credentials.")
        if request.match_info["project"] != str(self.project):
            return self._error(404, 404.1, "Could not find the resource you were looking for.")
        return None

    async def _submission(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        if request.headers.get("X-OpenRosa-Version") != "1.0":
            return self._error(400, 400.1, "X-OpenRosa-Version 1.0 is missing.")
        parts: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None) or ""
            parts[name] = await part.read()  # type: ignore[union-attr]
        xml = parts.pop("xml_submission_file", b"")
        if not xml:
            return self._error(400, 400.2, "No xml_submission_file was sent.")
        root = ET.fromstring(xml)
        checker = self.checkers.get(root.get("id") or "")
        if checker is None:
            return self._error(404, 404.1, "The form of this submission is not in the project.")
        instance_id = root.findtext("meta/instanceID") or ""
        if any(r.instance_id == instance_id for r in self.received):
            return self._error(
                409, 409.3, f"A submission already exists with instanceID {instance_id}."
            )
        problems = checker.problems(xml)
        if problems:
            self.refused.append(instance_id)
            return self._error(400, 400.8, "The submission is not valid: " + "; ".join(problems))
        self.received.append(Received(instance_id, xml, parts))
        body = (
            '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
            '<message nature="submit_success">full submission upload was successful!</message>'
            "</OpenRosaResponse>"
        )
        return web.Response(status=201, text=body, content_type="text/xml")

    async def _xlsx(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        data = self.forms.get(request.match_info["form"])
        if data is None:
            return self._error(404, 404.1, "Could not find the resource you were looking for.")
        return web.Response(
            body=data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    async def _attachments(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        media = self.media.get(request.match_info["form"], {})
        listing = [{"name": name, "type": "file", "exists": True} for name in media]
        return web.json_response(listing)

    async def _attachment(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        data = self.media.get(request.match_info["form"], {}).get(request.match_info["name"])
        if data is None:
            return self._error(404, 404.1, "Could not find the resource you were looking for.")
        return web.Response(body=data)
