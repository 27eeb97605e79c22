#!/usr/bin/env python3
"""gRPC server reflection of a Tandem node, tried from outside with Python's
grpcio-reflection (pip install grpcio grpcio-reflection), the way grpcurl's `list` and
`describe` use it: list the services, then rebuild each one's descriptor from what the node
sends and print its methods and the fields of their messages.

    scripts/outside/reflection_check.py 127.0.0.1:7443

Exits 1 when an answer is not the documented one.
"""
import sys

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:7443"
database = ProtoReflectionDescriptorDatabase(grpc.insecure_channel(address))
pool = DescriptorPool(database)
services = list(database.get_services())
print("services:", ", ".join(services))
expected = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "tandem.v1.ControlChannel", "tandem.v1.DataChannel"]
ok = sorted(services) == expected
for name in services:
    service = pool.FindServiceByName(name)
    print(f"service {name} ({service.file.name})")
    for method in service.methods:
        arrows = ("stream " if method.client_streaming else "") + method.input_type.full_name
        back = ("stream " if method.server_streaming else "") + method.output_type.full_name
        print(f"  rpc {method.name}({arrows}) returns ({back})")
batch = pool.FindMessageTypeByName("tandem.v1.Event")
print("message tandem.v1.Event:", ", ".join(f"{field.name} = {field.number}" for field in batch.fields))
ok &= [field.name for field in batch.fields][:2] == ["channel", "source_device"]
try:
    pool.FindMessageTypeByName("tandem.v1.Nothing")
    print("tandem.v1.Nothing: found (expected not found)")
    ok = False
except KeyError as error:
    print(f"tandem.v1.Nothing: not found ({error})")
sys.exit(0 if ok else 1)
