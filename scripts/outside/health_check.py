#!/usr/bin/env python3
"""The standard gRPC health check of a Tandem node, tried from outside with Python's
grpcio-health-checking (pip install grpcio grpcio-health-checking).

    scripts/outside/health_check.py 127.0.0.1:7443            # Check "" and both channels, an unknown name
    scripts/outside/health_check.py 127.0.0.1:7443 --watch    # then Watch until the node drains

Exits 1 when an answer is not the documented one.
"""
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:7443"
stub = health_pb2_grpc.HealthStub(grpc.insecure_channel(address))
name = health_pb2.HealthCheckResponse.ServingStatus.Name
ok = True
for service in ["", "tandem.v1.ControlChannel", "tandem.v1.DataChannel"]:
    status = name(stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status)
    print(f"Check {service!r}: {status}")
    ok &= status == "SERVING"
try:
    stub.Check(health_pb2.HealthCheckRequest(service="tandem.v1.Nothing"), timeout=5)
    print("Check 'tandem.v1.Nothing': answered (expected NOT_FOUND)")
    ok = False
except grpc.RpcError as error:
    print(f"Check 'tandem.v1.Nothing': {error.code().name} {error.details()}")
    ok &= error.code() == grpc.StatusCode.NOT_FOUND
if "--watch" in sys.argv:
    print("Watch '': (SIGTERM the node to end it)")
    statuses = [name(message.status) for message in stub.Watch(health_pb2.HealthCheckRequest(service=""))]
    print(f"Watch '': {statuses}")
    ok &= statuses[:1] == ["SERVING"] and statuses[-1:] == ["NOT_SERVING"]
sys.exit(0 if ok else 1)
