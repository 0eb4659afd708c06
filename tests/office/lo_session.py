"""A headless LibreOffice for the test scripts: starts soffice with its own profile,
connects to it through UNO over a pipe, and shuts it down afterwards.

    with office(profile_dir) as (smgr, ctx, desktop):
        doc = open_hidden(desktop, "in.docx")

Needs LibreOffice Writer and python3-uno (Debian), which scripts/office-tools.sh installs.
"""
import contextlib
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


def open_hidden(desktop, path):
    """Loads a document without showing it."""
    return desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, (prop("Hidden", True),)
    )


def store(doc, path, *filters):
    """Saves a copy of the document to `path` with the given filter properties."""
    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(path)), tuple(filters))


@contextlib.contextmanager
def office(profile):
    """Yields (service manager, component context, desktop) of a fresh soffice."""
    pipe = "strategi_lo_%d" % os.getpid()
    proc = subprocess.Popen(
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
                if proc.poll() is not None:
                    sys.exit("soffice exited with %s" % proc.returncode)
                time.sleep(0.1)
        if ctx is None:
            sys.exit("soffice did not answer")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield smgr, ctx, desktop
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
