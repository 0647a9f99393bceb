#!/usr/bin/env python3
"""lakers_peer.py - run lakers-python (EDHOC, RFC 9528) as initiator or responder over stdin/stdout.

No network: the caller (a Java test, or selftest_lakers.py) relays the EDHOC messages.
Every line in both directions is one JSON object; byte strings are lower-case hex.

Input (caller -> driver)
  line 1: the config object (see CONFIG below).
  then:   {"recv": "<message name>", "hex": "<bytes>"} each time the driver waits for a message.
          The name must be the one the driver expects (message_1 / message_2 / message_3 /
          message_4). The bytes are the bare EDHOC message (no CoAP C_R prefix, no 0xf5).
          If the peer sent an EDHOC error message instead, pass it under the expected name:
          the driver recognises it (first CBOR item is an int) and stops (exit 4).

Output (driver -> caller), each line has exactly one of these keys:
  {"send": "<message name>", "hex": ...}    deliver these bytes to the peer
                                            (name "error" = an EDHOC error message)
  {"info": "<what>", ...}                   progress/diagnostics, e.g. received C_I, ID_CRED_x,
                                            EAD items; may be ignored
  {"result": "ok", ...}                     final line on success (exit 0), see RESULT below
  {"error": "<text>", "stage": ..., "exit": n}   final line on failure
  {"peer_error": {...}, "stage": ..., "exit": 4} final line when an EDHOC error message arrived

CONFIG (keys not listed are rejected)
  role               "initiator" | "responder" | "make_error"
  cred_transfer      "by-kid" | "by-value"       how the OWN credential is sent (default by-kid)
  own_private_key    hex, 32-byte P-256 static DH private key
  own_cred           hex, own CCS (must pass lakers' strict CCS parser unless own_kid and
                     own_public_key are given, then it is used as opaque CRED bytes)
  own_kid, own_public_key   hex, optional (see above; public key = 32-byte x)
  peer_cred          hex, expected peer CCS; absent/null = trust on first use (the peer
                     must then send its credential by value)
  peer_kid, peer_public_key hex, optional, as for own_*
  c_i / c_r          hex, own connection identifier VALUE (initiator: c_i, responder: c_r),
                     e.g. "37" for C_I = -24; absent = the driver picks a random one-byte
                     value in 00-17/20-37 (responder: different from C_I); both are reported
  message_4          bool (default false). initiator: expect message_4; responder: send it
  ead_1 / ead_3 (initiator), ead_2 / ead_4 (responder)
                     list of {"label": int, "critical": bool, "value": hex|null}
  accept_critical_ead bool (default false): lakers does not reject unknown critical EAD items;
                     by default this driver does (as RFC 9528 section 3.8 requires)
  key_update_context hex, optional: after completion run EDHOC_KeyUpdate(context) and export again
  exports            optional list of extra exports {"label": int, "context": hex, "length": int}
                     (label 0..255 only; lakers' output is RFC 9528-conformant only for label
                     <= 23, context < 256 bytes, length < 256: each result says
                     "rfc9528_compliant")
  send_error_on_failure bool (default false): when lakers rejects a received message, first
                     emit {"send": "error", "hex": ...} (ERR_CODE 2 / SUITES_R 2 for an
                     unsupported cipher suite, else ERR_CODE 1 with the lakers error text),
                     then the {"error": ...} line
  timeout_s          number, default 30: max wait for each input line

  role "make_error": only builds error-message bytes and prints {"send": "error", "hex": ...}.
    err_code int, err_info JSON value (string for code 1, int or list of ints for code 2,
    true for code 3); err_info absent = no ERR_INFO item (only legal for some codes).

RESULT keys: role, c_i, c_r (identifier values), oscore_sender_id, oscore_recipient_id,
  prk_out, oscore_master_secret (exporter label 0, 16 bytes), oscore_master_salt
  (label 1, 8 bytes), message_4 (bool), peer_cred (CRED bytes used for verification),
  peer_id_cred (ID_CRED as received, map form), exports (list, if asked), after_key_update
  {prk_out, oscore_master_secret, oscore_master_salt, exports} (if key_update_context given).
  These are test secrets derived from test credentials, output for comparison only.

EXIT CODES
  0 success | 2 bad config or caller protocol violation (bad JSON, unexpected message name)
  3 lakers rejected a received message (or critical EAD) | 4 peer sent an EDHOC error message
  5 timeout or EOF while waiting for input | 6 internal error (lakers panic, bug)
"""

import io
import json
import os
import select
import sys
import time

EXIT_OK, EXIT_CONFIG, EXIT_REJECTED, EXIT_PEER_ERROR, EXIT_TIMEOUT, EXIT_INTERNAL = 0, 2, 3, 4, 5, 6

CONFIG_KEYS = {
    "role", "cred_transfer", "own_private_key", "own_cred", "own_kid", "own_public_key",
    "peer_cred", "peer_kid", "peer_public_key", "c_i", "c_r", "message_4", "ead_1", "ead_2",
    "ead_3", "ead_4", "accept_critical_ead", "key_update_context", "exports",
    "send_error_on_failure", "timeout_s", "err_code", "err_info",
}


class Stop(Exception):
    """Ends the run: `line` is the last JSON object printed, `code` the exit status."""

    def __init__(self, code, line):
        super().__init__(line)
        self.code = code
        self.line = line


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fail(code, text, stage=None):
    line = {"error": text, "stage": stage, "exit": code}
    raise Stop(code, line)


def hexb(value, name):
    if not isinstance(value, str):
        fail(EXIT_CONFIG, f"{name}: expected a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        fail(EXIT_CONFIG, f"{name}: not valid hex")


# ---------------------------------------------------------------- input lines with timeout

class LineReader:
    def __init__(self, timeout_s):
        self.fd = sys.stdin.fileno()
        self.buf = b""
        self.timeout_s = timeout_s

    def read_json(self, stage):
        deadline = time.monotonic() + self.timeout_s
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(EXIT_TIMEOUT, f"timeout after {self.timeout_s}s waiting for input", stage)
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 65536)
            if not chunk:
                if self.buf.strip():
                    self.buf += b"\n"  # last line without newline
                    break
                fail(EXIT_TIMEOUT, "EOF on stdin while waiting for input", stage)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if not line.strip():
            return self.read_json(stage)
        try:
            obj = json.loads(line)
        except ValueError as e:
            fail(EXIT_CONFIG, f"input is not JSON: {e}", stage)
        if not isinstance(obj, dict):
            fail(EXIT_CONFIG, "input line is not a JSON object", stage)
        return obj

    def recv(self, name):
        obj = self.read_json(name)
        if obj.get("recv") != name or "hex" not in obj:
            fail(EXIT_CONFIG, f'expected {{"recv": "{name}", "hex": ...}}, got {sorted(obj)}', name)
        return hexb(obj["hex"], name)


# ---------------------------------------------------------------- EDHOC error messages

def cbor2_mod():
    import cbor2  # installed with aiocoap[oscore]
    return cbor2


def make_error_message(err_code, err_info=None, with_info=True):
    """EDHOC error message (RFC 9528 section 6): CBOR sequence ERR_CODE, ERR_INFO."""
    cbor2 = cbor2_mod()
    out = cbor2.dumps(err_code)
    if with_info:
        out += cbor2.dumps(err_info)
    return out


def error_for_lakers_failure(text):
    if "UnsupportedCipherSuite" in text:
        return make_error_message(2, 2)  # SUITES_R = 2, the only suite lakers supports
    return make_error_message(1, text)


def parse_error_message(data):
    """Returns a dict if `data` is an EDHOC error message, else None.

    message_2/3/4 start with a bstr (major type 2); an error message starts with the int ERR_CODE
    (major type 0 or 1). message_1 starts with the int METHOD, so this check is not used there.
    """
    if not data or (data[0] >> 5) not in (0, 1):
        return None
    cbor2 = cbor2_mod()
    stream = io.BytesIO(data)
    info = {"hex": data.hex()}
    try:
        info["err_code"] = cbor2.load(stream)
        if stream.tell() < len(data):
            value = cbor2.load(stream)
            info["err_info"] = jsonable(value)
        if stream.tell() != len(data):
            info["trailing_bytes"] = len(data) - stream.tell()
    except Exception as e:  # malformed error message: still an error message
        info["decode_error"] = str(e)
    meaning = {0: "success", 1: "unspecified error", 2: "wrong selected cipher suite",
               3: "unknown credential referenced"}
    if isinstance(info.get("err_code"), int):
        info["meaning"] = meaning.get(info["err_code"], "unregistered error code")
    return info


def jsonable(value):
    if isinstance(value, bytes):
        return {"bstr": value.hex()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return repr(value)


# ---------------------------------------------------------------- helpers around lakers

def ead_list(cfg, key):
    import lakers
    items = cfg.get(key) or []
    if not isinstance(items, list):
        fail(EXIT_CONFIG, f"{key}: expected a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("label"), int):
            fail(EXIT_CONFIG, f"{key}: items need an int label")
        value = item.get("value")
        out.append(lakers.EADItem(item["label"], bool(item.get("critical", False)),
                                  None if value is None else hexb(value, key)))
    return out


def ead_json(items):
    return [{"label": i.label(), "critical": i.is_critical(),
             "value": None if i.value() is None else bytes(i.value()).hex()} for i in (items or [])]


def credential(cfg, prefix):
    """CRED as bytes, or a lakers.Credential when kid/public_key are given explicitly."""
    import lakers
    value = cfg.get(f"{prefix}_cred")
    if value is None:
        return None
    value = hexb(value, f"{prefix}_cred")
    kid, pub = cfg.get(f"{prefix}_kid"), cfg.get(f"{prefix}_public_key")
    if kid is None and pub is None:
        return value
    if kid is None or pub is None:
        fail(EXIT_CONFIG, f"{prefix}_kid and {prefix}_public_key go together")
    return lakers.Credential(value, kid=hexb(kid, f"{prefix}_kid"),
                             public_key=hexb(pub, f"{prefix}_public_key"))


def cred_bytes(cred):
    return bytes(cred.value()) if hasattr(cred, "value") else bytes(cred)


def lakers_call(stage, state, fn, *args):
    """Runs one lakers call on received data; maps its failures to exit 3 (optionally with an
    EDHOC error message for the peer)."""
    try:
        return fn(*args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # ValueError("EDHOCError::..."), or a Rust panic on bad input
        text = str(e) or type(e).__name__
        if not isinstance(e, Exception):
            text = f"lakers panicked ({type(e).__name__}): {text}"
        if state["cfg"].get("send_error_on_failure"):
            emit({"send": "error", "hex": error_for_lakers_failure(text).hex()})
        fail(EXIT_REJECTED, text, stage)


def check_peer_error(stage, data):
    info = parse_error_message(data)
    if info is not None:
        raise Stop(EXIT_PEER_ERROR, {"peer_error": info, "stage": stage, "exit": EXIT_PEER_ERROR})


def check_critical_ead(stage, state, items):
    if state["cfg"].get("accept_critical_ead"):
        return
    critical = [i.label() for i in (items or []) if i.is_critical()]
    if critical:
        text = f"unsupported critical EAD item(s) {critical}"
        if state["cfg"].get("send_error_on_failure"):
            emit({"send": "error", "hex": make_error_message(1, text).hex()})
        fail(EXIT_REJECTED, text, stage)


def fetch_peer_cred(stage, state, id_cred):
    import lakers
    expected = credential(state["cfg"], "peer")
    cred = lakers_call(stage, state, lakers.credential_check_or_fetch, id_cred, expected)
    return cred


def export_all(ctx, cfg):
    out = {
        "oscore_master_secret": bytes(ctx.edhoc_exporter(0, b"", 16)).hex(),
        "oscore_master_salt": bytes(ctx.edhoc_exporter(1, b"", 8)).hex(),
    }
    extra = []
    for e in cfg.get("exports") or []:
        value = ctx.edhoc_exporter(int(e["label"]), hexb(e.get("context", ""), "exports.context"),
                                   int(e["length"]))
        context = e.get("context", "")
        extra.append({"label": e["label"], "context": context, "length": e["length"],
                      "hex": bytes(value).hex(),
                      # lakers-python 0.6.2 encodes the KDF info fields as single bytes: the
                      # output matches RFC 9528 only for label 0..23, context < 256 bytes and
                      # length < 256 (verified against an independent EDHOC_KDF in selftest)
                      "rfc9528_compliant": 0 <= e["label"] <= 23 and len(context) // 2 < 256
                      and e["length"] < 256})
    if extra:
        out["exports"] = extra
    return out


def finish(ctx, cfg, result, prk_out):
    result["prk_out"] = bytes(prk_out).hex()
    result.update(export_all(ctx, cfg))
    if cfg.get("key_update_context") is not None:
        new_prk = ctx.edhoc_key_update(hexb(cfg["key_update_context"], "key_update_context"))
        after = {"prk_out": bytes(new_prk).hex()}
        after.update(export_all(ctx, cfg))
        result["after_key_update"] = after
    result["result"] = "ok"
    return result


# ---------------------------------------------------------------- the two roles

def random_conn_id(exclude=None):
    """A random one-byte connection identifier value that CBOR-encodes as an int -24..23.

    lakers can pick one itself, but does not tell which, so the driver picks it (the caller
    needs C_I/C_R as OSCORE IDs)."""
    import secrets
    choices = [bytes([b]) for b in list(range(0x00, 0x18)) + list(range(0x20, 0x38))]
    choices = [c for c in choices if c != exclude]
    return secrets.choice(choices)


def transfer(cfg):
    import lakers
    style = cfg.get("cred_transfer", "by-kid")
    if style in ("by-kid", "by-reference", "by-key-id"):
        return lakers.CredentialTransfer.ByReference
    if style == "by-value":
        return lakers.CredentialTransfer.ByValue
    fail(EXIT_CONFIG, f"cred_transfer: unknown value {style!r}")


def run_initiator(cfg, reader):
    import lakers
    state = {"cfg": cfg}
    own_cred = credential(cfg, "own")
    if own_cred is None or cfg.get("own_private_key") is None:
        fail(EXIT_CONFIG, "initiator needs own_private_key and own_cred")
    key = hexb(cfg["own_private_key"], "own_private_key")
    if len(key) != 32:
        fail(EXIT_CONFIG, "own_private_key must be 32 bytes")  # lakers would panic later
    c_i = hexb(cfg["c_i"], "c_i") if cfg.get("c_i") is not None else random_conn_id()
    cred_transfer = transfer(cfg)

    ini = lakers.EdhocInitiator()
    m1 = lakers_call("message_1", state, ini.prepare_message_1, c_i, ead_list(cfg, "ead_1"))
    emit({"send": "message_1", "hex": bytes(m1).hex()})

    m2 = reader.recv("message_2")
    check_peer_error("message_2", m2)
    c_r, id_cred_r, ead_2 = lakers_call("message_2", state, ini.parse_message_2, m2)
    emit({"info": "message_2_parsed", "c_r": bytes(c_r).hex(),
          "id_cred_r": bytes(id_cred_r).hex(), "ead_2": ead_json(ead_2)})
    check_critical_ead("message_2", state, ead_2)
    peer_cred = fetch_peer_cred("message_2", state, id_cred_r)
    lakers_call("message_2", state, ini.verify_message_2, key, own_cred, peer_cred)
    m3, prk_out = lakers_call("message_3", state, ini.prepare_message_3, cred_transfer,
                              ead_list(cfg, "ead_3"))
    emit({"send": "message_3", "hex": bytes(m3).hex()})

    if cfg.get("message_4"):
        m4 = reader.recv("message_4")
        check_peer_error("message_4", m4)
        ead_4 = lakers_call("message_4", state, ini.process_message_4, m4)
        emit({"info": "message_4_processed", "ead_4": ead_json(ead_4)})
        check_critical_ead("message_4", state, ead_4)
    else:
        ini.completed_without_message_4()

    c_i_used = c_i.hex()
    result = {"role": "initiator", "c_i": c_i_used, "c_r": bytes(c_r).hex(),
              "oscore_sender_id": bytes(c_r).hex(), "oscore_recipient_id": c_i_used,
              "message_4": bool(cfg.get("message_4")), "peer_cred": cred_bytes(peer_cred).hex(),
              "peer_id_cred": bytes(id_cred_r).hex()}
    return finish(ini, cfg, result, prk_out)


def run_responder(cfg, reader):
    import lakers
    state = {"cfg": cfg}
    own_cred = credential(cfg, "own")
    if own_cred is None or cfg.get("own_private_key") is None:
        fail(EXIT_CONFIG, "responder needs own_private_key and own_cred")
    key = hexb(cfg["own_private_key"], "own_private_key")
    if len(key) != 32:
        fail(EXIT_CONFIG, "own_private_key must be 32 bytes")
    c_r = hexb(cfg["c_r"], "c_r") if cfg.get("c_r") is not None else None  # chosen below
    cred_transfer = transfer(cfg)

    try:
        res = lakers.EdhocResponder(key, own_cred)
    except (ValueError, TypeError) as e:
        fail(EXIT_CONFIG, f"own_cred rejected by lakers: {e}", "setup")

    m1 = reader.recv("message_1")
    c_i, ead_1 = lakers_call("message_1", state, res.process_message_1, m1)
    emit({"info": "message_1_processed", "c_i": bytes(c_i).hex(), "ead_1": ead_json(ead_1)})
    check_critical_ead("message_1", state, ead_1)
    if c_r is None:
        c_r = random_conn_id(exclude=bytes(c_i))
    m2 = lakers_call("message_2", state, res.prepare_message_2, cred_transfer, c_r,
                     ead_list(cfg, "ead_2"))
    emit({"send": "message_2", "hex": bytes(m2).hex()})

    m3 = reader.recv("message_3")
    check_peer_error("message_3", m3)
    id_cred_i, ead_3 = lakers_call("message_3", state, res.parse_message_3, m3)
    emit({"info": "message_3_parsed", "id_cred_i": bytes(id_cred_i).hex(),
          "ead_3": ead_json(ead_3)})
    check_critical_ead("message_3", state, ead_3)
    peer_cred = fetch_peer_cred("message_3", state, id_cred_i)
    prk_out = lakers_call("message_3", state, res.verify_message_3, peer_cred)

    if cfg.get("message_4"):
        m4 = lakers_call("message_4", state, res.prepare_message_4, ead_list(cfg, "ead_4"))
        emit({"send": "message_4", "hex": bytes(m4).hex()})
    else:
        res.completed_without_message_4()

    c_r_used = c_r.hex()
    result = {"role": "responder", "c_i": bytes(c_i).hex(), "c_r": c_r_used,
              "oscore_sender_id": bytes(c_i).hex(), "oscore_recipient_id": c_r_used,
              "message_4": bool(cfg.get("message_4")), "peer_cred": cred_bytes(peer_cred).hex(),
              "peer_id_cred": bytes(id_cred_i).hex()}
    return finish(res, cfg, result, prk_out)


def run_make_error(cfg):
    if not isinstance(cfg.get("err_code"), int):
        fail(EXIT_CONFIG, "make_error needs an int err_code")
    emit({"send": "error", "hex": make_error_message(cfg["err_code"], cfg.get("err_info"),
                                                     "err_info" in cfg).hex()})
    return {"result": "ok", "role": "make_error"}


def main():
    code = EXIT_OK
    try:
        reader = LineReader(30.0)
        cfg = reader.read_json("config")
        unknown = set(cfg) - CONFIG_KEYS
        if unknown:
            fail(EXIT_CONFIG, f"unknown config keys {sorted(unknown)}", "config")
        reader.timeout_s = float(cfg.get("timeout_s", 30))
        role = cfg.get("role")
        if role == "initiator":
            emit(run_initiator(cfg, reader))
        elif role == "responder":
            emit(run_responder(cfg, reader))
        elif role == "make_error":
            emit(run_make_error(cfg))
        else:
            fail(EXIT_CONFIG, f"role must be initiator, responder or make_error, not {role!r}",
                 "config")
    except Stop as stop:
        emit(stop.line)
        code = stop.code
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # includes pyo3_runtime.PanicException (a BaseException)
        emit({"error": f"internal: {type(e).__name__}: {e}", "stage": None,
              "exit": EXIT_INTERNAL})
        code = EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
