"""Writes the records of a large consultation into a strategi workspace.

    python3 bench/comments_fixture.py WORKSPACE ROUNDS COMMENTS EMLDIR EMLS

WORKSPACE already holds the case, 17 parties, version v1 and ROUNDS open rounds (made
through the strategi binary by bench/comments.sh). This script adds, per round and
party, one reply: a Response fact and one comment file holding that reply's share of
COMMENTS comments (as `comment import` writes them), and a decision for every second
comment. It also writes EMLS e-mail replies with response forms into EMLDIR, for the
import benchmark, addressed to the first round.
"""

import os
import random
import sys
from email.message import EmailMessage

ws, rounds_n, comments_n, emldir, emls_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
rnd = random.Random(42)
B32 = "0123456789abcdefghjkmnpqrstvwxyz"


def rid(kind):
    return kind + "".join(rnd.choice(B32) for _ in range(7))


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


rounds_dir = os.path.join(ws, "consultations")
rounds = sorted(d for d in os.listdir(rounds_dir) if d.startswith("r"))[:rounds_n]
parties = []
# Parties live in strategi.toml (older cases) or as `party-add` settings records.
sources = [os.path.join(ws, "strategi.toml")]
settings_dir = os.path.join(ws, "settings")
if os.path.isdir(settings_dir):
    sources += [os.path.join(settings_dir, n) for n in sorted(os.listdir(settings_dir)) if n.endswith(".toml")]
for src in sources:
    for line in open(src, encoding="utf-8"):
        if line.startswith("code = ") and line.split('"')[1] not in parties:
            parties.append(line.split('"')[1])
recipients = [p for p in parties if p not in ("DIO", "DFD")]
sections = ["oppdrag", "mal", "visjon", "innsatsomrader", "tiltak-opplaering", "tiltak-plattform", "tiltak-risikovurdering", "anskaffelser", "styring"]
per_reply = comments_n // (len(rounds) * len(recipients))
extra = comments_n - per_reply * len(rounds) * len(recipients)
n = 0
for r in rounds:
    base = os.path.join(rounds_dir, r)
    os.makedirs(os.path.join(base, "facts"), exist_ok=True)
    os.makedirs(os.path.join(base, "comments"), exist_ok=True)
    os.makedirs(os.path.join(base, "decisions"), exist_ok=True)
    for i, p in enumerate(recipients):
        stamp = "20251215T%02d%02d00Z" % (9 + i // 60, i % 60)
        fid = rid("f")
        with open(os.path.join(base, "facts", f"{stamp}-{fid}.toml"), "w") as f:
            f.write(f'id = "{fid}"\nat = "2025-12-15T{9 + i // 60:02}:{i % 60:02}:00Z"\nby = "DIO"\ntype = "response"\nparty = "{p}"\nposition = "comments"\n')
        count = per_reply + (1 if extra > 0 else 0)
        extra -= 1 if extra > 0 else 0
        cids = [rid("c") for _ in range(count)]
        with open(os.path.join(base, "comments", f"{stamp}-{cids[0]}.toml"), "w") as f:
            for k, c in enumerate(cids):
                sec = sections[(k + i) % len(sections)]
                f.write(f'[[comment]]\nid = "{c}"\nparty = "{p}"\nby = "DIO"\nat = "2025-12-15T{9 + i // 60:02}:{i % 60:02}:00Z"\nversion = "v1"\nsection = "{sec}"\ntext = {q("Merknad nummer %d fra %s: vi foreslår at teksten presiseres, slik at ansvaret blir tydelig." % (k, p))}\nproposal = {q("Ny tekst %d" % k)}\n\n')
                n += 1
                if k % 2 == 0:
                    did = rid("d")
                    with open(os.path.join(base, "decisions", f"20260110T100000Z-{did}.toml"), "w") as d:
                        d.write(f'id = "{did}"\ncomment = "{c}"\ndecision = "partly"\nnote = "Delvis tatt inn i kapittel 3."\nby = "DIO"\nat = "2026-01-10T10:00:00Z"\n')
print(f"{n} comments in {len(rounds)} rounds x {len(recipients)} parties", file=sys.stderr)

os.makedirs(emldir, exist_ok=True)
first = rounds[0]
for k in range(emls_n):
    p = recipients[k % len(recipients)]
    m = EmailMessage()
    m["From"] = f"Saksbehandler {k} <saksbehandler{k}@{p.lower()}.example>"
    m["To"] = "postmottak@dfd.example"
    m["Subject"] = f"SV: Framlegging [strategi {first}/{p}]"
    m["Message-ID"] = f"<reply{k}@{p.lower()}.example>"
    m["Date"] = "Mon, 15 Dec 2025 10:00:00 +0100"
    m.set_content(f"Se vedlagte svarskjema.\n\nMed vennlig hilsen\nSaksbehandler {k}\n")
    form = (f"Runde: {first}\nPart: {p}\nVersjon: v1\n"
            "Standpunkt: [ ] ingen merknader (no-comments)  [x] merknader (comments)  [ ] forbehold (reservation)  [ ] uenig (disagree)\n\n"
            f"=== Merknad ===\nSeksjon: mal\nSitat:\nMerknad: Merknad {k} om målene: tallfest ambisjonene.\nForslag til endring: Sett et tall.\n\n"
            f"=== Merknad ===\nSeksjon: tiltak-plattform\nSitat:\nMerknad: Plattformen må ha en tydelig eier ({k}).\nForslag til endring:\n")
    m.add_attachment(form.encode("utf-8"), maintype="text", subtype="plain", filename=f"svarskjema-{p}-v1.txt")
    with open(os.path.join(emldir, f"reply-{k:04}.eml"), "wb") as f:
        f.write(bytes(m))
