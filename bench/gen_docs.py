#!/usr/bin/env python3
"""Deterministic generator of benchmark documents for `strategi diff`.

Writes five Markdown files to the given folder:

  base.md      150,000 words: 1,500 paragraphs of 100 words, a heading every 12
               paragraphs (levels 1-3, about a third with explicit {#id}s), wrapped at 80.
  light.md     base with 1 % of the paragraphs edited (a few words each), 3 paragraphs
               inserted, 3 deleted, 3 moved to another section, and one section moved.
  heavy.md     base with 30 % of the paragraphs edited.
  rewrap.md    the light edits, with the whole text re-wrapped at 64 columns.
  disjoint.md  a different document (other seed) of the same size and shape.

Usage: gen_docs.py OUT_DIR [--seed N]
"""

import argparse
import os
import random

ONSETS = ["", "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
          "bl", "br", "dr", "fl", "fr", "gr", "kl", "kr", "pl", "pr", "sk", "sl", "sm",
          "sn", "sp", "st", "str", "tr", "kj", "skj", "sj"]
# Vowels weighted so that æ, ø and å make up about 2 % of the letters, as in Norwegian
# prose (å ≈ 1 %, ø ≈ 0.9 %, æ ≈ 0.1 %).
NUCLEI = (["a"] * 14 + ["e"] * 20 + ["i"] * 10 + ["o"] * 8 + ["u"] * 4 + ["y"] * 2
          + ["ei"] * 2 + ["au", "ie"] + ["å"] * 3 + ["ø"] * 2 + ["øy", "æ"])
CODAS = ["", "", "n", "r", "s", "t", "l", "m", "k", "g", "nd", "ng", "kk", "tt", "st",
         "rt", "ft", "ll", "nn", "ns", "rk"]
COMMON = ["og", "i", "på", "for", "til", "med", "som", "er", "det", "en", "et", "av", "at",
          "skal", "vil", "har", "ikke", "de", "den", "kan", "være", "om", "mer", "alle"]
SUFFIXES = [""] * 8 + ["ing", "het", "else", "ene", "er", "en", "ig", "lig", "skap", "ning"]


def make_word(rng):
    syll = rng.choice([1, 1, 2, 2, 2, 3])
    w = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS) for _ in range(syll))
    return w + rng.choice(SUFFIXES)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.vocab = [make_word(self.rng) for _ in range(6000)]
        # Zipf-like frequencies: weight 1 / (rank + 20).
        total, self.cum = 0.0, []
        for k in range(len(self.vocab)):
            total += 1.0 / (k + 20)
            self.cum.append(total)

    def word(self):
        r = self.rng
        if r.random() < 0.35:
            return r.choice(COMMON)
        return r.choices(self.vocab, cum_weights=self.cum)[0]

    def paragraph(self, n=100):
        r = self.rng
        words = []
        sentence_start = True
        for i in range(n):
            w = self.word()
            if sentence_start:
                w = w[:1].upper() + w[1:]
                sentence_start = False
            if i == n - 1 or r.random() < 0.07:
                w += "."
                sentence_start = True
            elif r.random() < 0.06:
                w += ","
            elif r.random() < 0.005:
                w += ":"
            words.append(w)
        return words

    def title(self):
        n = self.rng.choice([1, 2, 3, 4])
        t = [self.word() for _ in range(n)]
        return " ".join(t)[:1].upper() + " ".join(t)[1:]


def build(seed, paragraphs=1500, per_section=12):
    """A document model: list of sections [level, title, explicit id or None, [paragraphs]]."""
    g = Gen(seed)
    secs = [[1, "Nasjonal strategi for " + g.title().lower(), "strategi", []]]
    k = 0
    n_sec = 0
    while k < paragraphs:
        n_sec += 1
        level = 2 if n_sec % 4 == 1 else 3
        explicit = f"s{seed % 1000}-{n_sec}" if n_sec % 3 == 0 else None
        paras = [g.paragraph() for _ in range(min(per_section, paragraphs - k))]
        k += len(paras)
        secs.append([level, g.title(), explicit, paras])
    return g, secs


def wrap(words, width):
    lines, line, n = [], [], 0
    for w in words:
        if line and n + 1 + len(w) > width:
            lines.append(" ".join(line))
            line, n = [], 0
        n += len(w) + (1 if line else 0)
        line.append(w)
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines)


def render(secs, width=80):
    out = []
    for level, title, explicit, paras in secs:
        h = "#" * level + " " + title + (f" {{#{explicit}}}" if explicit else "")
        out.append(h)
        for p in paras:
            out.append(wrap(p, width))
    return "\n\n".join(out) + "\n"


def clone(secs):
    return [[l, t, e, [list(p) for p in ps]] for l, t, e, ps in secs]


def all_paras(secs):
    return [(si, pi) for si, s in enumerate(secs) for pi in range(len(s[3]))]


def edit_paragraph(g, p):
    r = g.rng
    p = list(p)
    for _ in range(r.randint(1, 4)):
        i = r.randrange(len(p))
        action = r.random()
        if action < 0.6:
            tail = p[i][-1] if p[i][-1] in ".,:" else ""
            p[i] = g.word() + tail
        elif action < 0.8:
            p.insert(i, g.word())
        elif len(p) > 10:
            del p[i]
    return p


def edited(g, secs, share, structural):
    r = g.rng
    secs = clone(secs)
    places = all_paras(secs)
    for si, pi in r.sample(places, int(len(places) * share)):
        secs[si][3][pi] = edit_paragraph(g, secs[si][3][pi])
    if structural:
        for _ in range(3):  # insert
            s = r.randrange(1, len(secs))
            secs[s][3].insert(r.randint(0, len(secs[s][3])), g.paragraph())
        for _ in range(3):  # delete
            s = r.randrange(1, len(secs))
            if secs[s][3]:
                del secs[s][3][r.randrange(len(secs[s][3]))]
        for _ in range(3):  # move a paragraph to another section
            a, b = r.randrange(1, len(secs)), r.randrange(1, len(secs))
            if secs[a][3]:
                p = secs[a][3].pop(r.randrange(len(secs[a][3])))
                secs[b][3].insert(r.randint(0, len(secs[b][3])), p)
        s = secs.pop(r.randrange(2, len(secs)))  # move one section
        secs.insert(r.randrange(2, len(secs)), s)
    return secs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    g, base = build(args.seed)
    light = edited(g, base, 0.01, True)
    heavy = edited(g, base, 0.30, False)
    _, other = build(args.seed + 1)
    files = {
        "base.md": render(base),
        "light.md": render(light),
        "heavy.md": render(heavy),
        "rewrap.md": render(light, width=64),
        "disjoint.md": render(other),
    }
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write(text)
        words = len(text.split())
        print(f"{name:12} {len(text.encode()):>9} bytes {words:>7} words")


if __name__ == "__main__":
    main()
