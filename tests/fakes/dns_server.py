"""A DNS server on 127.0.0.1 (UDP, a free port), in a thread, answering from a table of records.

It speaks the wire format of RFC 1035, built with dnspython's message module: a name it holds
answers its records of the asked type (none: an empty NOERROR answer), any other name NXDOMAIN.
`silent` drops every query, as an unreachable DNS server does.
"""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

__all__ = ["FakeDNS"]


class FakeDNS:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}  # (name, "SRV") → ["0 1 443 dav.example.test."]
        self.asked: list[tuple[str, str]] = []
        self.silent = False
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def add(self, name: str, kind: str, *data: str) -> None:
        self.records.setdefault((_canonical(name), kind.upper()), []).extend(data)

    def __enter__(self) -> FakeDNS:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                wire, client = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            question = query.question[0]
            self.asked.append((_canonical(question.name.to_text()), dns.rdatatype.to_text(question.rdtype)))
            if not self.silent:
                self._socket.sendto(self._answer(query).to_wire(), client)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        question = query.question[0]
        name, kind = _canonical(question.name.to_text()), dns.rdatatype.to_text(question.rdtype)
        if not any(held == name for held, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif data := self.records.get((name, kind)):
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", kind, *data))
        return response


def _canonical(name: str) -> str:
    return name.lower().rstrip(".") + "."
