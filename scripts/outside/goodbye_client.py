# An independent connector pair (Python grpcio, stubs generated from Protos/) that leaves on
# purpose: both say Hello, A says Goodbye(UPGRADE) and closes, B stays 9 s (past the grace), then
# says Goodbye(SHUTDOWN). Tandem's history must read left (planned upgrade), a planned handover
# to B, then left (planned shutdown): no failover.
#   python3 scripts/outside/goodbye_client.py TOKEN HOST:PORT STUB_DIR
import queue, sys, threading, time

token, address, stubs = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, stubs)
import grpc
from tandem.v1 import control_pb2, control_pb2_grpc

channel = grpc.insecure_channel(address)
stub = control_pb2_grpc.ControlChannelStub(channel)

def connector(instance, ip):
    q = queue.Queue()
    q.put(control_pb2.ControlMessage(hello=control_pb2.Hello(instance_id=instance, hostname="py-" + instance, ip_address=ip,
        ova_version="2.3.460", docker_version="v2.0.446", channels=control_pb2.Channels(controller=True, access_point=True))))
    def requests():
        while True:
            m = q.get()
            if m is None: return
            yield m
    responses = stub.Connect(requests(), metadata=[("authorization", "Bearer " + token)])
    welcome = next(responses).welcome
    # heartbeats in the background
    stop = threading.Event()
    def beat():
        while not stop.is_set():
            q.put(control_pb2.ControlMessage(heartbeat=control_pb2.Heartbeat()))
            time.sleep(1)
    threading.Thread(target=beat, daemon=True).start()
    def drain():
        try:
            for _ in responses: pass
        except grpc.RpcError as e:
            print(instance, "stream ended:", e.code())
    threading.Thread(target=drain, daemon=True).start()
    return q, stop, welcome

qa, sa, wa = connector("py-a", "10.9.0.1")
qb, sb, wb = connector("py-b", "10.9.0.2")
print("joined:", wa.connector_id, wb.connector_id, list(wb.ha_active.ip_addresses))
time.sleep(2)
sa.set(); qa.put(control_pb2.ControlMessage(goodbye=control_pb2.Goodbye(reason=control_pb2.Goodbye.REASON_UPGRADE))); qa.put(None)
print("a said Goodbye(UPGRADE)")
time.sleep(9)
sb.set(); qb.put(control_pb2.ControlMessage(goodbye=control_pb2.Goodbye(reason=control_pb2.Goodbye.REASON_SHUTDOWN))); qb.put(None)
print("b said Goodbye(SHUTDOWN)")
time.sleep(2)
