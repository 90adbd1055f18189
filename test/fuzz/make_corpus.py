#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under test/fuzz/corpus/ from the test fixtures.

fuzz_responses: every operation's response fixture of test/data/wire/*.json (made by the official JS SDK),
framed as the target reads it; the others: small hand-written samples of each format. Re-run after the
fixtures or the operation tables change: python3 test/fuzz/make_corpus.py
"""
import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fuzz" / "corpus"
SERVICES = [("classic", "classic"), ("messaging", "messaging"), ("identity", "identity"), ("meetings", "meetings")]
STATUSES = [200, 201, 204, 400, 403, 404, 409, 429, 500, 503, 302, 599]


def write(target, content):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode()
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def operation_order(service_dir):
    text = (ROOT / "generated" / "src" / service_dir / "invoke.cpp").read_text()
    return re.findall(r'^    \{"([A-Za-z]+)", "[a-z-]+", &invoke_', text, re.M)


def responses():
    for index, (fixture, service_dir) in enumerate(SERVICES):
        order = operation_order(service_dir)
        doc = json.loads((ROOT / "test" / "data" / "wire" / f"{fixture}.json").read_text())
        for case in doc["cases"]:
            op = order.index(case["operation"])
            status = STATUSES.index(case["response"]["status"]) if case["response"]["status"] in STATUSES else 0
            write("fuzz_responses", bytes([index, op & 0xFF, op >> 8, status]) + case["response"]["body"].encode())
        # Error answers: status from the table with the x-amzn-ErrorType line.
        for status, code in [(400, "BadRequestException"), (429, "ThrottledClientException"),
                             (503, "ServiceUnavailableException"), (403, "ForbiddenException")]:
            body = f'{code}\n{{"Code":"{code}","Message":"m"}}'
            write("fuzz_responses", bytes([index, 0, 0, 0x80 | STATUSES.index(status)]) + body.encode())


def session_events():
    created = json.dumps({"ChannelArn": "arn:aws:chime:us-east-1:1:app-instance/a/channel/c", "MessageId": "m1",
                          "Content": "hi", "CreatedTimestamp": "2024-01-02T03:04:05.678Z", "Type": "STANDARD",
                          "Sender": {"Arn": "arn:u", "Name": "u"}, "Persistence": "PERSISTENT",
                          "Status": {"Value": "SENT"}})
    for event, payload in [("SESSION_ESTABLISHED", ""), ("CREATE_CHANNEL_MESSAGE", created),
                           ("UPDATE_CHANNEL_MESSAGE", created), ("DELETE_CHANNEL_MESSAGE", created),
                           ("CHANNEL_DETAILS", json.dumps({"Channel": {"ChannelArn": "arn:c", "Name": "n"},
                                                           "ChannelMessages": [json.loads(created)],
                                                           "ReadMarkerTimestamp": 1704164645.5})),
                           ("CREATE_CHANNEL_MEMBERSHIP", json.dumps({"ChannelArn": "arn:c",
                                                                     "Member": {"Arn": "arn:u"}, "Type": "DEFAULT"})),
                           ("BATCH_CREATE_CHANNEL_MEMBERSHIP", json.dumps({"ChannelArn": "arn:c",
                                                                           "Members": [{"Arn": "arn:u"}]}))]:
        frame = {"Headers": {"x-amz-chime-event-type": event, "x-amz-chime-message-type": "STANDARD"},
                 "Payload": payload}
        write("fuzz_session_events", json.dumps(frame))
    write("fuzz_session_events", "not an envelope")


def config():
    write("fuzz_config", "[default]\nregion = us-east-1\naws_access_key_id = AKID\n")
    write("fuzz_config", "[profile dev]\nregion=eu-west-1\nservices = local\n\n[services local]\n"
                         "chime_sdk_messaging =\n  endpoint_url = https://127.0.0.1:8443\n")
    write("fuzz_config", "# comment\n; other\n[default]\nmax_attempts = 5\nretry_mode: adaptive\n"
                         "ca_bundle = /tmp/x.pem\n")
    write("fuzz_config", "[bad\nkey value\n")


def endpoints():
    for url in ["https://messaging-chime.us-east-1.amazonaws.com", "http://127.0.0.1:8080", "https://[::1]:8443",
                "https://h.example/", "ftp://x", "https://user@h/p?q#f", "arn%3Aaws%3Achime%3A%2F%25zz"]:
        write("fuzz_endpoint", url)


def front_door():
    auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/chime/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64)
    write("fuzz_local_front_door", "POST\n/channels/arn%3Aaws%3Achime%3Aus-east-1%3A1%3Aapp-instance%2Fa%2Fchannel%2Fc"
                                   f"/messages\nHost: 127.0.0.1\nX-Amz-Date: 20240102T030000Z\nAuthorization: {auth}\n"
                                   "x-amz-chime-bearer: arn:aws:chime:us-east-1:1:app-instance/a/user/u\n"
                                   'Content-Type: application/json\n\n{"Content":"hi","Type":"STANDARD",'
                                   '"Persistence":"PERSISTENT","ClientRequestToken":"t"}')
    write("fuzz_local_front_door", "GET\n/app-instances?app-instance-arn=x&max-results=5&next-token=t\n"
                                   f"Host: 127.0.0.1\nAuthorization: {auth}\n\n")
    write("fuzz_local_front_door", "GET\n/connect?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F"
                                   "20240102%2Fus-east-1%2Fchime%2Faws4_request&X-Amz-Date=20240102T030000Z&"
                                   "X-Amz-Expires=10&X-Amz-SignedHeaders=host&X-Amz-Signature=00&userArn=u\n"
                                   "Host: 127.0.0.1:8443\n\n")
    write("fuzz_local_front_door", "PUT\n/rooms/r1?operation=x\nHost: h\n\n{}")


if __name__ == "__main__":
    responses()
    session_events()
    config()
    endpoints()
    front_door()
    print("wrote", sum(1 for _ in OUT.rglob("*") if _.is_file()), "seed files under", OUT.relative_to(ROOT))
