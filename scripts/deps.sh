#!/bin/sh
# deps.sh - install everything skillgw needs to build, test and run the demo
# on Debian 12. Idempotent: installs only what is missing, so it is cheap to
# call from every make target that needs it.
set -eu
cd "$(dirname "$0")/.."

# libsodium-dev: the API's password hashes (Argon2id) and tokens;
# prometheus: promtool, which the API tests run on /metrics; openssl: the
# API's TLS test makes its certificate;
# chromium, fonts-noto-cjk: the console's browser tests (headless, driven by
# playwright-core; the font so that the screenshots show the Chinese)
PKGS="build-essential pkg-config libosmocore-dev libsmpp34-dev libsqlite3-dev
libconfig-dev libcmocka-dev libmicrohttpd-dev libtalloc-dev libsodium-dev
sqlite3 nodejs npm prometheus openssl chromium fonts-noto-cjk"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# node and npm may come from elsewhere than Debian (e.g. NodeSource)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed -e 's/\bnodejs\b//' -e 's/\bnpm\b//')
fi
missing=$(echo $missing)
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	echo "deps: installing $missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# npm packages of the tests and the demo (the SMSC simulator)
if [ ! -d tests/node_modules/smpp ] ||
   [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
