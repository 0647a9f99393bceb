#!/usr/bin/env python3
"""aiocoap 0.4.17 as EDHOC initiator + OSCORE client (through lakers-python), for interop tests.

Sends --count requests to URI through EDHOC/OSCORE, prints each response payload on stdout
(one line each, decoded as UTF-8 with replacement), and exits 0 only if every response is
2.xx. Status lines ("response: 2.05 Content", "edhoc exchanges: N") go to stderr.
Exit codes: 0 all 2.xx | 1 a non-2.xx response | 2 bad arguments | 3 EDHOC/OSCORE/transport
failure (exception) | 4 timeout.

Defaults: RFC 9529 section 3 initiator identity (CRED_I, SK_I) sent by kid, expecting the
RFC 9529 responder (CRED_R). Examples:
  interop/.venv/bin/python interop/aiocoap_client.py coap://127.0.0.1:5690/hello
  interop/.venv/bin/python interop/aiocoap_client.py --no-combined --cred-style by-value \
      -m POST --payload hi coap://127.0.0.1:5690/hello
  # write an equivalent credentials file for the stock CLI, then use it:
  interop/.venv/bin/python interop/aiocoap_client.py --write-cred-file /tmp/c.diag URI
  interop/.venv/bin/aiocoap-client --credentials /tmp/c.diag URI
"""

import argparse
import asyncio
import logging
import sys
from urllib.parse import urlsplit

import aiocoap

import aiocoap_common as common


class CountEdhoc(logging.Handler):
    """Counts EDHOC exchanges started by aiocoap (it logs one info line per exchange)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record):
        if record.msg.startswith("No OSCORE context found for EDHOC context"):
            self.count += 1


def build_credentials(args):
    parts = urlsplit(args.uri)
    if parts.scheme != "coap" or not parts.hostname:
        common.die("URI must be coap://HOST[:PORT]/...")
    common.require_loopback(parts.hostname)
    entry = {
        "suite": 2, "method": 3,  # required by aiocoap, ignored (always method 3 / suite 2)
        "own_cred_style": "by-key-id" if args.cred_style == "by-kid" else "by-value",
        "own_cred": {14: common.load_ccs(args.own_cred, "--own-cred")},
        "private_key": common.load_private_key(args.own_key, "--own-key"),
        "peer_cred": ({"unauthenticated": True} if args.unauthenticated_peer
                      else {14: common.load_ccs(args.peer_cred, "--peer-cred")}),
        "use_combined_edhoc": not args.no_combined,
    }
    # aiocoap matches the request URI as written against this wildcard pattern
    netloc = parts.netloc
    return {f"coap://{netloc}/*": {"edhoc-oscore": entry}}


async def run(args, counter):
    creds = build_credentials(args)
    ctx = await aiocoap.Context.create_client_context()
    worst = 0
    try:
        ctx.client_credentials.load_from_dict(creds)
        for _ in range(args.count):
            code = aiocoap.POST if args.method == "POST" else aiocoap.GET
            msg = aiocoap.Message(code=code, uri=args.uri, payload=args.payload.encode())
            try:
                resp = await asyncio.wait_for(ctx.request(msg).response, args.timeout)
            except asyncio.TimeoutError:
                print(f"error: timeout after {args.timeout}s", file=sys.stderr, flush=True)
                return 4
            except Exception as e:
                print(f"error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
                return 3
            print(f"response: {resp.code}", file=sys.stderr, flush=True)
            print(resp.payload.decode("utf-8", "replace"), flush=True)
            if not resp.code.is_successful():
                worst = 1
    finally:
        await ctx.shutdown()
        print(f"edhoc exchanges: {counter.count}", file=sys.stderr, flush=True)
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("uri", nargs="?", default="coap://127.0.0.1:5690/hello")
    ap.add_argument("-m", "--method", choices=["GET", "POST"], default="GET")
    ap.add_argument("--payload", default="")
    ap.add_argument("--no-combined", action="store_true",
                    help="plain message_3 POST + message_4 instead of the RFC 9668 "
                         "combined request (EDHOC option)")
    ap.add_argument("--cred-style", choices=["by-kid", "by-value"], default="by-kid",
                    help="how the client sends ID_CRED_I")
    ap.add_argument("--own-cred", default=common.RFC9529["CRED_I"], help="own CCS, hex/@file")
    ap.add_argument("--own-key", default=common.RFC9529["SK_I"],
                    help="own static P-256 private key: 32 bytes hex/@file, or COSE_Key CBOR")
    ap.add_argument("--peer-cred", default=common.RFC9529["CRED_R"],
                    help="expected server CCS, hex/@file (default RFC 9529 CRED_R)")
    ap.add_argument("--unauthenticated-peer", action="store_true",
                    help="accept any server CCS sent by value (the server must send by value)")
    ap.add_argument("--count", type=int, default=1, help="number of requests (default 1)")
    ap.add_argument("--timeout", type=float, default=15, help="seconds per request")
    ap.add_argument("--write-cred-file", metavar="PATH",
                    help="write the credentials as EDN (.diag) for aiocoap-client and exit")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    args = ap.parse_args()

    if args.write_cred_file:
        if not args.write_cred_file.endswith(".diag"):
            common.die("aiocoap-client only reads credentials files named *.diag or *.json")
        with open(args.write_cred_file, "w") as f:
            f.write(common.to_edn(build_credentials(args)) + "\n")
        return 0

    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(stream=sys.stderr, level=level)
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # the counter below needs INFO records, stderr does not
    counter = CountEdhoc()
    coap_log = logging.getLogger("coap")
    coap_log.addHandler(counter)
    coap_log.setLevel(min(level, logging.INFO))
    return asyncio.run(run(args, counter))


if __name__ == "__main__":
    sys.exit(main())
