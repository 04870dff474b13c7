"""Where the client listens (RFC 8252 §8.3), read from Linux's /proc; and whether a port still answers."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TCP_LISTEN = "0A"


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    pid: int

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port} (pid {self.pid})"


def listeners(pid: int) -> list[Listener] | None:
    """TCP sockets in LISTEN state held by `pid` or its descendants; None where /proc cannot say."""
    if not (PROC / "net" / "tcp").exists():
        return None
    owners = {
        inode: member for member in process_tree(pid) for inode in _socket_inodes(member)
    }  # inode -> pid
    found = []
    for table in ("tcp", "tcp6"):
        for address, port, inode in _listening(PROC / "net" / table):
            if inode in owners:
                found.append(Listener(address, port, owners[inode]))
    return found


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
                children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for descriptor in os.listdir(PROC / str(pid) / "fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(PROC / str(pid) / "fd" / descriptor)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def _listening(table: Path) -> list[tuple[str, int, str]]:
    rows = []
    with contextlib.suppress(OSError):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[3] == TCP_LISTEN:
                address, port = fields[1].split(":")
                rows.append((_address(address), int(port, 16), fields[9]))
    return rows


def _address(hex_address: str) -> str:
    """/proc/net/tcp{,6} print each 32-bit word of the address in host byte order."""
    raw = bytes.fromhex(hex_address)
    if sys.byteorder == "little":
        raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(raw))


def port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False
