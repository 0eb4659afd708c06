"""Fixture for bench/word-import.sh: a version of about 200 pages and a Word reply to it
with COMMENTS comments and CHANGES tracked changes, written as Office Open XML by hand
(zipfile), with strategi's section bookmarks as `version export --format docx` writes them.

    python3 bench/word_fixture.py DRAFT.md REPLY.docx [SECTIONS] [COMMENTS] [CHANGES]
"""
import hashlib
import random
import sys
import zipfile
from xml.sax.saxutils import escape

draft, out = sys.argv[1], sys.argv[2]
sections = int(sys.argv[3]) if len(sys.argv) > 3 else 200
n_comments = int(sys.argv[4]) if len(sys.argv) > 4 else 500
n_changes = int(sys.argv[5]) if len(sys.argv) > 5 else 500
rng = random.Random(15)
WORDS = ("strategi departement digital tjeneste innbygger forvaltning data deling "
         "kunstig intelligens ansvarlig bruk sikkerhet personvern samarbeid kommune "
         "plattform kompetanse opplæring finansiering tiltak mål").split()


def bookmark(section_id):
    readable = "".join(c if c.isascii() and c.isalnum() else "_" for c in section_id)[:29]
    return "S_%s_%s" % (readable, hashlib.sha256(section_id.encode()).hexdigest()[:8])


# 200 sections x 10 paragraphs x 50 words: 100,000 words, about 200 pages.
doc = []  # (section id, title, [paragraph word lists])
for s in range(sections):
    paras = []
    for p in range(10):
        words = [rng.choice(WORDS) for _ in range(48)]
        words.insert(rng.randrange(48), "merke%d_%d" % (s, p))
        words.append("slutt%d_%d." % (s, p))
        paras.append(words)
    doc.append(("kap-%d" % s, "Kapittel %d" % s, paras))
with open(draft, "w") as f:
    f.write("# Strategi {#strategi}\n\n")
    for sid, title, paras in doc:
        f.write("## %s {#%s}\n\n" % (title, sid))
        for words in paras:
            f.write(" ".join(words) + "\n\n")

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')


def run(text):
    return '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(text)


slots = [(s, p) for s in range(sections) for p in range(10)]
rng.shuffle(slots)
commented = set(slots[:n_comments])
changed = set(slots[n_comments:n_comments + n_changes])
body = ['<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>%s</w:p>' % run("Strategi – utkast")]
comments = []
bid = 0
cid = 0
for s, (sid, title, paras) in enumerate(doc):
    bid += 1
    body.append('<w:bookmarkStart w:id="%d" w:name="%s"/>' % (bid, bookmark(sid)))
    body.append('<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr>%s</w:p>' % run("%d %s" % (s + 1, title)))
    for p, words in enumerate(paras):
        text = " ".join(words)
        if (s, p) in commented:
            mark = "merke%d_%d" % (s, p)
            before, after = text.split(mark, 1)
            body.append('<w:p>%s<w:commentRangeStart w:id="%d"/>%s<w:commentRangeEnd w:id="%d"/>'
                        '<w:r><w:commentReference w:id="%d"/></w:r>%s</w:p>'
                        % (run(before), cid, run(mark), cid, cid, run(after)))
            comments.append('<w:comment w:id="%d" w:author="Kari Nordmann" w:date="2025-11-20T10:00:00Z" '
                            'w:initials="KN"><w:p w14:paraId="%08X"><w:r><w:t>Merknad %d om %s.</w:t></w:r></w:p></w:comment>'
                            % (cid, cid + 1, cid, mark))
            cid += 1
        elif (s, p) in changed:
            end = "slutt%d_%d." % (s, p)
            head = text[: -len(end)]
            body.append('<w:p>%s<w:del w:id="%d" w:author="Ola" w:date="2025-11-20T10:00:00Z"><w:r><w:delText>%s</w:delText></w:r></w:del>'
                        '<w:ins w:id="%d" w:author="Ola" w:date="2025-11-20T10:00:00Z">%s</w:ins></w:p>'
                        % (run(head), 100000 + s * 10 + p, escape(end), 200000 + s * 10 + p, run("ny%d_%d." % (s, p))))
        else:
            body.append("<w:p>%s</w:p>" % run(text))
    body.append('<w:bookmarkEnd w:id="%d"/>' % bid)
document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document %s><w:body>%s'
            '<w:sectPr/></w:body></w:document>' % (W, "".join(body)))
comments_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments %s>%s</w:comments>'
                % (W, "".join(comments)))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", document)
    z.writestr("word/comments.xml", comments_xml)
print("words: %d, comments: %d, changes: %d, document.xml: %d bytes"
      % (sum(len(w) for _, _, ps in doc for w in ps), len(comments), len(changed), len(document)))
