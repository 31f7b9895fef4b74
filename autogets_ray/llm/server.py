"""A local OpenAI-compatible server (``/v1/chat/completions``, ``/v1/models``) with injectable faults.

It answers the paper's prompt from the ``ngram`` or ``local-lm`` backend, so the real ``openai``
client (and the ``openai`` backend) can be tested and demonstrated offline. Faults, consumed per
request from a script or drawn with seeded probabilities: ``429`` (with ``Retry-After``), ``500``,
``slow`` (reply after ``slow_s``, past a client's timeout), ``empty`` (no content), ``malformed``
(not JSON), ``short`` (fewer lines than asked). Texts listed in ``fail_texts`` always get a 500: a
persistently failing example. Every request's arrival time is recorded (``server.records``).
Binds to loopback by default; it is a test and demo server, not a production one.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from autogets_ray.errors import UserInputError
from autogets_ray.llm.backends.base import Backend, estimate_tokens
from autogets_ray.llm.parsing import clean_line
from autogets_ray.llm.prompts import parse_paper_prompt
from autogets_ray.llm.types import GenerationRequest, SamplingParams

FAULT_KINDS = ("429", "500", "slow", "empty", "malformed", "short")


@dataclass
class Faults:
    """Which requests fail and how. ``script`` is consumed first, one entry per request ("ok" = none)."""

    script: list[str] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)
    retry_after: float = 1.0
    slow_s: float = 5.0
    latency_s: float = 0.0
    short_by: int = 2
    fail_texts: tuple[str, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        for kind in [*self.script, *self.rates]:
            if kind != "ok" and kind not in FAULT_KINDS:
                raise UserInputError(f"unknown fault {kind!r}; choose from ok, {', '.join(FAULT_KINDS)}")
        if sum(self.rates.values()) > 1.0:
            raise UserInputError(f"fault rates add up to more than 1: {self.rates}")


@dataclass(frozen=True)
class RequestRecord:
    at: float  # time.monotonic() on arrival
    path: str
    fault: str  # "ok" or the injected fault
    status: int
    text: str = ""  # the example text parsed from the prompt


class LocalLLMServer:
    """``with LocalLLMServer(backend, faults) as server: OpenAI(base_url=server.base_url) ...``."""

    def __init__(
        self,
        backend: Backend,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        model_name: str | None = None,
    ) -> None:
        self.backend = backend
        self.faults = faults or Faults()
        self.model_name = model_name or backend.name
        self.records: list[RequestRecord] = []
        self._script = list(self.faults.script)
        self._rng = random.Random(self.faults.seed)
        self._asked: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "LocalLLMServer":
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="autogets-llm-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "LocalLLMServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def arrivals(self, path: str = "/v1/chat/completions") -> list[float]:
        with self._lock:
            return [r.at for r in self.records if r.path == path]

    # --- request handling (called from handler threads) ---------------------------------------
    def _next_fault(self, text: str) -> str:
        with self._lock:
            if any(needle in text for needle in self.faults.fail_texts):
                return "500"
            if self._script:
                return self._script.pop(0)
            draw, total = self._rng.random(), 0.0
            for kind, rate in sorted(self.faults.rates.items()):
                total += rate
                if draw < total:
                    return kind
        return "ok"

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.records.append(record)

    def chat(self, body: dict[str, Any], arrived: float) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one chat-completions request, recorded on arrival."""
        messages = body.get("messages") or []
        content = str(messages[-1].get("content", "")) if messages else ""
        parsed = parse_paper_prompt(content)
        n, text = parsed if parsed else (1, " ".join(content.split()))
        fault = self._next_fault(text)
        status = int(fault) if fault in ("429", "500") else 200
        self._record(RequestRecord(arrived, "/v1/chat/completions", fault, status, text))
        if self.faults.latency_s:
            self._stopping.wait(self.faults.latency_s)
        if fault == "429":
            headers = {"Retry-After": f"{self.faults.retry_after:g}"}
            return 429, headers, _error("rate limit reached (injected)", "rate_limit")
        if fault == "500":
            return 500, {}, _error("internal error (injected)", "server_error")
        if fault == "slow":
            self._stopping.wait(self.faults.slow_s)
        if fault == "malformed":
            return 200, {}, b'{"choices": [ this is not json'
        try:
            lines = [] if fault == "empty" else self._lines(body, n, text)
        except Exception as exc:  # the backend failed: an honest 500, not a dropped connection
            return 500, {}, _error(f"backend error: {exc}", "server_error")
        if fault == "short":
            lines = lines[: max(1, n - self.faults.short_by)]
        reply = "\n".join(f"{i + 1}. {line} &" for i, line in enumerate(lines))
        payload = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.model_name),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": estimate_tokens(content),
                "completion_tokens": estimate_tokens(reply) if reply else 0,
                "total_tokens": estimate_tokens(content) + (estimate_tokens(reply) if reply else 0),
            },
        }
        return 200, {}, json.dumps(payload).encode("utf-8")

    def _lines(self, body: dict[str, Any], n: int, text: str) -> list[str]:
        with self._lock:  # a repeated prompt (a top-up) continues with new lines
            first_index = 1000 * self._asked[text]
            self._asked[text] += 1
        params = SamplingParams(
            temperature=_number(body, "temperature", 0.7),
            max_tokens=int(_number(body, "max_tokens", 550)),
            top_p=_number(body, "top_p", 0.5),
            frequency_penalty=_number(body, "frequency_penalty", 0.0),
            presence_penalty=_number(body, "presence_penalty", 0.0),
            seed=int(_number(body, "seed", 0)),
        )
        request = GenerationRequest(text, None, max(1, n), first_index, params)
        completion = self.backend.complete(self.backend.render(request))
        return [line for line in (clean_line(raw) for raw in completion.text.splitlines()) if line]

    def models(self) -> bytes:
        return json.dumps(
            {
                "object": "list",
                "data": [
                    {"id": self.model_name, "object": "model", "created": 0, "owned_by": "autogets-ray"}
                ],
            }
        ).encode("utf-8")


def _number(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key)
    return default if value is None else float(value)


def _error(message: str, kind: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": kind}}).encode("utf-8")


def _handler_for(server: LocalLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet; never logs headers
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                self.close_connection = True

        def do_GET(self) -> None:
            arrived = time.monotonic()
            if self.path.rstrip("/") == "/v1/models":
                server._record(RequestRecord(arrived, "/v1/models", "ok", 200))
                self._send(200, server.models())
            else:
                self._send(404, _error(f"no route {self.path}", "not_found"))

        def do_POST(self) -> None:
            arrived = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, _error(f"no route {self.path}", "not_found"))
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                server._record(RequestRecord(arrived, self.path, "ok", 400))
                self._send(400, _error("request body is not JSON", "invalid_request_error"))
                return
            status, headers, payload = server.chat(body, arrived)
            self._send(status, payload, headers)

    return Handler
