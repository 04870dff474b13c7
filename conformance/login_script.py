"""A scripted sign-in (`--login script --login-script FILE`): a short YAML list of browser steps.

Enterprise sign-in often passes through an external IdP: pages on other hosts, a second page for
the password, a consent or "stay signed in?" question. A script says what a person would do there:

    when: {label: "Username"}             # the page that means "sign-in needed" (default: step 1's target)
    origins: [https://idp.example.com]    # hosts the sign-in passes through (not "leaving" the provider)
    continue: ["button[value=allow]"]     # pages that may come on their own (consent): clicked when shown
    steps:
      - fill: {label: "Username", value: "{username}"}
      - click: {role: button, name: "Next"}
      - fill: {label: "Password", env: IDP_PASSWORD}
      - click: {role: button, name: "Verify"}
      - wait_for_url: "https://platform.example.com/**"
      - expect_text: "Allow access"

Actions: goto URL; fill a target from `value` (`{username}`/`{password}` are --login-user/--login-password)
or `env`; click; wait_for (a target); wait_for_url (a glob or `re:` pattern); expect_text (text, or
`{text, in: target}`). A target is `selector` (any Playwright selector) or one of Playwright's locators
as codegen writes them: `role` (+ `name`), `label`, `placeholder`, `text`, `test_id`, with `exact: true`
where codegen wrote `exact=True`. Every step takes
`optional: true` (skipped when it cannot be done, e.g. a question asked only sometimes) and `timeout`
(seconds). A plain list is read as `steps`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ACTIONS = ("goto", "fill", "click", "wait_for", "wait_for_url", "expect_text")
TARGET_KEYS = ("selector", "role", "label", "placeholder", "text", "test_id")
STEP_OPTIONS = ("optional", "timeout")
TOP_LEVEL = ("steps", "when", "origins", "continue", "cancel")
PLACEHOLDER = re.compile(r"\{(username|password)\}")


class ScriptError(ValueError):
    """The script cannot be used; the message names the file, the step and what is wrong."""


@dataclass(frozen=True)
class Target:
    kind: str
    value: str
    name: str | None = None
    exact: bool | None = None

    def describe(self) -> str:
        if self.kind == "role" and self.name is not None:
            return f'role={self.value}[name="{self.name}"]'
        return f"{self.kind}={self.value}"

    def locate(self, page: Any) -> Any:
        if self.kind == "selector":
            return page.locator(self.value).first
        if self.kind == "test_id":
            return page.get_by_test_id(self.value).first
        if self.kind == "role":
            return page.get_by_role(self.value, name=self.name, exact=self.exact).first
        getter = {
            "label": page.get_by_label,
            "placeholder": page.get_by_placeholder,
            "text": page.get_by_text,
        }
        return getter[self.kind](self.value, exact=self.exact).first


@dataclass(frozen=True)
class Step:
    number: int
    action: str
    target: Target | None = None
    text: str = ""
    env: str | None = None
    optional: bool = False
    timeout: float | None = None

    def describe(self) -> str:
        if self.action == "fill":
            source = f"from ${self.env}" if self.env else "with a value"
            return f"fill {self.target.describe() if self.target else ''} {source}"
        if self.action in ("goto", "wait_for_url"):
            return f"{self.action} {self.text}"
        if self.action == "expect_text":
            return f"expect_text {self.text!r}" + (f" in {self.target.describe()}" if self.target else "")
        return f"{self.action} {self.target.describe() if self.target else ''}"


@dataclass(frozen=True)
class LoginScript:
    path: Path
    steps: tuple[Step, ...]
    when: Target
    origins: frozenset[str] = frozenset()
    continue_targets: tuple[Target, ...] = ()
    cancel: Target | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        """The values read from the environment: passwords, to be kept out of every report."""
        return [self.values[step.env] for step in self.steps if step.env]


def load_script(path: Path, environ: Mapping[str, str] | None = None) -> LoginScript:
    environ = os.environ if environ is None else environ
    where = str(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(f"login script {where}: cannot read it: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScriptError(
            f"login script {where}: not valid YAML{line}: {getattr(error, 'problem', error)}"
        ) from None
    if isinstance(document, list):
        document = {"steps": document}
    if not isinstance(document, dict):
        raise ScriptError(f"login script {where}: expected a list of steps, or a mapping with steps:")
    unknown = sorted(set(document) - set(TOP_LEVEL))
    if unknown:
        raise ScriptError(
            f"login script {where}: unknown key {unknown[0]!r}; the keys are {', '.join(TOP_LEVEL)}"
        )
    raw_steps = document.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScriptError(f"login script {where}: steps: needs at least one step")
    steps = tuple(_step(where, number, raw) for number, raw in enumerate(raw_steps, 1))
    values = {}
    for step in steps:
        if step.env:
            if not environ.get(step.env):
                raise ScriptError(
                    f"login script {where}: step {step.number} ({step.describe()}) reads ${step.env}, which is not set"
                )
            values[step.env] = environ[step.env]
    when = _target(where, "when", document["when"]) if "when" in document else None
    if when is None:
        first = next((step.target for step in steps if step.target is not None), None)
        if first is None or steps[0].action == "goto":
            raise ScriptError(
                f"login script {where}: when: is needed (the element that shows the sign-in page) "
                "because step 1 does not name one"
            )
        when = first
    origins = document.get("origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) and urlsplit(o).netloc for o in origins):
        raise ScriptError(f"login script {where}: origins: a list of URLs such as https://idp.example.com")
    extra = document.get("continue") or []
    if not isinstance(extra, list):
        raise ScriptError(f"login script {where}: continue: a list of targets (clicked whenever shown)")
    return LoginScript(
        path=path,
        steps=steps,
        when=when,
        origins=frozenset(f"{urlsplit(o).scheme}://{urlsplit(o).netloc}".lower() for o in origins),
        continue_targets=tuple(_target(where, "continue", t) for t in extra),
        cancel=_target(where, "cancel", document["cancel"]) if document.get("cancel") else None,
        values=values,
    )


def _step(where: str, number: int, raw: Any) -> Step:
    at = f"login script {where}: step {number}"
    if not isinstance(raw, dict):
        raise ScriptError(f"{at}: expected a mapping such as {{click: 'button[type=submit]'}}, got {raw!r}")
    actions = [key for key in raw if key in ACTIONS]
    unknown = [key for key in raw if key not in ACTIONS and key not in STEP_OPTIONS]
    if len(actions) != 1 or unknown:
        name = (unknown or actions or ["nothing"])[0]
        raise ScriptError(f"{at}: {name!r} is not one action; use exactly one of {', '.join(ACTIONS)}")
    action = actions[0]
    spec = raw[action]
    optional = raw.get("optional", False)
    timeout = raw.get("timeout")
    if isinstance(spec, dict):
        spec = dict(spec)
        optional = spec.pop("optional", optional)
        timeout = spec.pop("timeout", timeout)
    if not isinstance(optional, bool):
        raise ScriptError(f"{at}: optional: must be true or false")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        raise ScriptError(f"{at}: timeout: a number of seconds above 0")
    options = {"optional": optional, "timeout": float(timeout) if timeout is not None else None}
    if action in ("goto", "wait_for_url"):
        if not isinstance(spec, str) or not spec:
            raise ScriptError(f"{at}: {action}: needs a URL{' pattern' if action == 'wait_for_url' else ''}")
        if action == "wait_for_url" and spec.startswith("re:"):
            try:
                re.compile(spec[3:])
            except re.error as error:
                raise ScriptError(f"{at}: wait_for_url: bad regular expression: {error}") from None
        return Step(number, action, text=spec, **options)
    if action == "expect_text":
        if isinstance(spec, str) and spec:
            return Step(number, action, text=spec, **options)
        if isinstance(spec, dict) and isinstance(spec.get("text"), str) and set(spec) <= {"text", "in"}:
            target = _target(at, "in", spec["in"]) if "in" in spec else None
            return Step(number, action, target=target, text=spec["text"], **options)
        raise ScriptError(f"{at}: expect_text: a text, or {{text: ..., in: <target>}}")
    if action == "fill":
        if not isinstance(spec, dict) or ("value" in spec) == ("env" in spec):
            raise ScriptError(f"{at}: fill: a target and exactly one of value: or env:")
        value, env = spec.pop("value", None), spec.pop("env", None)
        if env is not None and not (isinstance(env, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env)):
            raise ScriptError(f"{at}: fill: env: the name of an environment variable")
        if value is not None and not isinstance(value, str | int | float):
            raise ScriptError(f"{at}: fill: value: a string")
        return Step(
            number, action, target=_target(at, "fill", spec), text=str(value or ""), env=env, **options
        )
    return Step(number, action, target=_target(at, action, spec), **options)


def _target(at: str, key: str, spec: Any) -> Target:
    if isinstance(spec, str) and spec:
        return Target("selector", spec)
    if isinstance(spec, dict):
        kinds = [k for k in spec if k in TARGET_KEYS]
        allowed = {"name", "exact"} if kinds == ["role"] else {"exact"} if kinds != ["test_id"] else set()
        extra = set(spec) - set(TARGET_KEYS) - allowed
        if len(kinds) == 1 and not extra and isinstance(spec[kinds[0]], str) and spec[kinds[0]]:
            name, exact = spec.get("name"), spec.get("exact")
            if name is not None and not isinstance(name, str):
                raise ScriptError(f"{at}: {key}: name: a string")
            if exact is not None and not isinstance(exact, bool):
                raise ScriptError(f"{at}: {key}: exact: true or false")
            return Target(kinds[0], spec[kinds[0]], name, exact)
    raise ScriptError(
        f"{at}: {key}: a selector string, or a mapping with one of {', '.join(TARGET_KEYS)} "
        "(role may add name; exact: true matches the whole text), e.g. {role: button, name: Sign in}"
    )


class StepFailed(Exception):
    """A step could not be done; the message says what was missing."""


def run_step(
    page: Any, step: Step, values: Mapping[str, str], credentials: Mapping[str, str], timeout: float
) -> None:
    """Do one step in the page, or raise StepFailed (Playwright's own errors are turned into one line)."""
    from playwright.sync_api import Error, expect

    milliseconds = (step.timeout or timeout) * 1000
    try:
        if step.action == "goto":
            page.goto(step.text, wait_until="commit", timeout=milliseconds)
        elif step.action == "wait_for_url":
            pattern: Any = re.compile(step.text[3:]) if step.text.startswith("re:") else step.text
            page.wait_for_url(pattern, wait_until="commit", timeout=milliseconds)
        elif step.action == "expect_text":
            where = step.target.locate(page) if step.target else page.locator("body")
            expect(where).to_contain_text(step.text, timeout=milliseconds)
        elif step.target is not None:
            locator = step.target.locate(page)
            locator.wait_for(state="visible", timeout=milliseconds)
            if step.action == "fill":
                value = (
                    values[step.env] if step.env else PLACEHOLDER.sub(lambda m: credentials[m[1]], step.text)
                )
                locator.fill(value, timeout=milliseconds)
            elif step.action == "click":
                locator.click(timeout=milliseconds)
    except (Error, AssertionError) as error:
        raise StepFailed(_one_line(step, error, milliseconds / 1000)) from None


def _one_line(step: Step, error: BaseException, seconds: float) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "Timeout" in text or "timeout" in text:
        if step.action == "wait_for_url":
            return f"the page did not reach {step.text} within {seconds:g} s"
        if step.action == "expect_text":
            return f"the text {step.text!r} did not appear within {seconds:g} s"
        if step.target is not None:
            return f"nothing matching {step.target.describe()} became visible within {seconds:g} s"
    return text
