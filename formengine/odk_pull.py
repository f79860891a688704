"""Fetching a published form, with its attached files, from ODK Central or KoBoToolbox.

ODK Central (REST API): ``GET /v1/projects/{p}/forms/{xmlFormId}`` (the form's details:
its XForm version), ``.../forms/{xmlFormId}.xlsx`` (the XLSForm it was published from),
``.../forms/{xmlFormId}/attachments`` (the files the form expects, ``exists`` when uploaded)
and ``.../attachments/{name}``; ``Authorization: Bearer TOKEN``.

KoBoToolbox (KPI's v2 API): ``GET /api/v2/assets/{uid}/`` (``deployment__identifier`` names
the KoBoCAT server that takes submissions, ``deployed_version_id`` the XForm's version,
``downloads`` the XLS), the XLS itself, and ``/api/v2/assets/{uid}/files/?file_type=form_media``
(each file's ``metadata.filename`` and ``content`` URL); ``Authorization: Token TOKEN``.

The token is sent only to the server named in the address (a download link pointing
elsewhere is refused), and is never printed. Errors are :class:`PullError` with a
translated message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from core.i18n import _
from storage.submission_pushes import Target

_CENTRAL = re.compile(
    r"^(?P<server>https?://[^/#?]+(?:/[^#?]*?)?)/(?:#/|v1/)projects/(?P<project>\d+)"
    r"/forms/(?P<form>[^/?#]+)"
)
_KOBO = re.compile(
    r"^(?P<server>https?://[^/#?]+(?:/[^#?]*?)?)/(?:#/forms|api/v2/assets)/(?P<form>[A-Za-z0-9]+)"
)
MAX_FILES = 200


class PullError(Exception):
    """Why the form could not be pulled, in the reader's language."""


@dataclass(frozen=True)
class Source:
    """A form on a server: ODK Central (with a project) or KoBoToolbox (an asset uid)."""

    server: str
    form: str
    project: str = ""  # "": KoBoToolbox

    @property
    def is_kobo(self) -> bool:
        return not self.project


@dataclass(frozen=True)
class PulledForm:
    xlsform: bytes
    filename: str
    media: dict[str, bytes] = field(default_factory=dict)
    # Where submissions go, with the XForm id and version the server publishes.
    target: Target | None = None


def parse_address(url: str) -> Source | None:
    """A Central form (web page or API address) or a KoBo asset, from its address."""
    url = url.strip()
    found = _CENTRAL.match(url)
    if found:
        form = found["form"]
        for suffix in (".xlsx", ".xml", ".xls"):
            form = form.removesuffix(suffix)
        return Source(found["server"].rstrip("/"), form, found["project"])
    found = _KOBO.match(url)
    if found:
        return Source(found["server"].rstrip("/"), found["form"])
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class _Client:
    def __init__(self, client: httpx.AsyncClient, source: Source, token: str, var: str) -> None:
        self.client = client
        self.source = source
        self.var = var
        scheme = "Token" if source.is_kobo else "Bearer"
        self.headers = {"Authorization": f"{scheme} {token}"}

    async def get(self, url: str, what: str) -> httpx.Response:
        if _origin(url) != _origin(self.source.server):
            raise PullError(
                _(
                    "The server pointed to {url}, which is not {server}: nothing was fetched."
                ).format(url=url, server=self.source.server)
            )
        try:
            response = await self.client.get(url, headers=self.headers)
        except (httpx.TransportError, OSError) as exc:
            raise PullError(
                _(
                    "Cannot reach {server} ({reason}). Check the address, or try again later."
                ).format(server=self.source.server, reason=type(exc).__name__)
            ) from exc
        status = response.status_code
        if status in (401, 403):
            raise PullError(
                _(
                    "The server refused the token in {var} ({status}): check that it is the "
                    "right one and that it may read this form."
                ).format(var=self.var, status=status)
            )
        if status == 404:
            raise PullError(self._not_found(what))
        if status >= 400:
            raise PullError(
                _("{server} answered {status} for {what}; try again later.").format(
                    server=self.source.server, status=status, what=what
                )
            )
        return response

    def _not_found(self, what: str) -> str:
        if self.source.is_kobo:
            return _("The server has no form {form} ({what} not found).").format(
                form=self.source.form, what=what
            )
        return _("Project {project} on the server has no form {form} ({what} not found).").format(
            project=self.source.project, form=self.source.form, what=what
        )

    async def json(self, url: str, what: str) -> Any:
        response = await self.get(url, what)
        try:
            return response.json()
        except ValueError as exc:
            raise PullError(
                _("{server} did not answer as ODK Central or KoBoToolbox do.").format(
                    server=self.source.server
                )
            ) from exc


async def pull(
    source: Source,
    token: str,
    token_env: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = 60.0,
) -> PulledForm:
    """The form's XLSForm and attached files, and where its submissions go."""
    async with httpx.AsyncClient(transport=transport, timeout=http_timeout) as http:
        client = _Client(http, source, token, token_env)
        if source.is_kobo:
            return await _pull_kobo(client, source, token_env)
        return await _pull_central(client, source, token_env)


async def _pull_central(client: _Client, source: Source, token_env: str) -> PulledForm:
    base = f"{source.server}/v1/projects/{source.project}/forms/{quote(source.form, safe='')}"
    details = await client.json(base, _("the form"))
    if not isinstance(details, dict):
        details = {}
    response = await client.get(f"{base}.xlsx", _("the XLSForm"))
    listing = await client.json(f"{base}/attachments", _("the list of attached files"))
    media: dict[str, bytes] = {}
    for item in listing if isinstance(listing, list) else []:
        name = str(item.get("name") or "") if isinstance(item, dict) else ""
        if not name or not item.get("exists", True) or len(media) >= MAX_FILES:
            continue
        body = await client.get(f"{base}/attachments/{quote(name, safe='')}", name)
        media[name] = body.content
    version = details.get("version")
    target = Target(
        source.server,
        source.project,
        source.form,
        token_env,
        xform_id=str(details.get("xmlFormId") or source.form),
        xform_version=str(version or ""),
    )
    return PulledForm(response.content, f"{source.form}.xlsx", media, target)


async def _pull_kobo(client: _Client, source: Source, token_env: str) -> PulledForm:
    base = f"{source.server}/api/v2/assets/{source.form}"
    asset = await client.json(f"{base}/?format=json", _("the form"))
    if not isinstance(asset, dict):
        asset = {}
    identifier = str(asset.get("deployment__identifier") or "")
    if not identifier or asset.get("has_deployment") is False:
        raise PullError(
            _("The form {form} is not deployed on the server: deploy it there first.").format(
                form=source.form
            )
        )
    downloads = asset.get("downloads") or []
    xls_url = next(
        (
            str(d.get("url"))
            for d in downloads
            if isinstance(d, dict) and d.get("format") == "xls" and d.get("url")
        ),
        f"{base}.xls",
    )
    response = await client.get(xls_url, _("the XLSForm"))
    files = await client.json(f"{base}/files/?file_type=form_media", _("the form media"))
    media: dict[str, bytes] = {}
    for item in files.get("results", []) if isinstance(files, dict) else []:
        metadata = item.get("metadata") if isinstance(item, dict) else None
        name = str((metadata or {}).get("filename") or "")
        content = str(item.get("content") or "")
        if not name or not content or len(media) >= MAX_FILES:
            continue
        media[name] = (await client.get(content, name)).content
    # deployment__identifier: https://kc.../{owner}/forms/{id_string}; KoBoCAT takes
    # OpenRosa submissions at https://kc.../submission.
    version = asset.get("deployed_version_id")
    target = Target(
        _origin(identifier),
        "",
        source.form,
        token_env,
        xform_id=identifier.rstrip("/").rsplit("/", 1)[-1] or source.form,
        xform_version=str(version or ""),
    )
    return PulledForm(response.content, f"{source.form}.xls", media, target)
