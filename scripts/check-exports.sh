#!/bin/sh
# SPDX-License-Identifier: MIT
# The library exports exactly the functions the public header declares and
# the version script lists: compare the three sets.
set -eu
lib=$1 header=$2 map=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u > "$tmp/exported"
grep -oE '\buiommufd_[a-z_0-9]+\(' "$header" | tr -d '(' | sort -u > "$tmp/declared"
sed -n '/global:/,/local:/p' "$map" | grep -oE '\buiommufd_[a-z_0-9]+' | sort -u > "$tmp/listed"
rc=0
if ! diff -u "$tmp/declared" "$tmp/exported"; then
	echo "header declarations and exported symbols differ" >&2
	rc=1
fi
if ! diff -u "$tmp/declared" "$tmp/listed"; then
	echo "header declarations and the version script differ" >&2
	rc=1
fi
[ $rc = 0 ] && echo "$(wc -l < "$tmp/exported") exports match the header and the version script"
exit $rc
