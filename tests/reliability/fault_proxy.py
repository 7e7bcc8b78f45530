"""A fault-injecting HTTP proxy on loopback, for Placement.

``FaultProxy(upstream_port)`` listens on 127.0.0.1 (a free port, kept
across ``refuse()``/``accept()``) and forwards each HTTP/1.x request on a
new upstream connection, unless a rule matching the request's method and
path says otherwise. Rules are switched at runtime with ``set_rules``;
the first matching rule applies (``probability`` of applying, ``limit``
times at most). Modes:

- ``reset``: read the request, then reset the connection (RST);
- ``reset_half``: forward, send half of Placement's answer, then RST;
- ``status``: answer ``status`` (5xx, 409, ...) with a Placement-style
  JSON error, without forwarding;
- ``delay``: wait ``seconds``, then forward;
- ``lose``: forward (Placement acts on it), drop the answer and close;
- ``hang``: read the request and never answer (the connection is held
  until the rule is cleared, the proxy stops, or ``HANG_MAX`` passes).

``refuse()`` closes the listening socket (connections are refused) and
``accept()`` opens it again. Every connection is a thread, at most
``MAX_CONNECTIONS`` at a time (more are reset at once); every wait is
bounded.
"""

import dataclasses
import fnmatch
import json
import random
import re
import socket
import struct
import threading
import time

MAX_CONNECTIONS = 96
HANG_MAX = 120.0
IO_TIMEOUT = 30.0
MAX_HEADER = 65536
MAX_BODY = 16 * 1024 * 1024


@dataclasses.dataclass
class Rule:
    mode: str
    methods: tuple = ('*',)
    # fnmatch pattern on the path without query, e.g. '/allocations/*'.
    path: str = '*'
    status: int = 503
    seconds: float = 0.0
    probability: float = 1.0
    limit: int | None = None
    code: str = 'placement.undefined_code'
    applied: int = 0

    def matches(self, method, path):
        return ((self.methods == ('*',) or method in self.methods)
                and fnmatch.fnmatchcase(path, self.path))


def _reset(sock):
    """Close with RST instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
    except OSError:
        pass
    sock.close()


class _Closed(Exception):
    pass


def _read_request(conn, buf):
    """One request: (head bytes, method, path, body bytes, rest)."""
    while b'\r\n\r\n' not in buf:
        if len(buf) > MAX_HEADER:
            raise _Closed('header too long')
        chunk = conn.recv(65536)
        if not chunk:
            raise _Closed('eof')
        buf += chunk
    head, _, rest = buf.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    method, target, _version = lines[0].split(' ', 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(':')
        if name.strip().lower() == 'content-length':
            length = int(value.strip())
        elif name.strip().lower() == 'transfer-encoding':
            raise _Closed('chunked requests are not supported')
    if length > MAX_BODY:
        raise _Closed('body too long')
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise _Closed('eof in body')
        rest += chunk
    body, rest = rest[:length], rest[length:]
    path = target.split('?', 1)[0]
    # keystoneauth may send an absolute path; the endpoint has no prefix.
    path = re.sub(r'^https?://[^/]+', '', path)
    return head, method, path, body, rest


def _rewrite_head(head):
    """The request head with ``Connection: close`` for the upstream."""
    lines = [line for line in head.split(b'\r\n')
             if not line.lower().startswith((b'connection:',
                                             b'keep-alive:'))]
    lines.append(b'Connection: close')
    return b'\r\n'.join(lines) + b'\r\n\r\n'


class FaultProxy:

    def __init__(self, upstream_port, upstream_host='127.0.0.1'):
        self.upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._rules = []
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopped = threading.Event()
        self._release_hung = threading.Event()
        self._listener = None
        self._accept_thread = None
        self.port = None
        self.counts = {}
        self.requests = 0
        self.accept()

    @property
    def endpoint(self):
        return f'http://127.0.0.1:{self.port}'

    # -- control ---------------------------------------------------------

    def set_rules(self, *rules):
        """Replace the rules (none: forward everything)."""
        with self._lock:
            self._rules = list(rules)
            # Hung connections of the previous rules answer nothing and
            # are closed.
            self._release_hung.set()
            self._release_hung = threading.Event()

    def clear(self):
        self.set_rules()

    def refuse(self):
        """Close the listening socket: new connections are refused."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accept_thread is not None:
            self._accept_thread.join(10)
            self._accept_thread = None

    def accept(self):
        """Listen (again) on the same port."""
        with self._lock:
            if self._listener is not None:
                return
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(('127.0.0.1', self.port or 0))
            sock.listen(128)
            sock.settimeout(0.2)
            self.port = sock.getsockname()[1]
            self._listener = sock
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(sock,), daemon=True,
            name=f'fault-proxy-{self.port}')
        self._accept_thread.start()

    def stop(self):
        self._stopped.set()
        self.clear()
        self.refuse()

    # -- serving ---------------------------------------------------------

    def _accept_loop(self, sock):
        while not self._stopped.is_set():
            with self._lock:
                if self._listener is not sock:
                    return
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                _reset(conn)
                continue
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _rule_for(self, method, path):
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.limit is not None and rule.applied >= rule.limit:
                    continue
                if random.random() >= rule.probability:  # noqa: S311
                    return None, self._release_hung
                rule.applied += 1
                self.counts[rule.mode] = self.counts.get(rule.mode, 0) + 1
                return rule, self._release_hung
            return None, self._release_hung

    def _serve(self, conn):
        try:
            conn.settimeout(IO_TIMEOUT)
            buf = b''
            while not self._stopped.is_set():
                head, method, path, body, buf = _read_request(conn, buf)
                with self._lock:
                    self.requests += 1
                rule, hung = self._rule_for(method, path)
                if not self._handle(conn, rule, hung, head, body):
                    return
        except (_Closed, OSError, ValueError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass
            self._slots.release()

    def _handle(self, conn, rule, hung, head, body):
        """Answer one request; False when the connection is done."""
        mode = rule.mode if rule else 'forward'
        if mode == 'reset':
            _reset(conn)
            return False
        if mode == 'status':
            text = json.dumps({'errors': [{
                'status': rule.status, 'code': rule.code,
                'title': 'Injected fault',
                'detail': f'fault proxy: injected HTTP {rule.status}',
                'request_id': 'req-fault-proxy'}]}).encode()
            conn.sendall(
                f'HTTP/1.1 {rule.status} Injected\r\n'
                'Content-Type: application/json\r\n'
                f'Content-Length: {len(text)}\r\n'
                'Connection: close\r\n\r\n'.encode() + text)
            return False
        if mode == 'hang':
            hung.wait(HANG_MAX)
            _reset(conn)
            return False
        if mode == 'delay':
            if self._stopped.wait(rule.seconds):
                return False
        answer = self._forward(head, body)
        if answer is None:
            # Placement is down: as a dead backend, the connection resets.
            _reset(conn)
            return False
        if mode == 'lose':
            return False
        if mode == 'reset_half':
            conn.sendall(answer[:len(answer) // 2])
            _reset(conn)
            return False
        conn.sendall(answer)
        # Placement (wsgiref, HTTP/1.0) closes after each answer; so do we.
        return False

    def _forward(self, head, body):
        try:
            up = socket.create_connection(self.upstream, timeout=IO_TIMEOUT)
        except OSError:
            return None
        try:
            up.sendall(_rewrite_head(head) + body)
            chunks = []
            size = 0
            deadline = time.monotonic() + IO_TIMEOUT
            while time.monotonic() < deadline:
                chunk = up.recv(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BODY:
                    return None
                chunks.append(chunk)
            return b''.join(chunks) or None
        except OSError:
            return None
        finally:
            up.close()
