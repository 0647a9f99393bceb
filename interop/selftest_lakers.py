#!/usr/bin/env python3
"""Self-test of lakers_peer.py: a lakers initiator against a lakers responder, as two driver
processes connected by this harness (no network), with the RFC 9529 section 3 identities.

Run:  interop/.venv/bin/python interop/selftest_lakers.py [-v]
Prints one line per case and a closing 'N passed, N failed' line; exit 0 only if all passed.
Every driver process is killed after TIMEOUT_S at the latest.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "lakers_peer.py")
VECTORS = os.path.join(HERE, "..", "..", "shared", "vectors-src", "rfc9529.json")
TIMEOUT_S = 20
VERBOSE = "-v" in sys.argv


def load_section3():
    path = os.environ.get("RFC9529_JSON", VECTORS)
    values = json.load(open(path))["traces"]["section_3"]["values"]
    pick = lambda name, enc: values[name][enc]  # noqa: E731
    return {
        "CRED_I": pick("CRED_I", "CBOR Data Item"), "CRED_R": pick("CRED_R", "CBOR Data Item"),
        "SK_I": pick("SK_I", "Raw Value"), "SK_R": pick("SK_R", "Raw Value"),
        "C_I": pick("C_I", "Raw Value"), "C_R": pick("C_R", "Raw Value"),
        "ID_CRED_I": pick("ID_CRED_I", "CBOR Data Item"),
        "ID_CRED_R": pick("ID_CRED_R", "CBOR Data Item"),
        "KU_CONTEXT": pick("context for KeyUpdate", "Raw Value"),
        "message_1": pick("message_1", "CBOR Sequence"),
        "PRK_out_9529": pick("PRK_out", "Raw Value"),
        "PRK_exporter_9529": pick("PRK_exporter", "Raw Value"),
        "error": pick("error", "CBOR Sequence"),
        "message_1_first": next(e["hex"] for e in json.load(open(path))["traces"]["section_3"]
                                ["superseded"] if e["name"] == "message_1"),
    }


V = load_section3()


class Peer:
    def __init__(self, name, cfg):
        self.name = name
        self.proc = subprocess.Popen([sys.executable, DRIVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.final = None
        self.proc.stdin.write(json.dumps(cfg) + "\n")
        self.proc.stdin.flush()

    def pump(self, q):
        def run():
            for line in self.proc.stdout:
                q.put((self, json.loads(line)))
            q.put((self, None))
        threading.Thread(target=run, daemon=True).start()

    def give(self, name, hexstr):
        try:
            self.proc.stdin.write(json.dumps({"recv": name, "hex": hexstr}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close(self):
        try:
            self.proc.stdin.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr = self.proc.stderr.read()
        self.proc.stderr.close()
        self.proc.stdout.close()


def run_pair(ini_cfg, res_cfg):
    """Relays messages between an initiator and a responder driver. Returns (ini, res)."""
    ini = Peer("initiator", dict(ini_cfg, role="initiator"))
    res = Peer("responder", dict(res_cfg, role="responder"))
    expects = {ini: ["message_2"] + (["message_4"] if ini_cfg.get("message_4") else []),
               res: ["message_1", "message_3"]}
    other = {ini: res, res: ini}
    q = queue.Queue()
    ini.pump(q)
    res.pump(q)
    deadline = time.monotonic() + TIMEOUT_S
    done = set()
    try:
        while len(done) < 2:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("harness timeout")
            try:
                peer, obj = q.get(timeout=left)
            except queue.Empty:
                raise AssertionError("harness timeout")
            if obj is None:
                done.add(peer)
                continue
            peer.lines.append(obj)
            if VERBOSE:
                print(f"    {peer.name}: {json.dumps(obj)}")
            if "send" in obj:
                dst = other[peer]
                if expects[dst] and dst not in done:
                    dst.give(expects[dst].pop(0), obj["hex"])
            elif "result" in obj or "error" in obj or "peer_error" in obj:
                peer.final = obj
                # a finished peer never answers again: let the other one see EOF
                if obj.get("result") != "ok":
                    other[peer].proc.stdin.close()
    finally:
        for p in (ini, res):
            if p.proc.poll() is None and time.monotonic() > deadline:
                p.proc.kill()
            p.close()
    return ini, res


def base(message_4=False, transfer="by-kid", **extra):
    ini = {"own_private_key": V["SK_I"], "own_cred": V["CRED_I"], "peer_cred": V["CRED_R"],
           "cred_transfer": transfer, "message_4": message_4, "timeout_s": 10}
    res = {"own_private_key": V["SK_R"], "own_cred": V["CRED_R"], "peer_cred": V["CRED_I"],
           "cred_transfer": transfer, "message_4": message_4, "timeout_s": 10}
    return ini, res


def check_success(ini, res, ku=False):
    a, b = ini.final, res.final
    assert a and a.get("result") == "ok", f"initiator: {a} {ini.stderr[-500:]}"
    assert b and b.get("result") == "ok", f"responder: {b} {res.stderr[-500:]}"
    assert ini.proc.returncode == 0 and res.proc.returncode == 0
    for k in ("prk_out", "oscore_master_secret", "oscore_master_salt", "c_i", "c_r"):
        assert a[k] == b[k], f"{k} differs: {a[k]} / {b[k]}"
    assert len(a["oscore_master_secret"]) == 32 and len(a["oscore_master_salt"]) == 16
    assert a["oscore_sender_id"] == b["oscore_recipient_id"] == a["c_r"]
    assert b["oscore_sender_id"] == a["oscore_recipient_id"] == a["c_i"]
    assert a["c_i"] != a["c_r"]
    assert a["peer_cred"] == V["CRED_R"] and b["peer_cred"] == V["CRED_I"]
    if ku:
        ka, kb = a["after_key_update"], b["after_key_update"]
        assert ka == kb, f"after_key_update differs: {ka} / {kb}"
        assert ka["oscore_master_secret"] != a["oscore_master_secret"]
        assert ka["prk_out"] != a["prk_out"]
    return a, b


def sends(peer):
    return {o["send"]: o["hex"] for o in peer.lines if "send" in o}


def infos(peer):
    return {o["info"]: o for o in peer.lines if "info" in o}


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def success_case(transfer, message_4, ku=True, ids=True):
    def fn():
        i, r = base(message_4, transfer)
        if ids:
            i["c_i"], r["c_r"] = V["C_I"], V["C_R"]
        if ku:
            i["key_update_context"] = r["key_update_context"] = V["KU_CONTEXT"]
        ini, res = run_pair(i, r)
        a, b = check_success(ini, res, ku)
        m = sends(ini), sends(res)
        assert ("message_4" in m[1]) == message_4
        lens = (len(m[0]["message_1"]) // 2, len(m[1]["message_2"]) // 2,
                len(m[0]["message_3"]) // 2)
        if transfer == "by-kid" and ids:
            # same lengths as the RFC 9529 trace (45/19), message_1 is 37 (SUITES_I 02 only)
            assert lens == (37, 45, 19), lens
            assert infos(ini)["message_2_parsed"]["id_cred_r"] == V["ID_CRED_R"]
            assert infos(res)["message_3_parsed"]["id_cred_i"] == V["ID_CRED_I"]
            assert a["c_i"] == V["C_I"] and a["c_r"] == V["C_R"]
        if transfer == "by-value":
            assert infos(ini)["message_2_parsed"]["id_cred_r"] == "a10e" + V["CRED_R"]
            assert infos(res)["message_3_parsed"]["id_cred_i"] == "a10e" + V["CRED_I"]
        return f"lens m1/m2/m3 = {lens}, c_i={a['c_i']} c_r={a['c_r']}"
    fn.__name__ = (f"{transfer}{'_m4' if message_4 else '_no_m4'}{'_keyupdate' if ku else ''}"
                   f"{'' if ids else '_random_ids'}")
    return case(fn)


success_case("by-kid", False)
success_case("by-kid", True)
success_case("by-value", False)
success_case("by-value", True)
success_case("by-kid", True, ku=False, ids=False)


@case
def by_value_tofu_both_sides():
    i, r = base(True, "by-value")
    del i["peer_cred"], r["peer_cred"]
    ini, res = run_pair(i, r)
    check_success(ini, res)


@case
def mixed_initiator_by_value_responder_by_kid():
    i, r = base(False)
    i["cred_transfer"] = "by-value"
    ini, res = run_pair(i, r)
    check_success(ini, res)


@case
def ead_items_and_extra_exports():
    i, r = base(True)
    i["ead_1"] = [{"label": 15, "critical": False, "value": None}]  # as aiocoap sends
    r["ead_2"] = [{"label": 24, "critical": False, "value": "c0ffee"}]
    i["ead_3"] = [{"label": 25, "critical": False, "value": "01"}]
    r["ead_4"] = [{"label": 26, "critical": False, "value": None}]
    i["exports"] = r["exports"] = [{"label": 23, "context": "0102", "length": 32}]
    ini, res = run_pair(i, r)
    a, b = check_success(ini, res)
    assert infos(res)["message_1_processed"]["ead_1"] == i["ead_1"]
    assert infos(ini)["message_2_parsed"]["ead_2"] == r["ead_2"]
    assert infos(res)["message_3_parsed"]["ead_3"] == i["ead_3"]
    assert infos(ini)["message_4_processed"]["ead_4"] == r["ead_4"]
    assert a["exports"] == b["exports"] and len(a["exports"][0]["hex"]) == 64


@case
def initiator_rejects_unexpected_cred_r_and_sends_error():
    i, r = base(False)
    i["peer_cred"] = V["CRED_I"]  # wrong: expects its own credential as CRED_R
    i["send_error_on_failure"] = True
    ini, res = run_pair(i, r)
    assert ini.proc.returncode == 3, ini.final
    assert ini.final["error"] == "EDHOCError::UnexpectedCredential", ini.final
    err = sends(ini)["error"]
    assert err.startswith("01"), err
    assert res.proc.returncode == 4 and res.final["stage"] == "message_3", res.final
    assert res.final["peer_error"]["err_code"] == 1
    assert res.final["peer_error"]["err_info"] == "EDHOCError::UnexpectedCredential"
    return f"error message {err}"


@case
def responder_mac_3_failure_wrong_initiator_key():
    import lakers
    i, r = base(False)
    i["own_private_key"] = bytes(lakers.p256_generate_key_pair()[0]).hex()
    r["send_error_on_failure"] = True
    ini, res = run_pair(i, r)
    assert res.proc.returncode == 3, res.final
    assert res.final["error"] == "EDHOCError::MacVerificationFailed", res.final
    # the initiator already finished (no message_4 expected); it got its own keys
    assert ini.proc.returncode == 0


@case
def responder_rejects_critical_ead_1():
    i, r = base(False)
    i["ead_1"] = [{"label": 77, "critical": True, "value": "00"}]
    r["send_error_on_failure"] = True
    ini, res = run_pair(i, r)
    assert res.proc.returncode == 3 and "critical" in res.final["error"], res.final
    assert ini.proc.returncode == 4 and ini.final["stage"] == "message_2", ini.final


@case
def tofu_needs_by_value():
    i, r = base(False, "by-kid")
    del i["peer_cred"]
    ini, res = run_pair(i, r)
    assert ini.proc.returncode == 3, ini.final
    return ini.final["error"]


def rfc9528_kdf(prk, label, context, length):
    """EDHOC_KDF (RFC 9528 section 4.1.2) with SHA-256, independent of lakers."""
    import cbor2
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    info = cbor2.dumps(label) + cbor2.dumps(context) + cbor2.dumps(length)
    return HKDFExpand(hashes.SHA256(), length, info).derive(prk) if length else b""


@case
def exporter_vs_rfc9528_kdf():
    """lakers' exporter against an independent EDHOC_KDF; records where lakers deviates."""
    k = rfc9528_kdf(bytes.fromhex(V["PRK_out_9529"]), 10, b"", 32)  # reference sanity check
    assert k.hex() == V["PRK_exporter_9529"]
    probes = [(0, 0, 16), (1, 0, 8), (23, 0, 16), (0, 23, 16), (0, 255, 16), (0, 0, 255),
              (24, 0, 16), (255, 0, 16), (0, 256, 16), (0, 0, 256)]
    i, r = base(False)
    i["exports"] = r["exports"] = [{"label": lb, "context": "ab" * cl, "length": ln}
                                   for lb, cl, ln in probes]
    i["key_update_context"] = r["key_update_context"] = V["KU_CONTEXT"]
    ini, res = run_pair(i, r)
    a, _ = check_success(ini, res, ku=True)
    prk_exporter = rfc9528_kdf(bytes.fromhex(a["prk_out"]), 10, b"", 32)
    assert a["oscore_master_secret"] == rfc9528_kdf(prk_exporter, 0, b"", 16).hex()
    assert a["oscore_master_salt"] == rfc9528_kdf(prk_exporter, 1, b"", 8).hex()
    ku = a["after_key_update"]
    assert ku["prk_out"] == rfc9528_kdf(bytes.fromhex(a["prk_out"]), 11,
                                        bytes.fromhex(V["KU_CONTEXT"]), 32).hex()
    deviating = []
    for e in a["exports"]:
        ok = e["hex"] == rfc9528_kdf(prk_exporter, e["label"], bytes.fromhex(e["context"]),
                                     e["length"]).hex()
        assert ok == e["rfc9528_compliant"], e
        if not ok:
            deviating.append((e["label"], len(e["context"]) // 2, e["length"]))
    # lakers-python 0.6.2 writes label, context length and length as single bytes
    assert deviating == [(24, 0, 16), (255, 0, 16), (0, 256, 16), (0, 0, 256)], deviating
    return f"lakers deviates for (label, len(context), length) in {deviating}"


def single(cfg, lines):
    p = subprocess.run([sys.executable, DRIVER], input="\n".join(json.dumps(x) for x in
                       [cfg] + lines) + "\n", capture_output=True, text=True, timeout=TIMEOUT_S)
    return p.returncode, [json.loads(x) for x in p.stdout.splitlines()]


@case
def rfc9529_first_message_1_gives_error_0202():
    _, r = base()
    r.update(role="responder", send_error_on_failure=True)
    rc, out = single(r, [{"recv": "message_1", "hex": V["message_1_first"]}])
    assert rc == 3 and out[0] == {"send": "error", "hex": V["error"]}, out
    assert out[-1]["error"] == "EDHOCError::UnsupportedCipherSuite", out


@case
def rfc9529_second_message_1_accepted():
    _, r = base()
    r.update(role="responder", c_r=V["C_R"])
    rc, out = single(r, [{"recv": "message_1", "hex": V["message_1"]}])
    assert out[0] == {"info": "message_1_processed", "c_i": V["C_I"], "ead_1": []}, out
    assert "message_2" in out[1]["send"] and len(out[1]["hex"]) // 2 == 45, out
    assert rc == 5 and "EOF" in out[-1]["error"], out  # no message_3 follows


@case
def make_error_and_bad_input():
    rc, out = single({"role": "make_error", "err_code": 1, "err_info": "boom"}, [])
    assert rc == 0 and out[0] == {"send": "error", "hex": "0164626f6f6d"}, out
    rc, out = single({"role": "make_error", "err_code": 3, "err_info": True}, [])
    assert out[0]["hex"] == "03f5", out
    rc, out = single({"role": "initiator", "bogus": 1}, [])
    assert rc == 2, out
    i, _ = base()
    i["role"] = "initiator"
    rc, out = single(i, [{"recv": "message_3", "hex": "00"}])
    assert rc == 2 and out[-1]["stage"] == "message_2", out
    rc, out = single(i, [{"recv": "message_2", "hex": "0202"}])
    assert rc == 4 and out[-1]["peer_error"]["err_info"] == 2, out
    rc, out = single(i, [{"recv": "message_2", "hex": "5802aabb"}])
    assert rc == 3, out
    return out[-1]["error"]


@case
def timeout_waiting():
    i, _ = base()
    i.update(role="initiator", timeout_s=1)
    p = subprocess.Popen([sys.executable, DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    p.stdin.write(json.dumps(i) + "\n")
    p.stdin.flush()
    watchdog = threading.Timer(TIMEOUT_S, p.kill)
    watchdog.start()
    try:
        t = time.monotonic()
        line = json.loads(p.stdout.readline())
        assert line["send"] == "message_1", line
        line = json.loads(p.stdout.readline())  # stdin stays open: a real timeout
        waited = time.monotonic() - t
        p.stdin.close()
        p.wait()
    finally:
        watchdog.cancel()
        p.stdout.close()
    assert p.returncode == 5 and "timeout" in line["error"] and waited >= 0.9, (line, waited)


def main():
    passed = failed = 0
    for fn in CASES:
        t = time.monotonic()
        try:
            note = fn()
            passed += 1
            print(f"PASS {fn.__name__} ({time.monotonic() - t:.1f}s){' - ' + note if note else ''}")
        except Exception as e:
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
