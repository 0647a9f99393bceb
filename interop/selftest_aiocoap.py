#!/usr/bin/env python3
"""Self-test: aiocoap_client.py (EDHOC initiator) against aiocoap_server.py (EDHOC responder)
on 127.0.0.1, ports 5690.. (override the base with INTEROP_BASE_PORT).

Run:  interop/.venv/bin/python interop/selftest_aiocoap.py
Every server is started with --max-seconds and killed at the end of its case; every client
run has a timeout. Prints 'N passed, N failed'; exit 0 only if all passed.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import cbor2

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
BASE_PORT = int(os.environ.get("INTEROP_BASE_PORT", "5690"))
HOST = "127.0.0.1"
sys.path.insert(0, HERE)
import aiocoap_common as common  # noqa: E402

CRED_I, CRED_R = common.RFC9529["CRED_I"], common.RFC9529["CRED_R"]


class Server:
    def __init__(self, port, *args):
        self.port = port
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [PY, os.path.join(HERE, "aiocoap_server.py"), "--host", HOST, "--port", str(port),
             "--max-seconds", "120", *args],
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()  # "ready" (or EOF if it died)
        if line.strip() != "ready":
            self.stop()
            raise AssertionError(f"server did not start: {line!r} {self.stderr()}")

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.err.close()


def client(port, *args, path="/hello", host=HOST, tool=None, timeout=60):
    uri = f"coap://{host}:{port}{path}"
    cmd = tool or [PY, os.path.join(HERE, "aiocoap_client.py"), "--timeout", "10"]
    p = subprocess.run([*cmd, *args, uri], capture_output=True, text=True, timeout=timeout)
    m = re.search(r"edhoc exchanges: (\d+)", p.stderr)
    return p.returncode, p.stdout, p.stderr, int(m.group(1)) if m else None


def fresh_identity(kid, subject):
    """A new P-256 key and its canonical CCS (hex) for TOFU tests."""
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    nums = key.public_key().public_numbers()
    ccs = {2: subject, 8: {1: {1: 2, 2: kid, -1: 1, -2: nums.x.to_bytes(32, "big"),
                               -3: nums.y.to_bytes(32, "big")}}}
    d = key.private_numbers().private_value.to_bytes(32, "big")
    return d.hex(), cbor2.dumps(ccs, canonical=True).hex()


CASES = []


def case(port_offset):
    def wrap(fn):
        fn.port = BASE_PORT + port_offset
        CASES.append(fn)
        return fn
    return wrap


@case(0)
def by_kid_combined_and_per_request_edhoc(port):
    with Server(port) as s:
        rc, out, err, n = client(port)
        assert rc == 0 and out == "hello :peer-0\n" and n == 1, (rc, out, err, s.stderr())
        rc, out, err, n = client(port, "--count", "3")
        assert rc == 0 and out.count("hello :peer-0") == 3, (rc, out, err)
        assert n == 3, f"expected one EDHOC exchange per request, got {n}"
        return "3 requests on one client context -> 3 EDHOC exchanges"


@case(1)
def by_kid_no_combined_message_4(port):
    with Server(port) as s:
        rc, out, err, n = client(port, "--no-combined", "-m", "POST", "--payload", "hi")
        assert rc == 0 and out == "hello :peer-0: hi\n" and n == 1, (rc, out, err, s.stderr())


@case(2)
def by_value_both_ways_client_tofu(port):
    with Server(port, "--cred-style", "by-value") as s:
        for extra in ([], ["--no-combined"]):
            rc, out, err, _ = client(port, "--cred-style", "by-value", "--unauthenticated-peer",
                                     *extra)
            assert rc == 0 and out == "hello :peer-0\n", (extra, rc, out, err, s.stderr())


@case(3)
def server_unauthenticated_accepts_fresh_ccs_by_value(port):
    d, ccs = fresh_identity(b"\x07", "fresh-client")
    with Server(port, "--unauthenticated", "--no-default-peer") as s:
        rc, out, err, _ = client(port, "--own-key", d, "--own-cred", ccs, "--cred-style",
                                 "by-value")
        assert rc == 0 and out == "hello :unauthenticated\n", (rc, out, err, s.stderr())
        # by kid: unknown ID_CRED_I. Combined request: the server answers the OSCORE request
        # with an unprotected 4.00, which the aiocoap client reports as NotAProtectedMessage
        rc, out, err, _ = client(port, "--own-key", d, "--own-cred", ccs)
        assert rc == 3 and "NotAProtectedMessage" in err, (rc, out, err)
        assert "No credentials found for client with id_cred_i=h'a1044107'" in s.stderr()
        rc, out, err, _ = client(port, "--own-key", d, "--own-cred", ccs, "--no-combined")
        assert rc == 3 and "4.00" in err, (rc, out, err)  # plain message_3 POST -> 4.00
        return "by kid unknown -> unprotected 4.00 (combined: client sees NotAProtectedMessage)"


@case(4)
def client_rejects_wrong_server_credential(port):
    with Server(port) as s:
        rc, out, err, _ = client(port, "--peer-cred", CRED_I)  # expects the wrong CRED_R
        assert rc == 3 and "MacVerificationFailed" in err, (rc, out, err, s.stderr())
        rc, out, err, _ = client(port, "--unauthenticated-peer")  # server sends by kid
        assert rc == 3 and "CredentialsMissingError" in err, (rc, out, err)
        return "wrong CRED_R -> EDHOCError::MacVerificationFailed; TOFU vs by-kid server -> " \
               "CredentialsMissingError"


@case(5)
def plain_coap_gets_401_and_cli_cred_file(port):
    with Server(port) as s, tempfile.TemporaryDirectory() as tmp:
        cli = [os.path.join(os.path.dirname(PY), "aiocoap-client")]
        rc, out, err, _ = client(port, tool=cli)
        assert rc == 1 and "4.01" in out + err, (rc, out, err)
        cred = os.path.join(tmp, "client.cred.diag")
        rc, _, err, _ = client(port, "--write-cred-file", cred)
        assert rc == 0, err
        for extra in ([], ["-m", "POST", "--payload", "x"]):
            rc, out, err, _ = client(port, "--credentials", cred, *extra, tool=cli)
            assert rc == 0 and out.startswith("hello :peer-0"), (rc, out, err, s.stderr())


@case(6)
def origin_must_match_exactly(port):
    with Server(port) as s:
        rc, out, err, _ = client(port, host="localhost")
        assert rc == 3 and "4.04" in err, (rc, out, err)
        assert "no EDHOC credentials are configured for coap://localhost" in s.stderr()
    with Server(port, "--also-origin", f"coap://localhost:{port}"):
        rc, out, err, _ = client(port, host="localhost")
        assert rc == 0 and out == "hello :peer-0\n", (rc, out, err)
    return "coap://localhost URI -> Uri-Host localhost -> 4.04 unless --also-origin"


@case(7)
def session_limit(port):
    with Server(port) as s:
        rc, out, err, n = client(port, "--count", "60", timeout=120)
        ok = out.count("hello :peer-0")
        assert rc == 3 and ok in (47, 48), (rc, ok, err[-300:])
        assert "5.00 Internal Server Error" in err, err[-300:]
        rc, out, err, _ = client(port, "--no-combined")  # contexts never expire
        assert rc == 3 and "5.00" in err, (rc, out, err)
        return f"{ok} sessions, then 5.00 Internal Server Error for every new EDHOC"


def main():
    passed = failed = 0
    for fn in CASES:
        t = time.monotonic()
        try:
            note = fn(fn.port)
            passed += 1
            print(f"PASS {fn.__name__} ({time.monotonic() - t:.1f}s){' - ' + note if note else ''}",
                  flush=True)
        except Exception as e:
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
