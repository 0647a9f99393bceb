#!/usr/bin/env python3
"""aiocoap 0.4.17 as EDHOC responder + OSCORE server (through lakers-python), for interop tests.

Serves /hello: GET -> 2.05 "hello <claims>", POST -> 2.04 "hello <claims>: <payload>", where
<claims> is the label of the credentials entry that authenticated the client (":peer-0",
":peer-1", ... in --peer-cred order, or ":unauthenticated"). Requests that are not
OSCORE-protected get 4.01. EDHOC runs on POST /.well-known/edhoc (handled by aiocoap's
OscoreSiteWrapper, not by this script).

Prints exactly "ready" on stdout once listening. Exits by itself after --max-seconds.

Defaults: RFC 9529 section 3 responder identity (CRED_R, SK_R) sent by kid, accepting the
RFC 9529 initiator (CRED_I) by kid or by value. Example:
  interop/.venv/bin/python interop/aiocoap_server.py --port 5690
  interop/.venv/bin/python interop/aiocoap_server.py --port 5691 --cred-style by-value \
      --unauthenticated --no-default-peer
"""

import argparse
import asyncio
import logging
import sys

import aiocoap
from aiocoap import resource
from aiocoap.credentials import CredentialsMap
from aiocoap.oscore_sitewrapper import OscoreSiteWrapper
from aiocoap.transports.oscore import OSCOREAddress

import aiocoap_common as common


class Hello(resource.Resource):
    @staticmethod
    def claims(request):
        if not isinstance(request.remote, OSCOREAddress):
            return None
        return ",".join(request.remote.authenticated_claims)

    async def render_get(self, request):
        who = self.claims(request)
        if who is None:
            return aiocoap.Message(code=aiocoap.UNAUTHORIZED, payload=b"OSCORE required")
        return aiocoap.Message(code=aiocoap.CONTENT, payload=f"hello {who}".encode())

    async def render_post(self, request):
        who = self.claims(request)
        if who is None:
            return aiocoap.Message(code=aiocoap.UNAUTHORIZED, payload=b"OSCORE required")
        return aiocoap.Message(code=aiocoap.CHANGED,
                               payload=f"hello {who}: ".encode() + request.payload)


def build_credentials(args):
    own_cred = common.load_ccs(args.own_cred, "--own-cred")
    own_key = common.load_private_key(args.own_key, "--own-key")
    entry = {"edhoc-oscore": {
        "suite": 2, "method": 3,  # required by aiocoap, ignored (always method 3 / suite 2)
        "own_cred_style": "by-key-id" if args.cred_style == "by-kid" else "by-value",
        "own_cred": {14: own_cred}, "private_key": own_key}}
    creds = {}
    # The server looks its identity up by the exact request origin: register it for the
    # bound address and for every --also-origin (e.g. coap://localhost:5690).
    for o in [common.origin(args.host, args.port)] + args.also_origin:
        creds[o + "/*"] = entry
    peers = list(args.peer_cred)
    if not peers and not args.no_default_peer:
        peers = [common.RFC9529["CRED_I"]]
    for n, p in enumerate(peers):
        creds[f":peer-{n}"] = {"edhoc-oscore": {
            "suite": 2, "method": 3, "peer_cred": {14: common.load_ccs(p, "--peer-cred")}}}
    if args.unauthenticated:
        creds[":unauthenticated"] = {"edhoc-oscore": {
            "suite": 2, "method": 3, "peer_cred": {"unauthenticated": True}}}
    if len(creds) == len(args.also_origin) + 1:
        common.die("no peer accepted: give --peer-cred and/or --unauthenticated")
    cmap = CredentialsMap()
    cmap.load_from_dict(creds)
    return cmap


def check_port_free(host, port):
    """aiocoap's udp6 transport binds with SO_REUSEPORT, so a second server on the same port
    starts without error and the kernel then splits datagrams between the two. Probe with a
    plain socket (no SO_REUSEPORT) first, which fails if anything holds the port."""
    import socket
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            common.die(f"UDP port {host}:{port} is in use ({e.strerror})", 3)


async def serve(args):
    creds = build_credentials(args)
    site = resource.Site()
    site.add_resource(["hello"], Hello())
    ctx = await aiocoap.Context.create_server_context(
        OscoreSiteWrapper(site, creds), bind=(args.host, args.port),
        server_credentials=creds, transports=["udp6"])
    print("ready", flush=True)
    try:
        if args.max_seconds > 0:
            await asyncio.sleep(args.max_seconds)
        else:
            await asyncio.get_running_loop().create_future()
    finally:
        await ctx.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    ap.add_argument("--port", type=int, default=5690)
    ap.add_argument("--own-cred", default=common.RFC9529["CRED_R"],
                    help="own CCS (hex or @file; {14: CCS} also accepted)")
    ap.add_argument("--own-key", default=common.RFC9529["SK_R"],
                    help="own static P-256 private key: 32 bytes hex/@file, or COSE_Key CBOR")
    ap.add_argument("--cred-style", choices=["by-kid", "by-value"], default="by-kid",
                    help="how the server sends ID_CRED_R")
    ap.add_argument("--peer-cred", action="append", default=[],
                    help="accepted client CCS (repeatable); default RFC 9529 CRED_I")
    ap.add_argument("--no-default-peer", action="store_true",
                    help="do not accept RFC 9529 CRED_I when no --peer-cred is given")
    ap.add_argument("--unauthenticated", action="store_true",
                    help="also accept any client CCS sent by value (trust on first use)")
    ap.add_argument("--also-origin", action="append", default=[],
                    help="extra origin for the identity lookup, e.g. coap://localhost:5690")
    ap.add_argument("--max-seconds", type=float, default=900,
                    help="exit after this many seconds (0 = never); default 900")
    ap.add_argument("-v", "--verbose", action="count", default=0,
                    help="log to stderr (-v info, -vv debug)")
    args = ap.parse_args()
    common.require_loopback(args.host)
    check_port_free(args.host, args.port)
    logging.basicConfig(stream=sys.stderr,
                        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
