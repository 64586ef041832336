/* vesc-recipient.c: a person a notification is addressed to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "vesc-recipient.h"
#include "vesc-enum-types.h"
#include "vesc-util-private.h"

/**
 * VescRecipient:
 *
 * A person or team a notification is addressed to: the role the procedure
 * gives them, a display name and an e-mail address.
 *
 * A recipient is immutable. [ctor@Vesc.Recipient.new] refuses an e-mail
 * address that is not a plain `local@domain` and a name with control
 * characters, because both end up in mail headers.
 */
struct _VescRecipient
{
  GObject parent_instance;

  VescRole role;
  char *name;
  char *email;
};

enum {
  PROP_0,
  PROP_ROLE,
  PROP_NAME,
  PROP_EMAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VescRecipient, vesc_recipient, G_TYPE_OBJECT)

static void
vesc_recipient_finalize (GObject *object)
{
  VescRecipient *self = VESC_RECIPIENT (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->email, g_free);

  G_OBJECT_CLASS (vesc_recipient_parent_class)->finalize (object);
}

static void
vesc_recipient_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VescRecipient *self = VESC_RECIPIENT (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_recipient_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  VescRecipient *self = VESC_RECIPIENT (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      self->role = g_value_get_enum (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_EMAIL:
      self->email = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_recipient_class_init (VescRecipientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_recipient_finalize;
  object_class->get_property = vesc_recipient_get_property;
  object_class->set_property = vesc_recipient_set_property;

  /**
   * VescRecipient:role:
   *
   * The part the recipient plays in the procedure.
   */
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL,
                       VESC_TYPE_ROLE, VESC_ROLE_ITD,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescRecipient:name:
   *
   * The display name, such as "Schools Support Centre", or %NULL when only
   * the address is known.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescRecipient:email:
   *
   * The e-mail address, a plain `local@domain`.
   */
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_recipient_init (VescRecipient *self)
{
}

/**
 * vesc_recipient_new:
 * @role: the recipient's role
 * @name: (nullable): the display name, or %NULL
 * @email: the e-mail address
 * @error: return location for a #GError
 *
 * Creates a recipient after checking the e-mail address and the name. A name
 * may hold any printable text (ampersands, quotes, Welsh letters), but no
 * control characters such as line breaks.
 *
 * Returns: (transfer full): a new recipient, or %NULL with @error set to
 *   %VESC_ERROR_INVALID_INPUT
 */
VescRecipient *
vesc_recipient_new (VescRole     role,
                    const char  *name,
                    const char  *email,
                    GError     **error)
{
  g_return_val_if_fail (role >= VESC_ROLE_ITD && role <= VESC_ROLE_LTSB, NULL);
  g_return_val_if_fail (email != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name != NULL && !vesc_validate_header_value (name, _("The recipient’s name"), error))
    return NULL;
  if (!vesc_validate_email (email, _("The recipient’s e-mail address"), error))
    return NULL;

  return g_object_new (VESC_TYPE_RECIPIENT,
                       "role", role,
                       "name", name,
                       "email", email,
                       NULL);
}

/**
 * vesc_recipient_get_role:
 * @self: a recipient
 *
 * Gets the part the recipient plays in the procedure.
 *
 * Returns: the role
 */
VescRole
vesc_recipient_get_role (VescRecipient *self)
{
  g_return_val_if_fail (VESC_IS_RECIPIENT (self), VESC_ROLE_ITD);

  return self->role;
}

/**
 * vesc_recipient_get_name:
 * @self: a recipient
 *
 * Gets the display name.
 *
 * Returns: (nullable): the name, or %NULL when only the address is known
 */
const char *
vesc_recipient_get_name (VescRecipient *self)
{
  g_return_val_if_fail (VESC_IS_RECIPIENT (self), NULL);

  return self->name;
}

/**
 * vesc_recipient_get_email:
 * @self: a recipient
 *
 * Gets the e-mail address.
 *
 * Returns: the address
 */
const char *
vesc_recipient_get_email (VescRecipient *self)
{
  g_return_val_if_fail (VESC_IS_RECIPIENT (self), NULL);

  return self->email;
}
