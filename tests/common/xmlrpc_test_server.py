"""XML-RPC server for the client's tests (Python's standard library).

Binds --bind on port 0, prints the port on stdout, serves until killed.
--mode xmlrpc:  SimpleXMLRPCServer with the functions below;
--mode silent:  accepts connections and never reads or answers;
--mode not-xml: answers every request with HTTP 200 and a body that is not XML;
--mode hang-up: closes every connection without answering;
--mode flood:   answers HTTP 200 with no Content-Length and an endless body;
--mode laughs:  answers a "billion laughs" response: 700 bytes of nested
                entities that a parser expanding them makes 10 GB of;
--mode laughs-utf16: the same in UTF-16, where "<!DOCTYPE" is other bytes.
"""
import argparse
import socket
import xmlrpc.client
import xmlrpc.server

parser = argparse.ArgumentParser()
parser.add_argument("--bind", default="127.0.0.1")
parser.add_argument("--mode", default="xmlrpc",
                    choices=["xmlrpc", "silent", "not-xml", "hang-up", "flood", "laughs",
                             "laughs-utf16"])
args = parser.parse_args()
family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET


def raw_server(answer, flood=False):
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((args.bind, 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    held = []
    while True:
        connection, _ = listener.accept()
        if answer is None:
            held.append(connection)   # kept open, never read
            continue
        connection.recv(65536)
        try:
            connection.sendall(answer)
            while flood:
                connection.sendall(b"x" * 65536)
        except OSError:   # the client gave up reading
            pass
        connection.close()


if args.mode == "silent":
    raw_server(None)
if args.mode == "not-xml":
    raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
               b"Content-Length: 11\r\nConnection: close\r\n\r\nhello world")
if args.mode == "hang-up":
    raw_server(b"")
if args.mode == "flood":
    raw_server(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n", flood=True)
if args.mode in ("laughs", "laughs-utf16"):
    encoding = "utf-16" if args.mode == "laughs-utf16" else "utf-8"
    entities = "<!ENTITY a0 'aaaaaaaaaa'>" + "".join(
        "<!ENTITY a%d '%s'>" % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10))
    body = ("<?xml version='1.0' encoding='%s'?><!DOCTYPE r [%s]><methodResponse><params>"
            "<param><value><string>&a9;</string></value></param></params></methodResponse>"
            % (encoding.upper(), entities)).encode(encoding)
    raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n"
               b"Connection: close\r\n\r\n%s" % (len(body), body))


class Server(xmlrpc.server.SimpleXMLRPCServer):
    address_family = family


class Handler(xmlrpc.server.SimpleXMLRPCRequestHandler):
    def do_POST(self):
        self.server.client_host = self.client_address[0]
        super().do_POST()


server = Server((args.bind, 0), Handler, allow_none=True, logRequests=False)


def fault(code, message):
    raise xmlrpc.client.Fault(code, message)


server.register_function(lambda value: value, "echo")
server.register_function(lambda: server.client_host, "client_address")
server.register_function(fault, "fault")
server.register_function(lambda: None, "nothing")
server.register_function(lambda n: xmlrpc.client.Binary(bytes(i % 256 for i in range(n))),
                         "binary")
server.register_function(lambda n: "x" * n, "text")
print(server.server_address[1], flush=True)
server.serve_forever()
