#!/bin/sh
# sql2c.sh - turn schema.sql into a C header holding it as one string, so the
# schema has exactly one copy (the .sql file) and the binary carries it.
set -eu
echo "/* generated from $1 by scripts/sql2c.sh: do not edit */"
echo "static const char db_schema_sql[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
echo ";"
