"""A TCP proxy on loopback that can make a broker disappear.

``TcpProxy(upstream_port)`` listens on 127.0.0.1 (a free port) and pipes
every connection to ``127.0.0.1:upstream_port``. ``close()`` stops
listening and cuts every connection: to a client of the proxy, the
broker went away and refuses new connections, while the real broker
(shared with other tests and users of the machine) keeps running.
"""

import socket
import threading

CHUNK = 65536


class TcpProxy:

    def __init__(self, upstream_port, host='127.0.0.1'):
        self._upstream = (host, upstream_port)
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets = []
        self._closed = False
        threading.Thread(target=self._accept, name='tcp-proxy-accept',
                         daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(self._upstream,
                                                    timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closed:
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst),
                                 name='tcp-proxy-pipe', daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(CHUNK):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        """Refuse new connections and cut the open ones."""
        with self._lock:
            self._closed = True
            sockets, self._sockets = self._sockets, []
        # shutdown() wakes the thread blocked in accept(); close() alone
        # may not.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
