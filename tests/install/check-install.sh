#!/bin/sh
# check-install.sh: libvesc installed into a scratch prefix works for its users
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-install.sh MESON PYTHON SOURCE_ROOT
#
# Configures a fresh build of SOURCE_ROOT with the prefix in a scratch
# directory, installs it, then checks what a user of each language does:
# a C program built only with `pkg-config --cflags --libs vesc-1`, Python
# and gjs importing the installed typelib (and the installed Python
# override), and, when valac is there, Vala with the installed vapi. Nothing
# of the build tree is on any search path. Prints TAP.
set -eu

meson=$1 python=$2 source_root=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vesc-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
n=0 failed=0

check () {
  name=$1
  shift
  n=$((n + 1))
  if "$@" > "$scratch/log" 2>&1; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    sed 's/^/# /' "$scratch/log"
    failed=1
  fi
}

echo "1..6"
check "meson setup, build and install into a scratch prefix" sh -c '
  "$1" setup "$2/build" "$3" --prefix="$4" -Dintrospection=enabled -Ddocs=false \
    -Dbuildtype=plain &&
  "$1" compile -C "$2/build" &&
  "$1" install -C "$2/build" --quiet' sh "$meson" "$scratch" "$source_root" "$prefix"
if [ $failed -ne 0 ]; then
  echo "Bail out! nothing was installed to check"
  exit 1
fi

# Found by name, since libdir (lib/x86_64-linux-gnu) and the Python site
# directory (lib/python3/dist-packages on Debian) depend on the platform.
pc=$(find "$prefix" -name vesc-1.pc | head -n 1)
typelib=$(find "$prefix" -name Vesc-1.typelib | head -n 1)
override=$(find "$prefix" -path '*/gi/overrides/Vesc.py' | head -n 1)
vapi=$(find "$prefix" -name vesc-1.vapi | head -n 1)
libdir=$(dirname "${pc:-$prefix/lib/pkgconfig/x}")
libdir=$(dirname "$libdir")
export PKG_CONFIG_PATH="$(dirname "${pc:-/nonexistent/x}")"
export LD_LIBRARY_PATH="$libdir"
export GI_TYPELIB_PATH="$(dirname "${typelib:-/nonexistent/x}")"
export PYTHONPATH="$(dirname "$(dirname "$(dirname "${override:-/a/b/c/d}")")")"
export PYTHONDONTWRITEBYTECODE=1
export G_DEBUG=fatal-criticals
export PREFIX="$prefix"
echo "# installed: ${pc#$prefix/}, ${typelib#$prefix/}, ${override#$prefix/}, ${vapi#$prefix/}"

cat > "$scratch/user.c" <<'C'
#include <libvesc/vesc.h>

int
main (void)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2024, 3, 4, 9, 0, 0);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (start);
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(VescSite) site = vesc_site_new ("SCH101", "Alder Brook Primary", NULL);
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  vesc_site_add_subnet (site, "10.47.1.0/24", NULL);
  vesc_directory_add_site (directory, site, NULL);
  desk = vesc_desk_new (directory, policy, VESC_CLOCK (clock), NULL, NULL);
  escalation = vesc_desk_report_detection (desk, "10.128.0.9", "scan", &error);
  if (escalation != NULL || !g_error_matches (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE))
    return 1;
  escalation = vesc_desk_report_detection (desk, "10.47.1.20", "Trojan", NULL);
  vesc_manual_clock_advance (clock, 3 * G_TIME_SPAN_HOUR);
  g_print ("%s\n", vesc_escalation_get_step (escalation));
  return g_strcmp0 (vesc_escalation_get_step (escalation), "M6") == 0 ? 0 : 1;
}
C
check "a C program built with pkg-config --cflags --libs vesc-1 runs" sh -c '
  cc -o "$1/user" "$1/user.c" $(pkg-config --cflags --libs vesc-1) && "$1/user"' sh "$scratch"

check "Python imports the installed typelib and override" "$python" -c '
import os, gi
gi.require_version("Vesc", "1")
from gi.repository import GLib, Vesc
prefix = os.environ["PREFIX"]
assert gi.Repository.get_default().get_typelib_path("Vesc").startswith(prefix)
assert Vesc.ManualClock.__module__ == "gi.overrides.Vesc", Vesc.ManualClock.__module__
import gi.overrides.Vesc as override
assert override.__file__.startswith(prefix), override.__file__
clock = Vesc.ManualClock.new(GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0))
try:
    Vesc.Recipient.new(Vesc.Role.ITD, "ITD", "not an address")
    raise SystemExit("no error")
except GLib.Error as e:
    assert e.matches(Vesc.Error.quark(), Vesc.Error.INVALID_INPUT), e
print(repr(clock))'

check "gjs imports the installed typelib" sh -c 'cat > "$1/user.js" <<JS
import GIRepository from "gi://GIRepository";
import GLib from "gi://GLib";
import Vesc from "gi://Vesc?version=1";
const path = GIRepository.Repository.get_default().get_typelib_path("Vesc");
if (!path.startsWith(GLib.getenv("PREFIX")))
    throw new Error("typelib from " + path);
const clock = Vesc.ManualClock.new(GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0));
clock.advance(GLib.TIME_SPAN_HOUR);
if (clock.get_now().get_hour() !== 10)
    throw new Error("the clock did not move");
try {
    Vesc.Recipient.new(Vesc.Role.ITD, "ITD", "not an address");
    throw new Error("no error");
} catch (e) {
    if (!e.matches(Vesc.Error, Vesc.Error.INVALID_INPUT))
        throw e;
}
print(path);
JS
  gjs -m "$1/user.js"' sh "$scratch"

check "the headers, the GIR and the vapi are installed" sh -c '
  test -f "$(pkg-config --variable=includedir vesc-1)/vesc-1/libvesc/vesc.h" &&
  test -f "$(pkg-config --variable=includedir vesc-1)/vesc-1/libvesc/vesc-enum-types.h" &&
  find "$1" -name Vesc-1.gir | grep -q . && test -n "$2"' sh "$prefix" "$vapi"

if command -v valac > /dev/null && [ -n "$vapi" ]; then
  check "a Vala program built with the installed vapi runs" sh -c '
    cat > "$1/user.vala" <<VALA
int main () {
    var clock = new Vesc.ManualClock (new DateTime.utc (2024, 3, 4, 9, 0, 0));
    clock.advance (TimeSpan.HOUR);
    return clock.get_now ().get_hour () == 10 ? 0 : 1;
}
VALA
    valac --quiet --vapidir="$2" --pkg vesc-1 -X -w -d "$1" -o "$1/user-vala" "$1/user.vala" &&
    "$1/user-vala"' sh "$scratch" "$(dirname "$vapi")"
else
  n=$((n + 1))
  echo "ok $n # SKIP valac or the installed vapi is missing"
fi

exit $failed
