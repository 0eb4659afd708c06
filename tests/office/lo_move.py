"""Moves a passage of a Word file with LibreOffice (headless, through its UNO API) with
track changes on, as a person would: cut it, paste it after another passage (with a
space before it), and saves the result as .docx ("MS Word 2007 XML"). LibreOffice 7.4
writes such a cut and paste as a tracked move (w:moveFrom / w:moveTo, without move
range names).

Usage: /usr/bin/python3 lo_move.py IN.docx OUT.docx PROFILE_DIR MOVED AFTER AUTHOR
MOVED and AFTER are found in the document's text (the first occurrence of each).
Needs LibreOffice Writer and python3-uno (Debian), which scripts/office-tools.sh installs.
"""
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def find(doc, text):
    search = doc.createSearchDescriptor()
    search.SearchString = text
    found = doc.findFirst(search)
    if found is None:
        sys.exit("not in the document: %r" % text)
    return found


def main():
    src, out, profile, moved, after, author = sys.argv[1:7]
    pipe = "strategi_lo_move_%d" % os.getpid()
    office = subprocess.Popen(
        [
            "soffice",
            "-env:UserInstallation=file://" + os.path.abspath(profile),
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--accept=pipe,name=%s;urp;" % pipe,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(600):
            try:
                ctx = resolver.resolve(
                    "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe
                )
                break
            except Exception:
                if office.poll() is not None:
                    sys.exit("soffice exited with %s" % office.returncode)
                time.sleep(0.1)
        if ctx is None:
            sys.exit("soffice did not answer")
        smgr = ctx.ServiceManager
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
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),)
        )
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
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(out)),
            (prop("FilterName", "MS Word 2007 XML"),),
        )
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


main()
