#!/bin/sh
# run-vala.sh: compiles a Vala program against the vapi in the build tree
# with valac, then runs it with the remaining arguments.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: run-vala.sh VALAC SOURCE_ROOT BUILD_ROOT PROGRAM.vala [ARG]...
set -eu

valac=$1 source_root=$2 build_root=$3 program=$4
shift 4
libdir=$build_root/libvesc

# meson test only rebuilds what a test names in depends:, and the vapi
# target is not visible from here: build it when it is missing or stale.
if [ ! -f "$libdir/vesc-1.vapi" ] || [ "$libdir/vesc-1.vapi" -ot "$libdir/Vesc-1.gir" ]; then
  ninja -C "$build_root" libvesc/vesc-1.vapi >&2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# valac asks pkg-config for the C flags of every package; the uninstalled
# library has no .pc file, so describe it here.
cat > "$scratch/vesc-1.pc" <<PC
Name: vesc-1
Description: libvesc in the build tree
Version: 0
Requires: gio-2.0 gio-unix-2.0 json-glib-1.0
Cflags: -I$source_root -I$source_root/libvesc -I$libdir
Libs: -L$libdir -Wl,-rpath,$libdir -lvesc-1
PC

PKG_CONFIG_PATH=$scratch${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH} \
  "$valac" --quiet --vapidir="$libdir" --pkg vesc-1 --pkg gio-2.0 --pkg json-glib-1.0 \
  --directory="$scratch" -X -w -o "$scratch/program" "$program"
"$scratch/program" "$@"
