/* vesc-version-macros.h: symbol visibility and availability
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <glib.h>

#ifndef _VESC_EXTERN
# define _VESC_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * VESC_MAJOR_VERSION:
 *
 * The major version of the libvesc headers compiled against: the 0 of 0.1.
 */
#define VESC_MAJOR_VERSION 0

/**
 * VESC_MINOR_VERSION:
 *
 * The minor version of the libvesc headers compiled against: the 1 of 0.1.
 */
#define VESC_MINOR_VERSION 1

/**
 * VESC_VERSION_0_1:
 *
 * The version 0.1, encoded with G_ENCODE_VERSION() for comparisons.
 */
#define VESC_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * VESC_AVAILABLE_IN_ALL:
 *
 * Marks a symbol that is part of the public API since the first release.
 */
#define VESC_AVAILABLE_IN_ALL _VESC_EXTERN

/**
 * VESC_AVAILABLE_IN_0_1:
 *
 * Marks a symbol available since 0.1.
 */
#define VESC_AVAILABLE_IN_0_1 _VESC_EXTERN
