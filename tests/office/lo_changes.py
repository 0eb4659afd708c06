"""Accepts or rejects every tracked change of a Word file with LibreOffice (headless,
through its UNO API) and saves the result as UTF-8 text.

Usage: /usr/bin/python3 lo_changes.py accept|reject IN.docx OUT.txt PROFILE_DIR
Needs LibreOffice Writer and python3-uno (Debian), which scripts/office-tools.sh installs.
"""
import sys

from lo_session import office, open_hidden, prop, store


def main():
    action, src, out, profile = sys.argv[1:5]
    with office(profile) as (smgr, ctx, desktop):
        doc = open_hidden(desktop, src)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        command = ".uno:AcceptAllTrackedChanges" if action == "accept" else ".uno:RejectAllTrackedChanges"
        dispatcher.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())
        store(doc, out, prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8"))
        doc.close(True)


main()
