"""A TLS terminator on 127.0.0.1 for the live server: uv's trusted publishing speaks only https.

uv derives ``https://<publish-url host>/_/oidc/audience`` whatever the publish URL's scheme,
so the real-client test puts this in front of the (plain-http) live server, with a throwaway
certificate for ``localhost`` that the client trusts through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import selectors
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_certificate(where: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = where / "cert.pem", where / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _relay(client: ssl.SSLSocket, backend: socket.socket) -> None:
    """Move bytes both ways in ONE thread until the backend closes.

    An ``SSLSocket`` must never be read in one thread while another writes to or unwraps it:
    OpenSSL's ``SSL_read`` and ``SSL_write`` on one connection are not thread-safe, and the
    old two-thread pipe aborted the whole test process once in a while.
    """
    client.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ)
    selector.register(backend, selectors.EVENT_READ)
    with contextlib.suppress(OSError, ValueError), selector:
        while True:
            ready = {key.fileobj for key, _ in selector.select(timeout=30)}
            if not ready and not client.pending():
                return  # idle for 30 s: give up on this connection
            if client in ready or client.pending():
                try:
                    data = client.recv(65536)
                except ssl.SSLWantReadError:
                    data = None  # a partial TLS record: wait for the rest
                if data:
                    backend.sendall(data)
                elif data == b"":
                    selector.unregister(client)
                    backend.shutdown(socket.SHUT_WR)
            if backend in ready:
                data = backend.recv(65536)
                client.setblocking(True)
                if not data:
                    client.unwrap().close()  # the client gets its close_notify
                    return
                client.sendall(data)
                client.setblocking(False)


class TlsTerminator:
    def __init__(self, backend_port: int, cert: Path, key: Path) -> None:
        self.backend_port = backend_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(raw, server_side=True)
            backend = socket.create_connection(("127.0.0.1", self.backend_port))
        except OSError:
            raw.close()
            return
        try:
            _relay(client, backend)
        finally:
            backend.close()
            client.close()

    def close(self) -> None:
        self.closed = True
        self.listener.close()
