#!/usr/bin/env python3
"""Waits until an MQTT broker on 127.0.0.1:PORT acknowledges a QoS 1 publish, then prints the milliseconds since
START_NS (a CLOCK_REALTIME timestamp in ns, e.g. `date +%s%N` taken just before the broker was started).

One light process polling every 5 ms with plain sockets: a loop of mosquitto_pub processes costs the CPU the broker
is starting on (on 2 cores it delayed a gateway start by ~0.3 s). Usage: mqtt_ready.py PORT START_NS [TIMEOUT_S]"""
import socket
import sys
import time

port, start_ns = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) > 3 else 60)
CONNECT = bytes([0x10, 0x16, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 30, 0, 10]) + b"bnch-ready"
PUBLISH = bytes([0x32, 0x10, 0, 0x0b]) + b"bench/ready" + bytes([0, 1]) + b"x"


def recv_exact(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return out


while time.monotonic() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(CONNECT)
            connack = recv_exact(s, 4)
            if connack[0] != 0x20 or connack[3] != 0:
                raise ConnectionError(f"CONNACK {connack.hex()}")
            s.sendall(PUBLISH)
            puback = recv_exact(s, 4)
            if puback[0] != 0x40:
                raise ConnectionError(f"PUBACK expected, got {puback.hex()}")
            print((time.time_ns() - start_ns) // 1_000_000)
            s.sendall(bytes([0xE0, 0]))
            sys.exit(0)
    except (ConnectionError, OSError):
        time.sleep(0.005)
print("timeout", file=sys.stderr)
sys.exit(1)
