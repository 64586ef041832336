/* vesc-track.c: the procedure's tracks as tables of steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every step of PROCEDURE.md is one row here; the escalation walks the rows
 * and never tests a step code itself, so a council with another procedure
 * changes this table, not the code. M1-M15 is the minor track, R1-R10 the
 * track for reoccurring and major problems, X1-X2 the early end when a
 * check finds the device gone.
 */
#include "vesc-track-private.h"

#include <glib/gi18n-lib.h>

#define PM   VESC_ROLE_BIT (VESC_ROLE_PRINCIPAL_MANAGER)
#define RM   VESC_ROLE_BIT (VESC_ROLE_RELATIONSHIP_MANAGER)
#define HEAD VESC_ROLE_BIT (VESC_ROLE_HEAD_TEACHER)
#define KSSC VESC_ROLE_BIT (VESC_ROLE_KSSC)
#define LTSB VESC_ROLE_BIT (VESC_ROLE_LTSB)
#define ITD  VESC_ROLE_BIT (VESC_ROLE_ITD)

static const VescTrackStep steps[] = {
  { "M1", VESC_STEP_KIND_OPEN, N_("ITD identified a security problem"),
    NULL, 0, VESC_STEP_FLAG_UPGRADABLE, NULL, "M2", NULL },
  { "M2", VESC_STEP_KIND_NOTIFY, N_("ITD informs the Principal Manager and Relationship Managers"),
    "notice-opened", PM | RM, VESC_STEP_FLAG_UPGRADABLE, NULL, "M3", NULL },
  { "M3", VESC_STEP_KIND_NOTIFY, N_("Relationship Managers notify the school; e-mail 1 to the Head Teacher"),
    "email-1", HEAD | RM, VESC_STEP_FLAG_UPGRADABLE, NULL, "M4", NULL },
  { "M4", VESC_STEP_KIND_NOTIFY, N_("KSSC is notified"),
    "notice-kssc", KSSC, VESC_STEP_FLAG_IF_KSSC | VESC_STEP_FLAG_UPGRADABLE, NULL, "M5", NULL },
  { "M5", VESC_STEP_KIND_WAIT, N_("The support team takes the device off the network"),
    NULL, 0, VESC_STEP_FLAG_UPGRADABLE, "removal", "M6", NULL },
  { "M6", VESC_STEP_KIND_CHECK, N_("ITD checks whether the device is still on the network and tells the Relationship Manager"),
    "notice-check-result", RM, VESC_STEP_FLAG_SENT_ON_EXIT | VESC_STEP_FLAG_UPGRADABLE, NULL, "M7", "X1" },
  { "M7", VESC_STEP_KIND_NOTIFY, N_("The device is still there: Principal Manager and Relationship Managers informed"),
    "notice-still-present", PM | RM, VESC_STEP_FLAG_UPGRADABLE, NULL, "M8", NULL },
  { "M8", VESC_STEP_KIND_WAIT, N_("The school is contacted again; e-mail 2 warns of disconnection"),
    "email-2", HEAD | RM, VESC_STEP_FLAG_REPLY | VESC_STEP_FLAG_UPGRADABLE, "final", "M9", NULL },
  { "M9", VESC_STEP_KIND_CHECK, N_("ITD checks again and updates the Principal Manager and Relationship Managers"),
    "notice-final-check", PM | RM, VESC_STEP_FLAG_SENT_ON_EXIT | VESC_STEP_FLAG_UPGRADABLE, NULL, "M10", "X1" },
  { "M10", VESC_STEP_KIND_DECISION, N_("A decision is made whether to shut the CIN link"),
    NULL, 0, 0, NULL, "M11", "M8" },
  { "M11", VESC_STEP_KIND_DISCONNECT, N_("E-mail 3 to the Head Teacher; the site's CIN link is disconnected"),
    "email-3", HEAD | RM | ITD, VESC_STEP_FLAG_REPLY, NULL, "M12", NULL },
  { "M12", VESC_STEP_KIND_CLEAN_UP, N_("The support team cleans up the site"),
    NULL, 0, 0, NULL, "M13", NULL },
  { "M13", VESC_STEP_KIND_RECONNECT, N_("CIN is reconnected once the site is clean"),
    NULL, 0, 0, NULL, "M14", NULL },
  { "M14", VESC_STEP_KIND_NOTIFY, N_("The Principal Manager is informed"),
    "notice-reconnected", PM | RM, 0, NULL, "M15", NULL },
  { "M15", VESC_STEP_KIND_REPORT, N_("A report is produced for the LTSB"),
    "notice-report", LTSB | PM, 0, NULL, NULL, NULL },

  { "R1", VESC_STEP_KIND_OPEN, N_("ITD identified the problem"),
    NULL, 0, 0, NULL, "R2", NULL },
  { "R2", VESC_STEP_KIND_DECISION, N_("A decision is made whether to shut the CIN link at once"),
    NULL, 0, 0, NULL, "R3", "M3" },
  { "R3", VESC_STEP_KIND_NOTIFY, N_("The Relationship Managers are informed of the decision"),
    "notice-decision", RM | PM, 0, NULL, "R4", NULL },
  { "R4", VESC_STEP_KIND_NOTIFY, N_("Relationship Managers notify the school; disconnection e-mail to the Head Teacher"),
    "email-3-serious", HEAD | RM, 0, NULL, "R5", NULL },
  { "R5", VESC_STEP_KIND_NOTIFY, N_("KSSC is notified"),
    "notice-kssc", KSSC, VESC_STEP_FLAG_IF_KSSC, NULL, "R6", NULL },
  { "R6", VESC_STEP_KIND_DISCONNECT, N_("The site is disconnected from CIN"),
    "notice-disconnected", ITD | PM, 0, NULL, "R7", NULL },
  { "R7", VESC_STEP_KIND_CLEAN_UP, N_("The support team cleans up"),
    NULL, 0, 0, NULL, "R8", NULL },
  { "R8", VESC_STEP_KIND_RECONNECT, N_("CIN is reconnected once the site is clean"),
    NULL, 0, 0, NULL, "R9", NULL },
  { "R9", VESC_STEP_KIND_NOTIFY, N_("The Principal Manager is informed"),
    "notice-reconnected", PM | RM, 0, NULL, "R10", NULL },
  { "R10", VESC_STEP_KIND_REPORT, N_("A report is produced for the LTSB"),
    "notice-report", LTSB | PM, 0, NULL, NULL, NULL },

  { "X1", VESC_STEP_KIND_NOTIFY, N_("The device is gone: the Principal Manager is informed"),
    "notice-resolved", PM | RM, 0, NULL, "X2", NULL },
  { "X2", VESC_STEP_KIND_REPORT, N_("A report is produced for the LTSB"),
    "notice-report", LTSB | PM, 0, NULL, NULL, NULL },
};

const VescTrackStep *
vesc_track_lookup (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_str_equal (steps[i].code, code))
      return &steps[i];

  return NULL;
}

const VescTrackStep *
vesc_track_first (VescScenario scenario)
{
  return vesc_track_lookup (scenario == VESC_SCENARIO_MINOR ? "M1" : "R1");
}

const VescTrackStep *
vesc_track_upgrade_target (void)
{
  return vesc_track_lookup ("R2");
}

gboolean
vesc_track_can_upgrade_from (const VescTrackStep *step)
{
  /* Up to the second check the ladder is still about getting the device
   * removed; from the decision on, the disconnection is already in hand. */
  return (step->flags & VESC_STEP_FLAG_UPGRADABLE) != 0;
}
