#!/usr/bin/env bash
# Starts the test SMTP server (tests/mail/smtp_server.py) on 127.0.0.1:PORT, saving messages
# in FOLDER; installs aiosmtpd from PyPI first if it is missing.
# Usage: scripts/smtp-test-server.sh PORT FOLDER
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
    "$python" -m pip install --quiet --disable-pip-version-check aiosmtpd >&2
fi
exec "$python" "$here/tests/mail/smtp_server.py" "$@"
