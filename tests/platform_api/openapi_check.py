"""Check HTTP responses against the mock's own OpenAPI 3.1 document (`{issuer}/openapi.json`).

Every response must belong to a documented operation and status, with a body that validates
against that status's JSON schema (or no body where none is documented); a `text/event-stream` body
is read whole and each event's `data:` validated against the media type's `x-event-schema`. A request
to a path the document does not list must get 404, a wrong method 405, both with an `ErrorResponse`
body. An operation's own `servers` (the Co-Scientist session list, also at the server root) serve
only that operation there. URLs are matched as werkzeug routes them; its 308 from a doubled slash to
the single one is let through.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:mock-platform:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    operations: dict[str, dict[str, Any]]
    literal_segments: int
    integer_params: frozenset[str]

    def match(self, url: str) -> bool:
        """The URL names this path, with every integer path parameter a whole number."""
        found = self.pattern.match(url)
        return found is not None and all(
            value.isascii() and value.isdigit()
            for name, value in found.groupdict().items()
            if name in self.integer_params
        )


def routed_url(url: str) -> str:
    """The URL as werkzeug routes it: no query, percent-decoded (%2F is a /), repeated slashes merged."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" + re.sub("/{2,}", "/", unquote(parts.path))


def documented_responses(
    document: dict[str, Any], *, tag: str | None = None, exclude_tag: str | None = None
) -> set[tuple[str, str, int]]:
    """(method, path template, status) of every documented answer but 401 (one shared check answers
    every 401; tests/platform_api/test_auth covers it), of operations with (or without) a tag."""
    return {
        (method, template, int(status))
        for template, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        if (tag is None or tag in operation.get("tags", ()))
        and (exclude_tag is None or exclude_tag not in operation.get("tags", ()))
        for status in operation["responses"]
        if status != "401"
    }


def sse_data(text: str) -> list[Any]:
    """The JSON `data:` of every event in a Server-Sent Events body (comments and `id:` lines skipped)."""
    documents = []
    for block in text.split("\n\n"):
        data = [line[len("data:") :].strip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            documents.append(json.loads("\n".join(data)))
    return documents


class OpenApiChecker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.registry = Registry().with_resource(
            DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self.routes: list[Route] = []
        self.prefixes: set[str] = set()
        for template, item in document["paths"].items():
            item_servers = [
                server["url"].rstrip("/") for server in item.get("servers") or document["servers"]
            ]
            self.prefixes.update(item_servers)
            served: dict[str, dict[str, dict[str, Any]]] = {}
            for method in METHODS:
                if method in item:
                    own = [server["url"].rstrip("/") for server in item[method].get("servers", [])]
                    for server in own or item_servers:
                        served.setdefault(server, {})[method] = item[method]
            literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
            integers = frozenset(
                param["name"]
                for param in item.get("parameters", [])
                if param["in"] == "path" and param["schema"].get("type") == "integer"
            )
            for server, operations in served.items():
                pattern = re.escape(server) + re.sub(
                    r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)
                )
                if template == "/":
                    pattern = re.escape(server) + "/?"
                self.routes.append(Route(template, re.compile(f"^{pattern}$"), operations, literal, integers))
        # Literal segments win over templates: /tokens/delete-all before /tokens/{tokenId}.
        self.routes.sort(key=lambda route: -route.literal_segments)
        self.seen: set[tuple[str, str, int]] = set()

    def check(self, response: requests.Response) -> None:
        method = response.request.method.lower()
        url = routed_url(response.url)
        if response.status_code == 308 and routed_url(response.headers.get("Location", "")) == url:
            return  # werkzeug's redirect from `//` to `/`; requests follows it and the target is checked
        route = next((route for route in self.routes if route.match(url)), None)
        if route is None and not any(url.startswith(prefix + "/") for prefix in self.prefixes):
            return  # outside the documented surface (the OIDC endpoints, /healthz, /_mock)
        where = f"{method.upper()} {url} -> {response.status_code}"
        if route is None or method not in route.operations:
            expected = 404 if route is None else 405
            assert response.status_code == expected, f"{where}: undocumented, expected {expected}"
            self._validate(response, self._ref("ErrorResponse"), where)
            return
        responses = route.operations[method]["responses"]
        status = str(response.status_code)
        assert status in responses, f"{where}: status not documented (documented: {', '.join(responses)})"
        self.seen.add((method, route.template, response.status_code))
        documented = self._resolve(responses[status])
        content = documented.get("content")
        if content is None:
            assert not response.content, f"{where}: documented without a body, got {response.content[:200]!r}"
            return
        media_type = response.headers.get("Content-Type", "").split(";")[0]
        assert media_type in content, (
            f"{where}: Content-Type {response.headers.get('Content-Type')!r} is not one of {list(content)}"
        )
        if media_type == "text/event-stream":
            for data in sse_data(response.text):
                self._validate_document(data, content[media_type]["x-event-schema"], where)
            return
        self._validate(response, content["application/json"]["schema"], where)

    def _ref(self, name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def _validate(self, response: requests.Response, schema: dict[str, Any], where: str) -> None:
        try:
            body = response.json()
        except json.JSONDecodeError:
            raise AssertionError(f"{where}: body is not JSON: {response.text[:200]!r}") from None
        self._validate_document(body, schema, where)

    def _validate_document(self, body: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            schema = {"$ref": DOCUMENT_URI + schema["$ref"]}
        errors = sorted(
            Draft202012Validator(schema, registry=self.registry).iter_errors(body), key=lambda e: e.path
        )
        assert not errors, f"{where}: body does not match the schema:\n" + "\n".join(
            f"  at /{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors
        )
