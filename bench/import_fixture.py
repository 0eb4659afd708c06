"""Writes the answers of a large public høring, for bench/import.sh and the tests.

    python3 bench/import_fixture.py ROUND OUTDIR ANSWERS COMMENTS PARTIES [BROKEN]

Writes ANSWERS e-mail replies to round ROUND as OUTDIR/emls/answer-NNNN.eml and the same
messages, in the same order, as one mbox OUTDIR/answers.mbox (mboxrd: `From ` separator
lines, body lines starting with `>*From ` quoted with one more `>`, as Thunderbird's and
Outlook's exports write them). The senders are the listed parties P001..PARTIES
(postmottak@pNNN.example), each answer a response form with COMMENTS/ANSWERS comments.
Every answer's body has a line starting with "From ", so the mbox has quoting to undo.
With BROKEN=N, answer N (from 1) is a broken message (a multipart without its closing
boundary and no From header), in the folder and in the mbox.
"""

import os
import sys
from email.message import EmailMessage

round_id, out = sys.argv[1], sys.argv[2]
answers, comments, parties = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
broken = int(sys.argv[6]) if len(sys.argv) > 6 else 0
sections = ["mal", "tiltak-plattform", "tiltak-opplaering", "styring", "anskaffelser"]
emls = os.path.join(out, "emls")
os.makedirs(emls, exist_ok=True)
per = comments // answers
extra = comments - per * answers
mbox = open(os.path.join(out, "answers.mbox"), "wb")
for k in range(answers):
    p = "P%03d" % (k % parties + 1)
    n = per + (1 if k < extra else 0)
    if k + 1 == broken:
        raw = (b"Subject: broken\nMessage-ID: <broken%d@bench.example>\nMIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=\"xyz\"\n\n--xyz\nContent-Type: text/plain\n\nno end\n" % k)
    else:
        m = EmailMessage()
        m["From"] = f"Saksbehandler {k} <postmottak@{p.lower()}.example>"
        m["To"] = "postmottak@dfd.example"
        m["Subject"] = f"SV: Høring [strategi {round_id}/{p}]"
        m["Message-ID"] = f"<answer{k}@{p.lower()}.example>"
        m["Date"] = "Mon, 15 Dec 2025 10:%02d:%02d +0100" % (k // 60 % 60, k % 60)
        m.set_content(f"Se vedlagte svarskjema.\n\nFrom our side: svar nummer {k}.\n\nMed vennlig hilsen\nSaksbehandler {k}\n")
        blocks = "".join(
            f"=== Merknad ===\nSeksjon: {sections[(i + k) % len(sections)]}\nSitat:\n"
            f"Merknad: Merknad {i} i svar {k} fra {p}: presiser ansvaret og tallfest målet.\n"
            f"Forslag til endring: Ny tekst {i}.\n\n"
            for i in range(n))
        form = (f"Runde: {round_id}\nPart: {p}\nVersjon: v1\n"
                "Standpunkt: [ ] ingen merknader (no-comments)  [x] merknader (comments)  [ ] forbehold (reservation)  [ ] uenig (disagree)\n\n"
                + blocks)
        m.add_attachment(form.encode("utf-8"), maintype="text", subtype="plain", filename=f"svarskjema-{p}.txt")
        raw = bytes(m)
    with open(os.path.join(emls, "answer-%04d.eml" % (k + 1)), "wb") as f:
        f.write(raw)
    mbox.write(b"From postmottak@%s.example Mon Dec 15 10:00:00 2025\n" % p.lower().encode())
    for line in raw.splitlines(keepends=True):
        if line.lstrip(b">").startswith(b"From "):
            line = b">" + line
        mbox.write(line)
    if not raw.endswith(b"\n"):
        mbox.write(b"\n")
    mbox.write(b"\n")
mbox.close()
print(f"{answers} answers, {comments} comments, from {parties} parties", file=sys.stderr)
