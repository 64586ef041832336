#include <libvesc/vesc.h>

static int
fail (const GError *error)
{
  g_printerr ("%s\n", error->message);
  return 1;
}

static void
on_window_end (VescEscalation *escalation,
               VescDeadline   *deadline,
               gpointer        user_data)
{
  g_autoptr(GError) error = NULL;

  /* M6 and M9: when a window ends, ITD checks the network. */
  g_print ("%s passed at %s: device still there\n",
           vesc_deadline_get_name (deadline), vesc_escalation_get_step (escalation));
  if (!vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_PRESENT, "ITD duty", &error))
    fail (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2024, 3, 4, 9, 0, 0);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (start);
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GEnumClass) outcomes = g_type_class_ref (VESC_TYPE_OUTCOME);
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;
  VescIncident *incident;

  if (argc != 2)
    {
      g_printerr ("usage: %s SITES.json\n", argv[0]);
      return 1;
    }
  /* The schools and the council's contacts. */
  if (!vesc_directory_load_from_file (directory, argv[1], &error))
    return fail (error);
  desk = vesc_desk_new (directory, policy, VESC_CLOCK (clock), NULL, &error);
  if (desk == NULL)
    return fail (error);

  /* M1-M5: the address belongs to SCH101; e-mail 1 goes out, the removal window runs. */
  escalation = vesc_desk_report_detection (desk, "10.47.1.20", "Trojan beaconing", &error);
  if (escalation == NULL)
    return fail (error);
  g_signal_connect (escalation, "deadline-reached::removal", G_CALLBACK (on_window_end), NULL);
  g_signal_connect (escalation, "deadline-reached::final", G_CALLBACK (on_window_end), NULL);
  /* D1, e-mail 2, then D2. */
  vesc_manual_clock_advance (clock, 3 * G_TIME_SPAN_HOUR + 30 * G_TIME_SPAN_MINUTE);

  /* An input that is not owed at the current step fails and changes nothing. */
  if (!vesc_escalation_decide (escalation, TRUE, "Principal Manager", &error) || /* M10-M11 */
      !vesc_escalation_report_clean (escalation, "KSSC engineer", &error) ||     /* M12 */
      !vesc_escalation_reconnect (escalation, "ITD network team", &error))       /* M13-M15 */
    return fail (error);

  incident = vesc_escalation_get_incident (escalation);
  g_print ("%s %s\n", vesc_escalation_get_step (escalation),
           g_enum_get_value (outcomes, vesc_incident_get_outcome (incident))->value_nick);
  return 0;
}
