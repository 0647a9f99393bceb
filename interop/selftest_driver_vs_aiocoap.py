#!/usr/bin/env python3
"""Cross-check: lakers_peer.py (initiator) against aiocoap_server.py (responder) on 127.0.0.1.

This harness plays the part a Java test would play: it relays the driver's EDHOC messages
over CoAP (POST /.well-known/edhoc with 0xf5 || message_1, then C_R || message_3, or the
RFC 9668 combined request), then builds an OSCORE context from the driver's result
(oscore_master_secret / _salt, sender ID = C_R, recipient ID = C_I) and sends GET /hello.
A 2.05 "hello :peer-0" proves the driver's exported values are what aiocoap derived.

Run:  interop/.venv/bin/python interop/selftest_driver_vs_aiocoap.py
"""

import asyncio
import json
import os
import subprocess
import sys
import time

import aiocoap
from aiocoap import oscore

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import aiocoap_common as common  # noqa: E402
from selftest_aiocoap import Server  # noqa: E402

PORT = int(os.environ.get("INTEROP_BASE_PORT", "5690")) + 20
TIMEOUT_S = 15


class DriverOscoreContext(oscore.CanProtect, oscore.CanUnprotect, oscore.SecurityContextUtils):
    """Plain OSCORE context (RFC 8613) from the driver's result; optionally carries message_3
    in the first request (RFC 9668 EDHOC option), as aiocoap's own EDHOC context does."""

    def __init__(self, result, message_3=None):
        self.alg_aead = oscore.algorithms["AES-CCM-16-64-128"]
        self.hashfun = oscore.hashfunctions["sha256"]
        self.id_context = None
        self.recipient_replay_window = oscore.ReplayWindow(32, lambda: None)
        self.sender_id = bytes.fromhex(result["oscore_sender_id"])
        self.recipient_id = bytes.fromhex(result["oscore_recipient_id"])
        self.derive_keys(bytes.fromhex(result["oscore_master_salt"]),
                         bytes.fromhex(result["oscore_master_secret"]))
        self.sender_sequence_number = 0
        self.recipient_replay_window.initialize_empty()
        self._message_3 = message_3

    def post_seqnoincrease(self):
        pass

    def protect(self, message, request_id=None, *, kid_context=True):
        outer, request_id = super().protect(message, request_id=request_id,
                                            kid_context=kid_context)
        if self._message_3 is not None:
            outer.opt.edhoc = True
            outer.payload = self._message_3 + outer.payload
            self._message_3 = None
        return outer, request_id


class Driver:
    def __init__(self, cfg):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "lakers_peer.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.send_line(cfg)

    def send_line(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    async def line(self):
        raw = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), TIMEOUT_S)
        return json.loads(raw)

    async def until(self, key):
        while True:
            obj = await self.line()
            if key in obj:
                return obj
            if "error" in obj or "peer_error" in obj:
                raise AssertionError(f"driver stopped: {obj}")

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def c_r_prefix(c_r):
    # C_R as it goes in front of message_3 (RFC 9528 appendix A.2): one-byte compact values
    # are already their own CBOR encoding, others become a bstr
    if len(c_r) == 1 and (c_r[0] < 0x18 or 0x20 <= c_r[0] < 0x38):
        return c_r
    return bytes([0x40 + len(c_r)]) + c_r


async def run_case(combined, transfer):
    uri = f"coap://127.0.0.1:{PORT}"
    cfg = {"role": "initiator", "own_private_key": common.RFC9529["SK_I"],
           "own_cred": common.RFC9529["CRED_I"], "peer_cred": common.RFC9529["CRED_R"],
           "cred_transfer": transfer, "message_4": not combined, "timeout_s": TIMEOUT_S,
           # the value-less CRED_BY_VALUE EAD item aiocoap's own client sends
           "ead_1": [{"label": 15, "critical": False, "value": None}]}
    drv = Driver(cfg)
    ctx = await aiocoap.Context.create_client_context()
    try:
        async def post(payload):
            req = aiocoap.Message(code=aiocoap.POST, uri=uri + "/.well-known/edhoc",
                                  payload=payload)
            resp = await asyncio.wait_for(ctx.request(req).response, TIMEOUT_S)
            assert resp.code.is_successful(), f"{resp.code} {resp.payload!r}"
            return resp.payload

        m1 = await drv.until("send")
        m2 = await post(b"\xf5" + bytes.fromhex(m1["hex"]))
        drv.send_line({"recv": "message_2", "hex": m2.hex()})
        parsed = await drv.until("info")
        c_r = bytes.fromhex(parsed["c_r"])
        m3 = bytes.fromhex((await drv.until("send"))["hex"])
        if not combined:
            m4 = await post(c_r_prefix(c_r) + m3)
            drv.send_line({"recv": "message_4", "hex": m4.hex()})
        result = await drv.until("result")
        assert result["oscore_sender_id"] == parsed["c_r"]
        secctx = DriverOscoreContext(result, m3 if combined else None)
        ctx.client_credentials[uri + "/*"] = secctx
        resp = await asyncio.wait_for(
            ctx.request(aiocoap.Message(code=aiocoap.GET, uri=uri + "/hello")).response,
            TIMEOUT_S)
        assert resp.code == aiocoap.CONTENT and resp.payload == b"hello :peer-0", (
            resp.code, resp.payload)
        return f"C_I={result['c_i']} C_R={result['c_r']} -> {resp.code} {resp.payload.decode()}"
    finally:
        await ctx.shutdown()
        drv.close()


def main():
    passed = failed = 0
    for server_style in ("by-kid", "by-value"):
        with Server(PORT, "--cred-style", server_style):
            for combined in (True, False):
                for transfer in ("by-kid", "by-value"):
                    name = (f"server_{server_style}_driver_{transfer}_"
                            f"{'combined' if combined else 'message_4'}")
                    t = time.monotonic()
                    try:
                        note = asyncio.run(run_case(combined, transfer))
                        passed += 1
                        print(f"PASS {name} ({time.monotonic() - t:.1f}s) - {note}", flush=True)
                    except Exception as e:
                        failed += 1
                        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
