"""A learner's browser, reduced to its requests: JupyterHub's REST API, the single-user server's
REST API and the kernel websocket — what JupyterLab sends when a learner opens a lesson and runs
its cells (each execute request carries the cell's id, as JupyterLab's does).

Used by tests/test_hub.py and bench/hub_bench.py; tornado's own HTTP and websocket clients
(tornado comes with Jupyter), asyncio so that many learners run at once from one process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import nbformat
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

AsyncHTTPClient.configure(None, max_clients=64)


@dataclass
class CellRun:
    cell_id: str
    source: str
    tags: list[str]
    status: str  # ok | error
    seconds: float
    finished: float  # time.monotonic() when the reply came
    text: str  # every text/plain output and the error's name and value


@dataclass
class LessonRun:
    lesson: str
    opened: float  # time.monotonic() when the session was asked for
    cells: list[CellRun] = field(default_factory=list)
    kernel_id: str = ""
    session_id: str = ""
    socket: object = field(default=None, repr=False)

    def first_diff_seconds(self) -> float | None:
        """From opening the notebook (a new kernel) to the end of the first `%alembic upgrade`
        that changed the database: the first «до → после» the learner sees."""
        for cell in self.cells:
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            if first.startswith("%alembic upgrade") and "--sql" not in first:
                return cell.finished - self.opened
        return None


class Learner:
    def __init__(self, hub_url: str, name: str):
        self.hub_url, self.name = hub_url, name
        self.token = ""
        self.http = AsyncHTTPClient()

    @property
    def server(self) -> str:
        return f"{self.hub_url}/user/{self.name}"

    async def request(
        self,
        url: str,
        method: str = "GET",
        body=None,
        token: str | None = None,
        timeout: float = 300,
        **options,
    ) -> dict:
        headers = {"Authorization": f"token {token or self.token}"}
        data = None if body is None else json.dumps(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = HTTPRequest(
            url,
            method,
            headers=headers,
            body=data,
            request_timeout=timeout,
            follow_redirects=False,
            allow_nonstandard_methods=True,
            **options,
        )
        response = await self.http.fetch(request)
        return json.loads(response.body) if response.body else {}

    async def status(self, url: str, token: str | None = None) -> int:
        """The HTTP status of a GET (no exception): for the isolation probes."""
        try:
            await self.request(url, token=token)
            return 200
        except HTTPClientError as error:
            return error.code

    # -- the hub ----------------------------------------------------------------------------

    async def get_token(self, service_token: str) -> None:
        answer = await self.request(
            f"{self.hub_url}/hub/api/users/{self.name}/tokens",
            "POST",
            {"note": "class test", "expires_in": 3600},
            token=service_token,
        )
        self.token = answer["token"]

    async def start_server(self, timeout: float = 300) -> float:
        started = time.monotonic()
        await self.request(f"{self.hub_url}/hub/api/users/{self.name}/server", "POST", {})
        while time.monotonic() - started < timeout:
            user = await self.request(f"{self.hub_url}/hub/api/users/{self.name}")
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            await asyncio.sleep(0.5)
        raise TimeoutError(f"сервер {self.name} не запустился за {timeout} с")

    async def stop_server(self) -> None:
        await self.request(f"{self.hub_url}/hub/api/users/{self.name}/server", "DELETE")

    # -- nbgitpuller: what opening the class link does -------------------------------------

    async def pull(self, repo: str, branch: str, target: str) -> list[str]:
        """/git-pull/api streams the puller's progress (server-sent events) until it ends."""
        query = urlencode({"repo": repo, "branch": branch, "targetpath": target})
        events: list[str] = []

        def on_chunk(chunk: bytes) -> None:
            events.extend(
                line.removeprefix("data:").strip()
                for line in chunk.decode("utf-8", "replace").splitlines()
                if line.startswith("data:")
            )

        await self.request(f"{self.server}/git-pull/api?{query}", streaming_callback=on_chunk)
        phases = [json.loads(e).get("phase") for e in events if e.startswith("{")]
        if "finished" not in phases:
            raise RuntimeError(f"nbgitpuller у {self.name} не закончил: {events[-3:]}")
        return events

    # -- a notebook, as JupyterLab runs it -------------------------------------------------

    async def notebook(self, path: str):
        model = await self.request(f"{self.server}/api/contents/{quote(path)}?content=1")
        return nbformat.from_dict(model["content"])

    async def open(self, path: str) -> LessonRun:
        run = LessonRun(path.rsplit("/", 1)[-1].removesuffix(".ipynb"), time.monotonic())
        session = await self.request(
            f"{self.server}/api/sessions",
            "POST",
            {
                "path": path,
                "name": path.rsplit("/", 1)[-1],
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
        )
        run.session_id, run.kernel_id = session["id"], session["kernel"]["id"]
        return run

    async def close(self, run: LessonRun) -> None:
        """Closing the notebook's tab with «shut down the kernel»: the session goes, and so does
        its kernel."""
        if run.socket is not None:
            run.socket.close()
        await self.request(f"{self.server}/api/sessions/{run.session_id}", "DELETE")

    async def connect(self, run: LessonRun):
        """The notebook tab's websocket to its kernel: opened once, opened again if it closed
        (as JupyterLab reconnects)."""
        if run.socket is None or run.socket.protocol is None:
            url = f"{self.server}/api/kernels/{run.kernel_id}/channels?session_id={run.session_id}"
            request = HTTPRequest(
                url.replace("http://", "ws://", 1),
                headers={"Authorization": f"token {self.token}"},
                request_timeout=300,
            )
            run.socket = await websocket_connect(request, max_message_size=64 * 1024 * 1024)
        return run.socket

    async def execute_all(self, run: LessonRun, notebook, stop_on_error: bool = True) -> None:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            result = await self._execute(await self.connect(run), cell)
            run.cells.append(result)
            expected = "error" if "raises-exception" in result.tags else "ok"
            if stop_on_error and result.status != expected:
                break

    async def _execute(self, socket, cell) -> CellRun:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": "execute_request",
                "username": self.name,
                "session": uuid.uuid4().hex,
                "date": dt.datetime.now(dt.UTC).isoformat(),
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {"cellId": cell.get("id", ""), "recordTiming": False},
            "content": {
                "code": cell.source,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            "channel": "shell",
            "buffers": [],
        }
        started = time.monotonic()
        await socket.write_message(json.dumps(message))
        texts, status, idle = [], None, False
        while status is None or not idle:
            raw = await asyncio.wait_for(socket.read_message(), timeout=600)
            if raw is None:
                raise ConnectionError(f"websocket ядра {self.name} закрылся")
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = reply.get("msg_type"), reply.get("content", {})
            if kind == "execute_reply":
                status = content.get("status")
            elif kind == "stream":
                texts.append(content.get("text", ""))
            elif kind in ("display_data", "execute_result"):
                texts.append(content.get("data", {}).get("text/plain", ""))
            elif kind == "error":
                texts.append(f"{content.get('ename')}: {content.get('evalue')}")
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        finished = time.monotonic()
        return CellRun(
            cell.get("id", ""),
            cell.source,
            list(cell.metadata.get("tags", [])),
            status,
            finished - started,
            finished,
            "\n".join(texts),
        )

    async def run_code(self, run: LessonRun, code: str) -> CellRun:
        """One more cell in the notebook's kernel (the test's own question)."""
        cell = nbformat.v4.new_code_cell(code)
        holder = nbformat.v4.new_notebook(cells=[cell])
        before = len(run.cells)
        await self.execute_all(run, holder, stop_on_error=False)
        return run.cells.pop(before)
