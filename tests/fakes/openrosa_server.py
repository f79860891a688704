"""A fake ODK Central (its OpenRosa submission endpoint and the form download API) and a
fake KoBoToolbox (KPI's v2 asset API and KoBoCAT's OpenRosa ``/submission``), served by
aiohttp on a real local port, that check each instance against the XForm pyxform writes for
the form, as the real servers would.

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
    content_types: dict[str, str] = field(default_factory=dict)  # of each attachment's part


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_SUCCESS = (
    '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
    '<message nature="submit_success">full submission upload was successful!</message>'
    "</OpenRosaResponse>"
)


class _FakeOpenRosa:
    """What both fakes share: the forms, their checkers, the instances received."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.port = _free_port()
        self.forms: dict[str, bytes] = {}  # the server's form id -> XLSForm
        self.media: dict[str, dict[str, bytes]] = {}
        self.versions: dict[str, str] = {}  # the version of the XForm the server publishes
        self.checkers: dict[str, XFormChecker] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.answer_503 = False
        self.requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_form(
        self,
        form_id: str,
        xlsform: bytes,
        media: dict[str, bytes] | None = None,
        *,
        version: str | None = None,
    ) -> None:
        """Publish ``xlsform`` as ``form_id``; ``version`` replaces the XForm's version, as
        Central does when a draft is published again without a new version."""
        self.forms[form_id] = xlsform
        self.media[form_id] = dict(media or {})
        checker = XFormChecker(xform_of(xlsform), self.media[form_id])
        if version is not None:
            checker.version = version
        checker.form_id = form_id
        self.checkers[form_id] = checker
        self.versions[form_id] = checker.version

    def unavailable(self, down: bool = True) -> None:
        self.answer_503 = down

    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self._routes(app)
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

    async def _accept(self, request: web.Request) -> web.Response:
        """An OpenRosa submission: checked against the XForm, kept once per instanceID."""
        if request.headers.get("X-OpenRosa-Version") != "1.0":
            return self._error(400, 400.1, "X-OpenRosa-Version 1.0 is missing.")
        parts: dict[str, bytes] = {}
        types: dict[str, str] = {}
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None) or ""
            parts[name] = await part.read()  # type: ignore[union-attr]
            types[name] = part.headers.get("Content-Type", "")
        xml = parts.pop("xml_submission_file", b"")
        if not xml:
            return self._error(400, 400.2, "No xml_submission_file was sent.")
        root = ET.fromstring(xml)
        checker = self.checkers.get(root.get("id") or "")
        if checker is None:
            return self._error(404, 404.1, "The form of this submission is not in the project.")
        instance_id = root.findtext("meta/instanceID") or ""
        if any(r.instance_id == instance_id for r in self.received):
            return self._duplicate(instance_id)
        problems = checker.problems(xml)
        if problems:
            self.refused.append(instance_id)
            return self._error(400, 400.8, "The submission is not valid: " + "; ".join(problems))
        types.pop("xml_submission_file", None)
        self.received.append(Received(instance_id, xml, parts, types))
        return web.Response(status=201, text=_SUCCESS, content_type="text/xml")

    def _duplicate(self, instance_id: str) -> web.Response:
        return self._error(
            409, 409.3, f"A submission already exists with instanceID {instance_id}."
        )


class FakeCentral(_FakeOpenRosa):
    def __init__(self, token: str, project: int = 1) -> None:
        super().__init__(token)
        self.project = project

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/projects/{project}/submission", self._submission)
        app.router.add_get("/v1/projects/{project}/forms/{form}.xlsx", self._xlsx)
        app.router.add_get("/v1/projects/{project}/forms/{form}/attachments", self._attachments)
        app.router.add_get(
            "/v1/projects/{project}/forms/{form}/attachments/{name}", self._attachment
        )
        app.router.add_get("/v1/projects/{project}/forms/{form}", self._form)

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
        return refused if refused is not None else await self._accept(request)

    async def _form(self, request: web.Request) -> web.Response:
        """GET /v1/projects/{p}/forms/{xmlFormId}: the form's details, as Central's JSON."""
        refused = self._guard(request)
        if refused is not None:
            return refused
        form_id = request.match_info["form"]
        if form_id not in self.forms:
            return self._error(404, 404.1, "Could not find the resource you were looking for.")
        version = self.versions[form_id]
        return web.json_response(
            {
                "projectId": self.project,
                "xmlFormId": form_id,
                "name": form_id,
                "version": version,
                "state": "open",
                "publishedAt": "2026-11-30T08:00:00.000Z",
            }
        )

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


class FakeKobo(_FakeOpenRosa):
    """KoBoToolbox: KPI's ``/api/v2/assets/{uid}/`` (JSON with ``deployment__identifier``
    on KoBoCAT, ``deployed_version_id`` and the XLS download), ``/api/v2/assets/{uid}.xls``,
    the form media under ``/files/``, and KoBoCAT's OpenRosa ``/submission`` — all on one
    port here (``kf.`` and ``kc.`` hosts in production). ``Authorization: Token ...``;
    a repeated instanceID is answered 202 "Duplicate submission", as KoBoCAT does."""

    owner = "programme"

    def _routes(self, app: web.Application) -> None:
        app.router.add_get("/api/v2/assets/{uid}/", self._asset)
        app.router.add_get("/api/v2/assets/{uid}.xls", self._xls)
        app.router.add_get("/api/v2/assets/{uid}/files/", self._files)
        app.router.add_get("/api/v2/assets/{uid}/files/{file}/content/", self._file)
        app.router.add_post("/submission", self._submission)

    def _guard(self, request: web.Request) -> web.Response | None:
        self.requests += 1
        if self.answer_503:
            return web.Response(status=503, text="Service Unavailable")
        if request.headers.get("Authorization") != f"Token {self.token}":
            return web.json_response({"detail": "Invalid token."}, status=401)
        return None

    def _not_found(self) -> web.Response:
        return web.json_response({"detail": "Not found."}, status=404)

    async def _asset(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        uid = request.match_info["uid"]
        if uid not in self.forms:
            return self._not_found()
        return web.json_response(
            {
                "uid": uid,
                "name": uid,
                "asset_type": "survey",
                "has_deployment": True,
                "deployment__active": True,
                "deployment__identifier": f"{self.url}/{self.owner}/forms/{uid}",
                "deployed_version_id": self.versions[uid],
                "version_id": self.versions[uid],
                "downloads": [
                    {"format": "xls", "url": f"{self.url}/api/v2/assets/{uid}.xls"},
                    {"format": "xml", "url": f"{self.url}/api/v2/assets/{uid}.xml"},
                ],
            }
        )

    async def _xls(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        data = self.forms.get(request.match_info["uid"])
        if data is None:
            return self._not_found()
        return web.Response(body=data, content_type="application/vnd.ms-excel")

    async def _files(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        uid = request.match_info["uid"]
        if uid not in self.forms:
            return self._not_found()
        results = [
            {
                "uid": f"af{n}",
                "file_type": "form_media",
                "metadata": {"filename": name, "mimetype": "text/csv"},
                "content": f"{self.url}/api/v2/assets/{uid}/files/af{n}/content/",
            }
            for n, name in enumerate(self.media[uid])
            if request.query.get("file_type", "form_media") == "form_media"
        ]
        return web.json_response({"count": len(results), "next": None, "results": results})

    async def _file(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused is not None:
            return refused
        media = list(self.media.get(request.match_info["uid"], {}).items())
        number = request.match_info["file"].removeprefix("af")
        if not number.isdigit() or int(number) >= len(media):
            return self._not_found()
        return web.Response(body=media[int(number)][1])

    async def _submission(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        return refused if refused is not None else await self._accept(request)

    def _duplicate(self, instance_id: str) -> web.Response:
        body = (
            '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
            "<message>Duplicate submission</message></OpenRosaResponse>"
        )
        return web.Response(status=202, text=body, content_type="text/xml")
