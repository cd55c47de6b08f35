#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages stay usable: every page formats without a warning from
# groff (when groff is installed), its .TH section matches its file name,
# every .so link names a page of this directory, and every function the
# library exports (the version script's global list) has a page.
# usage: check-man.sh MANDIR VERSION_SCRIPT
set -eu
dir=$1 map=$2
rc=0
n=0
if command -v groff >/dev/null 2>&1; then
	have_groff=1
else
	have_groff=0
	echo "groff not installed: pages not formatted (install groff-base)"
fi
for page in "$dir"/*.[1-8]; do
	name=$(basename "$page")
	n=$((n + 1))
	first=$(head -n 1 "$page")
	case $first in
	.so\ *)
		target=$(basename "${first#.so }")
		if [ ! -f "$dir/$target" ]; then
			echo "$name: .so names $target, which is not in $dir"
			rc=1
		fi
		continue
		;;
	esac
	sect=$(sed -n 's/^\.TH [^ ]* \([0-9]\).*/\1/p' "$page" | head -n 1)
	if [ "$sect" != "${name##*.}" ]; then
		echo "$name: .TH says section '$sect'"
		rc=1
	fi
	if [ $have_groff = 1 ]; then
		out=$(groff -man -t -ww -z "$page" 2>&1) || true
		if [ -n "$out" ]; then
			echo "$name: groff warnings:"
			echo "$out"
			rc=1
		fi
	fi
done
for fn in $(sed -n '/global:/,/local:/p' "$map" | grep -oE '\buiommufd_[a-z_0-9]+'); do
	if [ ! -f "$dir/$fn.3" ]; then
		echo "$fn is exported but has no page: add $fn.3 (or a .so link) to $dir and its meson.build"
		rc=1
	fi
done
[ $rc = 0 ] && echo "$n pages checked; every export has one"
exit $rc
