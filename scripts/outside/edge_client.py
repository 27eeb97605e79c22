# An independent connector client (Python grpcio, stubs generated from Protos/): bad Hellos, an
# Int64.min device time, a NUL subject, a good batch and its resend. Run by scripts/outside/edge-check.
import sys, time, queue, threading, grpc
sys.path.insert(0, sys.argv[3])
from tandem.v1 import control_pb2, control_pb2_grpc, data_pb2, data_pb2_grpc
token = sys.argv[1]
md = [("authorization", "Bearer " + token)]
ch = grpc.insecure_channel(sys.argv[2])
ctl = control_pb2_grpc.ControlChannelStub(ch)
def hello(instance, ip):
    q = queue.Queue(); q.put(control_pb2.ControlMessage(hello=control_pb2.Hello(instance_id=instance, hostname="py", ip_address=ip, ova_version="2.3.460")))
    stream = ctl.Connect(iter(q.get, None), metadata=md)
    try:
        first = next(stream); return q, stream, first.WhichOneof("command")
    except grpc.RpcError as e:
        return None, None, f"{e.code().name}: {e.details()}"
for instance, ip in [("", "192.0.2.9"), ("p1", "192.0.2.061"), ("p1", "::ffff:192.0.2.9")]:
    print("hello", repr(instance), ip, "->", hello(instance, ip)[2])
data = data_pb2_grpc.DataChannelStub(ch)
now = int(time.time() * 1e6)
def ev(t=now - 60_000_000, subject="aa:bb", seq=1):
    return data_pb2.Event(channel=1, source_device="172.20.0.1", kind=1, device_time_micros=t, subject=subject, body=b"x", received_at_micros=now, connector_sequence=seq)
def send(batch):
    q = queue.Queue(); q.put(data_pb2.DataMessage(open=data_pb2.DataOpen(instance_id="p1"))); q.put(data_pb2.DataMessage(batch=batch))
    try:
        ack = next(data.Stream(iter(q.get, None), metadata=md)); q.put(None)
        return f"ack stored={ack.stored} duplicates={ack.duplicates} quarantined={ack.quarantined}"
    except grpc.RpcError as e:
        return f"{e.code().name}: {e.details()}"
print("Int64.min ->", send(data_pb2.EventBatch(sequence=7, events=[ev(), ev(t=-2**63, subject="x")])))
print("NUL       ->", send(data_pb2.EventBatch(sequence=8, events=[ev(subject="a\0b")])))
print("good      ->", send(data_pb2.EventBatch(sequence=9, events=[ev(subject="c%d" % i, seq=i) for i in range(5)])))
print("good again->", send(data_pb2.EventBatch(sequence=9, events=[ev(subject="c%d" % i, seq=i) for i in range(5)])))
