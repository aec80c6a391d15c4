#!/bin/sh
# libsmpp34.sh DIR - build libsmpp34 with AddressSanitizer and UBSan for the
# fuzz targets (make fuzz-build calls it), so that a read or write out of
# bounds inside the library is reported, not only one in our code.
#
# The source is Debian's: the source package of the libsmpp34-dev that is
# installed (the version the product is built and tested against), with
# Debian's patches applied, fetched with apt-get source. apt reads a source
# list of its own under DIR/apt (the system's apt configuration and package
# lists are not touched) and checks the archive's signature
# (debian-archive-keyring) and every file's hash, as for any package. The
# library's sources are then compiled directly (no autotools) with $CC and
# $CFLAGS, from the Makefile, and LIBFLAGS below.
#
#   DIR/lib/libsmpp34.a  the instrumented library (static)
#   DIR/include/         its headers, laid out as /usr/include/libsmpp34
#   DIR/src/             the source package, as apt-get source left it
#   DIR/stamp            version, compiler, flags and script of that build
#
# Idempotent: nothing is done when DIR/stamp says the same version was
# built with the same compiler, flags and script (the source is not fetched
# again when only those changed). Nothing here is committed: DIR is under
# build-fuzz/. Network is needed on the first run only.
#
# Environment: CC (clang), CFLAGS, SMPP34_VERSION (the Debian version to
# build; default that of the installed libsmpp34-dev), DEBIAN_MIRROR and
# DEBIAN_SECURITY_MIRROR (deb.debian.org), DEBIAN_SUITE (this system's).
set -eu
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

die() {
	echo "libsmpp34.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: libsmpp34.sh DIR"
mkdir -p "$1"
D=$(cd "$1" && pwd)
CC=${CC:-clang}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS=${CFLAGS:--O1 -g -fsanitize=fuzzer-no-link $san -fno-omit-frame-pointer}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

V=${SMPP34_VERSION:-$(dpkg-query -W -f='${Version}' libsmpp34-dev \
	2>/dev/null || true)}
[ -n "$V" ] || die "libsmpp34-dev is not installed (make deps)"
command -v "$CC" >/dev/null || die "$CC not found: apt-get install -y clang"

# Added for libsmpp34 only. -fno-common: its tentative definitions (char
# smpp34_strerror[2048];) become ordinary globals, which ASan surrounds with
# redzones (common symbols it does not instrument). -fno-sanitize=
# array-bounds: its OCTET16 macro reads a TLV's length through the address
# of the array after it (value.octet - 2), which UBSan reports on every
# octet-string TLV, a real PDU's too, so the fuzzer would find nothing else;
# the two octets it reads are inside the struct, and any read or write out
# of an object is still ASan's to report.
LIBFLAGS="-fno-common -fno-sanitize=array-bounds -w"

want="libsmpp34 $V; $("$CC" --version | head -1); $CFLAGS $LIBFLAGS; $(cksum < "$self")"
if [ -f "$D/lib/libsmpp34.a" ] && [ -f "$D/stamp" ] &&
   [ "$(cat "$D/stamp")" = "$want" ]; then
	echo "libsmpp34 $V (ASan/UBSan) is up to date in $1"
	exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# apt with a private source list, package lists and cache
apt_private() {
	apt-get -q -o Dir::Etc::SourceList="$D/apt/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$D/apt/lists" \
		-o Dir::Cache="$D/apt/cache" "$@"
}

# ---- fetch: DIR/src holds the source package of version V ------------------
nv=${V#*:}			# the file names carry no epoch
upstream=${nv%-*}
tree="$D/src/libsmpp34-$upstream"
if [ ! -f "$D/src/libsmpp34_$nv.dsc" ] || [ ! -d "$tree/src" ]; then
	[ -f "$KEYRING" ] ||
		die "$KEYRING missing: apt-get install -y debian-archive-keyring"
	if ! command -v dpkg-source >/dev/null; then
		echo "libsmpp34.sh: installing dpkg-dev (dpkg-source)"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
			dpkg-dev >/dev/null
	fi
	# shellcheck disable=SC1091
	suite=${DEBIAN_SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
	[ -n "$suite" ] || die "no VERSION_CODENAME in /etc/os-release: set DEBIAN_SUITE"
	rm -rf "$D/apt" "$D/src" "$D/src.tmp"
	mkdir -p "$D/apt/lists/partial" "$D/apt/cache/archives/partial" \
		"$D/src.tmp"
	s="[signed-by=$KEYRING]"
	printf '%s\n' "deb-src $s $MIRROR $suite main" \
		"deb-src $s $MIRROR $suite-updates main" \
		"deb-src $s $SECURITY $suite-security main" \
		> "$D/apt/sources.list"
	# as root apt downloads as user _apt: let it write where it downloads
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$D/apt/lists/partial" "$D/apt/cache/archives/partial" \
			"$D/src.tmp"
	fi
	echo "libsmpp34.sh: fetching the source package libsmpp34 $V ($suite)"
	apt_private update >"$D/apt/update.log" 2>&1 ||
		{ cat "$D/apt/update.log" >&2; die "apt-get update failed"; }
	(cd "$D/src.tmp" && apt_private source "libsmpp34=$V") \
		>"$D/apt/source.log" 2>&1 ||
		{ cat "$D/apt/source.log" >&2
		  die "no source package libsmpp34 $V in $suite (is libsmpp34-dev up to date?)"; }
	[ -d "$D/src.tmp/libsmpp34-$upstream/src" ] ||
		die "apt-get source left no libsmpp34-$upstream/src"
	[ "$(id -u)" -ne 0 ] || chown -R 0:0 "$D/src.tmp"
	mv "$D/src.tmp" "$D/src"
fi

# ---- build: DIR/lib/libsmpp34.a and DIR/include ----------------------------
echo "libsmpp34.sh: building libsmpp34 $V with $CC $CFLAGS $LIBFLAGS"
rm -rf "${D:?}/obj" "${D:?}/lib" "${D:?}/include" "${D:?}/stamp"
mkdir -p "$D/obj" "$D/lib" "$D/include/def_frame" "$D/include/def_list"
# the files in parallel: three of them expand to large functions
pids=""
for c in "$tree"/src/*.c; do
	o="$D/obj/$(basename "$c" .c).o"
	# shellcheck disable=SC2086
	"$CC" $CFLAGS $LIBFLAGS -D_REENTRANT -DBSD_COMP \
		-D_POSIX_PTHREAD_SEMANTICS -I"$tree/src" -I"$tree" \
		-c -o "$o" "$c" &
	pids="$pids $!"
done
failed=0
for p in $pids; do
	wait "$p" || failed=1
done
[ "$failed" -eq 0 ] || die "compiling libsmpp34 failed"
ar rcs "$D/lib/libsmpp34.a.tmp" "$D"/obj/*.o
nm "$D/lib/libsmpp34.a.tmp" 2>/dev/null | grep -q __asan_register_globals ||
	die "libsmpp34.a has no ASan-instrumented globals (CFLAGS: $CFLAGS)"
mv "$D/lib/libsmpp34.a.tmp" "$D/lib/libsmpp34.a"
cp "$tree"/src/*.h "$D/include/"
cp "$tree"/def_frame/*.frame "$tree"/def_frame/*.tlv "$tree"/def_frame/*.dad \
	"$tree"/def_frame/*.udad "$tree"/def_frame/*.operation \
	"$D/include/def_frame/"
cp "$tree"/def_list/*.list "$tree"/def_list/*.def "$D/include/def_list/"
printf '%s\n' "$want" > "$D/stamp"
echo "libsmpp34.sh: $1/lib/libsmpp34.a and $1/include ready"
