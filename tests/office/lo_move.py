"""Moves a passage of a Word file with LibreOffice (headless, through its UNO API) with
track changes on, as a person would: cut it, paste it after another passage (with a
space before it), and saves the result as .docx ("MS Word 2007 XML"). LibreOffice 7.4
writes such a cut and paste as a tracked move (w:moveFrom / w:moveTo, without move
range names).

Usage: /usr/bin/python3 lo_move.py IN.docx OUT.docx PROFILE_DIR MOVED AFTER AUTHOR
MOVED and AFTER are found in the document's text (the first occurrence of each).
Needs LibreOffice Writer and python3-uno (Debian), which scripts/office-tools.sh installs.
"""
import sys

from lo_session import office, open_hidden, prop, store


def find(doc, text):
    search = doc.createSearchDescriptor()
    search.SearchString = text
    found = doc.findFirst(search)
    if found is None:
        sys.exit("not in the document: %r" % text)
    return found


def main():
    src, out, profile, moved, after, author = sys.argv[1:7]
    with office(profile) as (smgr, ctx, desktop):
        # The author of the tracked changes: the user's name in the profile.
        config = smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", ctx
        )
        user = config.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (prop("nodepath", "/org.openoffice.UserProfile/Data"),),
        )
        given, _, family = author.partition(" ")
        user.setPropertyValue("givenname", given)
        user.setPropertyValue("sn", family)
        user.commitChanges()
        doc = open_hidden(desktop, src)
        doc.RecordChanges = True
        controller = doc.getCurrentController()
        frame = controller.getFrame()
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        controller.select(find(doc, moved))
        dispatcher.executeDispatch(frame, ".uno:Cut", "", 0, ())
        target = find(doc, after)
        cursor = target.getText().createTextCursorByRange(target.getEnd())
        controller.select(cursor)
        dispatcher.executeDispatch(frame, ".uno:InsertText", "", 0, (prop("Text", " "),))
        dispatcher.executeDispatch(frame, ".uno:Paste", "", 0, ())
        store(doc, out, prop("FilterName", "MS Word 2007 XML"))
        doc.close(True)


main()
