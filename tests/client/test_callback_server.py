import socket

import pytest
import requests

from client.callback import SUCCESS_HTML, CallbackServer, parse_query
from client.errors import LoginError

STATE = "expected-state"


@pytest.fixture
def server():
    with CallbackServer(STATE) as server:
        yield server


def hit(server: CallbackServer, query: str = "", path: str = "/callback", method: str = "GET"):
    return requests.request(method, f"http://127.0.0.1:{server.port}{path}?{query}", timeout=5)


def test_redirect_uri_is_loopback_ip_with_the_bound_port(server):
    assert server.port > 0
    assert server.redirect_uri == f"http://127.0.0.1:{server.port}/callback"


def test_success_page_and_code(server):
    response = hit(server, f"code=abc&state={STATE}")
    assert response.status_code == 200
    assert response.text == SUCCESS_HTML
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert server.wait(1) == "abc"


def test_error_callback_escapes_the_description_and_wins_over_a_bad_state(server):
    response = hit(
        server, "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=x"
    )
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert "Authentication failed: &lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    with pytest.raises(LoginError, match=r"^Authentication error: <script>alert\(1\)</script>$"):
        server.wait(1)


def test_error_without_description_reports_the_error_code(server):
    hit(server, f"error=access_denied&state={STATE}")
    with pytest.raises(LoginError, match=r"^Authentication error: access_denied$"):
        server.wait(1)


@pytest.mark.parametrize("query", ["code=abc&state=wrong", "code=abc"], ids=["wrong state", "missing state"])
def test_state_mismatch(server, query):
    response = hit(server, query)
    assert response.status_code == 400
    assert "Authentication failed: state mismatch" in response.text
    with pytest.raises(LoginError, match=r"^OAuth state mismatch$"):
        server.wait(1)


@pytest.mark.parametrize("query", [f"state={STATE}", f"code=&state={STATE}"], ids=["missing", "empty"])
def test_missing_code(server, query):
    response = hit(server, query)
    assert response.status_code == 400
    assert "missing authorization code" in response.text
    with pytest.raises(LoginError, match=r"^Callback missing authorization code$"):
        server.wait(1)


def test_first_callback_settles_the_result(server):
    assert hit(server, "code=first&state=wrong").status_code == 400
    second = hit(server, f"code=second&state={STATE}")
    assert second.status_code == 200
    assert second.text == SUCCESS_HTML
    with pytest.raises(LoginError, match="OAuth state mismatch"):
        server.wait(1)


def test_a_later_good_callback_does_not_replace_the_code(server):
    hit(server, f"code=first&state={STATE}")
    hit(server, f"code=second&state={STATE}")
    assert server.wait(1) == "first"


def test_other_paths_are_404_and_settle_nothing(server):
    assert hit(server, f"code=abc&state={STATE}", path="/other").status_code == 404
    with pytest.raises(LoginError, match=r"^Authentication timed out waiting for browser callback$"):
        server.wait(0.2)


def test_callback_path_is_a_prefix_match_like_the_jdk_context(server):
    assert hit(server, f"code=abc&state={STATE}", path="/callback/extra").status_code == 200
    assert server.wait(1) == "abc"


def test_any_method_is_handled_the_same(server):
    assert hit(server, f"code=abc&state={STATE}", method="POST").status_code == 200
    assert server.wait(1) == "abc"


def test_plus_and_percent_escapes_are_form_decoded():
    with CallbackServer("a b/c") as server:
        hit(server, "code=x%2By+z&state=a+b%2Fc")
        assert server.wait(1) == "x+y z"


def test_parse_query_skips_pairs_without_a_name_and_keeps_the_last_repeat():
    assert parse_query("=v&flag&a=1&a=2&b=") == {"a": "2", "b": ""}


def test_timeout_message():
    with CallbackServer(STATE) as server, pytest.raises(LoginError) as error:
        server.wait(0.1)
    assert str(error.value) == "Authentication timed out waiting for browser callback"


def test_stop_closes_the_port():
    with CallbackServer(STATE) as server:
        port = server.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/callback", timeout=2)


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_fixed_port_falls_back_to_the_next_ones_when_taken(taken_port):
    with CallbackServer(STATE, port=taken_port, fallback_ports=9) as server:
        assert taken_port < server.port <= taken_port + 9


def test_fixed_port_without_fallback_reports_the_port_in_use(taken_port):
    with pytest.raises(LoginError, match=rf"ports {taken_port}-{taken_port} on 127.0.0.1 are all in use"):
        CallbackServer(STATE, port=taken_port)
