#!/usr/bin/env bash
# Makes sure the tools the completion and manual-page tests use are on this machine,
# installing what is missing from Debian: zsh and fish (to check the syntax of their
# completion scripts), man-db and groff-base (`man -l` renders the manual pages), and
# util-linux's `script` (bsdutils: the progress tests run strategi on a pseudo-terminal),
# and xmllint (libxml2-utils: the archive tests validate the Noark 5 XML against the schemas).
# bash is there already. Safe to run many times and from several tests at once (installs are
# serialised with a lock file). Prints nothing when everything is there.
# Usage: scripts/shell-tools.sh
set -euo pipefail
need=()
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
lock="${TMPDIR:-/tmp}/strategi-shell-tools.lock"
exec 9>"$lock"
flock 9
# Check again under the lock: another test may have installed them meanwhile.
missing=()
for pkg in "${need[@]}"; do
    case "$pkg" in
        man-db) command -v man >/dev/null 2>&1 || missing+=("$pkg") ;;
        groff-base) command -v groff >/dev/null 2>&1 || missing+=("$pkg") ;;
        bsdutils) command -v script >/dev/null 2>&1 || missing+=("$pkg") ;;
        libxml2-utils) command -v xmllint >/dev/null 2>&1 || missing+=("$pkg") ;;
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
