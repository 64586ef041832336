/* test-site.c: sites, their contacts and subnets; recipients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vesc.h"
#include "vesc-site-private.h"

#include "signal-logger.h"

static VescSite *
new_site (const char *id)
{
  g_autoptr(GError) error = NULL;
  VescSite *site = vesc_site_new (id, "Alder Brook Primary", &error);

  g_assert_no_error (error);
  g_assert_nonnull (site);
  return site;
}

static void
test_recipient_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescRecipient) recipient = NULL;
  g_autoptr(VescRecipient) anonymous = NULL;
  g_autofree char *name = NULL;
  VescRole role;

  recipient = vesc_recipient_new (VESC_ROLE_KSSC, "Canolfan Cymorth Ysgolion & “Ŵyn” <KSSC>",
                                  "kssc@support.example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vesc_recipient_get_role (recipient), ==, VESC_ROLE_KSSC);
  g_assert_cmpstr (vesc_recipient_get_name (recipient), ==,
                   "Canolfan Cymorth Ysgolion & “Ŵyn” <KSSC>");
  g_assert_cmpstr (vesc_recipient_get_email (recipient), ==, "kssc@support.example.org");

  g_object_get (recipient, "role", &role, "name", &name, NULL);
  g_assert_cmpint (role, ==, VESC_ROLE_KSSC);
  g_assert_cmpstr (name, ==, "Canolfan Cymorth Ysgolion & “Ŵyn” <KSSC>");

  anonymous = vesc_recipient_new (VESC_ROLE_LTSB, NULL, "ltsb@council.example.org", &error);
  g_assert_no_error (error);
  g_assert_null (vesc_recipient_get_name (anonymous));
}

static void
test_recipient_invalid (void)
{
  static const struct { const char *name; const char *email; } cases[] = {
    { "Help Desk", "helpdesk" },
    { "Help Desk", "help desk@council.example.org" },
    { "Help Desk", "Help Desk <helpdesk@council.example.org>" },
    { "Help Desk", "helpdesk@council.example.org\r\nBcc: x@example.org" },
    { "Help Desk\r\nBcc: x@example.org", "helpdesk@council.example.org" },
    { "Help\tDesk", "helpdesk@council.example.org" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescRecipient) recipient = NULL;

      recipient = vesc_recipient_new (VESC_ROLE_ITD, cases[i].name, cases[i].email, &error);
      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_null (recipient);
    }
}

static void
test_site_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = NULL;
  g_autoptr(GListModel) subnets = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *head_email = NULL;
  VescCinState state;
  gboolean kssc;

  site = vesc_site_new ("SCH114", "Northwood St Mary & St John's Primary", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vesc_site_get_id (site), ==, "SCH114");
  g_assert_cmpstr (vesc_site_get_name (site), ==, "Northwood St Mary & St John's Primary");
  g_assert_null (vesc_site_get_head_teacher_name (site));
  g_assert_null (vesc_site_get_head_teacher_email (site));
  g_assert_null (vesc_site_get_relationship_manager_name (site));
  g_assert_null (vesc_site_get_relationship_manager_email (site));
  g_assert_false (vesc_site_get_kssc_supported (site));
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_CONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 0);
  g_assert_true (g_list_model_get_item_type (vesc_site_get_subnets (site)) ==
                 G_TYPE_INET_ADDRESS_MASK);

  g_object_get (site,
                "id", &id, "name", &name, "head-teacher-email", &head_email,
                "kssc-supported", &kssc, "cin-state", &state, "subnets", &subnets,
                NULL);
  g_assert_cmpstr (id, ==, "SCH114");
  g_assert_cmpstr (name, ==, "Northwood St Mary & St John's Primary");
  g_assert_null (head_email);
  g_assert_false (kssc);
  g_assert_cmpint (state, ==, VESC_CIN_STATE_CONNECTED);
  g_assert_true (subnets == vesc_site_get_subnets (site));
}

static void
test_site_names (void)
{
  static const char * const good[] = {
    "Ysgol y Ŵyn",
    "Oakfield Ysgol Gymraeg",
    "St Mary & St John's <\"Quoted\"> Primary",
  };
  static const char * const bad[] = { "", "Alder\nBrook", "Alder\rBrook", "Alder\tBrook" };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescSite) site = vesc_site_new ("SCH101", good[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (vesc_site_get_name (site), ==, good[i]);
    }

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescSite) site = vesc_site_new ("SCH101", bad[i], &error);

      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_null (site);
    }
}

static void
test_site_ids (void)
{
  static const char * const good[] = { "SCH101", "sch-101", "a", "7.b_c-d" };
  static const char * const bad[] = {
    "", "SCH 101", "SCH/101", "../etc", ".hidden", "-rf", "_x", "SCHÖ", "SCH101\n",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescSite) site = vesc_site_new (good[i], "A School", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (vesc_site_get_id (site), ==, good[i]);
    }

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescSite) site = vesc_site_new (bad[i], "A School", &error);

      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_null (site);
      /* The message shows the id, but never a raw line break. */
      g_assert_null (strchr (error->message, '\n'));
      if (*bad[i] != '\0' && strchr (bad[i], '\n') == NULL)
        g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

typedef gboolean (*SetContact) (VescSite *, const char *, const char *, GError **);
typedef const char *(*GetString) (VescSite *);

static void
check_contact (SetContact  set,
               GetString   get_name,
               GetString   get_email,
               const char *prefix)
{
  g_autoptr(VescSite) site = new_site ("SCH101");
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name_signal = g_strconcat ("notify::", prefix, "-name", NULL);
  g_autofree char *email_signal = g_strconcat ("notify::", prefix, "-email", NULL);

  signal_logger_connect (logger, site, "notify");

  g_assert_true (set (site, "Mrs Ŵ. O'Brien & Co", "head.sch101@schools.example.org", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (get_name (site), ==, "Mrs Ŵ. O'Brien & Co");
  g_assert_cmpstr (get_email (site), ==, "head.sch101@schools.example.org");
  g_assert_true (signal_logger_pop (logger, site, name_signal, NULL, NULL));
  g_assert_true (signal_logger_pop (logger, site, email_signal, NULL, NULL));
  signal_logger_assert_empty (logger);

  /* The same values again are no change. */
  g_assert_true (set (site, "Mrs Ŵ. O'Brien & Co", "head.sch101@schools.example.org", &error));
  signal_logger_assert_empty (logger);

  /* Only the address changes. */
  g_assert_true (set (site, "Mrs Ŵ. O'Brien & Co", "new.head@schools.example.org", &error));
  g_assert_true (signal_logger_pop (logger, site, email_signal, NULL, NULL));
  signal_logger_assert_empty (logger);

  /* Refused changes keep both old values. */
  g_assert_false (set (site, "Mr New", "not-an-address", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "not-an-address"));
  g_clear_error (&error);
  g_assert_false (set (site, "Mr New\nBcc: x@example.org", "mr.new@schools.example.org", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_cmpstr (get_name (site), ==, "Mrs Ŵ. O'Brien & Co");
  g_assert_cmpstr (get_email (site), ==, "new.head@schools.example.org");
  signal_logger_assert_empty (logger);
}

static void
test_site_head_teacher (void)
{
  check_contact (vesc_site_set_head_teacher, vesc_site_get_head_teacher_name,
                 vesc_site_get_head_teacher_email, "head-teacher");
}

static void
test_site_relationship_manager (void)
{
  check_contact (vesc_site_set_relationship_manager, vesc_site_get_relationship_manager_name,
                 vesc_site_get_relationship_manager_email, "relationship-manager");
}

static void
test_site_kssc_supported (void)
{
  g_autoptr(VescSite) site = new_site ("SCH101");
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  gboolean supported;

  signal_logger_connect (logger, site, "notify");

  vesc_site_set_kssc_supported (site, TRUE);
  g_assert_true (vesc_site_get_kssc_supported (site));
  g_assert_true (signal_logger_pop (logger, site, "notify::kssc-supported", NULL, NULL));
  vesc_site_set_kssc_supported (site, TRUE);
  signal_logger_assert_empty (logger);

  g_object_set (site, "kssc-supported", FALSE, NULL);
  g_object_get (site, "kssc-supported", &supported, NULL);
  g_assert_false (supported);
  g_assert_true (signal_logger_pop (logger, site, "notify::kssc-supported", NULL, NULL));
  signal_logger_assert_empty (logger);
}

static void
test_site_cin_state (void)
{
  g_autoptr(VescSite) site = new_site ("SCH101");
  g_autoptr(SignalLogger) logger = signal_logger_new ();

  signal_logger_connect (logger, site, "notify");

  vesc_site_set_cin_state (site, VESC_CIN_STATE_DISCONNECTED);
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_DISCONNECTED);
  g_assert_true (signal_logger_pop (logger, site, "notify::cin-state", NULL, NULL));
  vesc_site_set_cin_state (site, VESC_CIN_STATE_DISCONNECTED);
  signal_logger_assert_empty (logger);

  vesc_site_set_cin_state (site, VESC_CIN_STATE_CONNECTED);
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_CONNECTED);
  g_assert_true (signal_logger_pop (logger, site, "notify::cin-state", NULL, NULL));
  signal_logger_assert_empty (logger);
}

static void
assert_subnet (VescSite   *site,
               guint       position,
               const char *expected)
{
  g_autoptr(GInetAddressMask) mask = g_list_model_get_item (vesc_site_get_subnets (site), position);
  g_autofree char *text = NULL;

  g_assert_nonnull (mask);
  text = g_inet_address_mask_to_string (mask);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_subnet_ipv4 (void)
{
  g_autoptr(VescSite) site = new_site ("SCH101");
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_site_add_subnet (site, "10.47.1.0/24", &error));
  g_assert_no_error (error);
  g_assert_true (vesc_site_add_subnet (site, "10.0.0.0/8", &error));
  g_assert_true (vesc_site_add_subnet (site, "192.0.2.7/32", &error));
  g_assert_true (vesc_site_add_subnet (site, "0.0.0.0/0", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 4);
  assert_subnet (site, 0, "10.47.1.0/24");
  assert_subnet (site, 1, "10.0.0.0/8");
  /* GLib writes a full-length prefix as a bare address. */
  assert_subnet (site, 2, "192.0.2.7");
  assert_subnet (site, 3, "0.0.0.0/0");
}

static void
test_subnet_ipv6 (void)
{
  g_autoptr(VescSite) site = new_site ("SCH108");
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddressMask) mask = NULL;

  g_assert_true (vesc_site_add_subnet (site, "fd00:47:8::/48", &error));
  g_assert_no_error (error);
  g_assert_true (vesc_site_add_subnet (site, "2001:db8:0:1::/64", &error));
  g_assert_no_error (error);

  mask = g_list_model_get_item (vesc_site_get_subnets (site), 0);
  g_assert_cmpint (g_inet_address_mask_get_family (mask), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpuint (g_inet_address_mask_get_length (mask), ==, 48);
  assert_subnet (site, 1, "2001:db8:0:1::/64");
}

static void
test_subnet_malformed (void)
{
  static const char * const bad[] = {
    "", "10.47.1.0", "10.47.1.0/", "10.47.1.0/33", "10.47.1/24", "10.47.1.0/24/8",
    "10.47.1.0/ 24", "10.47.1.0/+24", "10.47.1.0/-1", " 10.47.1.0/24", "10.47.1.0/24 ",
    "10.47.256.0/24", "fd00:47:8::/129", "fd00::47::8/48", "school/24", "/24", "10.47.1.0/x",
  };
  g_autoptr(VescSite) site = new_site ("SCH101");
  gsize i;

  g_assert_true (vesc_site_add_subnet (site, "10.47.2.0/24", NULL));

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("subnet “%s”", bad[i]);
      g_assert_false (vesc_site_add_subnet (site, bad[i], &error));
      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 1);
    }
}

static void
test_subnet_host_bits (void)
{
  g_autoptr(VescSite) site = new_site ("SCH101");
  g_autoptr(GError) error = NULL;

  g_assert_false (vesc_site_add_subnet (site, "10.47.1.5/24", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "10.47.1.5/24"));
  g_assert_nonnull (strstr (error->message, "host bits"));
  g_assert_nonnull (strstr (error->message, "10.47.1.0/24"));
  g_clear_error (&error);

  g_assert_false (vesc_site_add_subnet (site, "10.47.1.128/23", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "10.47.0.0/23"));
  g_clear_error (&error);

  g_assert_false (vesc_site_add_subnet (site, "fd00:47:8::1/48", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "fd00:47:8::/48"));

  g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 0);
}

static void
test_subnet_duplicate (void)
{
  g_autoptr(VescSite) site = new_site ("SCH108");
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_site_add_subnet (site, "10.47.8.0/24", NULL));
  g_assert_true (vesc_site_add_subnet (site, "fd00:47:8::/48", NULL));
  /* Same network, other prefix: not a duplicate. */
  g_assert_true (vesc_site_add_subnet (site, "10.47.8.0/25", NULL));

  g_assert_false (vesc_site_add_subnet (site, "10.47.8.0/24", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "SCH108"));
  g_clear_error (&error);

  /* Written differently, the same subnet. */
  g_assert_false (vesc_site_add_subnet (site, "fd00:0047:0008:0::/48", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE);

  g_assert_cmpuint (g_list_model_get_n_items (vesc_site_get_subnets (site)), ==, 3);
}

static int
match (VescSite   *site,
       const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  g_assert_nonnull (inet);
  return vesc_site_match_address (site, inet);
}

static void
test_subnet_match (void)
{
  g_autoptr(VescSite) site = new_site ("SCH101");

  g_assert_cmpint (match (site, "10.47.1.5"), ==, -1);

  g_assert_true (vesc_site_add_subnet (site, "10.0.0.0/8", NULL));
  g_assert_true (vesc_site_add_subnet (site, "10.47.1.0/24", NULL));
  g_assert_true (vesc_site_add_subnet (site, "10.47.0.0/16", NULL));
  g_assert_true (vesc_site_add_subnet (site, "fd00:47:8::/48", NULL));

  g_assert_cmpint (match (site, "10.47.1.5"), ==, 24);
  g_assert_cmpint (match (site, "10.47.2.5"), ==, 16);
  g_assert_cmpint (match (site, "10.128.0.5"), ==, 8);
  g_assert_cmpint (match (site, "11.0.0.1"), ==, -1);
  g_assert_cmpint (match (site, "fd00:47:8:1::5"), ==, 48);
  g_assert_cmpint (match (site, "fd00:47:9::5"), ==, -1);
  /* An IPv4 address written as IPv6 by a dual-stack sensor. */
  g_assert_cmpint (match (site, "::ffff:10.47.1.5"), ==, 24);
  g_assert_cmpint (match (site, "::10.47.1.5"), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recipient/new", test_recipient_new);
  g_test_add_func ("/recipient/invalid", test_recipient_invalid);
  g_test_add_func ("/site/new", test_site_new);
  g_test_add_func ("/site/names", test_site_names);
  g_test_add_func ("/site/ids", test_site_ids);
  g_test_add_func ("/site/head-teacher", test_site_head_teacher);
  g_test_add_func ("/site/relationship-manager", test_site_relationship_manager);
  g_test_add_func ("/site/kssc-supported", test_site_kssc_supported);
  g_test_add_func ("/site/cin-state", test_site_cin_state);
  g_test_add_func ("/site/subnet/ipv4", test_subnet_ipv4);
  g_test_add_func ("/site/subnet/ipv6", test_subnet_ipv6);
  g_test_add_func ("/site/subnet/malformed", test_subnet_malformed);
  g_test_add_func ("/site/subnet/host-bits", test_subnet_host_bits);
  g_test_add_func ("/site/subnet/duplicate", test_subnet_duplicate);
  g_test_add_func ("/site/subnet/match", test_subnet_match);

  return g_test_run ();
}
