"""Shared helpers for aiocoap_server.py / aiocoap_client.py (credential loading, RFC 9529 ids).

Credential arguments take either hex or "@PATH"; a file may hold hex text or binary CBOR.
CCS values are decoded to Python dicts because aiocoap's credentials map wants CCS as maps
(it re-encodes them canonically before handing them to lakers, see check_canonical()).
"""

import ipaddress
import json
import os
import sys

import cbor2

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.environ.get("RFC9529_JSON",
                         os.path.join(HERE, "..", "..", "shared", "vectors-src", "rfc9529.json"))

# RFC 9529 section 3 identities (static DH keys on P-256); used when nothing else is configured.
# Test credentials from an RFC, not secrets.
RFC9529 = {
    "CRED_I": "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820"
              "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6225820"
              "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
    "CRED_R": "a2026b6578616d706c652e65647508a101a501020241322001215820"
              "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0225820"
              "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
    "SK_I": "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b",
    "SK_R": "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac",
}


def die(text, code=2):
    print(f"error: {text}", file=sys.stderr, flush=True)
    sys.exit(code)


def read_bytes(arg, what):
    """hex string, or @PATH to a file with hex text or binary data."""
    if arg.startswith("@"):
        try:
            raw = open(arg[1:], "rb").read()
        except OSError as e:
            die(f"{what}: {e}")
        try:
            return bytes.fromhex(raw.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            return raw
    try:
        return bytes.fromhex(arg)
    except ValueError:
        die(f"{what}: neither hex nor @file")


def load_ccs(arg, what):
    data = read_bytes(arg, what)
    try:
        ccs = cbor2.loads(data)
    except Exception as e:
        die(f"{what}: not CBOR: {e}")
    if isinstance(ccs, dict) and list(ccs) == [14]:  # given as {14: CCS}
        ccs = ccs[14]
        data = cbor2.dumps(ccs)
    if not isinstance(ccs, dict) or not isinstance(ccs.get(8), dict):
        die(f"{what}: not a CCS (map with cnf (8))")
    check_canonical(data, ccs, what)
    return ccs


def check_canonical(data, ccs, what):
    if cbor2.dumps(ccs, canonical=True) != data:
        print(f"warning: {what} is not in deterministic CBOR encoding; aiocoap re-encodes it "
              f"canonically, so a peer that uses the original bytes as CRED will fail the MAC",
              file=sys.stderr, flush=True)


def load_private_key(arg, what):
    """32-byte d as hex/@file, or a COSE_Key map {1: 2, -1: 1, -4: d} as CBOR -> aiocoap map."""
    data = read_bytes(arg, what)
    if len(data) == 32:
        return {1: 2, -1: 1, -4: data}
    try:
        key = cbor2.loads(data)
    except Exception:
        die(f"{what}: neither 32 raw bytes nor a CBOR COSE_Key")
    if not isinstance(key, dict) or not isinstance(key.get(-4), bytes):
        die(f"{what}: COSE_Key without d (-4)")
    return {1: 2, -1: 1, -4: key[-4]}


def require_loopback(host):
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if not ok:
        die(f"{host}: this test peer binds/connects to loopback addresses only")


def origin(host, port):
    """Origin string as aiocoap's server builds it for the identity lookup."""
    h = f"[{host}]" if ":" in host else host
    return f"coap://{h}" + ("" if port == 5683 else f":{port}")


def to_edn(obj):
    """CBOR diagnostic notation (what aiocoap-client wants in a .diag credentials file)."""
    import cbor_diag
    return cbor_diag.cbor2diag(cbor2.dumps(obj))


def dump_json_line(obj):
    print(json.dumps(obj), flush=True)
