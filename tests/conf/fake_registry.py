"""A registry that only knows getCa, for re6st-conf's tests: it sends the CA
certificate in the file given, refuses every other method with a fault, and
prints on stdout the port it listens on (127.0.0.1), then the name of each
method called, before answering it.

Usage: fake_registry.py CA_FILE
"""
import sys
import xmlrpc.client
import xmlrpc.server

with open(sys.argv[1]) as f:
    CA = f.read()


class Registry:
    def _dispatch(self, method, params):
        print(method, flush=True)
        if method == "getCa":
            return CA
        raise xmlrpc.client.Fault(1, "this test registry only sends its CA")


server = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False)
server.register_instance(Registry())
print(server.server_address[1], flush=True)
server.serve_forever()
