/* test-directory.c: the site directory, address lookup and loading
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vesc.h"

#include "signal-logger.h"

static VescSite *
new_site (const char *id,
          const char *name,
          const char *subnet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, name, &error);

  g_assert_no_error (error);
  if (subnet != NULL)
    {
      vesc_site_add_subnet (site, subnet, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&site);
}

static void
add_site (VescDirectory *directory,
          VescSite      *site)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_directory_add_site (directory, site, &error));
  g_assert_no_error (error);
}

static guint
n_sites (VescDirectory *directory)
{
  return g_list_model_get_n_items (vesc_directory_get_sites (directory));
}

static guint
n_contacts (VescDirectory *directory)
{
  guint n = 0;
  VescRole role;

  for (role = VESC_ROLE_ITD; role <= VESC_ROLE_LTSB; role++)
    n += g_list_model_get_n_items (vesc_directory_get_contacts (directory, role));
  return n;
}

static const char *
lookup_id (VescDirectory *directory,
           const char    *address)
{
  g_autoptr(GError) error = NULL;
  VescSite *site = vesc_directory_lookup_address (directory, address, &error);

  g_assert_no_error (error);
  g_assert_nonnull (site);
  return vesc_site_get_id (site);
}

static void
test_add_site (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) a = new_site ("SCH101", "Alder Brook Primary", "10.47.1.0/24");
  g_autoptr(VescSite) b = new_site ("SCH102", "Beechwood CE Primary", NULL);
  g_autoptr(VescSite) second = NULL;
  GListModel *sites = vesc_directory_get_sites (directory);

  g_assert_true (g_list_model_get_item_type (sites) == VESC_TYPE_SITE);
  g_assert_null (vesc_directory_lookup_site (directory, "SCH101"));

  add_site (directory, a);
  add_site (directory, b);

  g_assert_cmpuint (n_sites (directory), ==, 2);
  second = g_list_model_get_item (sites, 1);
  g_assert_true (second == b);
  g_assert_true (vesc_directory_lookup_site (directory, "SCH101") == a);
  g_assert_true (vesc_directory_lookup_site (directory, "SCH102") == b);
  g_assert_null (vesc_directory_lookup_site (directory, "sch101"));
}

static void
test_add_site_duplicate_id (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) a = new_site ("SCH101", "Alder Brook Primary", "10.47.1.0/24");
  g_autoptr(VescSite) again = new_site ("SCH101", "Another School", "10.47.99.0/24");
  g_autoptr(GError) error = NULL;

  add_site (directory, a);
  g_assert_false (vesc_directory_add_site (directory, again, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "SCH101"));

  g_assert_cmpuint (n_sites (directory), ==, 1);
  g_assert_true (vesc_directory_lookup_site (directory, "SCH101") == a);
  g_assert_null (vesc_directory_lookup_address (directory, "10.47.99.1", NULL));
}

static void
test_add_site_duplicate_subnet (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) a = new_site ("SCH101", "Alder Brook Primary", "10.47.1.0/24");
  g_autoptr(VescSite) b = new_site ("SCH102", "Beechwood CE Primary", "10.47.2.0/24");
  g_autoptr(GError) error = NULL;

  add_site (directory, a);
  g_assert_true (vesc_site_add_subnet (b, "10.47.1.0/24", NULL));

  g_assert_false (vesc_directory_add_site (directory, b, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "10.47.1.0/24"));
  g_assert_nonnull (strstr (error->message, "SCH101"));

  g_assert_cmpuint (n_sites (directory), ==, 1);
  g_assert_null (vesc_directory_lookup_site (directory, "SCH102"));
  g_assert_cmpstr (lookup_id (directory, "10.47.1.7"), ==, "SCH101");
}

static void
test_lookup_longest_match (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) school = new_site ("SCH101", "Alder Brook Primary", "10.47.1.0/24");
  g_autoptr(VescSite) council = new_site ("COUNCIL", "Council offices", "10.0.0.0/8");
  g_autoptr(VescSite) area = new_site ("AREA", "North area", "10.47.0.0/16");

  /* The school comes first and the widest last, so order cannot explain
   * the result. */
  add_site (directory, school);
  add_site (directory, council);
  add_site (directory, area);

  g_assert_cmpstr (lookup_id (directory, "10.47.1.200"), ==, "SCH101");
  g_assert_cmpstr (lookup_id (directory, "10.47.1.0"), ==, "SCH101");
  g_assert_cmpstr (lookup_id (directory, "10.47.2.1"), ==, "AREA");
  g_assert_cmpstr (lookup_id (directory, "10.48.0.1"), ==, "COUNCIL");
  g_assert_cmpstr (lookup_id (directory, "::ffff:10.47.1.9"), ==, "SCH101");
}

static void
test_lookup_nested_file (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "directory-nested.json",
                                                 NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_directory_load_from_file (directory, path, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (lookup_id (directory, "10.47.1.5"), ==, "SCH101");
  g_assert_cmpstr (lookup_id (directory, "10.47.8.5"), ==, "SCH108");
  g_assert_cmpstr (lookup_id (directory, "10.47.9.5"), ==, "COUNCIL");
  g_assert_cmpstr (lookup_id (directory, "fd00:47:8:1::1"), ==, "SCH108");
}

static void
test_lookup_malformed (void)
{
  static const char * const bad[] = {
    "", "10.47.1", "10.47.1.256", "10.47.1.0/24", "school", "10.47.1.5 ", "fd00::47::1",
    "10.47.1.5\nFAKE LOG LINE",
  };
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) site = new_site ("SCH101", "Alder Brook Primary", "0.0.0.0/0");
  gsize i;

  add_site (directory, site);

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (vesc_directory_lookup_address (directory, bad[i], &error));
      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_null (strchr (error->message, '\n'));
      if (strchr (bad[i], '\n') == NULL)
        g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_lookup_unmatched (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) site = new_site ("SCH101", "Alder Brook Primary", "10.47.1.0/24");
  g_autoptr(GError) error = NULL;

  g_assert_null (vesc_directory_lookup_address (directory, "10.47.1.5", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE);
  g_clear_error (&error);

  add_site (directory, site);
  g_assert_null (vesc_directory_lookup_address (directory, "10.128.0.5", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE);
  g_assert_cmpstr (error->message, ==, "No school's subnet contains 10.128.0.5");
  g_clear_error (&error);

  g_assert_null (vesc_directory_lookup_address (directory, "fd00:47:1::5", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE);
}

static VescRecipient *
new_contact (VescRole    role,
             const char *name,
             const char *email)
{
  g_autoptr(GError) error = NULL;
  VescRecipient *contact = vesc_recipient_new (role, name, email, &error);

  g_assert_no_error (error);
  return contact;
}

static void
test_contacts (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescRecipient) pm = new_contact (VESC_ROLE_PRINCIPAL_MANAGER, "Principal Manager",
                                             "principal.manager@council.example.org");
  g_autoptr(VescRecipient) deputy = new_contact (VESC_ROLE_PRINCIPAL_MANAGER, "Deputy",
                                                 "pm.deputy@council.example.org");
  g_autoptr(VescRecipient) again = new_contact (VESC_ROLE_PRINCIPAL_MANAGER, "Again",
                                                "PM.Deputy@council.example.org");
  g_autoptr(VescRecipient) itd = new_contact (VESC_ROLE_ITD, NULL,
                                              "pm.deputy@council.example.org");
  g_autoptr(VescRecipient) first = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *list = vesc_directory_get_contacts (directory, VESC_ROLE_PRINCIPAL_MANAGER);

  g_assert_true (g_list_model_get_item_type (list) == VESC_TYPE_RECIPIENT);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  g_assert_true (vesc_directory_add_contact (directory, pm, &error));
  g_assert_true (vesc_directory_add_contact (directory, deputy, &error));
  /* The same address under another role is someone else's job. */
  g_assert_true (vesc_directory_add_contact (directory, itd, &error));
  g_assert_no_error (error);

  g_assert_false (vesc_directory_add_contact (directory, again, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  first = g_list_model_get_item (list, 0);
  g_assert_true (first == pm);
  g_assert_cmpuint (g_list_model_get_n_items (vesc_directory_get_contacts (directory,
                                                                           VESC_ROLE_ITD)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (vesc_directory_get_contacts (directory,
                                                                           VESC_ROLE_LTSB)), ==, 0);
}

static char *
sample_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "examples", "data", "sites.json", NULL);
}

static void
test_load_sample (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  g_autofree char *path = sample_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescRecipient) deputy = NULL;
  VescSite *site;

  signal_logger_connect (logger, vesc_directory_get_sites (directory), "items-changed");

  g_assert_true (vesc_directory_load_from_file (directory, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sites (directory), ==, 17);
  /* The whole file arrives as one change. */
  g_assert_cmpuint (signal_logger_count (logger, "items-changed"), ==, 1);

  site = vesc_directory_lookup_site (directory, "SCH108");
  g_assert_nonnull (site);
  g_assert_cmpstr (vesc_site_get_name (site), ==, "Hawthorn Junior");
  g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 2);
  g_assert_cmpstr (lookup_id (directory, "fd00:47:8::1"), ==, "SCH108");
  g_assert_cmpstr (lookup_id (directory, "fd00:47:8:ffff::5"), ==, "SCH108");
  g_assert_cmpstr (lookup_id (directory, "10.47.8.200"), ==, "SCH108");
  g_assert_cmpstr (lookup_id (directory, "10.47.46.3"), ==, "SCH117");
  g_assert_null (vesc_directory_lookup_address (directory, "10.128.0.5", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE);

  site = vesc_directory_lookup_site (directory, "SCH114");
  g_assert_cmpstr (vesc_site_get_name (site), ==, "Northwood St Mary & St John's Primary");
  g_assert_cmpstr (vesc_site_get_head_teacher_email (site), ==, "head.sch114@schools.example.org");
  g_assert_cmpstr (vesc_site_get_relationship_manager_name (site), ==,
                   "Relationship Manager South");
  g_assert_true (vesc_site_get_kssc_supported (site));
  g_assert_false (vesc_site_get_kssc_supported (vesc_directory_lookup_site (directory, "SCH103")));

  g_assert_cmpuint (n_contacts (directory), ==, 5);
  g_assert_cmpuint (g_list_model_get_n_items (
    vesc_directory_get_contacts (directory, VESC_ROLE_PRINCIPAL_MANAGER)), ==, 2);
  deputy = g_list_model_get_item (vesc_directory_get_contacts (directory,
                                                               VESC_ROLE_PRINCIPAL_MANAGER), 1);
  g_assert_cmpstr (vesc_recipient_get_email (deputy), ==, "pm.deputy@council.example.org");
}

static void
test_load_twice (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autofree char *path = sample_path ();
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_directory_load_from_file (directory, path, &error));
  g_assert_no_error (error);

  g_assert_false (vesc_directory_load_from_file (directory, path, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);
  g_assert_cmpuint (n_sites (directory), ==, 17);
  g_assert_cmpuint (n_contacts (directory), ==, 5);
}

typedef struct {
  const char *file;
  int code;
  const char *fragment;   /* the message must contain this */
} LoadError;

static const LoadError load_errors[] = {
  { "directory-bad-json.json", VESC_ERROR_PARSE, "directory-bad-json.json:8:5: " },
  { "directory-unknown-field.json", VESC_ERROR_PARSE,
    "sites[1] (SCH102): unknown field “hed_teacher”" },
  { "directory-duplicate-id.json", VESC_ERROR_DUPLICATE, "sites[2] (SCH101): " },
  { "directory-duplicate-subnet.json", VESC_ERROR_DUPLICATE, "sites[3] (SCH104): " },
  { "directory-bad-email.json", VESC_ERROR_INVALID_INPUT, "head.sch104.schools.example.org" },
  { "directory-bad-cidr.json", VESC_ERROR_INVALID_INPUT, "10.47.4.5/24" },
  { "directory-missing-field.json", VESC_ERROR_PARSE, "sites[3] (SCH104): missing field “name”" },
  { "directory-wrong-version.json", VESC_ERROR_PARSE, "version 2" },
  { "directory-wrong-type.json", VESC_ERROR_PARSE, "kssc_supported" },
  { "directory-unknown-role.json", VESC_ERROR_PARSE, "contacts[1]: unknown role “caretaker”" },
  { "directory-duplicate-contact.json", VESC_ERROR_DUPLICATE, "contacts[2]: " },
};

/* A directory that already holds one site and one contact, which a failed
 * load must leave exactly as they are. */
static VescDirectory *
new_populated_directory (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescSite) site = new_site ("SCH900", "Existing School", "192.0.2.0/24");
  g_autoptr(VescRecipient) contact = new_contact (VESC_ROLE_LTSB, "LTSB",
                                                  "ltsb.secretary@council.example.org");

  add_site (directory, site);
  g_assert_true (vesc_directory_add_contact (directory, contact, NULL));
  return g_steal_pointer (&directory);
}

static void
assert_unchanged (VescDirectory *directory)
{
  g_assert_cmpuint (n_sites (directory), ==, 1);
  g_assert_cmpuint (n_contacts (directory), ==, 1);
  g_assert_nonnull (vesc_directory_lookup_site (directory, "SCH900"));
  g_assert_null (vesc_directory_lookup_site (directory, "SCH101"));
  g_assert_null (vesc_directory_lookup_address (directory, "10.47.1.1", NULL));
}

static void
test_load_errors (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (load_errors); i++)
    {
      const LoadError *expected = &load_errors[i];
      g_autoptr(VescDirectory) directory = new_populated_directory ();
      g_autoptr(SignalLogger) logger = signal_logger_new ();
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", expected->file, NULL);
      g_autoptr(GError) error = NULL;

      signal_logger_connect (logger, vesc_directory_get_sites (directory), "items-changed");

      g_assert_false (vesc_directory_load_from_file (directory, path, &error));
      g_test_message ("%s: %s", expected->file, error != NULL ? error->message : "no error");
      g_assert_error (error, VESC_ERROR, expected->code);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, expected->fragment));

      assert_unchanged (directory);
      signal_logger_assert_empty (logger);
    }
}

static void
test_load_good_fixture (void)
{
  g_autoptr(VescDirectory) directory = new_populated_directory ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "directory-good.json",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) first_loaded = NULL;

  /* The error fixtures differ from this one in one place each. */
  g_assert_true (vesc_directory_load_from_file (directory, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sites (directory), ==, 5);
  g_assert_cmpuint (n_contacts (directory), ==, 3);
  first_loaded = g_list_model_get_item (vesc_directory_get_sites (directory), 1);
  g_assert_cmpstr (vesc_site_get_id (first_loaded), ==, "SCH101");
  g_assert_cmpstr (lookup_id (directory, "10.47.4.1"), ==, "SCH104");
}

static void
test_load_data_errors (void)
{
  static const LoadError cases[] = {
    { "", VESC_ERROR_PARSE, "empty" },
    { "  \n", VESC_ERROR_PARSE, "empty" },
    { "[]", VESC_ERROR_PARSE, "object" },
    { "{\"version\": 1}", VESC_ERROR_PARSE, "missing field “sites”" },
    { "{\"sites\": []}", VESC_ERROR_PARSE, "missing field “version”" },
    { "{\"version\": \"1\", \"sites\": []}", VESC_ERROR_PARSE, "version" },
    { "{\"version\": 1, \"sites\": {}}", VESC_ERROR_PARSE, "sites" },
    { "{\"version\": 1, \"sites\": [42]}", VESC_ERROR_PARSE, "sites[0]: " },
    { "{\"version\": 1, \"sites\": [{\"id\": 7, \"name\": \"X\"}]}", VESC_ERROR_PARSE, "id" },
    { "{\"version\": 1, \"sites\": [{\"id\": \"S 1\", \"name\": \"X\"}]}",
      VESC_ERROR_INVALID_INPUT, "sites[0] (S 1): " },
    { "{\"version\": 1, \"sites\": [{\"id\": \"S1\", \"name\": \"X\", \"subnets\": [1]}]}",
      VESC_ERROR_PARSE, "subnets[0]" },
    { "{\"version\": 1, \"sites\": [{\"id\": \"S1\", \"name\": \"X\", "
      "\"head_teacher\": {\"name\": \"Head\"}}]}",
      VESC_ERROR_PARSE, "head_teacher: missing field “email”" },
    /* Clashes with the site already in the directory. */
    { "{\"version\": 1, \"sites\": [{\"id\": \"SCH900\", \"name\": \"X\"}]}",
      VESC_ERROR_DUPLICATE, "SCH900" },
    { "{\"version\": 1, \"sites\": [{\"id\": \"S1\", \"name\": \"X\", "
      "\"subnets\": [\"192.0.2.0/24\"]}]}",
      VESC_ERROR_DUPLICATE, "192.0.2.0/24" },
    { "{\"version\": 1, \"sites\": [], \"contacts\": [{\"role\": \"ltsb\", "
      "\"email\": \"LTSB.Secretary@council.example.org\"}]}",
      VESC_ERROR_DUPLICATE, "contacts[0]: LTSB.Secretary@council.example.org is already a contact "
      "for the role “ltsb”" },
    { "{\"version\": 1, \"sites\": [], \"contacts\": [{\"role\": \"itd\", "
      "\"email\": \"itd@council.example.org\", \"phone\": \"0\"}]}",
      VESC_ERROR_PARSE, "unknown field “phone”" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VescDirectory) directory = new_populated_directory ();
      g_autoptr(GError) error = NULL;

      g_assert_false (vesc_directory_load_from_data (directory, cases[i].file, -1, &error));
      g_test_message ("%s: %s", cases[i].file, error != NULL ? error->message : "no error");
      g_assert_error (error, VESC_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
      assert_unchanged (directory);
    }
}

static void
test_load_data_roles (void)
{
  static const char data[] =
    "{\"version\": 1, \"sites\": [], \"contacts\": ["
    "{\"role\": \"principal_manager\", \"email\": \"pm@council.example.org\"},"
    "{\"role\": \"principal-manager\", \"email\": \"deputy@council.example.org\"},"
    "{\"role\": \"relationship_manager\", \"email\": \"rm@council.example.org\"},"
    "{\"role\": \"head_teacher\", \"name\": null, \"email\": \"head@schools.example.org\"}]}";
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescRecipient) head = NULL;

  g_assert_true (vesc_directory_load_from_data (directory, data, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (
    vesc_directory_get_contacts (directory, VESC_ROLE_PRINCIPAL_MANAGER)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (
    vesc_directory_get_contacts (directory, VESC_ROLE_RELATIONSHIP_MANAGER)), ==, 1);
  head = g_list_model_get_item (vesc_directory_get_contacts (directory, VESC_ROLE_HEAD_TEACHER),
                                0);
  g_assert_null (vesc_recipient_get_name (head));
}

static void
test_load_missing_file (void)
{
  g_autoptr(VescDirectory) directory = new_populated_directory ();
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "no-such.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (vesc_directory_load_from_file (directory, path, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such.json"));
  g_clear_error (&error);

  g_assert_false (vesc_directory_load_from_file (directory, "/dev/zero", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  assert_unchanged (directory);
}

static void
test_load_too_large (void)
{
  g_autoptr(VescDirectory) directory = new_populated_directory ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_no_errno (g_mkdir_with_parents (g_get_user_data_dir (), 0700));
  path = g_build_filename (g_get_user_data_dir (), "huge.json", NULL);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  /* A sparse file: large, yet nothing written. */
  g_assert_no_errno (ftruncate (fd, 16 * 1024 * 1024 + 1));
  g_assert_no_errno (close (fd));

  g_assert_false (vesc_directory_load_from_file (directory, path, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "huge.json"));
  assert_unchanged (directory);

  g_assert_no_errno (g_unlink (path));
}

/* The index keeps up with subnets a site gains after it joined, answers
 * IPv4 written as IPv6, and picks the longest of many nested prefixes. */
static void
test_lookup_index (void)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(GError) error = NULL;
  const char *subnets[] = { "10.0.0.0/8", "10.47.0.0/16", "10.47.1.0/24", "10.47.1.128/25",
                            "10.47.1.200/32" };
  VescSite *site;

  for (guint i = 0; i < G_N_ELEMENTS (subnets); i++)
    {
      g_autofree char *id = g_strdup_printf ("S%u", i);
      g_autoptr(VescSite) nested = vesc_site_new (id, "Nested", &error);

      g_assert_true (vesc_site_add_subnet (nested, subnets[i], &error));
      g_assert_true (vesc_directory_add_site (directory, nested, &error));
    }
  g_assert_cmpstr (vesc_site_get_id (vesc_directory_lookup_address (directory, "10.47.1.200",
                                                                    &error)), ==, "S4");
  g_assert_cmpstr (vesc_site_get_id (vesc_directory_lookup_address (directory, "10.47.1.201",
                                                                    &error)), ==, "S3");
  g_assert_cmpstr (vesc_site_get_id (vesc_directory_lookup_address (directory, "10.47.1.20",
                                                                    &error)), ==, "S2");
  g_assert_cmpstr (vesc_site_get_id (vesc_directory_lookup_address (directory, "10.47.9.9",
                                                                    &error)), ==, "S1");
  g_assert_cmpstr (vesc_site_get_id (vesc_directory_lookup_address (directory, "::ffff:10.9.9.9",
                                                                    &error)), ==, "S0");
  site = vesc_directory_lookup_site (directory, "S0");
  g_assert_true (vesc_site_add_subnet (site, "192.0.2.0/24", &error));
  g_assert_true (vesc_directory_lookup_address (directory, "192.0.2.7", &error) == site);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/directory/add-site", test_add_site);
  g_test_add_func ("/directory/add-site/duplicate-id", test_add_site_duplicate_id);
  g_test_add_func ("/directory/add-site/duplicate-subnet", test_add_site_duplicate_subnet);
  g_test_add_func ("/directory/lookup/longest-match", test_lookup_longest_match);
  g_test_add_func ("/directory/lookup/nested-file", test_lookup_nested_file);
  g_test_add_func ("/directory/lookup/malformed", test_lookup_malformed);
  g_test_add_func ("/directory/lookup/unmatched", test_lookup_unmatched);
  g_test_add_func ("/directory/lookup/index", test_lookup_index);
  g_test_add_func ("/directory/contacts", test_contacts);
  g_test_add_func ("/directory/load/sample", test_load_sample);
  g_test_add_func ("/directory/load/twice", test_load_twice);
  g_test_add_func ("/directory/load/good-fixture", test_load_good_fixture);
  g_test_add_func ("/directory/load/errors", test_load_errors);
  g_test_add_func ("/directory/load/data-errors", test_load_data_errors);
  g_test_add_func ("/directory/load/roles", test_load_data_roles);
  g_test_add_func ("/directory/load/missing-file", test_load_missing_file);
  g_test_add_func ("/directory/load/too-large", test_load_too_large);

  return g_test_run ();
}
