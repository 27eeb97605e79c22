#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus and regression inputs (Fuzz/corpus, Fuzz/regressions)
by encoding tandem.v1 messages by hand (field numbers from Protos/tandem/v1/*.proto), so no
protobuf tooling is needed. Run it again after changing the protos: python3 Fuzz/make-seeds.py"""
import os, struct

def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])

def field(number, wire, payload):
    return varint(number << 3 | wire) + payload

def vint(number, value): return field(number, 0, varint(value))
def string(number, value): return field(number, 2, varint(len(value)) + value)
def double(number, value): return field(number, 1, struct.pack("<d", value))

def event(channel=1, source=b"172.20.239.66", kind=1, device=1_795_651_140_000_000, subject=b"aa:bb:cc:00:00:01",
          body=b'{"rssi":-40}', received=1_795_651_200_000_000, sequence=1):
    return (vint(1, channel) + string(2, source) + vint(3, kind) + vint(4, device) + string(5, subject)
            + string(6, body) + vint(7, received) + vint(8, sequence))

def batch(*events, sequence=1):
    return string(2, vint(1, sequence) + b"".join(string(2, e) for e in events))

def hello(instance=b"i-1", ip=b"192.0.2.10", ova=b"2.3.460", channels=(1, 1)):
    body = (string(1, instance) + string(2, b"connector-a") + string(3, ip) + string(4, b"00:50:56:aa:bb:cc")
            + string(5, ova) + string(6, b"v2.0.446") + string(7, vint(1, channels[0]) + vint(2, channels[1])))
    return string(1, body)

def heartbeat(ip=b"172.20.239.66", status=b"ACTIVE", rate=58.0):
    controller = string(1, ip) + vint(2, 1_795_651_000_000_000) + double(3, rate) + string(4, status)
    return string(2, string(1, controller) + vint(2, 10) + double(3, 1.5) + vint(5, 40_161_516))

def route(kind, body):
    """An input of FuzzOperatorRequests: the route's selector byte, then the body."""
    kinds = {"token": 0, "analyst": 1, "devices": 2, "reprovision": 3, "sign-in": 4}
    return bytes([kinds[kind]]) + body

INT64_MIN = -(1 << 63)
files = {
    "corpus/data/batch-one": batch(event()),
    "corpus/data/batch-pair": batch(event(), event(subject=b"aa:bb:cc:00:00:02", kind=3), event(channel=2, source=b"70:db:98:00:00:15", kind=5)),
    "corpus/data/open": string(1, string(1, b"i-1")),
    "corpus/control/hello": hello(),
    "corpus/control/hello-v6": hello(ip=b"2001:db8::10"),
    "corpus/control/heartbeat": heartbeat(),
    "corpus/http/token": route("token", b'{"connectorName":"Site A connector","network":"wired"}'),
    "corpus/http/analyst": route("analyst", b'{"name":"Ana Lyst"}'),
    "corpus/http/devices": route("devices", b'{"devices":[{"ipAddress":"192.0.2.10","name":"wlc-1"},{"ipAddress":"2001:db8::10"}]}'),
    "corpus/http/reprovision": route("reprovision", b'{"services":["hyperlocation","iot"]}'),
    "corpus/http/sign-in": route("sign-in", b"apiKey=tdm_abc%2Bdef+x"),
    # Inputs that crashed or hurt other tenants before (issue 13): replayed by scripts/fuzz.
    "regressions/data/device-time-int64-min": batch(event(device=INT64_MIN), sequence=7),
    "regressions/data/device-time-int64-min-plus-one": batch(event(device=INT64_MIN + 1)),
    "regressions/data/device-time-int64-max": batch(event(device=(1 << 63) - 1)),
    "regressions/data/received-at-int64-min": batch(event(received=INT64_MIN)),
    "regressions/data/nul-in-source": batch(event(source=b"172.20.239.66\x00")),
    "regressions/data/nul-in-subject": batch(event(subject=b"aa\x00bb")),
    "regressions/data/far-future": batch(event(device=1_795_651_200_000_000 + 23 * 3_600_000_000)),
    "regressions/control/empty-instance-id": hello(instance=b""),
    "regressions/control/ip-leading-zero": hello(ip=b"192.0.2.061"),
    "regressions/control/ip-mapped-v6": hello(ip=b"::ffff:192.0.2.61"),
    "regressions/control/heartbeat-nul": heartbeat(ip=b"172.20.239.66\x00", status=b"ACT\x00IVE", rate=float("nan")),
    "regressions/http/devices-bad-addresses": route("devices", b'{"devices":[{"ipAddress":"B"},{"ipAddress":"1.2.3"},{"ipAddress":"999.1.1.1"}]}'),
    "regressions/http/devices-same-address-twice": route("devices", b'{"devices":[{"ipAddress":"192.0.2.61"},{"ipAddress":"::ffff:192.0.2.61"}]}'),
    "regressions/http/token-nul-name": route("token", b'{"connectorName":"a\\u0000b"}'),
    "regressions/http/devices-wrong-type": route("devices", b'{"devices":[{"ipAddress":7}]}'),
    "regressions/http/sign-in-bad-percent": route("sign-in", b"apiKey=%E2%82&apiKey=%zz"),
}
root = os.path.dirname(os.path.abspath(__file__))
for name, data in files.items():
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)
print(f"wrote {len(files)} files under {root}")
