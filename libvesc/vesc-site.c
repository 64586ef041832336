/* vesc-site.c: a school and its network link
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "vesc-site.h"
#include "vesc-site-private.h"
#include "vesc-enum-types.h"
#include "vesc-util-private.h"

/**
 * VescSite:
 *
 * A school: its id and name, the people the procedure writes to about it
 * (the Head Teacher and the council's Relationship Manager), whether the
 * schools' support centre (KSSC) supports it, the state of its council
 * network (CIN) link, the IP subnets it owns and the host names of its
 * devices.
 *
 * Sites are usually loaded into a [class@Vesc.Directory], which maps the
 * address of a misbehaving device to the site whose subnet contains it,
 * and the name of a device to the site whose host names match it.
 *
 * The id and name are fixed when the site is made; the contacts can be
 * changed with [method@Vesc.Site.set_head_teacher] and
 * [method@Vesc.Site.set_relationship_manager], which refuse a malformed
 * e-mail address and leave the old values in place. Only the library
 * changes [property@Vesc.Site:cin-state], when an escalation disconnects or
 * reconnects the site.
 */
struct _VescSite
{
  GObject parent_instance;

  char *id;
  char *name;
  char *head_teacher_name;
  char *head_teacher_email;
  char *relationship_manager_name;
  char *relationship_manager_email;
  gboolean kssc_supported;
  VescCinState cin_state;
  GListStore *subnets;
  GPtrArray *hostnames;   /* NULL-terminated, normalized patterns */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_HEAD_TEACHER_NAME,
  PROP_HEAD_TEACHER_EMAIL,
  PROP_RELATIONSHIP_MANAGER_NAME,
  PROP_RELATIONSHIP_MANAGER_EMAIL,
  PROP_KSSC_SUPPORTED,
  PROP_CIN_STATE,
  PROP_SUBNETS,
  PROP_HOSTNAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VescSite, vesc_site, G_TYPE_OBJECT)

static void
vesc_site_finalize (GObject *object)
{
  VescSite *self = VESC_SITE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->head_teacher_name, g_free);
  g_clear_pointer (&self->head_teacher_email, g_free);
  g_clear_pointer (&self->relationship_manager_name, g_free);
  g_clear_pointer (&self->relationship_manager_email, g_free);
  g_clear_object (&self->subnets);
  g_clear_pointer (&self->hostnames, g_ptr_array_unref);

  G_OBJECT_CLASS (vesc_site_parent_class)->finalize (object);
}

static void
vesc_site_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  VescSite *self = VESC_SITE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_HEAD_TEACHER_NAME:
      g_value_set_string (value, self->head_teacher_name);
      break;
    case PROP_HEAD_TEACHER_EMAIL:
      g_value_set_string (value, self->head_teacher_email);
      break;
    case PROP_RELATIONSHIP_MANAGER_NAME:
      g_value_set_string (value, self->relationship_manager_name);
      break;
    case PROP_RELATIONSHIP_MANAGER_EMAIL:
      g_value_set_string (value, self->relationship_manager_email);
      break;
    case PROP_KSSC_SUPPORTED:
      g_value_set_boolean (value, self->kssc_supported);
      break;
    case PROP_CIN_STATE:
      g_value_set_enum (value, self->cin_state);
      break;
    case PROP_SUBNETS:
      g_value_set_object (value, self->subnets);
      break;
    case PROP_HOSTNAMES:
      g_value_set_boxed (value, self->hostnames->pdata);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_site_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  VescSite *self = VESC_SITE (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_KSSC_SUPPORTED:
      vesc_site_set_kssc_supported (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char  *name,
                 GParamFlags  flags)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              flags | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
vesc_site_class_init (VescSiteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_site_finalize;
  object_class->get_property = vesc_site_get_property;
  object_class->set_property = vesc_site_set_property;

  /**
   * VescSite:id:
   *
   * The site's short identifier, such as `SCH101`: letters, digits, `.`,
   * `_` and `-`, starting with a letter or digit.
   */
  properties[PROP_ID] = string_property ("id", G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY);

  /**
   * VescSite:name:
   *
   * The school's name as people write it.
   */
  properties[PROP_NAME] = string_property ("name", G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY);

  /**
   * VescSite:head-teacher-name:
   *
   * The Head Teacher's name, or %NULL when unknown.
   */
  properties[PROP_HEAD_TEACHER_NAME] = string_property ("head-teacher-name", G_PARAM_READABLE);

  /**
   * VescSite:head-teacher-email:
   *
   * The Head Teacher's e-mail address, or %NULL when unknown.
   */
  properties[PROP_HEAD_TEACHER_EMAIL] = string_property ("head-teacher-email", G_PARAM_READABLE);

  /**
   * VescSite:relationship-manager-name:
   *
   * The name of the council's Relationship Manager for the site, or %NULL.
   */
  properties[PROP_RELATIONSHIP_MANAGER_NAME] =
    string_property ("relationship-manager-name", G_PARAM_READABLE);

  /**
   * VescSite:relationship-manager-email:
   *
   * The Relationship Manager's e-mail address, or %NULL when unknown.
   */
  properties[PROP_RELATIONSHIP_MANAGER_EMAIL] =
    string_property ("relationship-manager-email", G_PARAM_READABLE);

  /**
   * VescSite:kssc-supported:
   *
   * Whether the schools' support centre (KSSC) supports the site: it is
   * then notified and does the clean-up.
   */
  properties[PROP_KSSC_SUPPORTED] =
    g_param_spec_boolean ("kssc-supported", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescSite:cin-state:
   *
   * Whether the site's council network link is connected. Escalations
   * change it when they disconnect or reconnect the site.
   */
  properties[PROP_CIN_STATE] =
    g_param_spec_enum ("cin-state", NULL, NULL,
                       VESC_TYPE_CIN_STATE, VESC_CIN_STATE_CONNECTED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescSite:subnets:
   *
   * The site's subnets, a list of [class@Gio.InetAddressMask] in the order
   * they were added.
   */
  properties[PROP_SUBNETS] =
    g_param_spec_object ("subnets", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescSite:hostnames:
   *
   * The host names of the site's devices, in lower case and in the order
   * they were added: exact names such as `el33t-b00k-1` and suffix patterns
   * such as `*.sch101.example.org`. See [method@Vesc.Site.add_hostname].
   */
  properties[PROP_HOSTNAMES] =
    g_param_spec_boxed ("hostnames", NULL, NULL,
                        G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_site_init (VescSite *self)
{
  self->cin_state = VESC_CIN_STATE_CONNECTED;
  self->subnets = g_list_store_new (G_TYPE_INET_ADDRESS_MASK);
  /* Reserving room makes pdata a valid empty vector from the start. */
  self->hostnames = g_ptr_array_new_null_terminated (2, g_free, TRUE);
}

static gboolean
validate_id (const char  *id,
             GError     **error)
{
  const char *p;

  if (*id == '\0')
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A site id cannot be empty"));
      return FALSE;
    }

  /* Refuses control characters with a message that shows them escaped. */
  if (!vesc_validate_header_value (id, _("The site id"), error))
    return FALSE;

  /* Ids reach file names, URLs and command lines: keep them plain, and do
   * not let them start like an option or a hidden file. */
  for (p = id; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || (p != id && strchr ("._-", *p) != NULL))
        continue;

      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid site id: use letters, digits, “.”, “_” and “-”, "
                     "starting with a letter or digit"),
                   id);
      return FALSE;
    }

  return TRUE;
}

/**
 * vesc_site_new:
 * @id: the site's short identifier, such as `SCH101`
 * @name: the school's name
 * @error: return location for a #GError
 *
 * Creates a site with no contacts and no subnets, connected.
 *
 * The id is made of ASCII letters, digits, `.`, `_` and `-` and starts with
 * a letter or digit. The name may hold any printable text but no control
 * characters, as it goes into e-mail subjects.
 *
 * Returns: (transfer full): a new site, or %NULL with @error set to
 *   %VESC_ERROR_INVALID_INPUT
 */
VescSite *
vesc_site_new (const char  *id,
               const char  *name,
               GError     **error)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_id (id, error))
    return NULL;

  if (*name == '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("Site “%s” needs a name"), id);
      return NULL;
    }
  if (!vesc_validate_header_value (name, _("The school’s name"), error))
    return NULL;

  return g_object_new (VESC_TYPE_SITE, "id", id, "name", name, NULL);
}

/**
 * vesc_site_get_id:
 * @self: a site
 *
 * Gets the site's short identifier.
 *
 * Returns: the id
 */
const char *
vesc_site_get_id (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->id;
}

/**
 * vesc_site_get_name:
 * @self: a site
 *
 * Gets the school's name.
 *
 * Returns: the name
 */
const char *
vesc_site_get_name (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->name;
}

static void
replace_string (VescSite   *self,
                char      **field,
                const char *value,
                guint       prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Both values are checked before either is stored, so a refused change
 * leaves the old contact whole. */
static gboolean
set_contact (VescSite    *self,
             char       **name_field,
             char       **email_field,
             const char  *name,
             const char  *email,
             const char  *name_what,
             const char  *email_what,
             guint        name_prop,
             guint        email_prop,
             GError     **error)
{
  if (name != NULL && !vesc_validate_header_value (name, name_what, error))
    return FALSE;
  if (!vesc_validate_email (email, email_what, error))
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  replace_string (self, name_field, name, name_prop);
  replace_string (self, email_field, email, email_prop);
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

/**
 * vesc_site_set_head_teacher:
 * @self: a site
 * @name: (nullable): the Head Teacher's name, or %NULL
 * @email: the Head Teacher's e-mail address
 * @error: return location for a #GError
 *
 * Sets who receives the procedure's e-mails at the school.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_INVALID_INPUT when the address or name is malformed, in
 *   which case the previous values stay
 */
gboolean
vesc_site_set_head_teacher (VescSite    *self,
                            const char  *name,
                            const char  *email,
                            GError     **error)
{
  g_return_val_if_fail (VESC_IS_SITE (self), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_contact (self, &self->head_teacher_name, &self->head_teacher_email, name, email,
                      _("The Head Teacher’s name"), _("The Head Teacher’s e-mail address"),
                      PROP_HEAD_TEACHER_NAME, PROP_HEAD_TEACHER_EMAIL, error);
}

/**
 * vesc_site_get_head_teacher_name:
 * @self: a site
 *
 * Gets the Head Teacher's name.
 *
 * Returns: (nullable): the name, or %NULL when not known
 */
const char *
vesc_site_get_head_teacher_name (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->head_teacher_name;
}

/**
 * vesc_site_get_head_teacher_email:
 * @self: a site
 *
 * Gets the Head Teacher's e-mail address.
 *
 * Returns: (nullable): the address, or %NULL when not known
 */
const char *
vesc_site_get_head_teacher_email (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->head_teacher_email;
}

/**
 * vesc_site_set_relationship_manager:
 * @self: a site
 * @name: (nullable): the Relationship Manager's name, or %NULL
 * @email: the Relationship Manager's e-mail address
 * @error: return location for a #GError
 *
 * Sets the council's liaison officer for the site.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_INVALID_INPUT when the address or name is malformed, in
 *   which case the previous values stay
 */
gboolean
vesc_site_set_relationship_manager (VescSite    *self,
                                    const char  *name,
                                    const char  *email,
                                    GError     **error)
{
  g_return_val_if_fail (VESC_IS_SITE (self), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_contact (self,
                      &self->relationship_manager_name, &self->relationship_manager_email,
                      name, email,
                      _("The Relationship Manager’s name"),
                      _("The Relationship Manager’s e-mail address"),
                      PROP_RELATIONSHIP_MANAGER_NAME, PROP_RELATIONSHIP_MANAGER_EMAIL, error);
}

/**
 * vesc_site_get_relationship_manager_name:
 * @self: a site
 *
 * Gets the Relationship Manager's name.
 *
 * Returns: (nullable): the name, or %NULL when not known
 */
const char *
vesc_site_get_relationship_manager_name (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->relationship_manager_name;
}

/**
 * vesc_site_get_relationship_manager_email:
 * @self: a site
 *
 * Gets the Relationship Manager's e-mail address.
 *
 * Returns: (nullable): the address, or %NULL when not known
 */
const char *
vesc_site_get_relationship_manager_email (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return self->relationship_manager_email;
}

/**
 * vesc_site_get_kssc_supported:
 * @self: a site
 *
 * Gets whether the schools' support centre supports the site.
 *
 * Returns: %TRUE if KSSC supports the site
 */
gboolean
vesc_site_get_kssc_supported (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), FALSE);

  return self->kssc_supported;
}

/**
 * vesc_site_set_kssc_supported:
 * @self: a site
 * @supported: whether KSSC supports the site
 *
 * Sets whether the schools' support centre supports the site.
 */
void
vesc_site_set_kssc_supported (VescSite *self,
                              gboolean  supported)
{
  g_return_if_fail (VESC_IS_SITE (self));

  supported = !!supported;
  if (self->kssc_supported == supported)
    return;

  self->kssc_supported = supported;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KSSC_SUPPORTED]);
}

/**
 * vesc_site_get_cin_state:
 * @self: a site
 *
 * Gets the state of the site's council network link.
 *
 * Returns: the link state
 */
VescCinState
vesc_site_get_cin_state (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), VESC_CIN_STATE_CONNECTED);

  return self->cin_state;
}

void
vesc_site_set_cin_state (VescSite     *self,
                         VescCinState  state)
{
  g_return_if_fail (VESC_IS_SITE (self));
  g_return_if_fail (state == VESC_CIN_STATE_CONNECTED || state == VESC_CIN_STATE_DISCONNECTED);

  if (self->cin_state == state)
    return;

  self->cin_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CIN_STATE]);
}

/* The network address of @address/@length, or NULL when @address has no
 * bits set beyond the prefix. */
static GInetAddress *
network_if_host_bits (GInetAddress *address,
                      guint         length)
{
  guint8 bytes[16];
  gsize size = g_inet_address_get_native_size (address);
  gboolean host_bits = FALSE;
  gsize i;

  memcpy (bytes, g_inet_address_to_bytes (address), size);
  for (i = 0; i < size; i++)
    {
      guint keep = length > i * 8 ? MIN (length - i * 8, 8) : 0;
      guint8 mask = keep == 0 ? 0 : (guint8) (0xff << (8 - keep));

      host_bits |= (bytes[i] & ~mask) != 0;
      bytes[i] &= mask;
    }

  if (!host_bits)
    return NULL;

  return g_inet_address_new_from_bytes (bytes, g_inet_address_get_family (address));
}

static GInetAddressMask *
set_cidr_error (const char  *cidr,
                GError     **error)
{
  g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
               _("“%s” is not a subnet in CIDR notation, such as 10.47.1.0/24 or fd00:47:8::/48"),
               cidr);
  return NULL;
}

/* GLib's own parser accepts "10.0.0.0/ 8", "/+8" and bare addresses, and
 * says only "bits set beyond prefix length": parse strictly here so the
 * message can say what is wrong and what was probably meant. */
static GInetAddressMask *
parse_subnet (const char  *cidr,
              GError     **error)
{
  const char *slash = strchr (cidr, '/');
  g_autofree char *address_part = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GInetAddress) network = NULL;
  guint64 length;

  if (!vesc_validate_header_value (cidr, _("The subnet"), error))
    return NULL;
  if (slash == NULL || !g_ascii_isdigit (slash[1]))
    return set_cidr_error (cidr, error);

  address_part = g_strndup (cidr, slash - cidr);
  address = g_inet_address_new_from_string (address_part);
  if (address == NULL ||
      !g_ascii_string_to_unsigned (slash + 1, 10, 0,
                                   g_inet_address_get_native_size (address) * 8,
                                   &length, NULL))
    return set_cidr_error (cidr, error);

  network = network_if_host_bits (address, length);
  if (network != NULL)
    {
      g_autofree char *network_string = g_inet_address_to_string (network);

      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("Subnet “%s” has host bits set beyond the prefix length; "
                     "did you mean %s/%u?"),
                   cidr, network_string, (guint) length);
      return NULL;
    }

  return g_inet_address_mask_new (address, length, error);
}

static gboolean
list_has_mask (GListModel       *list,
               GInetAddressMask *mask)
{
  guint n = g_list_model_get_n_items (list);
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(GInetAddressMask) other = g_list_model_get_item (list, i);

      if (g_inet_address_mask_equal (mask, other))
        return TRUE;
    }

  return FALSE;
}

/**
 * vesc_site_add_subnet:
 * @self: a site
 * @cidr: a subnet in CIDR notation, such as `10.47.1.0/24` or `fd00:47:8::/48`
 * @error: return location for a #GError
 *
 * Adds a subnet the site owns. IPv4 and IPv6 are accepted. The address must
 * be the network address: `10.47.1.5/24` is refused because it has host bits
 * set, as such a typo often means a different subnet was meant.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_INVALID_INPUT for a malformed subnet, or
 *   %VESC_ERROR_DUPLICATE when the site already has it
 */
gboolean
vesc_site_add_subnet (VescSite    *self,
                      const char  *cidr,
                      GError     **error)
{
  g_autoptr(GInetAddressMask) mask = NULL;

  g_return_val_if_fail (VESC_IS_SITE (self), FALSE);
  g_return_val_if_fail (cidr != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mask = parse_subnet (cidr, error);
  if (mask == NULL)
    return FALSE;

  if (list_has_mask (G_LIST_MODEL (self->subnets), mask))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("Site “%s” already has subnet %s"), self->id, cidr);
      return FALSE;
    }

  g_list_store_append (self->subnets, mask);
  return TRUE;
}

/**
 * vesc_site_get_subnets:
 * @self: a site
 *
 * Gets the site's subnets in the order they were added.
 *
 * Returns: (transfer none): a list of [class@Gio.InetAddressMask]
 */
GListModel *
vesc_site_get_subnets (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return G_LIST_MODEL (self->subnets);
}

/* Detections from dual-stack sensors may write an IPv4 source as
 * ::ffff:a.b.c.d; it still belongs to the IPv4 subnet. */
static GInetAddress *
unmap_ipv4 (GInetAddress *address)
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  const guint8 *bytes;

  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return NULL;

  bytes = g_inet_address_to_bytes (address);
  if (memcmp (bytes, prefix, sizeof prefix) != 0)
    return NULL;

  return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
}

/**
 * vesc_site_match_address:
 * @self: a site
 * @address: an IP address
 *
 * Finds the most specific of the site's subnets that contains @address. An
 * IPv4-mapped IPv6 address (`::ffff:10.47.1.5`) matches IPv4 subnets.
 *
 * Returns: the prefix length of that subnet, or -1 if none contains @address
 */
int
vesc_site_match_address (VescSite     *self,
                         GInetAddress *address)
{
  g_autoptr(GInetAddress) unmapped = NULL;
  guint n, i;
  int best = -1;

  g_return_val_if_fail (VESC_IS_SITE (self), -1);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), -1);

  unmapped = unmap_ipv4 (address);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->subnets));
  for (i = 0; i < n; i++)
    {
      g_autoptr(GInetAddressMask) mask = g_list_model_get_item (G_LIST_MODEL (self->subnets), i);
      int length = g_inet_address_mask_get_length (mask);

      if (length > best &&
          (g_inet_address_mask_matches (mask, address) ||
           (unmapped != NULL && g_inet_address_mask_matches (mask, unmapped))))
        best = length;
    }

  return best;
}

/* DNS labels, plus "_" because Windows computer names (which antivirus
 * products report) may have one. */
static gboolean
is_host_label (const char *label,
               gsize       length)
{
  gsize i;

  if (length == 0 || length > 63 || label[0] == '-' || label[length - 1] == '-')
    return FALSE;
  for (i = 0; i < length; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-' && label[i] != '_')
      return FALSE;

  return TRUE;
}

/* The last label cannot be all digits (RFC 1123, 2.1; Windows refuses such
 * computer names too), so a mistyped address such as 10.47.1.300 is not
 * taken for a name. */
static gboolean
is_host_name (const char *name)
{
  const char *label = name;
  const char *dot;
  const char *p;

  if (strlen (name) > 253)
    return FALSE;
  while ((dot = strchr (label, '.')) != NULL)
    {
      if (!is_host_label (label, dot - label))
        return FALSE;
      label = dot + 1;
    }

  for (p = label; g_ascii_isdigit (*p); p++)
    ;
  return *p != '\0' && is_host_label (label, strlen (label));
}

char *
vesc_normalize_host_name (const char  *name,
                          gboolean     pattern,
                          GError     **error)
{
  g_autofree char *lower = NULL;
  const char *rest;
  gsize length;

  if (!vesc_validate_header_value (name, _("The host name"), error))
    return NULL;

  /* "pc1.example.org." is the same host as "pc1.example.org". */
  length = strlen (name);
  if (length > 1 && name[length - 1] == '.')
    length--;
  lower = g_ascii_strdown (name, length);
  rest = pattern && g_str_has_prefix (lower, "*.") ? lower + 2 : lower;

  /* An address in place of a name is a mistake: addresses match by subnet. */
  if (g_hostname_is_ip_address (rest))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("“%s” is an IP address, not a host name"), name);
      return NULL;
    }
  if (!is_host_name (rest))
    {
      if (pattern)
        g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                     _("“%s” is not a host name such as el33t-b00k-1 or a suffix such as "
                       "*.sch101.example.org"), name);
      else
        g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                     _("“%s” is not a host name"), name);
      return NULL;
    }

  return g_steal_pointer (&lower);
}

/**
 * vesc_site_add_hostname:
 * @self: a site
 * @pattern: a host name such as `el33t-b00k-1`, or a suffix pattern such as
 *   `*.sch101.example.org`
 * @error: return location for a #GError
 *
 * Adds a host name the site's devices go by, for detections that name a
 * device instead of giving its address (antivirus consoles usually do).
 *
 * An exact name matches that name only. A pattern `*.suffix` matches every
 * name ending in `.suffix`, at any depth (`pc1.sch101.example.org` and
 * `a.b.sch101.example.org`), but not `suffix` itself: list it as well if it
 * is a device. Names are compared without regard to case and a final dot is
 * ignored; the site keeps them in lower case. A name is made of labels of
 * ASCII letters, digits, `-` and `_` separated by dots.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_INVALID_INPUT for a malformed name or pattern, or
 *   %VESC_ERROR_DUPLICATE when the site already has it
 */
gboolean
vesc_site_add_hostname (VescSite    *self,
                        const char  *pattern,
                        GError     **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (VESC_IS_SITE (self), FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  normalized = vesc_normalize_host_name (pattern, TRUE, error);
  if (normalized == NULL)
    return FALSE;

  if (g_strv_contains ((const char * const *) self->hostnames->pdata, normalized))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("Site “%s” already has host name %s"), self->id, pattern);
      return FALSE;
    }

  g_ptr_array_add (self->hostnames, g_steal_pointer (&normalized));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTNAMES]);
  return TRUE;
}

/**
 * vesc_site_get_hostnames:
 * @self: a site
 *
 * Gets the site's host names and suffix patterns, in lower case, in the
 * order they were added.
 *
 * Returns: (transfer none) (array zero-terminated=1): the names; empty when
 *   the site has none
 */
const char * const *
vesc_site_get_hostnames (VescSite *self)
{
  g_return_val_if_fail (VESC_IS_SITE (self), NULL);

  return (const char * const *) self->hostnames->pdata;
}
