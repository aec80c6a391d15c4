#!/bin/sh
# manpage.sh PROGRAM SECTION SYSCONFDIR - print a man page made from the
# program's own --help and --version, so the page never says other than the
# program does. The first line of --help is the synopsis ("Usage: ..."), the
# second the one-line description; the rest is shown as it is.
set -eu
prog=$1
sec=$2
etc=$3
name=$(basename "$prog")

help=$("$prog" --help)
version=$("$prog" --version | head -n 1)

# roff: a backslash is \e; a line starting with . or ' is text, not a request
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

synopsis=$(printf '%s\n' "$help" | sed -n '1s/^Usage: *//p' | esc)
summary=$(printf '%s\n' "$help" | sed -n '2{s/\.$//;p;}' | esc)
upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
date=$(date -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH} +%Y-%m-%d)

cat <<EOF
.TH $upper $sec "$date" "$version" "skillgw"
.SH NAME
$name \\- $summary
.SH SYNOPSIS
.nf
$synopsis
.fi
.SH DESCRIPTION
$summary
.PP
.nf
EOF
printf '%s\n' "$help" | sed '1,2d' | sed '/./,$!d' | esc
cat <<EOF
.fi
.SH FILES
.TP
.I $etc/skillgw.conf
The configuration (libconfig). \\fBskillgw \\-t \\-c\\fR \\fIFILE\\fR checks a file.
.TP
.I $etc/skillgw.conf.example
The example configuration it was made from, with every setting explained.
.TP
.I /var/lib/skillgw/skillgw.db
The SQLite database of the systemd unit \\fBskillgw.service\\fR.
.SH SEE ALSO
.BR skillgw (8),
.BR skillctl (8),
.BR sqlite3 (1)
EOF
