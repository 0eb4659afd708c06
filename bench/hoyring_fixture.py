"""The fixture of the public-høring benchmark (issue 18), for bench/hoyring.sh.

    python3 bench/hoyring_fixture.py parties WORKSPACE PARTIES
    python3 bench/hoyring_fixture.py answers WORKSPACE ROUND OUTDIR ANSWERS UNLISTED PARTIES
    python3 bench/hoyring_fixture.py decide WORKSPACE ROUND

`parties` adds the listed parties P001..PARTIES (postmottak@pNNN.example) to a case as
`party add` does (one settings record each), in one commit with strategi's trailers, so
that 400 parties take a second rather than 400 commands.

`answers` writes ANSWERS e-mail answers to the open høring ROUND as
OUTDIR/emls/answer-NNNN.eml and the same messages, in the same order, as one mbox
OUTDIR/answers.mbox (mboxrd quoting of body lines starting with `From `). UNLISTED of
them come from senders who are no party (half private persons, half organisations that
name themselves on the form's Organisasjon line; every 50th of them answers a second
time, which supersedes its first answer), the rest from the listed parties by the
subject token. Most answers carry a response form (attached, or in the body) with 7-15
blocks, some anchored by a quote from their section; some are free text (one general
comment), some say "ingen merknader". About 10 comments an answer.

`decide` decides every second comment of ROUND (accepted, partly, rejected, noted, with
a reasoning where one is required) by the round's sender DFD, writing the decision
records as `comment resolve` does and committing them in one commit with the clock
trailer, so that `verify` finds nothing to say.

Everything is drawn from a fixed seed: the same arguments give the same bytes.
"""

import os
import random
import re
import subprocess
import sys
import tomllib
from email.message import EmailMessage

B32 = "0123456789abcdefghjkmnpqrstvwxyz"
rnd = random.Random(18)


def rid(kind):
    return kind + "".join(rnd.choice(B32) for _ in range(7))


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def git(ws, *args, env=None):
    return subprocess.run(["git", "-C", ws, *args], check=True, capture_output=True, text=True, env=env).stdout


def head_clock(ws):
    m = re.search(r"^Strategi-Clock: (\d+)$", git(ws, "log", "-1", "--format=%B"), re.M)
    return int(m.group(1)) if m else 0


def commit(ws, subject, action, party, when):
    """Commits everything as strategi would: trailers, the next logical clock."""
    clock = head_clock(ws) + 1
    name = git(ws, "config", "user.name").strip()
    email = git(ws, "config", "user.email").strip()
    msg = f"{subject}\n\nStrategi-Action: {action}\nStrategi-Party: {party}\nStrategi-Actor: {name} <{email}>\nStrategi-Clock: {clock}\n"
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    return clock, msg, env


def parties(ws, n):
    clock, msg, env = commit(ws, f"Add {n} parties (bench fixture)", "party-add", "DIO", "2025-12-03T11:00:00Z")
    os.makedirs(os.path.join(ws, "settings"), exist_ok=True)
    for i in range(1, n + 1):
        code = "P%03d" % i
        sid = rid("e")
        with open(os.path.join(ws, "settings", f"20251203T110000Z-{sid}.toml"), "w", encoding="utf-8") as f:
            f.write(f'id = "{sid}"\nkind = "party-add"\nby = "DIO"\nat = "2025-12-03T11:00:00Z"\nclock = {clock}\n\n'
                    f'[party]\ncode = "{code}"\nname = "Høringsinstans {i}"\nemail = "postmottak@{code.lower()}.example"\nlang = "nb"\n')
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", msg, env=env)


def sections(ws):
    """Each section's id and the plain-text lines directly under its heading."""
    out = {}
    sdir = os.path.join(ws, "strategy")
    for name in sorted(os.listdir(sdir)):
        if not name.endswith(".md"):
            continue
        current = None
        for line in open(os.path.join(sdir, name), encoding="utf-8"):
            m = re.match(r"#+ .*\{#([a-z0-9-]+)\}", line)
            if m:
                current = out.setdefault(m.group(1), [])
            elif line.startswith("#"):
                current = None
            elif current is not None and re.fullmatch(r"[\wæøåÆØÅ ,.]+", line.strip()) and len(line.split()) >= 8:
                current.append(line.strip())
    return out


def quote(lines):
    """A few words, word for word, from one of `lines` (empty: no quote)."""
    if not lines or rnd.random() < 0.5:
        return ""
    words = rnd.choice(lines).rstrip(".").split()
    k = rnd.randint(3, 6)
    at = rnd.randint(0, max(0, len(words) - k))
    return " ".join(words[at:at + k]).strip(",.")


FIRST = ["Kari", "Ola", "Ingrid", "Per", "Sigrid", "Lars", "Nora", "Jonas", "Ida", "Emil"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Bakken", "Lie", "Dahl"]
ORGS = ["Naturvernforbundet", "Tekna", "Datatilsynet", "Forbrukerrådet", "KS", "NHO", "LO", "Unio", "Akademikerne", "Abelia"]
POSITIONS = ["no-comments", "comments", "reservation", "disagree"]
LABELS = ["ingen merknader", "merknader", "forbehold", "uenig"]


def form(round_id, party, org, blocks, secs, ids):
    tick = rnd.choices(range(4), weights=[1, 12, 3, 2])[0]
    if tick == 0:
        tick = 1
    marks = "  ".join(f"[{'x' if i == tick else ' '}] {LABELS[i]} ({POSITIONS[i]})" for i in range(4))
    head = f"Runde: {round_id}\nPart: {party}\nVersjon: v1\n"
    if org:
        head += f"Organisasjon: {org}\n"
    out = [head + f"Standpunkt: {marks}\n\n"]
    for i in range(blocks):
        s = rnd.choice(ids)
        out.append(f"=== Merknad {i + 1} ===\nSeksjon: {s}\nSitat: {quote(secs[s])}\n"
                   f"Merknad: Merknad {i + 1}: {rnd.choice(['presiser ansvaret', 'tallfest målet', 'beskriv kostnadene', 'ta med kommunene', 'vurder personvernet'])} "
                   f"i {s}; {rnd.randint(1, 10**6)}.\n"
                   f"Forslag til endring: {'Ny tekst %d.' % rnd.randint(1, 999) if rnd.random() < 0.6 else ''}\n\n")
    return "".join(out)


def answers(ws, round_id, out, n, unlisted, pcount):
    secs = sections(ws)
    ids = sorted(secs)
    emls = os.path.join(out, "emls")
    os.makedirs(emls, exist_ok=True)
    # Which answers are from unlisted senders: spread over the batch.
    strangers = set(rnd.sample(range(n), unlisted))
    senders = []
    mbox = open(os.path.join(out, "answers.mbox"), "wb")
    comments = 0
    for k in range(n):
        m = EmailMessage()
        if k in strangers:
            if senders and len(senders) % 50 == 49:
                name, addr, org = senders[len(senders) // 2]
                senders.append((name, addr, org))
            else:
                j = len(senders)
                if j % 2 == 0:
                    name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                    addr, org = f"person{j}@epost.example", None
                else:
                    org = f"{rnd.choice(ORGS)} avdeling {j}"
                    name, addr = f"Rådgiver {j}", f"post{j}@org{j}.example"
                senders.append((name, addr, org))
            party, subject = "", "Høringssvar: nasjonal strategi for kunstig intelligens"
            m["Message-ID"] = f"<answer{k}@sender.example>"
        else:
            name, addr, org = f"Saksbehandler {k}", None, None
            p = "P%03d" % (k % pcount + 1)
            addr, party = f"postmottak@{p.lower()}.example", p
            subject = f"SV: Høring [strategi {round_id}/{p}]"
            m["Message-ID"] = f"<answer{k}@{p.lower()}.example>"
        m["From"] = f"{name} <{addr}>"
        m["To"] = "postmottak@dfd.example"
        m["Subject"] = subject
        m["Date"] = "Mon, 15 Dec 2025 %02d:%02d:%02d +0100" % (8 + k // 3600, k // 60 % 60, k % 60)
        kind = rnd.random()
        if kind < 0.04:
            m.set_content("Hei,\n\nVi har ingen merknader.\n\nMed vennlig hilsen\n" + name + "\n")
        elif kind < 0.10:
            comments += 1
            m.set_content(f"Hei,\n\nFrom our point of view the strategy lacks a plan for the municipalities ({k}).\n"
                          f"Vi ber om at {rnd.choice(ids)} omarbeides og at kostnadene tallfestes.\n\nMed vennlig hilsen\n{name}\n")
        else:
            blocks = rnd.randint(7, 15)
            comments += blocks
            text = form(round_id, party, org, blocks, secs, ids)
            if kind < 0.30:
                m.set_content(f"Her er vårt høringssvar.\n\n{text}")
            else:
                m.set_content(f"Se vedlagte svarskjema.\n\nFrom our side: svar nummer {k}.\n\nMed vennlig hilsen\n{name}\n")
                m.add_attachment(text.encode("utf-8"), maintype="text", subtype="plain", filename="svarskjema.txt")
        raw = bytes(m)
        with open(os.path.join(emls, "answer-%04d.eml" % (k + 1)), "wb") as f:
            f.write(raw)
        mbox.write(b"From %s Mon Dec 15 10:00:00 2025\n" % addr.encode())
        for line in raw.splitlines(keepends=True):
            if line.lstrip(b">").startswith(b"From "):
                line = b">" + line
            mbox.write(line)
        if not raw.endswith(b"\n"):
            mbox.write(b"\n")
        mbox.write(b"\n")
    mbox.close()
    print(f"{n} answers ({unlisted} from {len(set(s[1] for s in senders))} unlisted senders), {comments} comments", file=sys.stderr)


def decide(ws, round_id):
    base = os.path.join(ws, "consultations", round_id)
    cids = []
    for name in sorted(os.listdir(os.path.join(base, "comments"))):
        with open(os.path.join(base, "comments", name), "rb") as f:
            cids.extend(c["id"] for c in tomllib.load(f).get("comment", []))
    clock, msg, env = commit(ws, f"Decide {len(cids[::2])} comment(s) in round {round_id} (bench fixture)",
                             "comment-resolve", "DFD", "2025-12-20T10:00:00Z")
    ddir = os.path.join(base, "decisions")
    os.makedirs(ddir, exist_ok=True)
    for i, c in enumerate(cids[::2]):
        did = rid("d")
        d = ["accepted", "partly", "rejected", "noted"][i % 4]
        note = f'note = {q("Delvis tatt inn i kapittel %d." % (i % 6 + 1))}\n' if d in ("partly", "rejected") else ""
        with open(os.path.join(ddir, f"20251220T100000Z-{did}.toml"), "w", encoding="utf-8") as f:
            f.write(f'id = "{did}"\ncomment = "{c}"\ndecision = "{d}"\n{note}by = "DFD"\nat = "2025-12-20T10:00:00Z"\nclock = {clock}\n')
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", msg, env=env)
    print(f"{len(cids)} comments, {len(cids[::2])} decided", file=sys.stderr)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "parties":
        parties(sys.argv[2], int(sys.argv[3]))
    elif what == "answers":
        answers(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif what == "decide":
        decide(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
