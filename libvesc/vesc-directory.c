/* vesc-directory.c: the schools and the council's contacts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "vesc-directory.h"
#include "vesc-enum-types.h"
#include "vesc-site-private.h"
#include "vesc-util-private.h"

/**
 * VescDirectory:
 *
 * The schools the procedure covers and the council's contacts.
 *
 * The directory answers the first question of every incident: which school
 * does a misbehaving device belong to? [method@Vesc.Directory.lookup_address]
 * returns the site with the most specific subnet that contains the address,
 * so a school's /24 inside a council-wide /8 wins over the /8.
 * [method@Vesc.Directory.lookup_host] does the same for products that name
 * the device instead (`el33t-b00k-1`, `pc7.sch101.example.org`).
 *
 * Sites keep the order they were added in. Contacts are kept per
 * [enum@Vesc.Role]; a role may have several, such as the Principal Manager
 * and their representative.
 *
 * ## Which site owns an address or a name
 *
 * Two subnets in CIDR notation that overlap always nest: one contains the
 * other, or they are the same subnet. Nesting is allowed, across sites too,
 * and is what the most specific match is for: the council's 10.47.0.0/16
 * may belong to a council site while 10.47.1.0/24 inside it belongs to a
 * school; an address in the /24 is the school's, any other address in the
 * /16 the council's. The same subnet on two sites is refused with
 * %VESC_ERROR_DUPLICATE, since its addresses would have two owners.
 *
 * Host names follow the same rule. An exact name (`el33t-b00k-1`) beats
 * every suffix pattern (`*.sch101.example.org`), and a longer suffix beats
 * a shorter one, so `*.sch101.example.org` on a school wins over
 * `*.example.org` on the council. The same name or pattern on two sites is
 * %VESC_ERROR_DUPLICATE. Names are compared without regard to case.
 *
 * An id can belong to one site only. [method@Vesc.Directory.add_site] and
 * the loaders refuse a second one.
 *
 * ## The directory file
 *
 * [method@Vesc.Directory.load_from_file] reads a JSON document like this:
 *
 * ```json
 * {
 *   "version": 1,
 *   "contacts": [
 *     { "role": "itd", "name": "Corporate ITD Help Desk",
 *       "email": "itd.helpdesk@council.example.org" },
 *     { "role": "principal_manager", "name": "Principal Manager",
 *       "email": "principal.manager@council.example.org" },
 *     { "role": "kssc", "name": "Schools Support Centre",
 *       "email": "kssc@support.example.org" },
 *     { "role": "ltsb", "name": "Learning and Technology Strategy Board",
 *       "email": "ltsb.secretary@council.example.org" }
 *   ],
 *   "sites": [
 *     { "id": "SCH101", "name": "Alder Brook Primary",
 *       "head_teacher": { "name": "A. Head", "email": "head.sch101@schools.example.org" },
 *       "relationship_manager": { "name": "RM North", "email": "rm.north@council.example.org" },
 *       "kssc_supported": true,
 *       "subnets": [ "10.47.1.0/24" ],
 *       "hostnames": [ "*.sch101.example.org", "el33t-b00k-1" ] }
 *   ]
 * }
 * ```
 *
 * - `version` (required) is 1.
 * - `sites` (required) is a list of sites. Each has an `id` and a `name`
 *   (required), and may have `head_teacher` and `relationship_manager`
 *   (objects with an `email`, required, and a `name`), `kssc_supported`
 *   (a boolean, false when absent), `subnets` (a list of IPv4 or IPv6
 *   subnets in CIDR notation, with no host bits set) and `hostnames` (a
 *   list of host names and `*.suffix` patterns, see
 *   [method@Vesc.Site.add_hostname]).
 * - `contacts` (optional) is a list of objects with a `role`, an `email`
 *   (both required) and a `name`. The role is one of `itd`,
 *   `principal_manager`, `relationship_manager`, `head_teacher`, `kssc` and
 *   `ltsb`; give `principal_manager` twice for a representative.
 *
 * Any other field is an error, so that a misspelt field name is noticed
 * rather than ignored. Loading adds to what the directory already holds and
 * is all or nothing: when any entry is wrong, nothing is added and the error
 * names the entry, as in `sites.json: sites[3] (SCH104): …`. Errors about the
 * shape of the document (syntax, unknown or missing fields, wrong types, the
 * version) are %VESC_ERROR_PARSE; a malformed value (an e-mail address, a
 * subnet, a host name, an id) is %VESC_ERROR_INVALID_INPUT; an id, subnet or
 * host name given twice is %VESC_ERROR_DUPLICATE. Files over 16 MiB are
 * refused.
 */
struct _VescDirectory
{
  GObject parent_instance;

  GListStore *sites;
  GHashTable *sites_by_id;   /* id -> VescSite, borrowed from @sites */
  GHashTable *by_subnet;     /* "10.47.1.0/24" -> VescSite, borrowed; first added wins */
  gboolean    lengths[2][129];  /* prefix lengths in use, [0] IPv4, [1] IPv6 */
  GListStore *contacts[VESC_ROLE_LTSB + 1];
};

#define N_ROLES (VESC_ROLE_LTSB + 1)
#define MAX_FILE_SIZE (16 * 1024 * 1024)

G_DEFINE_FINAL_TYPE (VescDirectory, vesc_directory, G_TYPE_OBJECT)

static void
vesc_directory_finalize (GObject *object)
{
  VescDirectory *self = VESC_DIRECTORY (object);
  guint i;

  g_clear_pointer (&self->sites_by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_subnet, g_hash_table_unref);
  g_clear_object (&self->sites);
  for (i = 0; i < N_ROLES; i++)
    g_clear_object (&self->contacts[i]);

  G_OBJECT_CLASS (vesc_directory_parent_class)->finalize (object);
}

static void
vesc_directory_class_init (VescDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_directory_finalize;
}

static void
vesc_directory_init (VescDirectory *self)
{
  guint i;

  self->sites = g_list_store_new (VESC_TYPE_SITE);
  self->sites_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_subnet = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (i = 0; i < N_ROLES; i++)
    self->contacts[i] = g_list_store_new (VESC_TYPE_RECIPIENT);
}

/**
 * vesc_directory_new:
 *
 * Creates an empty directory.
 *
 * Returns: (transfer full): a new directory
 */
VescDirectory *
vesc_directory_new (void)
{
  return g_object_new (VESC_TYPE_DIRECTORY, NULL);
}

/* g_inet_address_mask_to_string() leaves out a full-length prefix. */
static char *
subnet_key (GInetAddress *network,
            guint         length)
{
  g_autofree char *text = g_inet_address_to_string (network);

  return g_strdup_printf ("%s/%u", text, length);
}

static VescSite *
find_subnet_owner (VescDirectory    *self,
                   GInetAddressMask *mask)
{
  g_autofree char *cidr = subnet_key (g_inet_address_mask_get_address (mask),
                                      g_inet_address_mask_get_length (mask));

  return g_hash_table_lookup (self->by_subnet, cidr);
}

/* ---- the subnet index ----------------------------------------------------
 *
 * Every subnet is kept by its canonical text; an address is looked up by
 * masking it to each prefix length in use, longest first, so a lookup costs
 * at most 33 (IPv4) or 129 (IPv6) hash lookups however many sites there
 * are. */

static void
index_subnet (VescDirectory    *self,
              VescSite         *site,
              GInetAddressMask *mask)
{
  GInetAddress *address = g_inet_address_mask_get_address (mask);
  gboolean v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  char *cidr = subnet_key (address, g_inet_address_mask_get_length (mask));

  self->lengths[v6][g_inet_address_mask_get_length (mask)] = TRUE;
  if (g_hash_table_contains (self->by_subnet, cidr))
    g_free (cidr);
  else
    g_hash_table_insert (self->by_subnet, cidr, site);
}

static void
on_subnets_changed (GListModel *subnets,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  VescDirectory *self = user_data;
  VescSite *site = g_object_get_data (G_OBJECT (subnets), "vesc-site");

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GInetAddressMask) mask = g_list_model_get_item (subnets, i);
      index_subnet (self, site, mask);
    }
}

/* Indexes @site's subnets, and those it gains later. */
static void
index_site (VescDirectory *self,
            VescSite      *site)
{
  GListModel *subnets = vesc_site_get_subnets (site);

  g_object_set_data (G_OBJECT (subnets), "vesc-site", site);
  on_subnets_changed (subnets, 0, 0, g_list_model_get_n_items (subnets), self);
  g_signal_connect_object (subnets, "items-changed", G_CALLBACK (on_subnets_changed), self, 0);
}

static GInetAddress *
mask_address (const guint8 *bytes,
              gsize         size,
              guint         length,
              GSocketFamily family)
{
  guint8 masked[16];

  for (gsize i = 0; i < size; i++)
    {
      guint bits = length > i * 8 ? MIN (length - i * 8, 8) : 0;
      masked[i] = bits == 0 ? 0 : bytes[i] & (guint8) (0xff << (8 - bits));
    }
  return g_inet_address_new_from_bytes (masked, family);
}

static VescSite *
find_in_index (VescDirectory *self,
               GInetAddress  *address)
{
  GSocketFamily family = g_inet_address_get_family (address);
  gboolean v6 = family == G_SOCKET_FAMILY_IPV6;
  const guint8 *bytes = g_inet_address_to_bytes (address);
  gsize size = g_inet_address_get_native_size (address);

  for (int length = size * 8; length >= 0; length--)
    {
      g_autoptr(GInetAddress) network = NULL;
      g_autofree char *cidr = NULL;
      VescSite *site;

      if (!self->lengths[v6][length])
        continue;
      network = mask_address (bytes, size, length, family);
      cidr = subnet_key (network, length);
      if ((site = g_hash_table_lookup (self->by_subnet, cidr)) != NULL)
        return site;
    }
  return NULL;
}

static VescSite *
find_hostname_owner (VescDirectory *self,
                     const char    *pattern)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sites));
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(VescSite) site = g_list_model_get_item (G_LIST_MODEL (self->sites), i);

      if (g_strv_contains (vesc_site_get_hostnames (site), pattern))
        return site;
    }

  return NULL;
}

static gboolean
check_hostnames_fit (VescDirectory  *self,
                     VescSite       *site,
                     GError        **error)
{
  const char * const *hostnames = vesc_site_get_hostnames (site);
  guint i;

  for (i = 0; hostnames[i] != NULL; i++)
    {
      VescSite *other = find_hostname_owner (self, hostnames[i]);

      if (other == NULL)
        continue;

      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("Host name %s already belongs to site %s (%s)"),
                   hostnames[i], vesc_site_get_id (other), vesc_site_get_name (other));
      return FALSE;
    }

  return TRUE;
}

/* Whether @site could join @self: its id, subnets and host names must be
 * new. */
static gboolean
check_site_fits (VescDirectory  *self,
                 VescSite       *site,
                 GError        **error)
{
  GListModel *subnets = vesc_site_get_subnets (site);
  VescSite *other;
  guint n = g_list_model_get_n_items (subnets);
  guint i;

  other = g_hash_table_lookup (self->sites_by_id, vesc_site_get_id (site));
  if (other != NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("The site id “%s” is already used by %s"),
                   vesc_site_get_id (site), vesc_site_get_name (other));
      return FALSE;
    }

  for (i = 0; i < n; i++)
    {
      g_autoptr(GInetAddressMask) mask = g_list_model_get_item (subnets, i);
      g_autofree char *cidr = NULL;

      other = find_subnet_owner (self, mask);
      if (other == NULL)
        continue;

      cidr = g_inet_address_mask_to_string (mask);
      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("Subnet %s already belongs to site %s (%s)"),
                   cidr, vesc_site_get_id (other), vesc_site_get_name (other));
      return FALSE;
    }

  return check_hostnames_fit (self, site, error);
}

/**
 * vesc_directory_add_site:
 * @self: a directory
 * @site: the site to add
 * @error: return location for a #GError
 *
 * Adds @site at the end of the directory. A site's subnets may nest inside
 * another site's (a /24 inside a /16), but the same subnet cannot belong to
 * two sites, as an address in it would have two owners. The same goes for
 * host names and suffix patterns.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_DUPLICATE when a site with the same id, one of the same
 *   subnets or one of the same host names is already there, in which case
 *   nothing is added
 */
gboolean
vesc_directory_add_site (VescDirectory  *self,
                         VescSite       *site,
                         GError        **error)
{
  g_return_val_if_fail (VESC_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (VESC_IS_SITE (site), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_site_fits (self, site, error))
    return FALSE;

  g_list_store_append (self->sites, site);
  g_hash_table_insert (self->sites_by_id, (char *) vesc_site_get_id (site), site);
  index_site (self, site);
  return TRUE;
}

/**
 * vesc_directory_lookup_site:
 * @self: a directory
 * @site_id: a site id
 *
 * Finds a site by its id.
 *
 * Returns: (transfer none) (nullable): the site, or %NULL if there is none
 *   with that id
 */
VescSite *
vesc_directory_lookup_site (VescDirectory *self,
                            const char    *site_id)
{
  g_return_val_if_fail (VESC_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (site_id != NULL, NULL);

  return g_hash_table_lookup (self->sites_by_id, site_id);
}

/* A linear scan: a council has hundreds of schools, not millions. Ties go
 * to the site added first. */
static VescSite *
find_best_site (VescDirectory *self,
                GInetAddress  *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);
  VescSite *site = find_in_index (self, address);
  g_autoptr(GInetAddress) unmapped = NULL;
  static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  /* ::ffff:10.47.1.5 is the IPv4 address written as IPv6. */
  if (site == NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
      memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
    {
      unmapped = g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
      site = find_in_index (self, unmapped);
    }
  return site;
}

/**
 * vesc_directory_lookup_address:
 * @self: a directory
 * @address: an IPv4 or IPv6 address, such as `10.47.1.23`
 * @error: return location for a #GError
 *
 * Finds the site that owns @address: of all the sites' subnets that contain
 * it, the most specific one decides. When two sites have equally specific
 * subnets that contain it, the one added first wins.
 *
 * Returns: (transfer none): the site; %NULL with @error set to
 *   %VESC_ERROR_INVALID_INPUT when @address is not an IP address, or to
 *   %VESC_ERROR_UNKNOWN_SITE when no site's subnet contains it
 */
VescSite *
vesc_directory_lookup_address (VescDirectory  *self,
                               const char     *address,
                               GError        **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  VescSite *best;

  g_return_val_if_fail (VESC_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!vesc_validate_header_value (address, _("The address"), error))
    return NULL;

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("“%s” is not an IP address"), address);
      return NULL;
    }

  best = find_best_site (self, inet);
  if (best == NULL)
    g_set_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE,
                 _("No school's subnet contains %s"), address);

  return best;
}

/* How specifically @pattern matches @name: -1 not at all, the length of the
 * suffix for a suffix pattern, G_MAXINT for the exact name. */
static int
host_match_length (const char *pattern,
                   const char *name)
{
  if (g_str_has_prefix (pattern, "*."))
    {
      const char *suffix = pattern + 1;   /* ".sch101.example.org" */
      gsize length = strlen (suffix);

      return strlen (name) > length && g_str_has_suffix (name, suffix) ? (int) length : -1;
    }

  return g_str_equal (pattern, name) ? G_MAXINT : -1;
}

static VescSite *
find_best_host_site (VescDirectory *self,
                     const char    *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sites));
  VescSite *best = NULL;
  int best_length = -1;
  guint i, j;

  for (i = 0; i < n; i++)
    {
      g_autoptr(VescSite) site = g_list_model_get_item (G_LIST_MODEL (self->sites), i);
      const char * const *patterns = vesc_site_get_hostnames (site);

      for (j = 0; patterns[j] != NULL; j++)
        {
          int length = host_match_length (patterns[j], name);

          if (length > best_length)
            {
              best = site;
              best_length = length;
            }
        }
    }

  return best;
}

/**
 * vesc_directory_lookup_host:
 * @self: a directory
 * @name: a device's host name, such as `el33t-b00k-1` or
 *   `pc7.sch101.example.org`
 * @error: return location for a #GError
 *
 * Finds the site that owns the device called @name, by the sites' host
 * names (see [method@Vesc.Site.add_hostname]): a site that lists @name
 * itself wins; otherwise the site with the longest suffix pattern that
 * matches it. Case does not matter and a final dot is ignored.
 *
 * IP addresses are refused: look them up with
 * [method@Vesc.Directory.lookup_address].
 *
 * Returns: (transfer none): the site; %NULL with @error set to
 *   %VESC_ERROR_INVALID_INPUT when @name is not a host name (or is an IP
 *   address), or to %VESC_ERROR_UNKNOWN_SITE when no site has it
 */
VescSite *
vesc_directory_lookup_host (VescDirectory  *self,
                            const char     *name,
                            GError        **error)
{
  g_autofree char *normalized = NULL;
  VescSite *best;

  g_return_val_if_fail (VESC_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = vesc_normalize_host_name (name, FALSE, error);
  if (normalized == NULL)
    return NULL;

  best = find_best_host_site (self, normalized);
  if (best == NULL)
    g_set_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE,
                 _("No school has the host name “%s”"), name);

  return best;
}

/**
 * vesc_directory_get_sites:
 * @self: a directory
 *
 * Gets the sites in the order they were added. The list changes as sites
 * are added.
 *
 * The list is the library's own: read it and watch it, never change it.
 *
 * Returns: (transfer none): a list of [class@Vesc.Site]
 */
GListModel *
vesc_directory_get_sites (VescDirectory *self)
{
  g_return_val_if_fail (VESC_IS_DIRECTORY (self), NULL);

  return G_LIST_MODEL (self->sites);
}

static VescRecipient *
find_contact (VescDirectory *self,
              VescRecipient *contact)
{
  GListModel *list = G_LIST_MODEL (self->contacts[vesc_recipient_get_role (contact)]);
  guint n = g_list_model_get_n_items (list);
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(VescRecipient) other = g_list_model_get_item (list, i);

      if (g_ascii_strcasecmp (vesc_recipient_get_email (other),
                              vesc_recipient_get_email (contact)) == 0)
        return other;
    }

  return NULL;
}

/* The role as the directory file spells it: "principal_manager". */
static char *
role_name (VescRole role)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (VESC_TYPE_ROLE);
  GEnumValue *value = g_enum_get_value (klass, role);

  return g_strdelimit (g_strdup (value->value_nick), "-", '_');
}

static gboolean
check_contact_fits (VescDirectory  *self,
                    VescRecipient  *contact,
                    GError        **error)
{
  g_autofree char *role = NULL;

  if (find_contact (self, contact) == NULL)
    return TRUE;

  role = role_name (vesc_recipient_get_role (contact));
  g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
               _("%s is already a contact for the role “%s”"),
               vesc_recipient_get_email (contact), role);
  return FALSE;
}

/**
 * vesc_directory_add_contact:
 * @self: a directory
 * @contact: the contact to add
 * @error: return location for a #GError
 *
 * Adds a contact for its role, after those already there. Several contacts
 * may share a role (the Principal Manager and a representative), but not an
 * e-mail address within one role.
 *
 * Returns: %TRUE on success; %FALSE with @error set to
 *   %VESC_ERROR_DUPLICATE when the role already has that address
 */
gboolean
vesc_directory_add_contact (VescDirectory  *self,
                            VescRecipient  *contact,
                            GError        **error)
{
  g_return_val_if_fail (VESC_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (VESC_IS_RECIPIENT (contact), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_contact_fits (self, contact, error))
    return FALSE;

  g_list_store_append (self->contacts[vesc_recipient_get_role (contact)], contact);
  return TRUE;
}

/**
 * vesc_directory_get_contacts:
 * @self: a directory
 * @role: a role
 *
 * Gets the contacts for @role in the order they were added.
 *
 * Returns: (transfer none): a list of [class@Vesc.Recipient], empty when
 *   the role has none
 */
GListModel *
vesc_directory_get_contacts (VescDirectory *self,
                             VescRole       role)
{
  g_return_val_if_fail (VESC_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (role >= VESC_ROLE_ITD && role <= VESC_ROLE_LTSB, NULL);

  return G_LIST_MODEL (self->contacts[role]);
}

/* Reading the document */

static const char * const top_fields[] = { "version", "contacts", "sites", NULL };
static const char * const site_fields[] = {
  "id", "name", "head_teacher", "relationship_manager", "kssc_supported", "subnets",
  "hostnames", NULL
};
static const char * const person_fields[] = { "name", "email", NULL };
static const char * const contact_fields[] = { "role", "name", "email", NULL };

static gboolean parse_error (GError     **error,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
parse_error (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE, message);
  return FALSE;
}

static gboolean
check_fields (JsonObject         *object,
              const char * const *known,
              GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);
  GList *l;

  for (l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      return parse_error (error, _("unknown field “%s”"), (const char *) l->data);

  return TRUE;
}

/* Looks up @field; a missing one is an error only when @required. A null
 * value counts as missing. */
static JsonNode *
get_member (JsonObject  *object,
            const char  *field,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return node;

  if (required)
    parse_error (error, _("missing field “%s”"), field);
  return NULL;
}

static gboolean
get_string (JsonObject  *object,
            const char  *field,
            gboolean     required,
            const char **out,
            GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return parse_error (error, _("field “%s” must be a string"), field);

  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_container (JsonObject  *object,
               const char  *field,
               JsonNodeType type,
               gboolean     required,
               JsonNode   **out,
               GError     **error)
{
  JsonNode *node = get_member (object, field, required, error);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (JSON_NODE_TYPE (node) != type)
    return parse_error (error,
                        type == JSON_NODE_ARRAY ? _("field “%s” must be a list")
                                                : _("field “%s” must be an object"),
                        field);

  *out = node;
  return TRUE;
}

static JsonObject *
require_object (JsonNode    *node,
                const char  *what,
                GError     **error)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);

  parse_error (error, _("%s must be an object"), what);
  return NULL;
}

typedef gboolean (*SetContactFunc) (VescSite    *site,
                                    const char  *name,
                                    const char  *email,
                                    GError     **error);

static gboolean
read_person (VescSite       *site,
             JsonObject     *object,
             const char     *field,
             SetContactFunc  set_contact,
             GError        **error)
{
  JsonNode *node;
  JsonObject *person;
  const char *name, *email;

  if (!get_container (object, field, JSON_NODE_OBJECT, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  person = json_node_get_object (node);
  if (!check_fields (person, person_fields, error) ||
      !get_string (person, "name", FALSE, &name, error) ||
      !get_string (person, "email", TRUE, &email, error) ||
      !set_contact (site, name, email, error))
    {
      g_prefix_error (error, "%s: ", field);
      return FALSE;
    }

  return TRUE;
}

typedef gboolean (*AddStringFunc) (VescSite    *site,
                                   const char  *value,
                                   GError     **error);

/* Adds each string of the list @field (subnets, hostnames) with @add. */
static gboolean
read_strings (VescSite       *site,
              JsonObject     *object,
              const char     *field,
              AddStringFunc   add,
              GError        **error)
{
  JsonNode *node;
  JsonArray *array;
  guint n, i;

  if (!get_container (object, field, JSON_NODE_ARRAY, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                       _("%s[%u] must be a string"), field, i);
          return FALSE;
        }
      if (!add (site, json_node_get_string (element), error))
        {
          g_prefix_error (error, "%s[%u]: ", field, i);
          return FALSE;
        }
    }

  return TRUE;
}

static VescSite *
read_site (JsonObject  *object,
           GError     **error)
{
  g_autoptr(VescSite) site = NULL;
  const char *id, *name;
  JsonNode *kssc;

  if (!check_fields (object, site_fields, error) ||
      !get_string (object, "id", TRUE, &id, error) ||
      !get_string (object, "name", TRUE, &name, error))
    return NULL;

  site = vesc_site_new (id, name, error);
  if (site == NULL ||
      !read_person (site, object, "head_teacher", vesc_site_set_head_teacher, error) ||
      !read_person (site, object, "relationship_manager",
                    vesc_site_set_relationship_manager, error) ||
      !read_strings (site, object, "subnets", vesc_site_add_subnet, error) ||
      !read_strings (site, object, "hostnames", vesc_site_add_hostname, error))
    return NULL;

  kssc = get_member (object, "kssc_supported", FALSE, NULL);
  if (kssc != NULL && json_node_get_value_type (kssc) != G_TYPE_BOOLEAN)
    {
      parse_error (error, _("field “%s” must be true or false"), "kssc_supported");
      return NULL;
    }
  vesc_site_set_kssc_supported (site, kssc != NULL && json_node_get_boolean (kssc));

  return g_steal_pointer (&site);
}

/* Roles are written with underscores in the file (principal_manager) and
 * with dashes as GEnum nicks (principal-manager): accept both. */
static gboolean
parse_role (const char  *string,
            VescRole    *role,
            GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (VESC_TYPE_ROLE);
  g_autofree char *nick = g_strdelimit (g_strdup (string), "_", '-');
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  if (value == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("unknown role “%s”; the roles are itd, principal_manager, "
                     "relationship_manager, head_teacher, kssc and ltsb"),
                   string);
      return FALSE;
    }

  *role = value->value;
  return TRUE;
}

static VescRecipient *
read_contact (JsonObject  *object,
              GError     **error)
{
  const char *role_string, *name, *email;
  VescRole role;

  if (!check_fields (object, contact_fields, error) ||
      !get_string (object, "role", TRUE, &role_string, error) ||
      !parse_role (role_string, &role, error) ||
      !get_string (object, "name", FALSE, &name, error) ||
      !get_string (object, "email", TRUE, &email, error))
    return NULL;

  return vesc_recipient_new (role, name, email, error);
}

/* The id of a site entry, if it has one fit to print, for error messages. */
static const char *
peek_id (JsonObject *object)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, "id") : NULL;
  const char *id;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  id = json_node_get_string (node);
  if (*id == '\0' || !vesc_validate_header_value (id, "id", NULL))
    return NULL;
  return id;
}

static gboolean
read_sites (VescDirectory  *self,
            VescDirectory  *batch,
            JsonArray      *array,
            GError        **error)
{
  guint n = json_array_get_length (array);
  guint i;

  for (i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      g_autoptr(VescSite) site = NULL;

      object = require_object (node, _("a site"), error);
      if (object != NULL)
        site = read_site (object, error);

      if (site == NULL ||
          !check_site_fits (self, site, error) ||
          !vesc_directory_add_site (batch, site, error))
        {
          const char *id = peek_id (object);

          if (id != NULL)
            g_prefix_error (error, "sites[%u] (%s): ", i, id);
          else
            g_prefix_error (error, "sites[%u]: ", i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
read_contacts (VescDirectory  *self,
               VescDirectory  *batch,
               JsonArray      *array,
               GError        **error)
{
  guint n = json_array_get_length (array);
  guint i;

  for (i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object = require_object (node, _("a contact"), error);
      g_autoptr(VescRecipient) contact = NULL;

      if (object != NULL)
        contact = read_contact (object, error);

      if (contact == NULL ||
          !check_contact_fits (self, contact, error) ||
          !vesc_directory_add_contact (batch, contact, error))
        {
          g_prefix_error (error, "contacts[%u]: ", i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
read_version (JsonObject  *root,
              GError     **error)
{
  JsonNode *node = get_member (root, "version", TRUE, error);

  if (node == NULL)
    return FALSE;
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return parse_error (error, _("field “%s” must be a whole number"), "version");

  if (json_node_get_int (node) != 1)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("version %" G_GINT64_FORMAT " is not supported; this library reads version 1"),
                   json_node_get_int (node));
      return FALSE;
    }

  return TRUE;
}

/* Parses the document into @batch, checking each entry against @self too. */
static gboolean
read_document (VescDirectory  *self,
               VescDirectory  *batch,
               JsonNode       *root_node,
               GError        **error)
{
  JsonObject *root;
  JsonNode *sites, *contacts;

  if (root_node == NULL)
    return parse_error (error, _("The directory is empty"));

  root = require_object (root_node, _("The directory"), error);
  if (root == NULL ||
      !check_fields (root, top_fields, error) ||
      !read_version (root, error) ||
      !get_container (root, "contacts", JSON_NODE_ARRAY, FALSE, &contacts, error) ||
      !get_container (root, "sites", JSON_NODE_ARRAY, TRUE, &sites, error))
    return FALSE;

  if (contacts != NULL && !read_contacts (self, batch, json_node_get_array (contacts), error))
    return FALSE;

  return read_sites (self, batch, json_node_get_array (sites), error);
}

static void
append_all (GListStore *store,
            GListModel *items)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (items);
  guint i;

  for (i = 0; i < n; i++)
    g_ptr_array_add (array, g_list_model_get_item (items, i));

  /* One splice, so a view of the list sees one change for the whole file. */
  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0,
                       array->pdata, array->len);
}

static void
commit (VescDirectory *self,
        VescDirectory *batch)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (batch->sites));
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(VescSite) site = g_list_model_get_item (G_LIST_MODEL (batch->sites), i);

      g_hash_table_insert (self->sites_by_id, (char *) vesc_site_get_id (site), site);
      index_site (self, site);
    }
  append_all (self->sites, G_LIST_MODEL (batch->sites));

  for (i = 0; i < N_ROLES; i++)
    append_all (self->contacts[i], G_LIST_MODEL (batch->contacts[i]));
}

static gboolean
load_bytes (VescDirectory  *self,
            GBytes         *bytes,
            GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(VescDirectory) batch = vesc_directory_new ();
  g_autoptr(GError) json_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size > MAX_FILE_SIZE)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The directory is %" G_GSIZE_FORMAT " bytes; the limit is 16 MiB"), size);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, data, size, &json_error))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE, json_error->message);
      return FALSE;
    }

  if (!read_document (self, batch, json_parser_get_root (parser), error))
    return FALSE;

  commit (self, batch);
  return TRUE;
}

/**
 * vesc_directory_load_from_data:
 * @self: a directory
 * @data: a directory document in JSON (see [class@Vesc.Directory])
 * @length: the length of @data in bytes, or -1 if it is nul-terminated
 * @error: return location for a #GError
 *
 * Adds the sites and contacts of a directory document. Nothing is added
 * unless every entry is valid and new.
 *
 * Returns: %TRUE on success; %FALSE with @error set otherwise, in which
 *   case the directory is unchanged
 */
gboolean
vesc_directory_load_from_data (VescDirectory  *self,
                               const char     *data,
                               gssize          length,
                               GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (VESC_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = g_bytes_new_static (data, length < 0 ? strlen (data) : (gsize) length);
  return load_bytes (self, bytes, error);
}

/**
 * vesc_directory_load_from_file:
 * @self: a directory
 * @path: (type filename): the path of a directory file (see
 *   [class@Vesc.Directory])
 * @error: return location for a #GError
 *
 * Adds the sites and contacts of a directory file. Nothing is added unless
 * every entry is valid and new. Error messages start with the file name.
 *
 * Returns: %TRUE on success; %FALSE with @error set otherwise, in which
 *   case the directory is unchanged
 */
gboolean
vesc_directory_load_from_file (VescDirectory  *self,
                               const char     *path,
                               GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (VESC_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = vesc_read_file_limited (path, MAX_FILE_SIZE, error);
  if (bytes == NULL)
    return FALSE;

  if (!load_bytes (self, bytes, error))
    {
      vesc_prefix_file_error (error, path);
      return FALSE;
    }

  return TRUE;
}

/* Opens @path and checks, on the open file, that it is a regular file of
 * at most @max_size bytes. */
static GInputStream *
open_limited (const char  *path,
              const char  *display_name,
              gsize        max_size,
              goffset     *size,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  stream = g_file_read (file, NULL, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream,
                                           G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                           G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                           NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("Could not read %s: %s"), display_name, local_error->message);
      return NULL;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("Could not read %s: not a regular file"), display_name);
      return NULL;
    }

  *size = g_file_info_get_size (info);
  if (*size < 0 || (guint64) *size > max_size)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("%s is too large: %" G_GOFFSET_FORMAT " bytes, the limit is %" G_GSIZE_FORMAT),
                   display_name, *size, max_size);
      return NULL;
    }

  return G_INPUT_STREAM (g_steal_pointer (&stream));
}

GBytes *
vesc_read_file_limited (const char  *path,
                        gsize        max_size,
                        GError     **error)
{
  g_autofree char *display_name = g_filename_display_name (path);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  goffset size;
  gsize n_read;

  /* The size is checked before anything is allocated for the contents. */
  stream = open_limited (path, display_name, max_size, &size, error);
  if (stream == NULL)
    return NULL;

  /* One byte more than announced tells a file that grew while read. */
  data = g_malloc (size + 1);
  if (!g_input_stream_read_all (stream, data, size + 1, &n_read, NULL, &local_error))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("Could not read %s: %s"), display_name, local_error->message);
      return NULL;
    }
  if (n_read > (gsize) size)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("%s changed while it was being read"), display_name);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&data), n_read);
}

void
vesc_prefix_file_error (GError     **error,
                        const char  *path)
{
  g_autofree char *display_name = NULL;

  if (error == NULL || *error == NULL)
    return;

  display_name = g_filename_display_name (path);

  /* json-glib names in-memory input "<data>": put the file name there so
   * the message reads file:line:column. */
  if (g_str_has_prefix ((*error)->message, "<data>:"))
    {
      char *message = g_strconcat (display_name, (*error)->message + strlen ("<data>"), NULL);

      g_free ((*error)->message);
      (*error)->message = message;
    }
  else
    {
      g_prefix_error (error, "%s: ", display_name);
    }
}
