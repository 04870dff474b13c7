"""Platform REST calls (seqera-contract.md §2) with the production-safety guard of catalog §5.

The guard is in code: `delete_token` only takes an integer id this run created (or a leftover whose
name carries the suite's pattern), so `DELETE /tokens/delete-all` and other people's ids are
unreachable. Every PAT created here is deleted at the end of the run, even when a case failed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import requests

from .checks import Secrets
from .target import Http

NAME_PREFIX = "conformance-"
SUITE_NAME = re.compile(r"^conformance-[0-9a-f]{6}-[0-9a-f]{8}$")


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


def decode_pat(access_key: str) -> tuple[dict[str, Any] | None, str]:
    """What Nextflow reads from a PAT: the JSON object before the first `.` of its base64 text.

    Mirrors `AuthCommandImpl.decodeTokenId` (java.util.Base64 standard alphabet, padding optional)
    and `TowerClient.setAuthToken` (JSON before the first dot). Returns (document or None, why).
    """
    if re.search(r"[^A-Za-z0-9+/=]", access_key):
        return None, "not standard-alphabet base64 (java.util.Base64.getDecoder rejects it)"
    try:
        text = base64.b64decode(access_key + "=" * (-len(access_key) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None, "does not decode as standard base64 text"
    head = text.partition(".")[0]
    try:
        document = json.loads(head)
    except ValueError:
        return None, "the decoded text does not start with a JSON object followed by '.'"
    if not isinstance(document, dict):
        return None, "the decoded text does not start with a JSON object"
    return document, text


@dataclass
class Created:
    id: int
    name: str
    credential: str
    access_key: str | None
    deleted: bool = False


@dataclass
class Platform:
    http: Http
    api_url: str
    secrets: Secrets
    run: str = field(default_factory=lambda: secrets.token_hex(3))
    created: dict[int, Created] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def name(self) -> str:
        return f"{NAME_PREFIX}{self.run}-{secrets.token_hex(4)}"

    def user_info(self, token: str | None, scheme: str = "Bearer") -> requests.Response:
        return self.http.get(self.url("/user-info"), headers=bearer(token, scheme) if token else {})

    def workspaces(self, token: str, user_id: Any) -> requests.Response:
        return self.http.get(self.url(f"/user/{int(user_id)}/workspaces"), headers=bearer(token))

    def list_tokens(self, token: str) -> requests.Response:
        return self.http.get(self.url("/tokens"), headers=bearer(token))

    def create_token(self, token: str | None, name: str | None) -> requests.Response:
        body = {} if name is None else {"name": name}
        response = self.http.post(self.url("/tokens"), json=body, headers=bearer(token) if token else {})
        self._remember(response, token)
        return response

    def delete_token(self, token: str, token_id: int) -> requests.Response:
        token_id = int(token_id)
        if token_id not in self.created:
            raise PermissionError(f"refusing to delete token {token_id}: this run did not create it")
        response = self.http.request("DELETE", self.url(f"/tokens/{token_id}"), headers=bearer(token))
        if response.status_code in (200, 204):
            self.created[token_id].deleted = True
        return response

    def _remember(self, response: requests.Response, credential: str | None) -> None:
        if response.status_code not in (200, 201) or credential is None:
            return
        try:
            body = response.json()
            token = body["token"]
            token_id = int(token["id"])
        except (ValueError, KeyError, TypeError):
            return
        access_key = body.get("accessKey") if isinstance(body.get("accessKey"), str) else None
        self.secrets.add(access_key)
        self.created[token_id] = Created(token_id, str(token.get("name")), credential, access_key)

    def cleanup(self) -> list[str]:
        """Delete every PAT this run created (with its creator's token, else itself), then leftovers."""
        problems = []
        for record in self.created.values():
            if record.deleted:
                continue
            for credential in (record.credential, record.access_key):
                if credential and self.delete_token(credential, record.id).status_code in (200, 204, 404):
                    record.deleted = True
                    break
            if not record.deleted:
                problems.append(f"PAT {record.id} ({record.name}) could not be deleted")
        credentials = {r.credential for r in self.created.values()}
        for credential in credentials:
            problems.extend(self._sweep(credential))
        return problems

    def _sweep(self, credential: str) -> list[str]:
        listing = self.list_tokens(credential)
        if listing.status_code != 200:
            return []
        try:
            tokens = listing.json().get("tokens") or []
        except (ValueError, AttributeError):
            return []
        problems = []
        for token in tokens:
            name, token_id = token.get("name"), token.get("id")
            if isinstance(name, str) and SUITE_NAME.match(name) and isinstance(token_id, int):
                self.created.setdefault(token_id, Created(token_id, name, credential, None))
                if self.delete_token(credential, token_id).status_code not in (200, 204, 404):
                    problems.append(f"leftover PAT {token_id} ({name}) could not be deleted")
        return problems
