"""Platform REST calls as Nextflow's ``TowerClient`` makes them, including its Authorization rule."""

import base64
import binascii
import json
import secrets
from typing import Any

import requests
from requests.auth import AuthBase

from .errors import PlatformError
from .transport import send

BASIC_AUTH_PREFIX = "@token:"
UNAUTHORIZED_TEXT = (
    "Unauthorized Seqera Platform API access -- Make sure you have specified the correct access token"
)


def authorization_header(token: str) -> str:
    """Bearer for a JWT-shaped token (exactly two dots) or a PAT, else Basic ``@token:<token>``."""
    if token.count(".") == 2 or is_personal_access_token(token):
        return f"Bearer {token}"
    return "Basic " + base64.b64encode(f"{BASIC_AUTH_PREFIX}{token}".encode()).decode("ascii")


def is_personal_access_token(token: str) -> bool:
    """True when the base64-decoded text, up to its first '.', parses as a truthy JSON value."""
    try:
        plain = base64.b64decode(_padded(token)).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return False
    head, dot, _ = plain.partition(".")
    if not dot:
        return False
    try:
        return bool(json.loads(head))
    except ValueError:
        return False


def decode_token_id(pat: str) -> str:
    """The ``tid`` of a PAT: standard-alphabet base64 (``-`` and ``_`` rejected, as java.util.Base64 does)
    of a JSON object followed by ``.secret``."""
    try:
        plain = base64.b64decode(_padded(pat), validate=True).decode("utf-8")
        document, _ = json.JSONDecoder().raw_decode(plain)
    except (binascii.Error, ValueError) as exc:
        raise PlatformError(f"Failed to decode token ID: {exc}") from exc
    token_id = document.get("tid") if isinstance(document, dict) else None
    if not token_id:
        raise PlatformError("Failed to decode token ID: No token ID found in decoded token")
    return str(token_id)


def traceparent() -> str:
    """A random W3C trace context header value, as ``TraceUtils.rndTrace()`` sends."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def _padded(value: str) -> str:
    return value + "=" * (-len(value) % 4)


class TowerAuth(AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = authorization_header(self.token)
        return request


class PlatformClient:
    def __init__(self, endpoint: str, token: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.auth = TowerAuth(token) if token else None

    def get_user_info(self) -> dict[str, Any]:
        user = self._get_json("/user-info").get("user")
        if not isinstance(user, dict):
            raise PlatformError(f"Unexpected response from {self.endpoint}/user-info: no 'user' object")
        return user

    def create_token(self, name: str) -> str:
        """``POST /tokens``; like Nextflow, only HTTP 200 counts and only ``accessKey`` is read."""
        response = self._request(
            "POST",
            "/tokens",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        if response.status_code != 200:
            raise PlatformError(f"Failed to generate PAT: {self._failure_text(response)}")
        access_key = self._json(response).get("accessKey")
        if not isinstance(access_key, str) or not access_key:
            raise PlatformError("Failed to generate PAT: the response has no accessKey")
        return access_key

    def delete_token(self, token_id: str) -> None:
        response = self._request("DELETE", f"/tokens/{token_id}")
        if response.status_code not in (200, 204):
            raise PlatformError(f"Failed to delete token: {self._failure_text(response)}")

    def service_info(self) -> dict[str, Any]:
        return self._get_json("/service-info", authenticated=False).get("serviceInfo") or {}

    def user_workspaces(self, user_id: int | str) -> list[dict[str, Any]]:
        return self._get_json(f"/user/{user_id}/workspaces").get("orgsAndWorkspaces") or []

    def compute_envs(self, workspace_id: int | str | None = None) -> list[dict[str, Any]]:
        params = {"workspaceId": workspace_id} if workspace_id else None
        return self._get_json("/compute-envs", params=params).get("computeEnvs") or []

    def _request(self, method: str, path: str, authenticated: bool = True, **kwargs) -> requests.Response:
        headers = {"Traceparent": traceparent(), **kwargs.pop("headers", {})}
        auth = self.auth if authenticated else None
        return send(method, self.endpoint + path, headers=headers, auth=auth, **kwargs)

    def _get_json(self, path: str, authenticated: bool = True, **kwargs) -> dict[str, Any]:
        response = self._request("GET", path, authenticated, **kwargs)
        if not response.ok:
            raise PlatformError(_check_response_text(response), status=response.status_code)
        return self._json(response)

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise PlatformError(f"Unexpected response from {response.url}: not a JSON object")
        return document

    @staticmethod
    def _failure_text(response: requests.Response) -> str:
        """The ``Response.message`` TowerClient hands to callers that check the status themselves."""
        if response.status_code == 401:
            return UNAUTHORIZED_TEXT
        if response.status_code >= 400:
            return _cause(response.text) or f"Unexpected response for request {response.url}"
        return response.text or f"HTTP {response.status_code}"


def _check_response_text(response: requests.Response) -> str:
    """TowerClient.checkResponse's messages for a failed API GET."""
    status, url = response.status_code, response.url
    if status == 401:
        return "Seqera authentication failed — check tower.accessToken or TOWER_ACCESS_TOKEN"
    if status == 403:
        return "Forbidden — check permissions"
    if status == 404:
        return f"Resource {url} not found"
    cause = _cause(response.text) if status >= 400 else None
    return f"Seqera API error: HTTP {status} for {url}" + (f" - {cause}" if cause else "")


def _cause(body: str) -> str | None:
    """The ``message`` of a JSON error body, or the body itself when it is not JSON."""
    if not body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return body
    return document.get("message") if isinstance(document, dict) else body
