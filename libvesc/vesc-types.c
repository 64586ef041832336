/* vesc-types.c: the error domain shared by the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-types.h"

/**
 * vesc_error_quark:
 *
 * The quark of the %VESC_ERROR domain. Bindings see it as the error domain
 * of [error@Vesc.Error].
 *
 * Returns: the error quark
 */
G_DEFINE_QUARK (vesc-error-quark, vesc_error)
