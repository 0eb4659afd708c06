#!/usr/bin/env bash
# Makes sure the office tools the Word tests use are on this machine, installing what is
# missing: LibreOffice Writer (headless, Debian package libreoffice-writer-nogui) with its
# Python bridge (python3-uno), pandoc (Debian) and python-docx (PyPI). Safe to run many times and from several tests at once
# (installs are serialised with a lock file). Prints nothing when everything is there.
# Usage: scripts/office-tools.sh
set -euo pipefail
python="${PYTHON:-python3}"
need_apt=()
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
command -v pandoc >/dev/null 2>&1 || need_apt+=(pandoc)
# LibreOffice's own Python bridge (accepting and rejecting tracked changes in a test).
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || need_apt+=(python3-uno)
have_docx=1
"$python" -c 'import docx' 2>/dev/null || have_docx=0
if [ ${#need_apt[@]} -eq 0 ] && [ "$have_docx" -eq 1 ]; then
    exit 0
fi
lock="${TMPDIR:-/tmp}/strategi-office-tools.lock"
exec 9>"$lock"
flock 9
if [ ${#need_apt[@]} -gt 0 ]; then
    # Check again under the lock: another test may have installed them meanwhile.
    missing=()
    for pkg in "${need_apt[@]}"; do
        case "$pkg" in
            libreoffice-writer-nogui) command -v soffice >/dev/null 2>&1 || missing+=("$pkg") ;;
            python3-uno) /usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing+=("$pkg") ;;
            *) command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
        esac
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
            $sudo apt-get update -qq >&2
        fi
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >&2
    fi
fi
if ! "$python" -c 'import docx' 2>/dev/null; then
    "$python" -m pip install --quiet --disable-pip-version-check python-docx >&2
fi
