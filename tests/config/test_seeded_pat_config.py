"""Seeded personal access tokens in the config file: each mistake one message naming the entry, and
`mock-platform users` / `check-config` showing them."""

from __future__ import annotations

import base64
import os
import textwrap

import pytest
from click.testing import CliRunner

from mock_platform import pats
from mock_platform.cli import main
from tests.paths import ROOT

SECRET = "0123456789abcdef0123456789abcdef01234567"
LEGACY_CI = "eyJ0aWQiOiA0MjQyfS43OWFiYzNmYzhmZTQ0MzYzNjg2YzE4NWU3NThlYWFmNzQ3YTAxMTA1"
DAVE = "  - id: 2001\n    userName: dave\n    email: dave@example.net\n    password: dave-password\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def cli(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("MOCK_PLATFORM_"):
            monkeypatch.delenv(name)

    def invoke(*args: str, config: str | None = None):
        extra = []
        if config is not None:
            path = tmp_path / "mock.yml"
            path.write_text(textwrap.dedent(config), encoding="utf-8")
            extra = ["--config", str(path)]
        return CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data"), *extra])

    return invoke


def tokens(*entries: tuple[str, str]) -> str:
    return "    access-tokens:\n" + "".join(f"      - name: {n}\n        token: '{t}'\n" for n, t in entries)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "users:\n" + DAVE + tokens(("old", b64("hello"))),
            "users[3] (dave).access-tokens[0] (old).token: it decodes to 'hello' where "
            '{"tid": <positive whole number>}. belongs; a PAT is standard base64 of {"tid": <id>}.<40 hex characters>',
        ),
        (
            "users:\n" + DAVE + tokens(("old", b64('{"tid":7}.' + SECRET))),
            'users[3] (dave).access-tokens[0] (old).token: {"tid":7} must be spelled as Platform spells it, '
            f'{{"tid": 7}} (one space after the colon): {pats.encode(7, SECRET)}',
        ),
        (
            "users:\n" + DAVE + tokens(("old", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")),
            "users[3] (dave).access-tokens[0] (old).token: a JWT (an OAuth access token), not a personal access token",
        ),
        (
            "users:\n" + DAVE + "    access-tokens:\n      - name: old\n        tid: 7\n",
            "users[3] (dave).access-tokens[0] (old): unknown key 'tid'; known keys: name, token",
        ),
        (
            "users:\n" + DAVE + "    accessTokens: []\n",
            "users[3] (dave): unknown key 'accessTokens' (did you mean 'access-tokens'?)",
        ),
        (
            "users:\n" + DAVE + tokens(("old", pats.encode(4242, SECRET))),
            "users[3] (dave).access-tokens[0] (old).token: tid 4242 is already the tid of users[0] (alice)"
            ".access-tokens[0] (legacy-ci); every personal access token needs an id of its own",
        ),
        (
            "users:\n" + DAVE + tokens(("old", pats.encode(7, SECRET)), ("old", pats.encode(8, SECRET))),
            "users[3] (dave).access-tokens[1] (old).name: dave has two tokens named 'old'; "
            "Platform keeps token names unique per user",
        ),
        (
            "users:\n  - userName: zed\n" + tokens(("old", pats.encode(7, SECRET))),
            "users[0] (zed): no user 'zed' to give access-tokens to; name one of alice, bob, carol, "
            "or give the whole user (id, userName, email, password)",
        ),
        (
            "users:\n" + DAVE + tokens(("old", pats.encode(10**9 + 1, SECRET))),
            "users[3] (dave).access-tokens[0] (old).token: its tid 1000000001 is above 1000000000",
        ),
    ],
)
def test_a_bad_seeded_token_is_one_message_naming_the_entry(cli, tmp_path, config, message):
    result = cli("check-config", config=config)
    assert result.exit_code == 1
    assert str(tmp_path / "mock.yml") in result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_config_file_gives_a_seed_user_tokens_without_repeating_the_user(cli):
    config = "users:\n  - userName: bob\n" + tokens(("old-laptop", pats.encode(7, SECRET)))
    checked = cli("check-config", config=config)
    assert checked.exit_code == 0, checked.output
    assert (
        "seeded personal access tokens: alice/legacy-ci (tid 4242), bob/old-laptop (tid 7)" in checked.output
    )
    listed = cli("users", config=config)
    assert (
        "1002\tbob\tbob@example.com\tacme (member), beta-labs (owner)\told-laptop (tid 7)\n" in listed.output
    )


def test_users_shows_the_seeded_tokens_and_with_tokens_their_values_and_state(cli):
    listed = cli("users")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "1001\talice\talice@example.com\tacme (owner)\tlegacy-ci (tid 4242)",
        "1002\tbob\tbob@example.com\tacme (member), beta-labs (owner)\t-",
        "1003\tcarol\tcarol@example.org\t-\t-",
    ]
    assert cli("users", "--tokens").output == f"alice\t4242\tlegacy-ci\tlive\t{LEGACY_CI}\n"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("", "empty; "),
        ("A" * 300, "300 characters long, more than a PAT's 256"),
        (b64('{"tid": 7}.' + SECRET).replace("+", "-") + "_", "not standard base64"),
        ("////", "does not decode to ASCII text"),
        (
            b64(f'{{"tid": 7}}.{SECRET}'[:-1]),
            'the secret after {"tid": 7}. must be 40 lower-case hex characters',
        ),
        (b64('{"tid": 7}.' + SECRET.upper()), "got 40 characters, not all of them 0-9 or a-f"),
        (b64('{"tid": "7"}.' + SECRET), """it decodes to '{"tid": "7"}' where"""),
        (pats.encode(7, SECRET), ""),
    ],
)
def test_the_problem_with_a_hand_written_pat_is_named(token, problem):
    assert problem in pats.problem(token)
    assert bool(pats.problem(token)) == (pats.decode(token) is None)


def test_a_pat_whose_last_base64_character_is_not_the_standard_one_is_named():
    canonical = pats.encode(70, SECRET)  # 52 bytes: the character before "==" has 4 spare bits
    unpadded = canonical.rstrip("=")
    variant = unpadded[:-1] + chr(ord(unpadded[-1]) + 1)
    assert base64.b64decode(variant + "=" * (-len(variant) % 4)) == base64.b64decode(canonical)
    assert pats.problem(variant) == (
        f"its base64 ends differently from the standard encoding of the same text, {canonical}"
    )


def test_the_readme_gives_the_shipped_token_that_the_seed_has(cli):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `alice` |")]
    assert f"`{LEGACY_CI}` (`legacy-ci`, tid 4242)" in row
    assert f"export TOWER_ACCESS_TOKEN={LEGACY_CI}" in readme
    assert cli("users", "--tokens").output.split("\t")[-1].strip() == LEGACY_CI
